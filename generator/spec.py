"""Parse stage, part one: the pydantic mirror of the spec format (``*Spec`` classes).

These classes *are* the format: every key a spec file may hold, its type and its default. They
validate the shape of each file (unknown keys rejected, types checked) and nothing more; rules that
span several values or files live in ``check.py``. Nothing after ``build`` sees a ``*Spec``.

The human documentation of every key is ``specs/README.md``; the JSON Schema that editors use is
derived from these classes (``sdkgen schema``), so the three cannot drift apart.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


NonEmpty = Annotated[str, StringConstraints(min_length=1)]
Scalar = str | int | float | bool


class TextSpec(_Strict):
    """A description: the full text in Chinese and a short English summary."""

    zh: NonEmpty
    en: NonEmpty


class Style(StrEnum):
    """How a value travels in the query string."""

    plain = "plain"  # Key=value
    repeat_list = "repeatList"  # Key.1=…&Key.1.Sub=…
    json = "json"  # Key=<JSON text>


class EnumValueSpec(_Strict):
    value: Scalar
    description: TextSpec


class ConstraintsSpec(_Strict):
    min_length: int | None = Field(default=None, ge=0)
    max_length: int | None = Field(default=None, ge=0)
    minimum: int | float | None = None
    maximum: int | float | None = None
    exclusive_minimum: int | float | None = None
    exclusive_maximum: int | float | None = None
    pattern: str | None = None
    min_items: int | None = Field(default=None, ge=0)
    max_items: int | None = Field(default=None, ge=0)
    enum: list[EnumValueSpec] | None = None


class ConditionSpec(_Strict):
    """When another parameter of the same request makes this one required."""

    parameter: NonEmpty
    present: bool | None = None
    equals: Scalar | None = None
    pattern: str | None = None
    enforced: bool = True
    note: TextSpec | None = None


class FieldSpec(_Strict):
    """A request parameter, a struct field or a response field."""

    type: NonEmpty
    required: bool = False
    style: Annotated[Style, Field(strict=False)] = Style.plain
    constraints: ConstraintsSpec | None = None
    required_when: ConditionSpec | None = None
    format: Literal["phone-number", "date-time", "epoch-millis", "json"] | None = None
    invalid_error: NonEmpty | None = None
    default: Scalar | None = None
    example: Any = None
    description: TextSpec
    deprecated: bool = False
    deprecation: TextSpec | None = None


class StructSpec(_Strict):
    description: TextSpec
    fields: dict[NonEmpty, FieldSpec]


class ExamplesSpec(_Strict):
    json_: NonEmpty = Field(alias="json")
    xml: NonEmpty


class ResponseSpec(_Strict):
    fields: dict[NonEmpty, FieldSpec]
    examples: ExamplesSpec


class ActionSpec(_Strict):
    """``specs/actions/<Action>.yaml``."""

    action: NonEmpty
    summary: TextSpec
    description: TextSpec
    group: TextSpec
    idempotent: bool
    deprecated: bool = False
    deprecation: TextSpec | None = None
    qps_limit: int | None = Field(default=None, ge=1)
    role: Literal["places-call", "cancels-call", "reads-call"] | None = None
    parameters: dict[NonEmpty, FieldSpec]
    structs: dict[NonEmpty, StructSpec] = {}
    response: ResponseSpec
    errors: list[NonEmpty]


class EndpointsSpec(_Strict):
    default: NonEmpty
    vpc: NonEmpty | None = None
    regional: dict[NonEmpty, NonEmpty] = {}


class SigningSpec(_Strict):
    default: Literal["v3", "v1"]
    schemes: list[Literal["v3", "v1"]]


class PythonTargetSpec(_Strict):
    package: NonEmpty
    distribution: NonEmpty
    requires_python: NonEmpty = ">=3.11"


class TargetsSpec(_Strict):
    python: PythonTargetSpec


class SdkSpec(_Strict):
    version: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+\.\d+$")]
    targets: TargetsSpec


class ProductSpec(_Strict):
    """``specs/product.yaml``."""

    product: NonEmpty
    api_version: NonEmpty
    title: TextSpec
    style: Literal["RPC"]
    protocol: Literal["HTTPS", "HTTP"]
    method: Literal["POST", "GET"]
    endpoints: EndpointsSpec
    signing: SigningSpec
    sdk: SdkSpec


class Category(StrEnum):
    success = "success"  # the one code that is not an error: OK
    client = "client"
    server = "server"
    throttling = "throttling"


class ErrorSpec(_Strict):
    http_status: int = Field(ge=100, le=599)
    category: Annotated[Category, Field(strict=False)]
    retryable: bool
    source: Literal["business", "gateway"]
    exception: Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Za-z0-9]*Error$")] | None = None
    pattern: str | None = None
    message: NonEmpty
    description: TextSpec


class ErrorsSpec(_Strict):
    """``specs/errors.yaml``: every code keyed by itself."""

    errors: dict[NonEmpty, ErrorSpec]
