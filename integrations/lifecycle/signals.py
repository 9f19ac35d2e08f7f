"""What happens to an integration, for apps above this one to act on (the webhooks app sends
them to the tenant's endpoints). Each is sent inside the transaction of the change, so what a
receiver stores commits with it or not at all.
"""

from __future__ import annotations

from django.dispatch import Signal

# integration, reason (the failed step and code), step (the failed Verify step, as JSON, or None)
integration_deactivated = Signal()
# integration: a Verify passed for a deactivated integration; exports resume with backfill
integration_reactivated = Signal()
# integration, expires_at, days_left: a reminder threshold was crossed (SAS token expiry)
credentials_expiring = Signal()
