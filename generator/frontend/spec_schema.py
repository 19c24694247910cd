"""The JSON Schema of the spec files themselves, for editors (yaml-language-server).

Derived from the ``*Spec`` classes, so the schema editors use, the validator and
specs/README.md describe one format. Written by ``sdkgen generate`` to specs/schema/ and
drift-checked by ``sdkgen check`` like every generated file.
"""

from __future__ import annotations

import json

from pydantic import BaseModel

from generator.frontend.spec import ActionSpec, ErrorsSpec, ProductSpec

SCHEMAS: dict[str, type[BaseModel]] = {
    "schema/action.schema.json": ActionSpec,
    "schema/product.schema.json": ProductSpec,
    "schema/errors.schema.json": ErrorsSpec,
}


def spec_schemas(comment: str) -> dict[str, str]:
    """``{schema/<file>.schema.json: text}``, each carrying ``comment`` (the generated-file header)."""
    out = {}
    for path, model in SCHEMAS.items():
        schema = {"$comment": comment, "$schema": "https://json-schema.org/draft/2020-12/schema",
                  **model.model_json_schema(by_alias=True)}  # fmt: skip
        out[path] = json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    return out
