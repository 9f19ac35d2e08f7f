"""The enrolment QR code: the otpauth URI drawn server-side as inline SVG, no script.

segno encodes the URI; the template draws its modules as one path, so no markup is marked safe."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

import segno

BORDER = 4  # the quiet zone the QR standard asks for, in modules


@dataclass(frozen=True)
class QrCode:
    """What templates/includes/qr.html draws: the side in modules and the dark runs' path."""

    size: int
    path: str


def qr_code(uri: str) -> QrCode:
    """`uri` as a QR code: each horizontal run of dark modules is one rectangle of the path."""
    matrix = list(segno.make(uri, error="m", micro=False).matrix_iter(border=BORDER))
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        for dark, modules in groupby(row):
            width = len(list(modules))
            if dark:
                runs.append(f"M{x} {y}h{width}v1h-{width}z")
            x += width
    return QrCode(size=len(matrix), path="".join(runs))
