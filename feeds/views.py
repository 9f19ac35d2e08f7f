"""Downloads of the files consumers decode with."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from .catalog import FEEDS
from .published import KINDS, render


@login_required
def schema_file(request: HttpRequest, feed: str, kind: str) -> HttpResponse:
    if feed not in FEEDS or kind not in KINDS:
        raise Http404("No such schema.")
    response = HttpResponse(render(feed, kind), content_type=KINDS[kind])
    response["Content-Disposition"] = f'attachment; filename="{feed}.{kind}"'
    return response
