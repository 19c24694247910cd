"""The pydantic v2 models of actions, by datamodel-code-generator (pinned, in-process).

Each action's JSON Schema (``common.jsonschema``) is named with this target's class names and
carries the attribute names the runtime needs (``x-required-when``); wire names become aliases.
Its root is the request model itself (so the generator names it, and adds no root class), with
the response and the structs under ``$defs``.

Several actions are generated in one call (``models_modules``): the generator reads a folder of
schemas, one module each, so its fixed cost per call (about as much as one action's models) is
paid once per batch. Each module is the one a call for its action alone would write.
"""

from __future__ import annotations

import json
import tempfile
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from generator.frontend import ir
from generator.output.format import scratch_dir
from generator.targets.common import jsonschema
from generator.targets.python import naming

SCHEMA_NAMES = jsonschema.SchemaNames(
    request=naming.request_class,
    response=naming.response_class,
    struct=naming.class_name,
    member=naming.attribute,
)

BUCKETS = 32  # actions are generated in this many batches, by a stable hash of their names


def bucket(action: ir.Action) -> int:
    """The batch an action's models are generated in: stable across runs and action counts, so
    a change to one action regenerates its batch only."""
    return zlib.crc32(action.name.encode("utf-8")) % BUCKETS


def _schema(action: ir.Action) -> dict[str, Any]:
    whole = jsonschema.action_schema(action, SCHEMA_NAMES)
    defs: dict[str, Any] = dict(whole["$defs"])
    root = defs.pop(naming.request_class(action.name))
    head = {k: v for k, v in whole.items() if k not in ("$ref", "$defs")}
    return {**head, **root, "$defs": defs}


def models_modules(actions: Sequence[ir.Action], package: str, header: str) -> dict[str, str]:
    """``{action name: source of <package>/models/<module>.py}``, unformatted."""
    import datamodel_code_generator as dmcg  # imported here: validate and check never need it
    from datamodel_code_generator.enums import DataModelType, InputFileType
    from datamodel_code_generator.format import PythonVersion
    from datamodel_code_generator.parser import LiteralType

    if not actions:
        return {}
    aliases = {}
    for action in actions:
        for fields in (action.parameters, action.response.fields, *(s.fields for s in action.structs)):
            for f in fields:
                aliases[f.wire_name] = naming.attribute(f.wire_name)
    with tempfile.TemporaryDirectory(prefix="sdkgen-models-", dir=scratch_dir()) as tmp:
        source, target = Path(tmp, "schemas"), Path(tmp, "models")
        source.mkdir()
        for action in actions:
            text = json.dumps(_schema(action), ensure_ascii=False)
            (source / f"{naming.module(action.name)}.json").write_text(text, encoding="utf-8")
        dmcg.generate(
            source,
            output=target,
            input_file_type=InputFileType.JsonSchema,
            output_model_type=DataModelType.PydanticV2BaseModel,
            target_python_version=PythonVersion.PY_311,
            base_class=f"{package}._model.Model",
            aliases=aliases,
            field_constraints=True,
            field_extra_keys=set(jsonschema.EXTRA_KEYS),
            use_annotated=True,
            use_field_description=True,
            use_schema_description=True,
            use_standard_collections=True,
            use_union_operator=True,
            use_double_quotes=True,
            enum_field_as_literal=LiteralType.All,
            allow_population_by_field_name=True,
            disable_timestamp=True,
            formatters=[],
            custom_file_header=header,
        )
        return {
            action.name: (target / f"{naming.module(action.name)}.py").read_text(encoding="utf-8")
            for action in actions
        }
