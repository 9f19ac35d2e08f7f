"""The embedded (filesystem) Celery broker, with every message written whole before any worker
can take it.

kombu's filesystem transport creates a message's file under its final name and then writes it;
a worker listing the folder in between moves and reads an empty file, fails to decode it and the
message is lost (an export then waits for its enqueue lease, 15 minutes). Raw windows' close
tick publishes every few seconds, which made this happen within minutes. Here the message is
written under a name no worker takes (it does not end in `.msg`) and renamed into place: a rename
within a folder is atomic.
"""

from __future__ import annotations

import os
import uuid
from time import monotonic
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    # The stubs' base class names its second argument differently; kombu passes it by position.
    def _put(self, queue: str, payload: Any, **kwargs: Any) -> None:  # type: ignore[override]
        """Put `payload` onto `queue`: written aside, then renamed to the name workers read."""
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = f"{final}.partial"
        try:
            with open(partial, "wb") as file:
                file.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel
