"""The Celery application; its configuration lives in settings under the CELERY_ prefix."""

from __future__ import annotations

import os

from celery import Celery
from kombu.transport import TRANSPORT_ALIASES

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exporthub.settings")
# `filesystem://` (the embedded broker) writes each message whole before a worker can take it
# (exporthub/broker_files.py); set before any connection resolves the name.
TRANSPORT_ALIASES["filesystem"] = "exporthub.broker_files:Transport"

app = Celery("exporthub", include=["exporthub.tasks"])
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
