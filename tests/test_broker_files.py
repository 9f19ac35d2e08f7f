"""The embedded broker never hands a worker a message before it is written whole: kombu's own
filesystem transport creates the file under its final name first, and a worker listing the folder
in between read it empty and lost the message (issue 35's close tick made it happen in minutes)."""

from __future__ import annotations

import os
from pathlib import Path
from queue import Empty
from typing import Any

import pytest
from kombu import Connection

from exporthub import broker_files


def _channel(tmp_path: Path) -> Any:
    options = {"data_folder_in": str(tmp_path), "data_folder_out": str(tmp_path),
               "processed_folder": str(tmp_path / "done"), "store_processed": False}  # fmt: skip
    return Connection("filesystem://", transport=broker_files.Transport,
                      transport_options=options).channel()  # fmt: skip


def test_a_message_being_written_is_not_taken_by_a_worker_polling_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    channel = _channel(tmp_path)
    seen_while_writing: list[object] = []
    replace = os.replace

    def rename(source: str, target: str) -> None:
        # The payload is written, not yet in place: a worker polling now finds nothing.
        try:
            seen_while_writing.append(channel._get("exports"))
        except Empty:
            seen_while_writing.append(None)
        replace(source, target)

    monkeypatch.setattr(broker_files.os, "replace", rename)
    channel._put("exports", {"body": "run 42"})
    assert seen_while_writing == [None]
    assert channel._get("exports") == {"body": "run 42"}
    assert os.listdir(tmp_path) == []  # nothing left aside


def test_the_embedded_broker_url_names_it() -> None:
    from exporthub.celery import app

    with app.connection_for_write("filesystem://") as connection:
        assert isinstance(connection.transport, broker_files.Transport)
