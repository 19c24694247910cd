"""Which call the receipts page's samples place and which receipt they print, for every language.

``receipt_demo`` chooses, from the specs alone, a receipt type the emulator sends once a call is
over (the one the guide's action makes, when it makes one), the action that places the call, and
the fields the samples print: by wire name, so that each target names them its own way.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.frontend import ir


@dataclass(frozen=True)
class ReceiptDemo:
    """The receipts page's programs: a call of ``action``, then its receipt of type ``kind``."""

    kind: ir.ReceiptType
    action: ir.Action
    receipt_id: str  # the wire name of the receipt's field that names the call
    shown: tuple[str, ...]  # the wire names of the other fields printed: the type's required ones
    response_id: str  # the wire name of the response field that names the call


def receipt_demo(api: ir.Api, guide: ir.Action) -> ReceiptDemo | None:
    """The type the emulator sends once a call is over (for ``guide``, the guide's action, when it
    places calls) and the call that makes it; None when the specs emulate no receipts."""
    receipts = api.product.receipts
    if receipts is None or receipts.emulation is None:
        return None
    reports = {p.type: p for p in receipts.emulation.reports if "ended" in p.at and not p.answered_only}
    kinds = [t for t in receipts.types if t.name in reports]
    if not kinds:
        return None
    kind = next((t for t in kinds if guide.name in t.actions), kinds[0])
    action = (
        guide if guide.name in kind.actions else next(a for a in api.actions if a.name == kind.actions[0])
    )
    report = reports[kind.name]
    by_id = next((f.name for f in report.fields if f.source == "id"), kind.fields[0].wire_name)
    shown = tuple(f.wire_name for f in kind.fields if f.required and f.wire_name != by_id)
    key = action.emulator.creates.key if action.emulator.creates is not None else "RequestId"
    return ReceiptDemo(kind, action, by_id, shown, key)
