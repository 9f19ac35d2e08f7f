"""The Verify checks: ordered, named steps that do what an export does, through the real SDK.

Raw feeds are only asked for what their export does (write, read back, multipart, delete);
log-level feeds also for what the manifest protocol does (list, rename) and seed 004's checks
on existing manifests. Test objects have an obvious name and are always removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import cached_property, partial
from typing import Any

from django.conf import settings
from django.utils.timezone import now

from exporthub.outbound import Deadline, DeadlinePassed

from ..catalog import Operation, operations
from ..destinations.base import Connection, DestinationError
from ..fields import LABELS
from ..lifecycle.expiry import warning
from ..lifecycle.uniqueness import verified_clash
from ..models import Integration
from ..paths import export_roots, join_key, key_prefix, manifest_pattern
from .hints import hint_for

TEST_OBJECT_NAME = "exporthub-verify-{token}-{n}.txt"
FOLDER_SCAN_LIMIT = 10_000
# Removing the test objects after a Verify, however the storage answers.
CLEANUP_SECONDS = 30


@dataclass
class Step:
    name: str
    status: str = "pending"  # pending, passed, failed, skipped
    code: str = ""
    detail: str = ""
    hint: str = ""
    permanent: bool = False

    def as_json(self) -> dict[str, Any]:
        ok = {"passed": True, "failed": False}.get(self.status)
        return {**asdict(self), "ok": ok}


@dataclass
class Checks:
    """What one verification needs while it runs."""

    integration: Integration
    token: str
    connection: Connection | None = None
    written: dict[str, str] = field(default_factory=dict)  # key -> md5 hex
    deadline: Deadline | None = None  # the Verify's, while its steps run

    @property
    def conn(self) -> Connection:
        if self.connection is None:
            raise DestinationError("NotConnected", "No connection was opened.", permanent=False)
        return self.connection

    # --- the steps -----------------------------------------------------------------------
    def connect(self) -> str:
        integration = self.integration
        integration.destination_class.check_credentials(integration.get_secrets())
        self.connection = integration.connect()
        return " ".join(
            filter(None, ["Credentials accepted by the client.", warning(integration, now())])
        )

    def reachable(self) -> str:
        return self.conn.check_reachable()

    def create_prefix(self, path: str) -> str:
        folder = self.folder_object(key_prefix(path))
        if folder is not None:
            raise DestinationError(
                "ManualFolderObject", f"A folder object {folder} exists.", permanent=True
            )
        key = self.test_key(path, len(self.written) + 1)
        body = f"ExportHub verification {self.token}. Safe to delete.\n".encode() + os.urandom(64)
        info = self.conn.write(key, io.BytesIO(body), content_type="text/plain")
        self.written[key] = hashlib.md5(body, usedforsecurity=False).hexdigest()
        if info.md5 != self.written[key]:
            raise DestinationError("ChecksumMismatch", "The upload's MD5 differs.", permanent=True)
        return f"Wrote {key}."

    def folder_object(self, prefix: str) -> str | None:
        """A hand-made "folder" (an object whose key ends in /) at the prefix or, for log-level
        feeds (whose grant includes listing), below it in its first FOLDER_SCAN_LIMIT keys. The
        bucket root is the customer's own."""
        if not prefix:
            return None
        if self.exists(prefix + "/"):
            return prefix + "/"
        if Operation.LIST not in self.needs:
            return None
        try:
            for scanned, info in enumerate(self.conn.list_objects(prefix + "/")):
                if info.key.endswith("/"):
                    return info.key
                if scanned >= FOLDER_SCAN_LIMIT:
                    break
        except DestinationError as exc:
            if not exc.permanent:
                raise
            # Listing denied: the listing step names that, with its own hint.
        return None

    def exists(self, key: str) -> bool:
        """Whether `key` exists; the cloud says which denials mean "absent" (absent_codes)."""
        try:
            return self.conn.head(key) is not None
        except DestinationError as exc:
            if exc.code in self.integration.destination_class.absent_codes:
                return False
            raise

    def test_key(self, path: str, n: object) -> str:
        """Where a test object goes: an obvious name under the configured path."""
        return join_key(path, TEST_OBJECT_NAME.format(token=self.token, n=n))

    def read_back(self) -> str:
        expected = self.integration.destination_class.expected_encryption(self.integration.config)
        for key, md5 in self.written.items():
            if hashlib.md5(self.conn.read(key), usedforsecurity=False).hexdigest() != md5:
                raise DestinationError("ChecksumMismatch", f"{key} changed.", permanent=True)
            if expected:
                info = self.conn.head(key)
                if info is None or info.encryption != expected:
                    found = info.encryption if info else "missing"
                    raise DestinationError(
                        "EncryptionNotApplied", f"{key}: {found}.", permanent=True
                    )
        return f"Read back {len(self.written)} object(s); MD5s match."

    def listing(self) -> str:
        prefix = key_prefix(self.prefixes[0])
        listed = {info.key for info in self.conn.list_objects(prefix + "/" if prefix else "")}
        missing = [key for key in self.written if key.startswith(prefix) and key not in listed]
        if missing:
            raise DestinationError(
                "ListingIncomplete", f"{missing[0]} was not listed.", permanent=True
            )
        return f"Listed {self.prefixes[0]}."

    def rename(self) -> str:
        source = next(key for key, md5 in self.written.items() if md5)
        target = source.replace(".txt", ".json-renamed")
        self.written[target] = self.written[source]
        self.conn.copy(source, target)
        self.conn.delete(source)
        if not self.exists(target) or self.exists(source):
            raise DestinationError("RenameIncomplete", f"{source} → {target}.", permanent=True)
        del self.written[source]
        return "Copied a test object to a new name and deleted the original."

    @cached_property
    def existing_manifests(self) -> list[Any]:
        """This integration's own manifests outside archive/ (its feed and seat: others may
        share the path), every page of them, listed once for both manifest checks."""
        feed, seat = self.integration.feed, int(self.integration.tenant.seat_id)
        folder = key_prefix(self.integration.config["manifest_path"])
        folder += "/" if folder else ""
        pattern = manifest_pattern(feed, seat)  # a name, no "/": nothing deeper matches
        return [
            info
            for info in self.conn.list_objects(f"{folder}{feed}-{seat}-")
            if pattern.match(info.key.removeprefix(folder))
        ]

    def manifest_acls(self) -> str:
        """Seed 004: ExportHub's identity must hold full control of every non-archived manifest.
        That identity is whoever holds it on the test object Verify has just written."""
        ours = self.conn.full_control(next(iter(self.written)))
        for info in self.existing_manifests:
            if self.deadline is not None and self.deadline.passed:  # thousands, on a slow store
                raise _too_slow()
            try:
                holders = self.conn.full_control(info.key)
            except DestinationError as exc:
                if exc.permanent:
                    raise DestinationError(
                        "ManifestAclDenied", f"{info.key}: {exc.code}.", permanent=True
                    ) from None
                raise
            if ours and holders is not None and not ours & holders:
                raise DestinationError(
                    "ManifestGrantMissing",
                    f"{info.key} does not grant ExportHub full control.",
                    permanent=True,
                )
        count = len(self.existing_manifests)
        return f"Read the ACL of {count} manifest(s); ExportHub has full control."

    def paths_unused(self) -> str:
        """Across tenants, paths are decided here, once this one has proved access."""
        field = verified_clash(self.integration)
        if field:
            where = "directory" if field == "directory" else LABELS[field].lower()
            raise DestinationError(
                "PathsInUse",
                f"Another export that proved access to this storage already uses this {where}.",
                permanent=True,
            )
        return "No other export uses these paths."

    def delete_test_objects(self) -> str:
        for key in list(self.written):
            self.conn.delete(key)
            if self.exists(key):
                raise DestinationError("DeleteIncomplete", f"{key} is still there.", permanent=True)
            del self.written[key]
        return "Removed the test objects."

    # --- the plan ------------------------------------------------------------------------
    @property
    def prefixes(self) -> list[str]:
        return list(dict.fromkeys(export_roots(self.integration.config, self.integration.feed)))

    @property
    def needs(self) -> frozenset[Operation]:
        """What the export does in storage: Verify proves exactly that."""
        return operations(self.integration.feed, self.integration.config.get("format"))

    def plan(self) -> list[tuple[str, Callable[[], str]]]:
        destination = self.integration.destination_class
        steps: list[tuple[str, Callable[[], str]]] = [
            (f"Connecting to {destination.label}", self.connect),
            (f"{destination.container_label.capitalize()} reachable", self.reachable),
        ]
        steps += [
            (f"Creating prefix at {p}", partial(self.create_prefix, p)) for p in self.prefixes
        ]
        steps.append(("Reading back the test objects (MD5)", self.read_back))
        steps += destination.verify_steps("written", self)
        if Operation.LIST in self.needs:
            steps.append((f"Listing {self.prefixes[0]}", self.listing))
        if Operation.RENAME in self.needs:
            steps.append(("Renaming an object (copy + delete)", self.rename))
            steps += destination.verify_steps("manifests", self)
        steps.append(("Checking that no other export uses these paths", self.paths_unused))
        steps.append(("Deleting the test objects", self.delete_test_objects))
        return steps


def run_checks(
    integration: Integration, token: str, progress: Callable[[list[Step]], None]
) -> list[Step]:
    """Run every step in order; after a failure the rest are skipped, but cleanup still runs.
    The whole Verify ends by VERIFY_DEADLINE_SECONDS, whatever the storage does: the outbound
    door shuts every connection opened under the deadline when it passes."""
    checks = Checks(integration=integration, token=token)
    plan = checks.plan()
    steps = [Step(name=name) for name, _ in plan]
    progress(steps)
    failed = False
    try:
        with Deadline(settings.VERIFY_DEADLINE_SECONDS) as deadline:
            checks.deadline = deadline
            for step, (_, action) in zip(steps, plan, strict=True):
                if failed:
                    step.status = "skipped"
                    continue
                try:
                    with deadline.interrupts():
                        step.detail = action()
                    step.status = "passed"
                except (DestinationError, DeadlinePassed) as exc:
                    error = exc if isinstance(exc, DestinationError) else _too_slow()
                    if deadline.passed:  # whatever the SDK made of the cut connection
                        error = _too_slow()
                    failed = True
                    step.status, step.code, step.detail = "failed", error.code, error.message
                    step.permanent, step.hint = error.permanent, hint_for(integration, error)
                progress(steps)
    finally:
        with Deadline(CLEANUP_SECONDS):
            _cleanup(checks)
    progress(steps)
    return steps


def _too_slow() -> DestinationError:
    seconds = f"{settings.VERIFY_DEADLINE_SECONDS:g}"
    return DestinationError(
        "VerifyDeadline",
        f"The storage did not answer within the {seconds} s Verify allows. Verify again.",
        permanent=False,
    )


def _cleanup(checks: Checks) -> None:
    """Best effort: a failed run must not leave test objects behind when it can remove them."""
    if checks.connection is None:
        return
    for key in list(checks.written):
        with contextlib.suppress(DestinationError):
            checks.connection.delete(key)
    checks.connection.close()
