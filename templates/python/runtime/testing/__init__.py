"""A local emulator of the service, for testing code that uses this SDK.

    from <package>.testing import Emulator

    with Emulator() as emu:  # a real HTTP server on 127.0.0.1, an ephemeral port
        with emu.client() as client:  # or Client(endpoint=emu.endpoint, access_key_id=..., ...)
            response = client.some_action(some_parameter="value")
        assert emu.requests[0].params == {"SomeParameter": "value"}

The emulator answers as the service does, from the spec's description of every action: it checks
V3 and V1 signatures, timestamps and nonces; validates parameters (``Missing<Parameter>``,
``InvalidParameter``, an action's own invalid-value codes...); answers each action's example;
keeps the records that actions declare they create, read and end (``emu.records``) and applies
their declared limits on ``emu.clock``; and fails on demand (``emu.fail_next()``,
``throttle_next()``, ``drop_next()``, ``delay_next()``). Every request it received is in
``emu.requests``.

With pytest, add ``pytest_plugins = ["<package>.testing.pytest_plugin"]`` to ``conftest.py`` and
take the ``emulator`` fixture. From a shell: ``python -m <package>.testing --port 8080``.

The emulator uses the standard library only (plus this package's signing module).
"""

from ._emulator import Emulator, RecordedRequest
from ._faults import Fault, FaultKind
from ._gateway import KeyPair
from ._serve import serve
from ._state import Clock, Record

__all__ = [
    "Clock",
    "Emulator",
    "Fault",
    "FaultKind",
    "KeyPair",
    "Record",
    "RecordedRequest",
    "serve",
]
