"""Build stage output: the frozen, language-neutral intermediate representation.

Shaped for generation, not for authoring: every type reference is resolved to a closed union
matched with ``match``/``assert_never``, and nothing here refers back to a ``*Spec``. Names are
wire names plus their word splits (``words``); each target turns words into its own names
(generator/targets/<name>/naming.py). ``where`` says where a thing was declared, so a target can
report a name collision at its source; it takes no part in equality.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True, order=True)
class Where:
    """A position in a spec file: what a target's diagnostics point at."""

    path: str
    line: int
    column: int


NOWHERE = Where("<unknown>", 1, 1)


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


TypeRef = Scalar | ListOf | MapOf | StructRef


@dataclass(frozen=True)
class Text:
    """A text in Chinese and/or English; a missing language is ``""`` (never invented)."""

    zh: str
    en: str

    @property
    def short(self) -> str:
        """The one text to show where there is room for one: English if there is, else Chinese."""
        return self.en or self.zh

    @property
    def other(self) -> str:
        """The Chinese text when ``short`` is the English one; else ``""``."""
        return self.zh if self.en else ""

    def joined(self, separator: str) -> str:
        """Every language there is, English first, joined by ``separator``."""
        return separator.join(t for t in (self.en, self.zh) if t)


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
    present: bool | None
    equals: str | int | float | bool | None
    pattern: str | None
    enforced: bool
    note: Text | None


@dataclass(frozen=True)
class Field:
    wire_name: str
    words: tuple[str, ...]
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
    unit: str | None = None
    where: Where = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class Struct:
    name: str
    words: tuple[str, ...]
    description: Text
    fields: tuple[Field, ...]
    where: Where = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class Response:
    fields: tuple[Field, ...]
    example_json: str
    example_xml: str


@dataclass(frozen=True)
class RecordId:
    """A ``str.format`` template of ``{seq}``, ``{random}`` and ``{uuid}``."""

    format: str
    seq_start: int
    random_below: int


@dataclass(frozen=True)
class Creates:
    record: str  # the record kind
    key: str  # the response field that receives the id
    id: RecordId
    lifetime_parameter: str | None  # a request parameter in seconds...
    lifetime_seconds: float | None  # ...or this default; both None: active until ended
    cancellable: bool


@dataclass(frozen=True)
class RecordField:
    """One key of a read's answer or of an emulated receipt: ``source`` is parameters, value,
    outcome (``value`` names the outcome's key), or a moment of the record: id, created, action,
    ringing, answered, ended, talk_seconds, at (the moment a receipt reports)."""

    name: str
    source: str
    parameters: tuple[str, ...] = ()  # source "parameters": the first one present
    value: str | int | float | bool | None = None  # source "value"


@dataclass(frozen=True)
class Reads:
    record: str
    by: str  # the request parameter holding the id
    into: str  # the response field that receives the record
    fields: tuple[RecordField, ...]
    time_format: str
    utc_offset_minutes: int
    same_day_as: str | None
    missing_error: str | None


@dataclass(frozen=True)
class Ends:
    record: str
    by: str
    into: str | None
    removes: bool
    missing_error: str | None


@dataclass(frozen=True)
class Window:
    seconds: float
    max: int


@dataclass(frozen=True)
class Limit:
    key: str  # the request parameter whose value is counted
    counter: str  # actions with the same counter share it
    windows: tuple[Window, ...]
    error: str


@dataclass(frozen=True)
class Emulation:
    """What the generated emulator does for an action besides answering its example."""

    creates: Creates | None = None
    reads: Reads | None = None
    ends: Ends | None = None
    limits: tuple[Limit, ...] = ()


@dataclass(frozen=True)
class PageNumbers:
    """Pages by number: the request parameter ``parameter`` counts them from ``first``."""

    parameter: str
    first: int


@dataclass(frozen=True)
class Tokens:
    """Pages by token: the request parameter ``parameter`` carries the token an answer gives at
    ``next`` (a response path); the first request carries none, and no token means no more pages."""

    parameter: str
    next: tuple[str, ...]


@dataclass(frozen=True)
class Pagination:
    """How a list action hands out its results a page at a time (``pagination:``).

    Paths are wire names from the response down through structs: ``("Data", "Values")``.
    """

    by: PageNumbers | Tokens
    items: tuple[str, ...]  # the page's list
    item: TypeRef  # the type of one item of that list
    size: str | None  # the request parameter of the page size
    total: tuple[str, ...] | None  # the number of items in all pages
    where: Where = field(default=NOWHERE, compare=False)

    @property
    def parameter(self) -> str:
        """The request parameter an iterator sets itself: the page number or the token."""
        return self.by.parameter


@dataclass(frozen=True)
class Action:
    name: str
    words: tuple[str, ...]
    summary: Text
    description: Text
    group: Text
    idempotent: bool
    deprecated: bool
    deprecation: Text | None
    qps_limit: int | None
    emulator: Emulation  # the state the generated emulator keeps for this action
    parameters: tuple[Field, ...]
    structs: tuple[Struct, ...]
    response: Response
    errors: tuple[str, ...]
    source: str
    pagination: Pagination | None = None  # a list action's pages (None: one answer holds it all)
    where: Where = field(default=NOWHERE, compare=False)


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
    exception: str | None  # the class name the specs give the code (CapWords), None for success
    pattern: str | None
    message: str
    description: Text
    where: Where = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class Endpoints:
    default: str
    vpc: str | None
    regional: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Package:
    """What one target publishes: its import name, registry name and language requirement."""

    target: str
    package: str
    distribution: str
    requires: str | None
    places: tuple[tuple[str, Where], ...] = field(default=(), compare=False)  # key → where it is written

    def where(self, key: str) -> Where:
        """Where ``sdk.targets.<target>.<key>`` is written (the target's entry if the key is not)."""
        found = dict(self.places)
        return found.get(key, found.get("", NOWHERE))


@dataclass(frozen=True)
class Publisher:
    """Package metadata a registry shows: from product.yaml ``sdk``."""

    authors: tuple[tuple[str, str | None], ...]  # (name, email)
    license: str | None
    urls: tuple[tuple[str, str], ...]  # (label, URL)


@dataclass(frozen=True)
class ReceiptType:
    """A kind of message the service sends about a call (``receipts.types``)."""

    name: str  # VoiceReport
    words: tuple[str, ...]
    description: Text
    actions: tuple[str, ...]  # the actions whose requests make the service send it
    fields: tuple[Field, ...]  # scalars, by the message's own JSON names
    where: Where = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class Outcome:
    """One way an emulated call can go (``receipts.emulator.outcomes``)."""

    name: str
    rings: bool
    answered: bool
    talk_seconds: float | None
    values: tuple[tuple[str, str | int | float | bool | None], ...]


@dataclass(frozen=True)
class Report:
    """When the emulator sends a receipt type, and where its fields' values come from."""

    type: str
    at: tuple[str, ...]  # ringing, answered, ended
    answered_only: bool
    fields: tuple[RecordField, ...]


@dataclass(frozen=True)
class ReceiptEmulation:
    """How the generated emulator plays calls out and reports them (``receipts.emulator``)."""

    record: str
    outcome_by: str | None
    default_outcome: str
    outcomes: tuple[Outcome, ...]
    ring_after_seconds: float
    answer_after_seconds: float
    talk_seconds: float
    ring_for_seconds: float
    time_format: str
    utc_offset_minutes: int
    visibility_timeout_seconds: int
    reports: tuple[Report, ...]


@dataclass(frozen=True)
class Receipts:
    """What the service reports after a call, and how it gets to the application."""

    token_product: str  # the product whose action hands out the queue's credentials
    token_api_version: str
    token_endpoint: str
    token_action: str
    refresh_before_seconds: int
    token_utc_offset_minutes: int  # the zone of the token's times
    queue_endpoint: str
    queue_name: str  # the pattern of a queue's name: {account}, {type}
    queue_protocol_version: str
    max_batch: int
    max_wait_seconds: int
    push_reply: str | None  # the JSON the service expects back from a push receiver (None: no push)
    push_timeout_ms: int | None
    push_retry_after_seconds: tuple[int, ...]
    types: tuple[ReceiptType, ...]
    emulation: ReceiptEmulation | None = None

    def type(self, name: str) -> ReceiptType:
        return next(t for t in self.types if t.name == name)


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
    packages: tuple[Package, ...]
    words: tuple[str, ...] = ()
    publisher: Publisher = Publisher((), None, ())
    guide: str | None = None  # the action the guides call (sdk.guide); None: chosen by the targets
    receipts: Receipts | None = None

    def package(self, target: str) -> Package | None:
        """The package settings of one target, if the specs give any."""
        return next((p for p in self.packages if p.target == target), None)


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
