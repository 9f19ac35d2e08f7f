"""The database, and the cache every web process shares."""

from __future__ import annotations

from .core import VAR_DIR, env

_default_sqlite = f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
DATABASES = {"default": env.db("DATABASE_URL", default=_default_sqlite)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # Web, worker and beat share the file: WAL lets readers run beside the one writer, and
    # IMMEDIATE transactions queue writers instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: shared by every web process (the API throttles count there) -------------------
# A per-process cache would give each process its own count. Redis when REDIS_URL is set, else a
# table of the database (created by a migration); CACHE_URL overrides (django-environ syntax).
_shared_cache = env.str("REDIS_URL", default="") or "dbcache://exporthub_cache"
CACHES = {"default": env.cache_url("CACHE_URL", default=_shared_cache)}
CACHES["default"].setdefault("KEY_PREFIX", "exporthub")
