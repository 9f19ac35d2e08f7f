"""The API's JSON parser: DRF's, with a body nested past Python's recursion limit a 400 too."""

from __future__ import annotations

from typing import IO, Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Any = None
    ) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            # DRF turns only ValueError into a 400; `[[[…]]]` a few KB long would be a 500.
            raise ParseError("JSON parse error - nested too deeply.") from None
