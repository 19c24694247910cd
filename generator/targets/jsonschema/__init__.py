"""The jsonschema target: a JSON Schema (draft 2020-12) of every action under schema/.

One document per action (``schema/<Action>.json``): its request, its response and its structs,
with the spec's constraints, examples and the ``x-*`` extensions of ``common.jsonschema``. Names
are the spec's own (wire names; ``<Action>Request``/``<Action>Response``; struct names as
declared), so the schema is the same whichever languages are generated.
"""

from __future__ import annotations

import json
from functools import partial

from generator.frontend import ir
from generator.frontend.diagnostics import Diagnostic
from generator.targets import Context, Unit, action_key
from generator.targets.common.jsonschema import action_schema


def schema_file(action: ir.Action, comment: str) -> dict[str, str]:
    text = json.dumps({"$comment": comment, **action_schema(action)}, indent=2, ensure_ascii=False)
    return {f"schema/{action.name}.json": text + "\n"}


class JsonSchemaTarget:
    name = "jsonschema"
    owns = ("schema",)

    def applies(self, api: ir.Api) -> bool:
        return True

    def check(self, api: ir.Api) -> list[Diagnostic]:
        return []  # wire names are its names: the front end already made them unique

    def units(self, api: ir.Api, ctx: Context) -> list[Unit]:
        comment = ctx.renderer.header_text
        return [Unit(action_key(api, a), partial(schema_file, a, comment)) for a in api.actions]


TARGET = JsonSchemaTarget()
