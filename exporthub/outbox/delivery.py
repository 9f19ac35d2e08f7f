"""Delivering stored notification emails.

Workers claim a row with a conditional update (one winner, as the export ledger does) and send
it; a refused connection or a temporary SMTP error retries with backoff, a permanent refusal is
recorded as failed. A worker killed between the server's acceptance and the commit makes the
email go out a second time after its lease: at least once, never lost.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta

from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from exporthub import queues
from exporthub.retry import RetriedRows, jittered_backoff

from .models import OutgoingEmail

logger = logging.getLogger(__name__)
Status = OutgoingEmail.Status
LEASE_MARGIN = timedelta(seconds=30)
FIRST_RETRY = timedelta(minutes=1)
MAX_RETRY = timedelta(hours=1)


def lease() -> timedelta:
    """Longer than a send can last: the notifications class's hard time limit ends it before."""
    return queues.hard_limit(queues.NOTIFICATIONS) + LEASE_MARGIN


ROWS = RetriedRows(OutgoingEmail, waiting=Status.PENDING, working=Status.SENDING, lease=lease)
due_ids = ROWS.due_ids


def deliver(email_id: int) -> str:
    """Send one stored email if it is due and no other worker has it; its status after."""
    if not ROWS.claim(email_id):
        return "not claimed"
    email = OutgoingEmail.objects.get(pk=email_id)
    message = EmailMultiAlternatives(subject=email.subject, body=email.text, to=email.recipients)
    if email.html:
        message.attach_alternative(email.html, "text/html")
    try:
        message.send(fail_silently=False)
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as exc:
        return _finish(email, Status.FAILED, f"{type(exc).__name__}: refused by the mail server")
    except smtplib.SMTPResponseException as exc:
        if 500 <= exc.smtp_code < 600:  # permanent: retrying the same message cannot help
            return _finish(email, Status.FAILED, f"SMTP {exc.smtp_code}: refused")
        return _retry(email, f"SMTP {exc.smtp_code}: temporary failure")
    except (OSError, smtplib.SMTPException) as exc:  # unreachable, reset, timeout, TLS
        return _retry(email, f"{type(exc).__name__}: mail server unavailable")
    return _finish(email, Status.SENT, "", sent_at=timezone.now())


def _retry(email: OutgoingEmail, error: str) -> str:
    delay = jittered_backoff(email.attempts, FIRST_RETRY, MAX_RETRY)
    logger.warning("email %s not sent (%s); retry in %s", email.pk, error, delay)
    return _finish(email, Status.PENDING, error, next_attempt_at=timezone.now() + delay)


def _finish(email: OutgoingEmail, status: str, error: str, **fields: object) -> str:
    OutgoingEmail.objects.filter(pk=email.pk, status=Status.SENDING).update(
        status=status, last_error=error[:300], lease_expires_at=None, **fields
    )
    return status
