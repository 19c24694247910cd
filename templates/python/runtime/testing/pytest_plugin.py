"""pytest fixtures of the emulator: add ``pytest_plugins = ["dyvmsapi.testing.pytest_plugin"]``
to your ``conftest.py``, then::

    def test_notifies(emulator):
        with emulator.client() as client:
            notify(client, "13800000000")  # your code
        assert emulator.calls[0].called_number == "13800000000"
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
