"""The emulator's state: per-number flow control on its clock, call records, cancel and query rules."""

from __future__ import annotations

import time

import pytest

from dyvmsapi import BusinessLimitControlError, Client
from dyvmsapi.testing import Clock, Emulator


def _tts(client: Client, number: str) -> str:
    call_id: str = client.single_call_by_tts(called_number=number, tts_code="TTS_1").call_id
    return call_id


def _dial(client: Client, number: str = "13900000000", **extra: object) -> str:
    call_id: str = client.click_to_dial(
        caller_show_number="057100000000",
        caller_number="13800000000",
        called_show_number="057100000001",
        called_number=number,
        **extra,
    ).call_id
    return call_id


def test_flow_control_per_minute_hour_and_day(emu: Emulator) -> None:
    number = "13800000000"
    with emu.client() as client:
        _tts(client, number)
        with pytest.raises(BusinessLimitControlError) as info:
            _tts(client, number)  # the same number within the minute
        assert (info.value.code, info.value.http_status, info.value.retryable) == (
            "isv.BUSINESS_LIMIT_CONTROL",
            200,
            False,
        )
        _tts(client, "13800000001")  # another number is not limited
        for _ in range(4):
            emu.clock.advance(61)
            _tts(client, number)
        emu.clock.advance(61)
        with pytest.raises(BusinessLimitControlError):
            _tts(client, number)  # a sixth call within the hour
        placed_today = 5
        while placed_today < 20:
            emu.clock.advance(3600)
            for _ in range(min(5, 20 - placed_today)):
                emu.clock.advance(61)
                _tts(client, number)
                placed_today += 1
        emu.clock.advance(3600)
        with pytest.raises(BusinessLimitControlError):
            _tts(client, number)  # the 21st call within 24 hours
        emu.clock.advance(86400)
        _tts(client, number)
    assert sum(1 for c in emu.calls if c.called_number == number) == 21
    # Refused calls are not placed, and the limits are shared by every call-placing action.
    with emu.client() as client:
        with pytest.raises(BusinessLimitControlError):
            client.single_call_by_voice(called_number=number, voice_code="v.wav")


def test_the_clock_does_not_affect_signatures() -> None:
    clock = Clock(start=time.time() + 10 * 86400)
    with Emulator(clock=clock) as emu, emu.client() as client:
        _tts(client, "13800000000")
        assert emu.calls[0].created_at == pytest.approx(clock.now(), abs=5)


def test_flow_limits_are_configurable() -> None:
    with Emulator(flow_limits=()) as emu, emu.client() as client:
        for _ in range(25):
            _tts(client, "13800000000")
    with Emulator(flow_limits=[(10, 2)]) as emu, emu.client() as client:
        _tts(client, "13800000000")
        _tts(client, "13800000000")
        with pytest.raises(BusinessLimitControlError):
            _tts(client, "13800000000")
        emu.clock.advance(10)
        _tts(client, "13800000000")


def test_cancel_rules(emu: Emulator) -> None:
    with emu.client() as client:
        active = _dial(client, "13900000001")
        assert client.cancel_call(call_id=active).status is True
        assert client.cancel_call(call_id=active).status is True, "cancelling twice still reports success"
        assert client.cancel_call(call_id="116000000999^10280000000").status is False, "unknown call"
        tts = _tts(client, "13900000002")
        assert client.cancel_call(call_id=tts).status is False, "only click-to-dial calls can be cancelled"
        short = _dial(client, "13900000003", session_timeout=30)
        emu.clock.advance(31)
        assert client.cancel_call(call_id=short).status is False, "the call is over"
        default = _dial(client, "13900000004")
        emu.clock.advance(119)
        assert client.cancel_call(call_id=default).status is True, "a call lasts 120 s by default"
    by_id = {c.call_id: c for c in emu.calls}
    assert by_id[active].cancelled and by_id[default].cancelled
    assert not by_id[tts].cancelled and not by_id[short].cancelled


def test_query_rules(emu: Emulator) -> None:
    with emu.client() as client:
        call_id = _tts(client, "13800000000")
        now_ms = int(emu.clock.now() * 1000)

        def query(at_ms: int) -> object:
            return client.query_call_detail_by_call_id(
                call_id=call_id, prod_id=11000000300006, query_date=at_ms
            )

        assert query(now_ms).data is not None  # type: ignore[attr-defined]
        assert query(now_ms - 3600_000).data is not None  # type: ignore[attr-defined]
        assert query(now_ms - 3 * 86400_000).data is None  # type: ignore[attr-defined]
        assert query(now_ms + 2 * 86400_000).data is None  # type: ignore[attr-defined]
        emu.calls[0].details.update(state="200000", duration=12)
        detail = query(now_ms).data  # type: ignore[attr-defined]
        assert (detail.state, detail.duration) == ("200000", 12)


def test_reset_forgets_everything(emu: Emulator) -> None:
    with emu.client() as client:
        _tts(client, "13800000000")
        emu.fail_next(3)
        emu.reset()
        _tts(client, "13800000000")  # neither flow-limited nor failed
    assert len(emu.calls) == 1 and len(emu.requests) == 1 and emu.pending_faults == []
