"""PostgreSQL's binary COPY file layout, which `copy_events` frames (and the demo generator
fills): signature, flags, header extension length; a -1 field count ends it."""

from __future__ import annotations

import struct

SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
TRAILER = struct.pack(">h", -1)
