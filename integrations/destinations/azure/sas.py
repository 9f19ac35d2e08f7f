"""Azure account SAS tokens: parsed and checked against what the export will do with them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

from django.core.exceptions import ValidationError
from django.utils import timezone

from integrations.catalog import OPERATIONS, FeedKind, Operation

# Seed 004 lists r w d l a c for log-level exports (manifest renames need list, copy, delete).
# Raw feeds only write their files; Verify reads a test object back and deletes it.
# The account SAS letters each storage operation takes, in Azure's order ("rwdlac"): a rename
# is a server-side copy, which adds and creates the target.
LETTERS: dict[Operation, str] = {
    Operation.READ: "r",
    Operation.WRITE: "w",
    Operation.DELETE: "d",
    Operation.LIST: "l",
    Operation.RENAME: "ac",
}


def required_letters(operations: frozenset[Operation]) -> str:
    needed = "".join(LETTERS.get(op, "") for op in operations)
    return "".join(letter for letter in "rwdlac" if letter in needed)


REQUIRED_PERMISSIONS: dict[FeedKind, str] = {
    kind: required_letters(ops) for kind, ops in OPERATIONS.items()
}
PERMISSION_NAMES = {
    "r": ("read", "Read"),
    "w": ("write", "Write"),
    "d": ("delete", "Delete"),
    "l": ("list", "List"),
    "a": ("add", "Add"),
    "c": ("create", "Create"),
}
REQUIRED_FIELDS = ("sv", "ss", "srt", "sp", "se", "spr", "sig")
# Tolerates a token made a moment ago on a machine whose clock runs slightly ahead.
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class SasToken:
    raw: str
    expires_at: datetime
    starts_at: datetime | None


def _parse_time(value: str, name: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            f"The token's {name} time ({name}=) is not an ISO 8601 time."
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_sas_token(raw: str, feed_kind: FeedKind) -> SasToken:
    """Check an account SAS token; error messages never include the signature."""
    from azure.storage.blob import AccountSasPermissions, ResourceTypes

    token = raw.strip().removeprefix("?")
    try:
        params = {k: v[0] for k, v in parse_qs(token, strict_parsing=True).items()}
    except ValueError:
        raise ValidationError("Paste the SAS token as Azure shows it: sv=…&ss=…&sig=….") from None
    missing = [name for name in REQUIRED_FIELDS if name not in params]
    if "sr" in params and "srt" not in params:
        raise ValidationError(
            "This is a service SAS; generate an account SAS (Storage account → Shared access "
            "signature) with the settings listed below."
        )
    if missing:
        raise ValidationError(
            f"This is not a complete account SAS token: {', '.join(missing)} missing."
        )
    if "b" not in params["ss"]:
        raise ValidationError("Allowed services must include Blob (ss=b).")
    resource_types = ResourceTypes.from_string(params["srt"])
    if not (resource_types.container and resource_types.object):
        raise ValidationError("Allowed resource types must include Container and Object (srt=co).")
    permissions = AccountSasPermissions.from_string(params["sp"])
    lacking = [
        label
        for letter, (attribute, label) in PERMISSION_NAMES.items()
        if letter in REQUIRED_PERMISSIONS[feed_kind] and not getattr(permissions, attribute)
    ]
    if lacking:
        raise ValidationError(f"Allowed permissions must include {', '.join(lacking)}.")
    if params["spr"] != "https":
        raise ValidationError("Allowed protocols must be HTTPS only (spr=https).")
    now = timezone.now()
    expires_at = _parse_time(params["se"], "expiry")
    if expires_at <= now:
        raise ValidationError("This SAS token has expired; generate one with a distant expiry.")
    starts_at = _parse_time(params["st"], "start") if "st" in params else None
    if starts_at and starts_at > now + CLOCK_SKEW:
        raise ValidationError("This SAS token is not valid yet (its start time is in the future).")
    return SasToken(raw=raw.strip(), expires_at=expires_at, starts_at=starts_at)


def check_not_expired(raw: str) -> None:
    """What can change after the form accepted a token: time. Azure answers for the rest."""
    params = {k: v[0] for k, v in parse_qs(raw.strip().removeprefix("?")).items()}
    if "se" in params and _parse_time(params["se"], "expiry") <= timezone.now():
        raise ValidationError(f"This SAS token expired at {params['se']}; generate a new one.")


def expires_at(raw: str) -> datetime | None:
    """The token's expiry (`se`), or None when it names none or cannot be read."""
    params = {k: v[0] for k, v in parse_qs(raw.strip().removeprefix("?")).items()}
    try:
        return _parse_time(params["se"], "expiry") if "se" in params else None
    except ValidationError:
        return None
