"""Accepting an invitation: a new person chooses a password; someone with an account logs in as
the invited address and confirms. Nobody joins a tenant without doing one of these."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from ..members.rules import accept_invitation
from ..models import Invitation, User


@never_cache
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    opened = Invitation.open(token)
    if opened is None:
        return render(request, "tenancy/invitation.html", {"invalid": True}, status=404)
    account = User.objects.filter(email__iexact=opened.email).first()
    if account is None:
        return _new_account(request, opened)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.user.pk != account.pk:
        context = {"invitation": opened, "wrong_account": True}
        return render(request, "tenancy/invitation.html", context, status=403)
    if request.method == "POST":
        return _joined(request, opened, account)
    return render(request, "tenancy/invitation.html", {"invitation": opened})


def _new_account(request: HttpRequest, opened: Invitation) -> HttpResponse:
    """The address has no account: the invitee, holding the emailed link, chooses a password."""
    user = User(email=opened.email)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = User.objects.create_user(
            email=opened.email, password=form.cleaned_data["new_password1"]
        )
        return _joined(request, opened, user)
    context = {"invitation": opened, "form": form, "new_account": True}
    return render(request, "tenancy/invitation.html", context, status=400 if form.is_bound else 200)


def _joined(request: HttpRequest, opened: Invitation, user: User) -> HttpResponse:
    try:
        membership = accept_invitation(opened, user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("home")
    if membership is None:
        return render(request, "tenancy/invitation.html", {"invalid": True}, status=404)
    if not request.user.is_authenticated:
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(
        request, f"You joined {membership.tenant.name} as {membership.get_role_display()}."
    )
    return redirect("dashboard", membership.tenant.slug)
