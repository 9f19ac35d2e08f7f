"""The contract every destination implements; nothing outside a cloud's folder imports its SDK.

A cloud is one folder (`s3/`, `gcs/`, `azure/`) whose `destination.py` declares the cloud once:
its settings (labels, secrets, choices), Verify hooks, hints and page pieces; its `form.py`
names it, its `help.html` tells admins how to grant access; the registry in `__init__.py` lists
the folders. docs/integrations.md has the checklist for adding one.
"""

from __future__ import annotations

import contextlib
import ipaddress
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import IO, Any, ClassVar, Generic, TypeVar, cast
from urllib.parse import urlsplit

import environ
from django.conf import settings as django_settings

from .engines import QueryEngines
from .hashing_reader import Digest

T = TypeVar("T")
# Reads a cloud's operator settings from the environment (and the `.env` file the project's
# settings loaded into it), as the project's settings read theirs.
env = environ.Env()


def is_ip_address(name: str) -> bool:
    """Whether a bucket name looks like an IPv4 address, which no cloud allows."""
    try:
        ipaddress.IPv4Address(name)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Setting:
    """One setting of a cloud, declared once: the API key, the label pages and forms show, and
    what it is. Secrets are encrypted and write-only; `verify` settings say where and how files
    are written (changing one needs a new Verify); `choices` map values to the labels shown."""

    name: str
    label: str
    secret: bool = False
    verify: bool = False
    read_only: bool = False
    choices: dict[str, str] = field(default_factory=dict)


class OperatorSetting(Generic[T]):
    """One operator setting of a cloud, kept in its folder's `settings.py` and read where it is
    used: the Django setting of that name when the settings define one (tests override it so),
    else the default the folder read from the environment at start."""

    def __init__(self, name: str, default: T) -> None:
        self.name = name
        self.default = default

    def get(self) -> T:
        return cast(T, getattr(django_settings, self.name, self.default))


class DestinationError(Exception):
    """A provider failure, mapped once inside its destination module.

    `permanent` means permission or configuration (Verify, maybe deactivate); otherwise the
    failure is transient (retry later). `message` is safe to store and show.
    """

    def __init__(self, code: str, message: str, *, permanent: bool) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.permanent = permanent


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    md5: str | None = None  # hex digest, when the provider reports a plain MD5
    storage_class: str | None = None
    encryption: str | None = None
    kms_key_id: str | None = None


def too_large(key: str, limit: int) -> DestinationError:
    """What a read answered with more than `limit` bytes fails with."""
    return DestinationError(
        "ObjectTooLarge",
        f"The storage answered {key} with more than {_size(limit)}, the most ExportHub reads "
        "back (DESTINATION_READ_MAX_BYTES); the rest was not read.",
        permanent=True,
    )


def url_host(url: str) -> str | None:
    """The host of an operator's endpoint URL ("{account}." in front: every name below)."""
    host = urlsplit(url if "//" in url else f"//{url}").hostname
    if host and host.startswith("{account}."):
        return host.removeprefix("{account}")
    return host


def _size(count: int) -> str:
    mib = count / (1024 * 1024)
    return f"{mib:g} MiB" if mib >= 1 else f"{count} bytes"


class ReadLimit:
    """A writable file that keeps what a read brings, failing (ObjectTooLarge) as soon as it
    exceeds `limit` bytes: the SDK writing into it then stops reading, and drops the rest."""

    def __init__(self, key: str, limit: int) -> None:
        self.key, self.limit = key, limit
        self._chunks: list[bytes] = []
        self.size = 0

    def expect(self, length: int | str | None) -> None:
        """Refuse an answer whose declared length is already too long, before reading it."""
        if length is not None and int(length) > self.limit:
            raise too_large(self.key, self.limit)

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise too_large(self.key, self.limit)
        self._chunks.append(bytes(data))
        return len(data)

    def writable(self) -> bool:
        return True

    def flush(self) -> None:
        pass

    def getvalue(self) -> bytes:
        return b"".join(self._chunks)


class Connection:
    """One destination reached with one integration's credentials."""

    secrets: dict[str, Any]
    # The module's SDK-error mapper, as a staticmethod: the one place errors are translated.
    map_error: Callable[[Exception, dict[str, Any]], DestinationError]

    @contextlib.contextmanager
    def errors(self) -> Iterator[None]:
        """Translate any SDK failure inside the block into a DestinationError."""
        try:
            yield
        except DestinationError:
            raise
        except Exception as exc:
            raise self.map_error(exc, self.secrets) from None

    def write(
        self,
        key: str,
        stream: IO[bytes],
        content_type: str = "application/octet-stream",
        md5: Digest | None = None,
    ) -> ObjectInfo:
        """Upload a stream of any size (multipart/resumable/blocks), with the configured SSE,
        reading it once, in order, as it comes (it may still be being written). The object
        appears only once the stream ended: a stream whose read raises leaves none (multipart
        aborted, resumable upload never finalized, blocks never committed).
        `md5`: the stream's, when the caller knows it (HashingReader)."""
        raise NotImplementedError

    def read(self, key: str) -> bytes:
        """A whole (small) object: a Verify test object, a manifest, table metadata. A storage
        answering with more than DESTINATION_READ_MAX_BYTES fails it as ObjectTooLarge (a
        permanent error), the rest unread: no answer can fill a worker's memory."""
        from django.conf import settings

        sink = ReadLimit(key, settings.DESTINATION_READ_MAX_BYTES)
        with self.errors():
            self.read_into(key, sink)
        return sink.getvalue()

    def read_into(self, key: str, sink: ReadLimit) -> None:
        """Write the object to `sink` as its answer arrives, and stop reading (closing the
        answer) when the sink refuses more; refuse an answer that says it is longer than
        `sink.limit` before reading it, where the SDK lets you."""
        raise NotImplementedError

    def head(self, key: str) -> ObjectInfo | None:
        """Size, MD5, storage class and encryption; None when the object does not exist."""
        raise NotImplementedError

    def list_objects(self, prefix: str) -> Iterator[ObjectInfo]:
        raise NotImplementedError

    def copy(self, source: str, target: str) -> None:
        raise NotImplementedError

    def delete(self, key: str) -> None:
        """Delete; an object that is already gone is not an error."""
        raise NotImplementedError

    def acl(self, key: str) -> list[dict[str, Any]] | None:
        """The object's grants, or None where the cloud has no object ACLs."""
        return None

    def full_control(self, key: str) -> set[str] | None:
        """Who holds full control of the object (seed 004: S3 FULL_CONTROL, GCS OWNER), or None
        where the object has no ACLs to hold it by."""
        return None

    def check_reachable(self) -> str:
        """Prove the bucket/container answers; return a short description for Verify."""
        raise NotImplementedError

    def close(self) -> None:
        """Release network resources."""


class Destination:
    kind: ClassVar[str]
    label: ClassVar[str]
    container_label: ClassVar[str] = "bucket"
    # The cloud's settings, in the order pages show them; the lists below derive from them.
    settings: ClassVar[tuple[Setting, ...]] = ()
    # Secrets this destination may hold; they are encrypted and never shown.
    secret_fields: ClassVar[tuple[str, ...]]
    # Config keys that say where and how files are written: changing one needs a new Verify.
    destination_fields: ClassVar[tuple[str, ...]]
    # Config keys shown on the integration page, in order.
    display_fields: ClassVar[tuple[str, ...]]
    # Provider error code -> what the admin should do; "*" is the fallback.
    hints: ClassVar[dict[str, str]] = {}
    # The SDK's top-level modules: only this cloud's folder may import them (tests/test_layers.py).
    sdk_modules: ClassVar[tuple[str, ...]] = ()
    # Error codes a HEAD of a missing object may answer with besides "none" (Verify reads them
    # as absent).
    absent_codes: ClassVar[frozenset[str]] = frozenset()
    # The secret setting whose expiry `credentials_expire_at` reads: warnings and reminders name
    # it by its label.
    expiring_setting: ClassVar[str] = ""
    # How query engines read its Iceberg tables (engines.py); None: the page offers DuckDB alone.
    query_engines: ClassVar[QueryEngines | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.secret_fields = tuple(s.name for s in cls.settings if s.secret)
        cls.destination_fields = tuple(s.name for s in cls.settings if s.verify)
        cls.display_fields = tuple(s.name for s in cls.settings if not s.secret)

    @classmethod
    def settings_errors(cls) -> list[str]:
        """What is wrong with the operator's settings of this cloud; any stops the start."""
        return []

    @classmethod
    def destination_key(cls, config: dict[str, Any]) -> str:
        """Identity of the bucket/container, for the uniqueness rules."""
        raise NotImplementedError

    @classmethod
    def check_credentials(cls, secrets: dict[str, Any]) -> None:
        """What Verify can tell about the stored credentials without a request (DestinationError
        when they cannot work, e.g. an expired SAS token)."""

    @classmethod
    def credentials_expire_at(cls, secrets: dict[str, Any]) -> datetime | None:
        """When the stored credentials stop working (reminders are sent before), if they say."""
        return None

    @classmethod
    def expiring_credentials(cls) -> str:
        """What warnings and reminders call the credentials that expire: the label of
        `expiring_setting`."""
        labels = {s.name: s.label for s in cls.settings}
        return labels.get(cls.expiring_setting, "credentials")

    @classmethod
    def verify_steps(cls, stage: str, checks: Any) -> list[tuple[str, Callable[[], str]]]:
        """The Verify steps this cloud adds at `stage`: "written" (after the test objects were
        read back) or "manifests" (log-level feeds, after listing and renaming). `checks` is
        the running verification (integrations.verify.steps.Checks)."""
        return []

    @classmethod
    def expected_encryption(cls, config: dict[str, Any]) -> str | None:
        """The encryption a written object must report (ObjectInfo.encryption), if configured."""
        return None

    @classmethod
    def datalists(cls) -> dict[str, list[str]]:
        """Suggestions the form's inputs name by id (e.g. the cloud's regions)."""
        return {}

    @classmethod
    def platform_hosts(cls) -> set[str]:
        """Hosts ExportHub itself connects to for this cloud (its endpoints, the operator's
        stand-ins; ".example.com" for every name below): no tenant may name them as its own
        endpoint (`exporthub.outbound.platform`)."""
        return set()

    @classmethod
    def standin_notice(cls) -> str:
        """HTML the integration page shows when requests go to a local stand-in, else ""."""
        return ""

    @classmethod
    def help_template(cls) -> Any:
        """The page's authorization help: `help.html` in the cloud's folder."""
        return folder_template(Path(str(sys.modules[cls.__module__].__file__)))

    @classmethod
    def location(cls, config: dict[str, Any]) -> str:
        """The bucket or container as a user names it, e.g. s3://bucket; recorded on each run."""
        raise NotImplementedError

    @classmethod
    def object_url(cls, location: str, key: str) -> str:
        """The full URI a user copies to fetch one object a run wrote under `location`."""
        return f"{location}/{key.lstrip('/')}"

    @classmethod
    def warehouse_uri(cls, config: dict[str, Any]) -> str:
        """The bucket or container as table engines name it (the root of an Iceberg table's
        locations, e.g. s3://bucket), without a trailing "/"."""
        return cls.object_url(cls.location(config), "").rstrip("/")

    @classmethod
    def authorization_help(cls, config: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
        """Template context telling the admin how to grant ExportHub access."""
        return {}

    @classmethod
    def connect(
        cls, config: dict[str, Any], secrets: dict[str, Any], *, external_id: str, seat_id: int
    ) -> Connection:
        """Open a connection with the integration's credentials (may raise DestinationError)."""
        raise NotImplementedError


@cache
def folder_template(module_file: Path, name: str = "help.html") -> Any:
    """A template kept beside a cloud's modules, so pages can {% include %} it by value."""
    from django.template import engines

    return engines["django"].from_string(module_file.with_name(name).read_text())
