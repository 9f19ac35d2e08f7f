"""Realistic, reproducible synthetic events for demos, tests and benchmarks.

Ids follow a skewed (Zipf-like) popularity, countries and devices plausible weights, prices a
log-normal spread; most events are received seconds after they happen, a few (2 %) much later.
Event and received times always fall inside [start, end).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from ..schema.columns import Column, stored_columns

COUNTRIES = (
    ("US", 30), ("GB", 8), ("DE", 8), ("FR", 6), ("BR", 6), ("IN", 10), ("JP", 5),
    ("CA", 4), ("MX", 4), ("ES", 3), ("IT", 3), ("AU", 3), ("NL", 2), ("PL", 2),
)  # fmt: skip
DEVICES = (("phone", 55), ("desktop", 30), ("tablet", 10), ("tv", 3), ("other", 2))
SYSTEMS = ("Android", "iOS", "Windows", "macOS", "Linux", "ChromeOS")
BROWSERS = ("Chrome", "Safari", "Firefox", "Edge", "Samsung Internet", "Opera")
USER_AGENTS = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Safari/537.36 Edg/126.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    '"Safari"',
    "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0",
)
REGIONS = ("California", "Texas", "Bavaria", "Île-de-France", "São Paulo", "Maharashtra", "Tokyo")
CITIES = ("Los Angeles", "Austin", "München", "Paris", "São Paulo", "Mumbai", "Tokyo", "Zürich")
DOMAINS = (
    "news.example",
    "recipes.example",
    "com.game.puzzle",
    "sports.example",
    "weather.example",
)
CHOICES: dict[str, tuple[str, ...]] = {
    "os": SYSTEMS, "operating_system": SYSTEMS, "browser": BROWSERS, "user_agent": USER_AGENTS,
    "region": REGIONS, "city": CITIES, "site_domain": DOMAINS, "currency": ("USD", "EUR", "GBP"),
    "status": ("approved", "approved", "approved", "pending", "declined", "hold"),
    "goal": ("install", "purchase", "lead", "signup"), "media_type": ("banner", "video", "native"),
    "event_type": ("imp", "imp", "imp", "imp", "click", "pv_conv"),
}  # fmt: skip
SIZES = ((300, 250), (728, 90), (320, 50), (160, 600), (1920, 1080))
LATE_SHARE = 0.02


class Generator:
    def __init__(self, feed: str, seed: int | None = None) -> None:
        self.rng = random.Random(seed)  # noqa: S311  # nosec B311 - synthetic data
        self.columns = stored_columns(feed)
        self._pools: dict[str, list[int]] = {}
        self._makers: list[Callable[[], Any]] = [self._maker(column) for column in self.columns]

    def _skewed_id(self, name: str, size: int) -> int:
        """A few ids are very common, most are rare, as with real offers and placements."""
        pool = self._pools.get(name)
        if pool is None:
            pool = self._pools[name] = [self.rng.randrange(1, 2**31) for _ in range(size)]
        return pool[min(int(self.rng.paretovariate(1.2)) - 1, size - 1)]

    def _maker(self, column: Column) -> Callable[[], Any]:
        rng, name = self.rng, column.name
        if name in CHOICES:
            values = CHOICES[name]
            return lambda: rng.choice(values)
        if name in ("country", "device_type"):
            table = COUNTRIES if name == "country" else DEVICES
            names, weights = [n for n, _ in table], [float(w) for _, w in table]
            return lambda: rng.choices(names, weights)[0]
        if name in ("ip", "ip_address"):
            return lambda: f"{rng.randrange(1, 224)}.{rng.randrange(256)}.{rng.randrange(256)}.0"
        if name in ("width", "height"):
            index = 0 if name == "width" else 1
            return lambda: rng.choice(SIZES)[index]
        if (name.endswith("_id") and column.type == "string") or name == "order_id":
            return lambda: str(uuid.UUID(int=rng.getrandbits(128), version=4))
        if name.startswith("sub"):
            return lambda: rng.choice(("", "email", "push", "spring_sale", 'campaign,a"b'))
        if column.type == "int64" and name in ("auction_id_64", "user_id_64"):
            return lambda: rng.getrandbits(63)
        if column.type in ("int64", "int32"):
            return lambda: self._skewed_id(name, 5000)
        if column.type == "decimal":
            quantum = Decimal(1).scaleb(-column.scale)
            return lambda: Decimal(
                repr(round(rng.lognormvariate(0.3, 0.9), column.scale))
            ).quantize(quantum)
        if column.type == "bool":
            return lambda: rng.random() < 0.3
        if name == "referrer":
            return lambda: f"https://{rng.choice(DOMAINS)}/article/{rng.randrange(10**6)}"
        return lambda: rng.choice(USER_AGENTS)[:40]

    def rows(
        self, count: int, start: datetime, end: datetime
    ) -> Iterator[tuple[tuple[Any, ...], datetime]]:
        """(row, received_at) pairs; the row's event_time and received_at lie in [start, end)."""
        span = int((end - start) / timedelta(microseconds=1))
        if span <= 0:
            raise ValueError("end must be after start")
        rng, makers = self.rng, self._makers
        time_index = [c.name for c in self.columns].index("event_time")
        nullable = [c.nullable for c in self.columns]
        for _ in range(count):
            event_time = start + timedelta(microseconds=rng.randrange(span))
            late = rng.random() < LATE_SHARE
            delay = timedelta(seconds=rng.uniform(600, 7200) if late else rng.uniform(0, 20))
            received_at = min(event_time + delay, end - timedelta(microseconds=1))
            row = [
                None if null and rng.random() < 0.1 else make()
                for make, null in zip(makers, nullable, strict=True)
            ]
            row[time_index] = event_time
            yield tuple(row), received_at
