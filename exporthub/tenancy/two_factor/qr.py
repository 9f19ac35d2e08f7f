"""The enrolment QR code: the otpauth URI drawn server-side as inline SVG (segno), no script."""

from __future__ import annotations

import segno
from django.utils.safestring import SafeString, mark_safe

LABEL = "QR code of the otpauth link: scan it with your authenticator app"


def qr_svg(uri: str) -> SafeString:
    """An inline <svg> of `uri`, white behind dark modules so any phone camera reads it."""
    code = segno.make(uri, error="m", micro=False)
    svg = code.svg_inline(scale=4, border=4, dark="#000", light="#fff", svgclass="qr-code",
                          lineclass=None, omitsize=True)  # fmt: skip
    # segno's markup holds no text of ours (the URI is drawn, not written), so it is safe.
    labelled = svg.replace("<svg ", f'<svg role="img" aria-label="{LABEL}" ', 1)
    return mark_safe(labelled)  # noqa: S308  # nosec B308,B703 - segno markup
