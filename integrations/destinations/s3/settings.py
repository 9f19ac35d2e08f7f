"""Amazon S3's operator settings: read from the environment, overridable in Django's settings."""

from __future__ import annotations

from ..base import OperatorSetting, env

# ARN of ExportHub's own AWS principal; enables the bucket-policy and assume-role modes.
S3_PLATFORM_PRINCIPAL_ARN = OperatorSetting(
    "S3_PLATFORM_PRINCIPAL_ARN", env.str("S3_PLATFORM_PRINCIPAL_ARN", default="")
)
# ARN of the IAM role ExportHub assumes for one seat, "{seat_id}" replaced by the tenant's: the
# principal a tenant's bucket policy names, used for that seat's exports alone (a shared principal
# would let one tenant export into a bucket another tenant granted). Enables the bucket-policy mode.
S3_SEAT_ROLE_ARN = OperatorSetting("S3_SEAT_ROLE_ARN", env.str("S3_SEAT_ROLE_ARN", default=""))
# Set when S3 requests go to a local stand-in (make run); pages say so.
S3_STANDIN_URL = OperatorSetting("S3_STANDIN_URL", env.str("AWS_ENDPOINT_URL_S3", default=""))


def errors() -> list[str]:
    """A seat role without "{seat_id}" would be one role every tenant shares."""
    role = S3_SEAT_ROLE_ARN.get()
    if role and "{seat_id}" not in role:
        return [
            "S3_SEAT_ROLE_ARN must contain {seat_id} (e.g. arn:aws:iam::123456789012:role/"
            "exporthub-seat-{seat_id}): without it every tenant would share one role."
        ]
    return []
