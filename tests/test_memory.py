"""Memory freed by one step goes back to the system before the next."""

from __future__ import annotations

import sys

import pytest

from inspect_score import memory


def test_release_calls_glibc_malloc_trim_on_linux(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    monkeypatch.setattr(memory, "_glibc_malloc_trim", lambda: calls.append)
    memory.release_freed_memory()
    assert calls == [0]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc is Linux's")
def test_glibc_malloc_trim_is_found_here() -> None:
    """This machine runs glibc: the real function is found, and returns 0 or 1."""
    trim = memory._glibc_malloc_trim()
    assert trim is not None
    assert trim(0) in (0, 1)


def test_nothing_to_trim_off_linux(monkeypatch: pytest.MonkeyPatch) -> None:
    memory._glibc_malloc_trim.cache_clear()
    monkeypatch.setattr(sys, "platform", "darwin")
    try:
        assert memory._glibc_malloc_trim() is None
        memory.release_freed_memory()  # still releases Arrow's pool, and does not fail
    finally:
        memory._glibc_malloc_trim.cache_clear()
