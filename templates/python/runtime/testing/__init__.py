"""A local emulator of the service, for testing code that uses this SDK.

    from dyvmsapi.testing import Emulator

    with Emulator() as emu:  # a real HTTP server on 127.0.0.1, an ephemeral port
        with emu.client() as client:  # or Client(endpoint=emu.endpoint, access_key_id=..., ...)
            call_id = client.single_call_by_tts(called_number="13800000000", tts_code="TTS_1").call_id
        assert emu.calls[0].call_id == call_id

The emulator answers as the service does, from the spec's description of every action: it checks
V3 and V1 signatures, timestamps and nonces; validates parameters (``MissingCalledNumber``,
``InvalidParameter``, ``isv.MOBILE_NUMBER_ILLEGAL``...); places, reads and cancels calls; applies
the per-number flow control (``isv.BUSINESS_LIMIT_CONTROL``) on ``emu.clock``; and fails on demand
(``emu.fail_next()``, ``throttle_next()``, ``drop_next()``, ``delay_next()``). Every request it
received is in ``emu.requests``.

With pytest, add ``pytest_plugins = ["dyvmsapi.testing.pytest_plugin"]`` to ``conftest.py`` and
take the ``emulator`` fixture. From a shell: ``python -m dyvmsapi.testing --port 8080``.

The emulator uses the standard library only (plus this package's signing module).
"""

from ._emulator import Emulator, RecordedRequest
from ._faults import Fault, FaultKind
from ._gateway import KeyPair
from ._serve import serve
from ._state import DEFAULT_FLOW_LIMITS, CallRecord, Clock

__all__ = [
    "DEFAULT_FLOW_LIMITS",
    "CallRecord",
    "Clock",
    "Emulator",
    "Fault",
    "FaultKind",
    "KeyPair",
    "RecordedRequest",
    "serve",
]
