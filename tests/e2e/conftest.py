"""End-to-end fixtures: a fresh emulator per test (the package's own pytest fixture, in strict
mode so that a parameter the SDK misnames fails loudly), and the sync/async × V3/V1 clients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from e2e_support import MODE_IDS, MODES, close, make_client

from dyvmsapi import AsyncClient, Client
from dyvmsapi.testing import Emulator
from dyvmsapi.testing.pytest_plugin import emulator  # noqa: F401 - the fixture users get


@pytest.fixture
def emu(emulator: Emulator) -> Iterator[Emulator]:  # noqa: F811
    emulator.strict = True
    yield emulator
    assert emulator.errors == [], "the emulator failed while answering"


@pytest.fixture(params=MODES, ids=MODE_IDS)
async def client(request: pytest.FixtureRequest, emu: Emulator) -> AsyncIterator[Client | AsyncClient]:
    kind, signature_version = request.param
    made = make_client(emu, kind, signature_version)
    yield made
    await close(made)
