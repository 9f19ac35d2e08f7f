"""Operator settings every destination shares; each cloud's own are in its folder
(integrations/destinations/<kind>/settings.py)."""

from __future__ import annotations

from .core import env

# Addresses ExportHub connects from, shown to admins for their allow-lists.
EGRESS_IPS: list[str] = env.list("EGRESS_IPS", default=[])
# A connection to a host a tenant chose (an S3-compatible Endpoint URL) is shut down after this
# long, whatever it is doing; the SDK retries the request it cut (docs/RELIABILITY.md).
TENANT_CONNECTION_SECONDS = env.float("TENANT_CONNECTION_SECONDS", default=300.0)
# Endpoint URL hosts allowed even though they resolve to private or loopback addresses.
ENDPOINT_URL_ALLOWED_HOSTS: list[str] = env.list("ENDPOINT_URL_ALLOWED_HOSTS", default=[])
# A Verify still running after this many seconds fails its next step (transient: try again),
# however slowly the storage answers; each request also has its connect and read timeouts.
VERIFY_DEADLINE_SECONDS = env.float("VERIFY_DEADLINE_SECONDS", default=300.0)
# How long a destination may stay silent on one request before the SDK retries it.
DESTINATION_READ_TIMEOUT_SECONDS = env.float("DESTINATION_READ_TIMEOUT_SECONDS", default=60.0)

# The most ExportHub reads back of one object from a tenant's storage (a Verify test object, a
# manifest, Iceberg metadata): a manifest lists about 100 bytes per file, so 64 MiB holds an hour
# of hundreds of thousands of files; a storage answering more fails the read (ObjectTooLarge).
DESTINATION_READ_MAX_BYTES = env.int("DESTINATION_READ_MAX_BYTES", default=64 * 1024 * 1024)
# The most read of any one answer, from any host (a bucket's metadata, a page of a listing, a
# token): a larger one fails its request (AnswerTooLarge, not retried). Above the limit on an
# object read, which meets its own limit first, and above Azure's first 32 MiB range.
OUTBOUND_ANSWER_MAX_BYTES = env.int("OUTBOUND_ANSWER_MAX_BYTES", default=128 * 1024 * 1024)
