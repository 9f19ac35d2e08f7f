"""ExportHub settings, all read from the environment (or a `.env` file) through django-environ.

Defaults are the embedded ones `make run` uses: a SQLite file and a filesystem Celery broker
under `var/`. Production sets `DATABASE_URL` and `REDIS_URL`, and must supply real secrets:
with `DEBUG` off the process refuses to start without them.

One module per section, read in this order: the secrets are checked before anything else, and
the work classes' time limits come from the Verify and webhook deadlines read before them.
"""

from __future__ import annotations

# Sections in reading order, not alphabetical.
# isort: off
from .core import *  # noqa: F403
from .web import *  # noqa: F403
from .database import *  # noqa: F403
from .auth import *  # noqa: F403
from .security import *  # noqa: F403
from .mail import *  # noqa: F403
from .api import *  # noqa: F403
from .monitoring import *  # noqa: F403
from .destinations import *  # noqa: F403
from .exports import *  # noqa: F403
from .webhooks import *  # noqa: F403
from .limits import *  # noqa: F403
from .workers import *  # noqa: F403
from .schedule import *  # noqa: F403
# isort: on
