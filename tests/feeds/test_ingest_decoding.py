"""The compiled fast path of ingestion (feeds/ingestion/decoding.py) against the reference parser:
whatever it accepts, the reference accepts with the same values; the rest it hands over."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feeds.demo.synthetic import Generator
from feeds.ingestion.decoding import decode_events
from feeds.ingestion.parsing import parse_events, parse_reference
from feeds.models import EVENT_MODELS
from feeds.schema.columns import stored_columns
from tests.support.events import click

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
fuzz = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _exact(rows: list[tuple[Any, ...]]) -> list[tuple[str, ...]]:
    """Values and their types alike: Decimal("1.50") is not Decimal("1.5") to a reader."""
    return [tuple(repr(value) for value in row) for row in rows]


def _lines(*events: dict[str, Any]) -> bytes:
    return "\n".join(json.dumps(event) for event in events).encode()


def test_a_well_formed_batch_takes_the_fast_path_with_the_reference_values() -> None:
    body = _lines(
        click(click_id="a", cost=0.1, sub1="x" * 255, city="Zürich 😀"),
        click(click_id="b", offer_id=2**63 - 1, cost="123456789012.123456", region=None),
        click(click_id="c", event_time="2026-11-22T10:05:00.5+05:30", cost=10, campaign_id=-1),
    )
    rows = decode_events("clicks", body)
    assert rows is not None
    assert _exact(rows) == _exact(parse_reference("clicks", body)[0])


def _as_json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value) if isinstance(value, Decimal) else value


@pytest.mark.parametrize("feed", EVENT_MODELS)
def test_every_feeds_generated_events_take_the_fast_path_with_the_reference_values(
    feed: str,
) -> None:
    names = [column.name for column in stored_columns(feed)]
    start = datetime(2026, 11, 22, tzinfo=UTC)
    rows = Generator(feed, 7).rows(200, start, start + timedelta(hours=1))
    body = _lines(*({n: _as_json(v) for n, v in zip(names, row, strict=True)} for row, _ in rows))
    fast = decode_events(feed, body)
    assert fast is not None
    assert _exact(fast) == _exact(parse_reference(feed, body)[0])


def test_nullable_fields_left_out_take_the_fast_path_as_nulls() -> None:
    sparse = click(click_id="s")  # the sample leaves every nullable field out
    body = json.dumps([sparse, {**sparse, "sub2": "y"}]).encode()
    rows = decode_events("clicks", body)
    assert rows is not None and rows[0][6:11] == (None,) * 5
    assert _exact(rows) == _exact(parse_reference("clicks", body)[0])


SAMPLE = json.dumps(click())
HANDED_OVER = {
    "a key given twice": SAMPLE.replace(
        '{"click_id": "c-1"', '{"click_id": "c-1", "click_id": "c-2"'
    ),
    "a key given twice with a spaced colon": SAMPLE.replace(
        '{"click_id": "c-1"', '{"click_id" : "c-1", "click_id" : "c-2"'
    ),
    "a NUL escape": SAMPLE.replace('"c-1"', '"c\\u00001"'),
    "a 64-bit id sent as a string": SAMPLE.replace('"offer_id": 17', '"offer_id": "17"'),
    "an unknown field": SAMPLE.replace('{"click_id"', '{"extra": 1, "click_id"'),
    "a decimal past its scale": SAMPLE.replace('"0.125"', '"0.1234567"'),
    "an empty array": "[]",
    "a second value on a line": SAMPLE + " " + SAMPLE,
    "an event across two lines": SAMPLE.replace(', "offer_id"', ',\n"offer_id"'),
}


@pytest.mark.parametrize("body", HANDED_OVER.values(), ids=HANDED_OVER.keys())
def test_what_the_fast_path_cannot_prove_goes_to_the_reference_parser(body: str) -> None:
    data = body.encode()
    assert decode_events("clicks", data) is None
    assert parse_events("clicks", data) == parse_reference("clicks", data)


# msgspec's own time reader takes these and rounds the fraction; the reference rule decides.
TIMES = ["2026-11-22t10:05:00.123456Z", "2026-11-22T10:05:00.1234567Z",
         "2026-11-22T10:05:00.9999995Z", "2026-11-22t10:05:00z"]  # fmt: skip


@pytest.mark.parametrize("when", TIMES)
def test_times_are_read_by_the_reference_rule_on_the_fast_path(when: str) -> None:
    data = json.dumps([click(event_time=when)]).encode()
    assert _exact_result(parse_events("clicks", data)) == _exact_result(
        parse_reference("clicks", data)
    )


def _exact_result(result: tuple[list[tuple[Any, ...]], list[Any]]) -> tuple[Any, ...]:
    return _exact(result[0]), result[1]


# Values at and past every rule's edge, and of every JSON type.
VALUES = st.sampled_from([
    None, True, False, 0, -1, 17, 2**31, 2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 1.0, 0.1, 1e-7,
    1e20, float("nan"), "", "x", "x" * 2, "x" * 3, "x" * 64, "x" * 65, "😀" * 2, "a\u2028b",
    "\x00", 'q":', "17", "-5", "0x1", "1_0", " 1.5 ", "1e3", "NaN", "Infinity", "0.125",
    "0.0000001", "123456789012.123456", "1234567890123", "2026-11-22T10:05:00Z",
    "2026-11-22t10:05:00z", "2026-11-22 10:05:00+01:00", "2026-11-22T10:05:00", "20261122T1005Z",
    "2026-11-22T10:05:00.9999995Z", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-14:00",
    "2026-11-22T10:05+0100", [1], {"a": 1},
])  # fmt: skip
FIELDS = st.sampled_from([*click(), "campaign_id", "sub1", "region", "user_agent", "extra"])
EDITS = st.lists(st.tuples(st.sampled_from(["set", "drop", "twice"]), FIELDS, VALUES), max_size=3)


@st.composite
def _bodies(draw: st.DrawFn) -> bytes:
    colon = draw(st.sampled_from([":", ": ", " : "]))
    ascii_only = draw(st.booleans())
    events = []
    for edits in draw(st.lists(EDITS, min_size=1, max_size=4)):
        pairs = list(click().items())
        for kind, field, value in edits:
            if kind == "drop":
                pairs = [(k, v) for k, v in pairs if k != field]
            elif kind == "set":
                pairs = [(k, v) for k, v in pairs if k != field] + [(field, value)]
            else:
                pairs.append((field, value))
        events.append("{" + ", ".join(
            json.dumps(k) + colon + json.dumps(v, ensure_ascii=ascii_only) for k, v in pairs
        ) + "}")  # fmt: skip
    if draw(st.booleans()):
        return ("[" + ",\n".join(events) + "]").encode()
    return draw(st.sampled_from(["\n", "\r\n", "\n\n"])).join(events).encode()


@fuzz
@given(body=_bodies())
def test_the_fast_path_accepts_only_what_the_reference_accepts_with_the_same_values(
    body: bytes,
) -> None:
    fast = decode_events("clicks", body)
    rows, errors = parse_reference("clicks", body)
    if fast is not None:
        assert not errors
        assert _exact(fast) == _exact(rows)
    assert parse_events("clicks", body) == (rows, errors)
