"""Forms of the tenancy pages."""

from __future__ import annotations

from django import forms

from .models import Role, Tenant


class TenantSettingsForm(forms.ModelForm[Tenant]):
    class Meta:
        model = Tenant
        fields = ("name", "require_admin_2fa")
        labels = {"name": "Name", "require_admin_2fa": "Require two-factor sign-in for Admins"}


class AddMemberForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="They get an invitation email and join once they accept it.",
    )
    role = forms.ChoiceField(
        label="Role",
        choices=Role.choices,
        initial=Role.VIEWER,
        help_text="Admins change exports, members and keys; Viewers only read.",
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Role.choices)


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=100, help_text="What the key is for, e.g. “ingestion job”."
    )
    role = forms.ChoiceField(
        label="Role",
        choices=Role.choices,
        initial=Role.VIEWER,
        help_text="Viewer keys read; Admin keys also ingest events and change integrations.",
    )
