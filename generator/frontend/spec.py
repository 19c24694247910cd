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

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


NonEmpty = Annotated[str, StringConstraints(min_length=1)]
Scalar = str | int | float | bool


class TextSpec(_Strict):
    """A text in Chinese, in English, or both (at least one). The vendor's metadata is Chinese
    only: an imported text has ``zh``, and a person may add ``en``; nothing is invented."""

    zh: NonEmpty | None = None
    en: NonEmpty | None = None

    @model_validator(mode="after")
    def _one_language_at_least(self) -> TextSpec:
        if self.zh is None and self.en is None:
            raise ValueError("give the text in at least one language: zh, en or both")
        return self


class Style(StrEnum):
    """How a value travels in the query string."""

    plain = "plain"  # Key=value
    repeat_list = "repeatList"  # Key.1=…&Key.1.Sub=…
    json = "json"  # Key=<JSON text>


class EnumValueSpec(_Strict):
    value: Scalar
    description: TextSpec | None = None  # none given: the docs show none; validate counts it


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
    description: TextSpec | None = None  # none given: the docs show none; validate counts it
    deprecated: bool = False
    deprecation: TextSpec | None = None
    unit: NonEmpty | None = None  # of a number: seconds, milliseconds, minutes, characters, ...
    # Provenance for reviewers, written by `sdkgen import`: key path → the sentence a value was
    # mined from (``constraints.minimum: 取值范围：**1~3**``), or why a vendor value was replaced.
    mined: dict[NonEmpty, NonEmpty] = {}
    repaired: dict[NonEmpty, NonEmpty] = {}


class StructSpec(_Strict):
    description: TextSpec | None = None  # none given: the docs show none; validate counts it
    fields: dict[NonEmpty, FieldSpec]


class ExamplesSpec(_Strict):
    json_: NonEmpty = Field(alias="json")
    xml: NonEmpty


class ResponseSpec(_Strict):
    fields: dict[NonEmpty, FieldSpec]
    examples: ExamplesSpec


class IdSpec(_Strict):
    """How the emulator makes the id of a new record: a ``str.format`` template of ``{seq}``,
    ``{random}`` and ``{uuid}``."""

    format: NonEmpty
    seq_start: int = Field(default=1, ge=0)  # the first record's {seq}
    random_below: int = Field(default=10**9, ge=1)  # {random} is drawn from range(random_below)


class LifetimeSpec(_Strict):
    """How long a record stays active: a request parameter in seconds, or ``default_seconds``."""

    parameter: NonEmpty | None = None
    default_seconds: int | float = Field(gt=0)


class CreatesSpec(_Strict):
    """``emulator.creates``: a successful request keeps a record and answers its id in ``key``."""

    record: NonEmpty  # the record kind
    key: NonEmpty  # the response field that receives the id
    id: IdSpec = IdSpec(format="{uuid}")
    ends_after: LifetimeSpec | None = None  # default: active until ended
    cancellable: bool = True  # whether an ``ends`` action may end it


class ValueSpec(_Strict):
    """A constant in a record's answer."""

    value: Scalar


class OutcomeValueSpec(_Strict):
    """A value of the call's outcome (``receipts.emulator.outcomes.<name>.values``), once it ended."""

    outcome: NonEmpty


# a read's or a report's key: a creating request's parameter, the first present of several, a
# constant ({value: …}), an outcome's value ({outcome: …}), or a $-name (see specs/README.md)
SourceSpec = NonEmpty | list[NonEmpty] | ValueSpec | OutcomeValueSpec


class ReadsSpec(_Strict):
    """``emulator.reads``: answer ``into`` from the record whose id is in parameter ``by``."""

    record: NonEmpty
    by: NonEmpty
    into: NonEmpty
    # key of the answer → a SourceSpec; other keys keep the example's value
    fields: dict[NonEmpty, SourceSpec] = {}
    time_format: NonEmpty = "%Y-%m-%dT%H:%M:%SZ"  # how $created is written (strftime)
    utc_offset_minutes: int = Field(default=0, ge=-24 * 60, le=24 * 60)  # the zone of times and days
    same_day_as: NonEmpty | None = None  # an epoch-millis parameter: records of other days are missing
    missing_error: NonEmpty | None = None  # default: answer without ``into``


class EndsSpec(_Strict):
    """``emulator.ends``: end the record whose id is in parameter ``by``."""

    record: NonEmpty
    by: NonEmpty
    into: NonEmpty | None = None  # a boolean response field: whether the record is (now) ended
    removes: bool = False  # an ended record is gone: later reads and ends do not find it
    missing_error: NonEmpty | None = None  # default: ``into`` false


class WindowSpec(_Strict):
    seconds: int | float = Field(gt=0)
    max: int = Field(ge=0)


class LimitSpec(_Strict):
    """``emulator.limits[]``: at most ``max`` successful requests per window and value of ``key``."""

    key: NonEmpty  # the request parameter whose value is counted
    counter: NonEmpty | None = None  # actions naming the same counter share it (default: the action)
    windows: Annotated[list[WindowSpec], Field(min_length=1)]
    error: NonEmpty  # the error code answered over the limit


class EmulatorSpec(_Strict):
    """``emulator``: the state the generated emulator keeps for an action."""

    creates: CreatesSpec | None = None
    reads: ReadsSpec | None = None
    ends: EndsSpec | None = None
    limits: list[LimitSpec] = []


class PaginationSpec(_Strict):
    """``pagination``: how a list action hands out its results a page at a time.

    ``style: page``: the parameter ``page`` numbers the pages from ``first_page``; ``style:
    token``: the parameter ``token`` carries what the previous answer gave at ``next``. Paths
    (``items``, ``total``, ``next``) are dotted response field names through structs
    (``Data.Values``). Which keys each style takes is checked in ``check`` (pagination.py).
    """

    style: Literal["page", "token"]
    page: NonEmpty | None = None  # style page: the request parameter of the page number
    first_page: int | None = Field(default=None, ge=0)  # style page: the first page's number (1)
    token: NonEmpty | None = None  # style token: the request parameter of the page's token
    next: NonEmpty | None = None  # style token: the response path of the next page's token
    size: NonEmpty | None = None  # the request parameter of the page size, if any
    items: NonEmpty  # the response path of the page's list
    total: NonEmpty | None = None  # the response path of the number of items in all pages


class ActionSpec(_Strict):
    """``specs/actions/<Action>.yaml``."""

    action: NonEmpty
    summary: TextSpec | None = None
    description: TextSpec | None = None
    group: TextSpec | None = None
    idempotent: bool
    deprecated: bool = False
    deprecation: TextSpec | None = None
    qps_limit: int | None = Field(default=None, ge=1)
    emulator: EmulatorSpec | None = None  # what the generated emulator does besides answering the example
    pagination: PaginationSpec | None = None  # a list action's pages, for iterators over them
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


class PackageSpec(_Strict):
    """What one target publishes: ``sdk.targets.<target>``."""

    package: NonEmpty  # the import name (Python) or module name
    distribution: NonEmpty  # the name in the package registry
    requires_python: NonEmpty = ">=3.11"  # the Python package's language requirement


class AuthorSpec(_Strict):
    name: NonEmpty
    email: NonEmpty | None = None


class SdkSpec(_Strict):
    version: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+\.\d+$")]
    targets: dict[NonEmpty, PackageSpec]
    authors: list[AuthorSpec] = []
    license: NonEmpty | None = None  # an SPDX expression, e.g. Apache-2.0
    urls: dict[NonEmpty, NonEmpty] = {}  # label → URL: Homepage, Documentation, Repository, Changelog
    guide: NonEmpty | None = None  # the action the guide, quick start and READMEs call


class ReceiptTypeSpec(_Strict):
    """One kind of receipt (message) the service sends about what happened to a call."""

    description: TextSpec | None = None
    actions: list[NonEmpty]  # the actions whose requests make the service send it
    fields: dict[NonEmpty, FieldSpec]  # as the message's JSON names them; scalars only


class ReceiptTokenSpec(_Strict):
    """The action that hands out temporary credentials for the receipt queue (another product's)."""

    product: NonEmpty
    api_version: NonEmpty
    endpoint: NonEmpty
    action: NonEmpty
    refresh_before_seconds: int = Field(default=120, ge=0)  # renew this long before expiry
    utc_offset_minutes: int = Field(default=0, ge=-24 * 60, le=24 * 60)  # the zone of its times


class ReceiptQueueSpec(_Strict):
    """Where pulled receipts wait: an MNS queue endpoint and its protocol's limits."""

    endpoint: NonEmpty
    name: NonEmpty = "{type}"  # a queue's name: {account} (the customer's account id), {type} (message type)
    protocol_version: NonEmpty = "2015-06-06"
    max_batch: int = Field(default=16, ge=1)  # messages per receive and per delete
    max_wait_seconds: int = Field(default=30, ge=0)  # the longest long poll


class ReceiptPushSpec(_Strict):
    """How pushed receipts arrive: a POST of a JSON array, and the reply the service expects."""

    reply: dict[NonEmpty, Any]
    timeout_ms: int = Field(ge=1)
    retry_after_seconds: list[Annotated[int, Field(ge=1)]] = []  # the service's resend schedule


class OutcomeSpec(_Strict):
    """``receipts.emulator.outcomes.<name>``: one way an emulated call can go."""

    rings: bool = True  # False: the call fails before the phone rings (busy, switched off...)
    answered: bool = True
    talk_seconds: float | None = Field(default=None, ge=0)  # default: timing.talk_seconds
    values: dict[NonEmpty, Scalar] = {}  # receipt fields of this name, and {outcome: …} sources


class TimingSpec(_Strict):
    """``receipts.emulator.timing``: seconds between the moments of an emulated call."""

    ring_after_seconds: float = Field(default=1, ge=0)  # placed → ringing (or failed)
    answer_after_seconds: float = Field(default=4, ge=0)  # ringing → answered
    talk_seconds: float = Field(default=10, ge=0)  # answered → ended
    ring_for_seconds: float = Field(default=30, ge=0)  # ringing → ended, when nobody answers


class ReportSpec(_Strict):
    """``receipts.emulator.sends.<type>``: when the emulator sends a receipt type, and its values."""

    at: list[Literal["ringing", "answered", "ended"]] = Field(min_length=1)  # one message each
    answered_only: bool = False  # only for calls that were answered
    fields: dict[NonEmpty, SourceSpec] = {}  # other fields: the outcome's value, else the example


class ReceiptEmulatorSpec(_Strict):
    """``receipts.emulator``: how the generated emulator plays calls out and reports them."""

    record: NonEmpty  # the records (emulator.creates) that are calls
    outcome_by: NonEmpty | None = None  # the parameter whose value a test can choose an outcome by
    default_outcome: NonEmpty
    outcomes: dict[NonEmpty, OutcomeSpec] = Field(min_length=1)
    timing: TimingSpec = TimingSpec()
    time_format: NonEmpty = "%Y-%m-%dT%H:%M:%SZ"  # how times are written (strftime)
    utc_offset_minutes: int = Field(default=0, ge=-24 * 60, le=24 * 60)
    visibility_timeout_seconds: int = Field(default=30, ge=1)  # a received message's hiding time
    sends: dict[NonEmpty, ReportSpec]  # receipt type → its messages


class ReceiptsSpec(_Strict):
    """``receipts:`` in product.yaml: what the service reports after a call, and how."""

    token: ReceiptTokenSpec
    queue: ReceiptQueueSpec
    push: ReceiptPushSpec | None = None
    types: dict[NonEmpty, ReceiptTypeSpec]
    emulator: ReceiptEmulatorSpec | None = None


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
    receipts: ReceiptsSpec | None = None


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
