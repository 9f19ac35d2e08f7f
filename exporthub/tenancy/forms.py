"""Forms of the tenancy pages."""

from __future__ import annotations

from django import forms

from .models import Tenant


class TenantSettingsForm(forms.ModelForm[Tenant]):
    class Meta:
        model = Tenant
        fields = ("name",)
        labels = {"name": "Name"}
