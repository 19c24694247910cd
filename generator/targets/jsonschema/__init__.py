"""The jsonschema target: a JSON Schema (draft 2020-12) of every action under schema/.

One document per action (``schema/<Action>.json``): its request, its response and its structs,
with the spec's constraints, examples and the ``x-*`` extensions of ``common.jsonschema``. Names
are the spec's own (wire names; ``<Action>Request``/``<Action>Response``; struct names as
declared), so the schema is the same whichever languages are generated.
"""

from __future__ import annotations

import json

from generator.frontend import ir
from generator.frontend.diagnostics import Diagnostic
from generator.targets import Context
from generator.targets.common.jsonschema import action_schema


class JsonSchemaTarget:
    name = "jsonschema"
    owns = ("schema",)

    def applies(self, api: ir.Api) -> bool:
        return True

    def check(self, api: ir.Api) -> list[Diagnostic]:
        return []  # wire names are its names: the front end already made them unique

    def render(self, api: ir.Api, ctx: Context) -> dict[str, str]:
        comment = ctx.renderer.header_text
        return {
            f"schema/{a.name}.json": json.dumps(
                {"$comment": comment, **action_schema(a)}, indent=2, ensure_ascii=False
            )
            + "\n"
            for a in api.actions
        }


TARGET = JsonSchemaTarget()
