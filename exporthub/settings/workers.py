"""Celery: the broker and results, and each work class's queue and time limits."""

from __future__ import annotations

from pathlib import Path

from exporthub import queues

from .core import VAR_DIR, env
from .destinations import VERIFY_DEADLINE_SECONDS
from .webhooks import WEBHOOK_TIMEOUT_SECONDS

REDIS_URL = env.str("REDIS_URL", default="")
BROKER_DIR = Path(env.str("BROKER_DIR", default=str(VAR_DIR / "broker")))

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_RESULT_BACKEND = env.str(
    "CELERY_RESULT_BACKEND", default=REDIS_URL or f"file://{BROKER_DIR / 'results'}"
)
if CELERY_BROKER_URL.startswith("filesystem://"):
    # Embedded broker: producer and consumers meet in one folder, no server needed; each
    # message is written whole before a worker can take it (exporthub/broker_files.py).
    for folder in ("queue", "processed", "results", "control"):
        (BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        # Broadcasts (worker control) too, or kombu writes them to ./control.
        "control_folder": str(BROKER_DIR / "control"),
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
        # A worker lists the folder this often (kombu's default: every second); each hop of a
        # raw window's export (close tick, export) waits for it (docs/exports.md).
        "polling_interval": 0.25,
    }
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 5

# --- Work classes: each its Celery queue and wall-clock limits (exporthub/queues.py) ---------
TASK_CLASS_LIMITS = queues.time_limits(VERIFY_DEADLINE_SECONDS, WEBHOOK_TIMEOUT_SECONDS)
CELERY_TASK_ROUTES = queues.task_routes()
CELERY_TASK_ANNOTATIONS = queues.task_annotations(TASK_CLASS_LIMITS)
CELERY_TASK_SOFT_TIME_LIMIT, CELERY_TASK_TIME_LIMIT = TASK_CLASS_LIMITS[queues.SCHEDULE]
# Redis hands a message to another worker after this; never while it may still run.
TASK_TIME_LIMIT_SECONDS = max(hard for _, hard in TASK_CLASS_LIMITS.values())
if not CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * TASK_TIME_LIMIT_SECONDS}
