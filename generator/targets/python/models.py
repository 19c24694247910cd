"""The pydantic v2 models of one action, by datamodel-code-generator (pinned, in-process).

The action's JSON Schema (``common.jsonschema``) is named with this target's class names and
carries the attribute names the runtime needs (``x-required-when``); wire names become aliases.
"""

from __future__ import annotations

from generator.frontend import ir
from generator.targets.common import jsonschema
from generator.targets.python import naming

SCHEMA_NAMES = jsonschema.SchemaNames(
    request=naming.request_class,
    response=naming.response_class,
    struct=naming.class_name,
    member=naming.attribute,
)


def models_module(action: ir.Action, package: str, header: str) -> str:
    """The source of ``<package>/models/<module>.py``, unformatted."""
    import datamodel_code_generator as dmcg  # imported here: validate and check never need it
    from datamodel_code_generator.enums import DataModelType, InputFileType
    from datamodel_code_generator.format import PythonVersion
    from datamodel_code_generator.parser import LiteralType

    schema = jsonschema.action_schema(action, SCHEMA_NAMES)
    aliases = {}
    for fields in (action.parameters, action.response.fields, *(s.fields for s in action.structs)):
        for f in fields:
            aliases[f.wire_name] = naming.attribute(f.wire_name)
    out = dmcg.generate(
        schema,
        input_file_type=InputFileType.JsonSchema,
        output_model_type=DataModelType.PydanticV2BaseModel,
        target_python_version=PythonVersion.PY_311,
        class_name=naming.request_class(action.name),
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
    assert isinstance(out, str)
    return out
