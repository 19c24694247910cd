"""Build stage output: the frozen intermediate representation that every target renders.

Shaped for generation, not for authoring: every name is precomputed (by ``naming``), every type
reference is resolved to a closed union matched with ``match``/``assert_never``, and nothing here
refers back to a ``*Spec``. Templates see only these classes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Primitive(StrEnum):
    string = "string"
    int32 = "int32"
    int64 = "int64"
    boolean = "boolean"
    double = "double"


@dataclass(frozen=True)
class Scalar:
    kind: Primitive


@dataclass(frozen=True)
class ListOf:
    item: "TypeRef"


@dataclass(frozen=True)
class MapOf:
    value: "TypeRef"


@dataclass(frozen=True)
class StructRef:
    name: str
    class_name: str


TypeRef = Scalar | ListOf | MapOf | StructRef


@dataclass(frozen=True)
class Text:
    zh: str
    en: str


class Style(StrEnum):
    plain = "plain"
    repeat_list = "repeatList"
    json = "json"


@dataclass(frozen=True)
class EnumValue:
    value: str | int | float | bool
    description: Text


@dataclass(frozen=True)
class Constraints:
    min_length: int | None = None
    max_length: int | None = None
    minimum: int | float | None = None
    maximum: int | float | None = None
    exclusive_minimum: int | float | None = None
    exclusive_maximum: int | float | None = None
    pattern: str | None = None
    min_items: int | None = None
    max_items: int | None = None
    enum: tuple[EnumValue, ...] = ()

    @property
    def is_empty(self) -> bool:
        return self == Constraints()


@dataclass(frozen=True)
class Condition:
    """``parameter`` (wire name) present / equal to / matching makes the field required."""

    parameter: str
    py_name: str
    present: bool | None
    equals: str | int | float | bool | None
    pattern: str | None
    enforced: bool
    note: Text | None


@dataclass(frozen=True)
class Field:
    wire_name: str
    py_name: str
    type: TypeRef
    required: bool
    style: Style
    constraints: Constraints
    required_when: Condition | None
    format: str | None
    invalid_error: str | None
    default: str | int | float | bool | None
    example: object
    description: Text
    deprecated: bool
    deprecation: Text | None


@dataclass(frozen=True)
class Struct:
    name: str
    class_name: str
    description: Text
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class Response:
    class_name: str
    fields: tuple[Field, ...]
    example_json: str
    example_xml: str


@dataclass(frozen=True)
class Action:
    name: str
    method_name: str
    module_name: str
    request_class: str
    summary: Text
    description: Text
    group: Text
    idempotent: bool
    deprecated: bool
    deprecation: Text | None
    qps_limit: int | None
    role: str | None  # what the emulator does: places-call, cancels-call, reads-call
    parameters: tuple[Field, ...]
    structs: tuple[Struct, ...]
    response: Response
    errors: tuple[str, ...]
    source: str


class Category(StrEnum):
    success = "success"
    client = "client"
    server = "server"
    throttling = "throttling"


@dataclass(frozen=True)
class ErrorCode:
    code: str
    http_status: int
    category: Category
    retryable: bool
    source: str
    class_name: str | None
    pattern: str | None
    message: str
    description: Text


@dataclass(frozen=True)
class Endpoints:
    default: str
    vpc: str | None
    regional: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class PythonTarget:
    package: str
    distribution: str
    requires_python: str


@dataclass(frozen=True)
class Product:
    code: str
    api_version: str
    title: Text
    style: str
    protocol: str
    method: str
    endpoints: Endpoints
    signing_default: str
    signing_schemes: tuple[str, ...]
    sdk_version: str
    python: PythonTarget


@dataclass(frozen=True)
class Api:
    """Everything one specs directory describes."""

    product: Product
    actions: tuple[Action, ...]
    errors: tuple[ErrorCode, ...]
    # The release notes, Markdown, newest first: specs/.release/CHANGELOG.md (written by sdkgen release).
    changelog: str | None = None

    def error(self, code: str) -> ErrorCode:
        return next(e for e in self.errors if e.code == code)
