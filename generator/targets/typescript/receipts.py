"""The TypeScript part of the receipts page: its two programs and its section.

``render_samples`` writes samples/typescript/receipts/pull.ts and push.ts (templates under
templates/typescript/samples/receipts/): the call ``common.receipts.receipt_demo`` chooses, placed
on an emulator, then its receipt pulled from the queue or pushed to a receiver, printed typed.
``section`` is the page's "TypeScript" section (templates/typescript/receipts.md.jinja), which
embeds both programs. Nothing is written when the specs emulate no receipts.

Pure: IR in, ``{path: text}`` or Markdown out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from generator.frontend import ir
from generator.output.render import Renderer
from generator.targets import SampleFile
from generator.targets.common import receipts as _receipts
from generator.targets.common import wire as _wire
from generator.targets.typescript import naming
from generator.targets.typescript.view import literal, package_of

SAMPLES = ("pull", "push")
SAMPLES_DIR = "samples/typescript/receipts"


@dataclass(frozen=True)
class ReceiptSamples:
    """What the receipts templates read, every name TypeScript's."""

    distribution: str
    python_package: str  # the package whose emulator the programs run on
    kind: str  # the receipt type's interface and companion object
    kind_name: str  # its message type, as the emulator's --push option takes it
    message_type: str  # the same, as a TypeScript literal
    method: str
    arguments: tuple[tuple[str, str], ...]  # the request's required members and their examples
    response_id: str  # the response's member that names the call
    receipt_id: str  # the receipt's member that names the call
    shown: tuple[str, ...]  # the other members the handler prints


def paths() -> tuple[tuple[str, str], ...]:
    return tuple((name, f"{SAMPLES_DIR}/{name}.ts") for name in SAMPLES)


def samples_view(api: ir.Api, guide: ir.Action) -> ReceiptSamples | None:
    demo = _receipts.receipt_demo(api, guide)
    if demo is None:
        return None
    structs = {s.name: s for s in demo.action.structs}
    required = (f for f in _wire.sample_fields(demo.action) if f.required)
    python = api.product.package("python")
    return ReceiptSamples(
        distribution=package_of(api).distribution,
        python_package=python.package if python is not None else package_of(api).package,
        kind=naming.type_name(demo.kind.name),
        kind_name=demo.kind.name,
        message_type=json.dumps(demo.kind.name),
        method=naming.method(demo.action.name),
        arguments=tuple((naming.member(f.wire_name), literal(f.example, f.type, structs)) for f in required),
        response_id=naming.member(demo.response_id),
        receipt_id=naming.member(demo.receipt_id),
        shown=tuple(naming.member(w) for w in demo.shown),
    )


def render_samples(api: ir.Api, guide: ir.Action, renderer: Renderer) -> dict[str, str]:
    """The receipts page's programs (pull and push), when the specs emulate receipts."""
    d = samples_view(api, guide)
    if d is None:
        return {}
    return {
        path: renderer.render(f"typescript/samples/receipts/{name}.ts.jinja", d=d) for name, path in paths()
    }


def section(api: ir.Api, guide: ir.Action, renderer: Renderer) -> str | None:
    """The TypeScript section of the receipts page; None when the specs emulate no receipts."""
    d = samples_view(api, guide)
    receipts = api.product.receipts
    if d is None or receipts is None:
        return None
    pull, push = (SampleFile(path, name, "typescript") for name, path in paths())
    return renderer.render("typescript/receipts.md.jinja", d=d, r=receipts, pull=pull, push=push)
