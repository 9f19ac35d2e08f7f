"""Creating, changing and deleting integrations, each with its audit entry.

Views and the API both call these, after validating through the same forms.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from exporthub.tenancy.auditlog import Actor, record

from ..fields import CONFIG_DEFAULTS, EARLIER_MANIFEST_PATHS, PATH_KEYS
from ..forms.base import IntegrationForm
from ..models import Integration, State


def _changes(
    old: dict[str, Any],
    new: dict[str, Any],
    old_secrets: dict[str, Any],
    new_secrets: dict[str, Any],
) -> dict[str, Any]:
    """Field-level diff; secrets appear only as "changed", never with a value."""
    old = {**{k: v for k, v in CONFIG_DEFAULTS.items() if old and k in new}, **old}
    changes: dict[str, Any] = {
        key: {"old": old.get(key), "new": new.get(key)}
        for key in sorted(set(old) | set(new))
        if old.get(key) != new.get(key)
    }
    for key in sorted(set(old_secrets) | set(new_secrets)):
        if old_secrets.get(key) != new_secrets.get(key):
            changes[key] = "changed" if key in new_secrets else "removed"
    return changes


def _audit_target(integration: Integration) -> dict[str, Any]:
    return {
        "target_type": "integration",
        "target_id": integration.pk,
        "target_label": integration.name,
    }


def _kind(integration: Integration) -> dict[str, Any]:
    return {"feed": integration.feed, "destination": integration.destination}


def save_integration(form: IntegrationForm, actor: Actor) -> Integration:
    """Create or update from a valid form; destination changes need a new Verify."""
    creating = form.instance is None
    integration = form.instance or Integration(
        tenant=form.tenant, feed=form.feed, destination=form.destination_kind
    )
    old_config = {"name": integration.name, **integration.config} if not creating else {}
    old_secrets = integration.get_secrets() if not creating else {}
    config = form.config()
    secrets, hints = form.secrets(old_secrets)
    changes = _changes(
        old_config, {"name": form.cleaned_data["name"], **config}, old_secrets, secrets
    )
    watched = (*form.destination.destination_fields, *form.destination.secret_fields, *PATH_KEYS)
    needs_verify = (
        not creating and integration.state != State.NEW and any(key in changes for key in watched)
    )

    integration.name = form.cleaned_data["name"]
    integration.config = {
        **config,
        **_earlier_manifest_paths(integration, old_config, config, form),
    }
    integration.set_secrets(secrets, hints)
    expiry = form.destination.credentials_expire_at(secrets)
    if expiry != integration.credentials_expire_at:  # a new token: its reminders start afresh
        integration.credentials_expire_at, integration.expiry_reminded_days = expiry, None
    integration.destination_key = form.destination.destination_key(config)
    integration.updated_by = actor.user
    if creating:
        integration.created_by = actor.user
    with transaction.atomic():
        if needs_verify:
            previous = integration.state
            integration.state = State.NEW
            integration.state_changed_at = timezone.now()
        integration.save()
        target = _audit_target(integration)
        if creating:
            record(form.tenant, "integration.created", actor, **target, changes=_kind(integration))
        elif changes:
            record(form.tenant, "integration.updated", actor, **target, changes=changes)
        if needs_verify:
            transition = {
                "state": {"old": previous, "new": State.NEW},
                "reason": "destination changed; verify again",
            }
            record(form.tenant, "integration.state_changed", actor, **target, changes=transition)
    return integration


def _earlier_manifest_paths(
    integration: Integration, old: dict[str, Any], new: dict[str, Any], form: IntegrationForm
) -> dict[str, list[str]]:
    """Manifest paths used before in the same bucket or container: the stale-manifest step and
    the archive keep looking there. A new bucket or container starts afresh (the old one may be
    out of reach; the Configure page tells the Admin what stays there)."""
    if "manifest_path" not in new or not old:
        return {}
    if integration.destination_key != form.destination.destination_key(new):
        return {}
    earlier = [*old.get(EARLIER_MANIFEST_PATHS, []), old.get("manifest_path")]
    kept = [path for path in dict.fromkeys(earlier) if path and path != new["manifest_path"]]
    return {EARLIER_MANIFEST_PATHS: kept} if kept else {}


def delete_integration(integration: Integration, actor: Actor) -> None:
    """Stop exports and erase config and secrets; files already uploaded stay in the bucket."""
    with transaction.atomic():
        target = _audit_target(integration)
        record(
            integration.tenant, "integration.deleted", actor, **target, changes=_kind(integration)
        )
        integration.delete()
