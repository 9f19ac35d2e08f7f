"""Issue 20: a worker's memory stays flat over the parts of a large hour because glibc keeps at
most two malloc arenas per process (each part's upload threads used to open new ones; the bench's
10 M-row Avro hour shows it: README "Performance")."""

from __future__ import annotations

from exporthub.allocator import cap_arenas


def test_the_c_library_takes_the_arena_cap() -> None:
    assert cap_arenas() is True  # glibc, as on Debian and in the Dockerfile's image
