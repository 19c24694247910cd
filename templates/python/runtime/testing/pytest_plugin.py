"""pytest fixtures of the emulator: add ``pytest_plugins = ["<package>.testing.pytest_plugin"]``
to your ``conftest.py``, then::

    def test_saves(emulator):
        with emulator.client() as client:
            save(client, "value")  # your code
        assert [r.action for r in emulator.requests] == ["SomeAction"]
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ._emulator import Emulator

__all__ = ["emulator"]


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    """A running emulator, fresh for each test, with the test key pair testid / testsecret."""
    with Emulator() as emu:
        yield emu
