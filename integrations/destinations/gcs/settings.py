"""Google Cloud Storage's operator settings: read from the environment, overridable in Django's
settings."""

from __future__ import annotations

from ..base import OperatorSetting, env

# ExportHub's GCS service account of each seat, "{seat_id}" replaced by the tenant's seat id (it
# must contain it); ExportHub impersonates it from its own credentials. Enables the grant mode.
GCS_PLATFORM_SERVICE_ACCOUNT = OperatorSetting(
    "GCS_PLATFORM_SERVICE_ACCOUNT", env.str("GCS_PLATFORM_SERVICE_ACCOUNT", default="")
)
# The only OAuth token endpoint besides Google's that a service-account key may name (a local
# stand-in); a key naming any other is refused, so no tenant makes ExportHub connect elsewhere.
GCS_TOKEN_URI = OperatorSetting("GCS_TOKEN_URI", env.str("GCS_TOKEN_URI", default=""))
# Base URL of the IAM Credentials API ExportHub impersonates each seat's service account through
# (default: Google's); set for a local stand-in.
GCS_IAM_CREDENTIALS_ENDPOINT = OperatorSetting(
    "GCS_IAM_CREDENTIALS_ENDPOINT", env.str("GCS_IAM_CREDENTIALS_ENDPOINT", default="")
)
