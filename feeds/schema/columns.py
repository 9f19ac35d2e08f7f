"""The columns of every feed, defined once; storage, CSV, Avro and protobuf derive from them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# Column types and what they mean in each representation:
#   int64/int32  signed integers                     Avro long/int,      proto int64/int32
#   string       UTF-8 text                           Avro string,        proto string
#   timestamp    UTC instant, microseconds            Avro long timestamp-micros, proto int64 (µs)
#   decimal      exact decimal(precision, scale)      Avro bytes decimal, proto string ("12.5")
#   bool         true/false                           Avro boolean,       proto bool
INT_RANGES = {"int64": (-(2**63), 2**63 - 1), "int32": (-(2**31), 2**31 - 1)}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    nullable: bool = False
    doc: str = ""
    max_length: int = 255  # strings
    precision: int = 18  # decimals
    scale: int = 6
    # The column's name in exported files and schemas, where a vendor's public feed names it
    # otherwise than ExportHub stores and ingests it.
    published: str = ""
    # Not stored: the start of the hour of this stored timestamp column, as Unix milliseconds
    # (an Avro timestamp-millis), computed when the rows are read for export.
    hour_of: str = ""

    @property
    def public_name(self) -> str:
        return self.published or self.name


def _c(name: str, type_: str, doc: str, **options: object) -> Column:
    return Column(name, type_, doc=doc, **options)  # type: ignore[arg-type]


def _n(name: str, type_: str, doc: str, **options: object) -> Column:
    return Column(name, type_, nullable=True, doc=doc, **options)  # type: ignore[arg-type]


CLICKS = (
    _c("click_id", "string", "Unique click id.", max_length=64),
    _c("event_time", "timestamp", "When the click happened (UTC)."),
    _c("offer_id", "int64", "Offer clicked."),
    _c("affiliate_id", "int64", "Affiliate (publisher) that sent the click."),
    _c("advertiser_id", "int64", "Advertiser of the offer."),
    _n("campaign_id", "int64", "Campaign, if any."),
    _n("sub1", "string", "Affiliate sub-parameter 1."),
    _n("sub2", "string", "Affiliate sub-parameter 2."),
    _n("sub3", "string", "Affiliate sub-parameter 3."),
    _n("sub4", "string", "Affiliate sub-parameter 4."),
    _n("sub5", "string", "Affiliate sub-parameter 5."),
    _c("ip", "string", "Client IP address, last octet zeroed (IPv6: last 80 bits).", max_length=45),
    _c("country", "string", "ISO 3166-1 alpha-2 country code.", max_length=2),
    _n("region", "string", "Region or state.", max_length=64),
    _n("city", "string", "City.", max_length=100),
    _c("device_type", "string", "desktop, phone, tablet, tv or other.", max_length=16),
    _c("os", "string", "Operating system.", max_length=32),
    _c("browser", "string", "Browser.", max_length=32),
    _n("user_agent", "string", "User-Agent header.", max_length=1024),
    _n("referrer", "string", "Referring URL.", max_length=2048),
    _c("is_unique", "bool", "First click of this user on this offer today."),
    _n("cost", "decimal", "Cost of the click.", precision=18, scale=6),
    _c("currency", "string", "ISO 4217 currency of cost.", max_length=3),
)

CONVERSIONS = (
    _c("conversion_id", "string", "Unique conversion id.", max_length=64),
    _c("event_time", "timestamp", "When the conversion happened (UTC)."),
    _n("click_id", "string", "Click that led to it, if known.", max_length=64),
    _c("offer_id", "int64", "Offer converted."),
    _c("affiliate_id", "int64", "Affiliate credited."),
    _c("advertiser_id", "int64", "Advertiser of the offer."),
    _n("goal", "string", "Conversion goal (e.g. install, purchase).", max_length=64),
    _c("status", "string", "approved, pending, declined or hold.", max_length=16),
    _c("payout", "decimal", "Paid to the affiliate.", precision=18, scale=6),
    _c("revenue", "decimal", "Earned from the advertiser.", precision=18, scale=6),
    _c("currency", "string", "ISO 4217 currency of payout and revenue.", max_length=3),
    _n("order_id", "string", "Advertiser's order id.", max_length=128),
    _c("country", "string", "ISO 3166-1 alpha-2 country code.", max_length=2),
    _c("device_type", "string", "desktop, phone, tablet, tv or other.", max_length=16),
    _c("os", "string", "Operating system.", max_length=32),
    _c("ip", "string", "Client IP address, truncated.", max_length=45),
    _n("sub1", "string", "Affiliate sub-parameter 1."),
    _n("sub2", "string", "Affiliate sub-parameter 2."),
    _n("sub3", "string", "Affiliate sub-parameter 3."),
    _c("is_duplicate", "bool", "Flagged as a duplicate of an earlier conversion."),
)

STANDARD_FEED = (
    _c("auction_id_64", "int64", "Auction id."),
    _c("event_time", "timestamp", "When the impression was served (UTC)."),
    _n("user_id_64", "int64", "Pseudonymous user id; null when unknown or opted out."),
    _c("seller_member_id", "int32", "Seat of the seller."),
    _c("buyer_member_id", "int32", "Seat of the buyer."),
    _c("advertiser_id", "int32", "Advertiser."),
    _c("insertion_order_id", "int64", "Insertion order."),
    _c("campaign_id", "int64", "Campaign (line item)."),
    _c("creative_id", "int64", "Creative served."),
    _c("placement_id", "int64", "Placement (tag) id."),
    _c("publisher_id", "int64", "Publisher."),
    _n("site_domain", "string", "Domain of the page or app bundle.", max_length=255),
    _c("width", "int32", "Creative width in pixels."),
    _c("height", "int32", "Creative height in pixels."),
    _c("media_type", "string", "banner, video, native or audio.", max_length=16),
    _c("event_type", "string", "imp, click or pc_conv / pv_conv.", max_length=16),
    _c("bid_price_cpm", "decimal", "Bid, in USD per thousand impressions.", precision=18, scale=6),
    _c("price_cpm", "decimal", "Clearing price, USD CPM.", precision=18, scale=6),
    _c("media_cost_cpm", "decimal", "Media cost to the buyer, USD CPM.", precision=18, scale=6),
    _n("booked_revenue", "decimal", "Revenue booked for this event, USD.", precision=18, scale=9),
    _c("country", "string", "ISO 3166-1 alpha-2 country code.", max_length=2),
    _n("region", "string", "Region or state.", max_length=64),
    _n("city", "string", "City.", max_length=100),
    _c("device_type", "string", "desktop, phone, tablet, tv or other.", max_length=16),
    _c("operating_system", "string", "Operating system.", max_length=32),
    _c("browser", "string", "Browser.", max_length=32),
    _n("user_agent", "string", "User-Agent header.", max_length=1024),
    _c("ip_address", "string", "Client IP address, truncated.", max_length=45),
    _c("is_learn", "bool", "Served while the campaign was learning."),
    _n("is_viewable", "bool", "Viewability measured (null: not measured)."),
    _n("latency_ms", "int32", "Ad server latency in milliseconds."),
    _n("deal_id", "int64", "Private marketplace deal, if any."),
)

# Xandr's public log-level segment feed, its columns in its order and under its names (one row
# per segment pixel load, additions and re-additions of a user, never removals). Its `date_time`
# is ExportHub's `event_time` (the name every feed stores, ingests and schedules by); its hourly
# `partition_time_millis` is derived from it, not stored.
SEGMENT_FEED = (
    _c("event_time", "timestamp", "When the segment pixel fired (UTC).", published="date_time"),
    _c("user_id_64", "int64", "Pseudonymous user id; 0 when unknown, -1 when opted out."),
    _c("member_id", "int32", "Seat (member) that owns the segment."),
    _c("segment_id", "int32", "Segment the user was added to."),
    _c("is_daily_unique", "bool", "First load of this segment for the user that day."),
    _c("is_monthly_unique", "bool", "First load for the user in the past 30 days."),
    _n("value", "int32", "Optional value passed with the pixel."),
    _c("partition_time_millis", "int64", "The hour the row falls in (UTC), Unix milliseconds.",
       hour_of="event_time"),
)  # fmt: skip

COLUMNS: dict[str, tuple[Column, ...]] = {
    "clicks": CLICKS,
    "conversions": CONVERSIONS,
    "standard_feed": STANDARD_FEED,
    "segment_feed": SEGMENT_FEED,
}


def stored_columns(feed: str) -> tuple[Column, ...]:
    """The feed's columns as stored and ingested: its exported ones less those derived."""
    return tuple(column for column in COLUMNS[feed] if not column.hour_of)


def chosen_columns(feed: str, names: Sequence[str] | None = None) -> tuple[Column, ...]:
    """The feed's columns an admin chose, in the chosen order (raw feeds' `config.columns`);
    all of them, in registry order, when none were chosen."""
    if not names:
        return COLUMNS[feed]
    by_name = {column.name: column for column in COLUMNS[feed]}
    return tuple(by_name[name] for name in names)
