"""The TypeScript target's naming policy: every name the npm package uses, from the IR's words.

Words in (``generator.frontend.words``), TypeScript names out: camelCase members and methods,
PascalCase types and classes. Templates never change case: they read these names from the
target's view of the IR (``view``).

- a member or method that is a reserved word of JavaScript or TypeScript, or a member every
  object already has (``constructor``, ``toString``, …), gets a trailing underscore:
  ``default`` → ``default_``;
- a name that would start with a digit gets a letter in front: ``3DSecure`` → ``n3dSecure``,
  type ``N3DSecure``;
- the client's own members (``endpoint``, ``retry``, …) are reserved for methods, and the runtime's
  error classes and the package's types for error codes and structs (``RESERVED_*``); ``check``
  reports a collision at the spec.
"""

from __future__ import annotations

from collections.abc import Sequence

from generator.frontend.words import words
from generator.targets.common.product import env_endpoint as env_endpoint
from generator.targets.common.product import root_error as root_error

# ECMAScript reserved words, strict-mode and TypeScript's reserved and contextual type names.
_KEYWORDS = frozenset(
    """break case catch class const continue debugger default delete do else enum export extends
    false finally for function if import in instanceof new null return super switch this throw true
    try typeof var void while with implements interface let package private protected public static
    yield await async arguments eval as any boolean number string symbol bigint object never unknown
    undefined type declare namespace module readonly keyof infer is asserts satisfies abstract
    override accessor get set of require""".split()
)
# Members every object (and so every request, response or client) already has.
_OBJECT_MEMBERS = frozenset(
    {
        "constructor",
        "toString",
        "toLocaleString",
        "valueOf",
        "hasOwnProperty",
        "isPrototypeOf",
        "propertyIsEnumerable",
        "__proto__",
        "toJSON",
    }
)
_RESERVED = _KEYWORDS | _OBJECT_MEMBERS

# Members the generated Client has besides the actions' methods.
RESERVED_CLIENT_MEMBERS = frozenset({"endpoint", "retry", "invoke", "toString"})

# Classes and types the package defines itself, besides the product's root error.
RECEIPT_NAMES = frozenset(
    """Receipt ReceiptKind ReceiptError ReceiptTypes MessageType RECEIPT_TYPES PUSH_REPLY MAX_BODY
    PushReceiver PushReceiverOptions PushAnswer SOURCE Consumer ConsumerOptions ConsumerStats QueueError
    ReceiptSource RunOptions""".split()
)
"""What src/receipts.ts exports besides the receipt types: no receipt type may take these names."""

RUNTIME_TYPES = frozenset(
    {
        "Client",
        "ClientOptions",
        "CallOptions",
        "Credentials",
        "RetryPolicy",
        "RetryOptions",
        "ClientError",
        "ServerError",
        "ThrottlingError",
        "NetworkError",
        "ConnectionFailedError",
        "RequestTimeoutError",
        "InvalidResponseError",
        "CredentialsError",
        "InvalidArgumentError",
        "ErrorDetails",
        "RootError",
        # JavaScript's own classes a generated type would shadow in the modules that use them
        "Error",
        "Object",
        "Array",
        "String",
        "Number",
        "Boolean",
        "Date",
        "Map",
        "Set",
        "Promise",
        "Record",
        "Response",
        "Request",
        "Headers",
        "URL",
    }
)


def _escape(name: str) -> str:
    if not name:
        return "field_"
    if name[0].isdigit():
        name = "n" + name
    if name in _RESERVED:
        name += "_"
    return name


def camel(parts: Sequence[str]) -> str:
    """camelCase of some words, before any escaping: ``("called", "number")`` → ``calledNumber``."""
    head, *rest = [w for w in parts if w] or [""]
    return head.lower() + "".join(w[:1].upper() + w[1:].lower() for w in rest)


def member(wire_name: str) -> str:
    """Member of a request, response or struct interface: ``CallerShowNumber`` → ``callerShowNumber``."""
    return _escape(camel(words(wire_name)))


def method(action: str) -> str:
    """Client method of an action: ``SingleCallByTts`` → ``singleCallByTts``."""
    return _escape(camel(words(action)))


def pages_method(action: str) -> str:
    """Client method iterating an action's pages: ``ListCallTask`` → ``listCallTaskPages``."""
    return _escape(camel((*words(action), "pages")))


def items_method(action: str) -> str:
    """Client method iterating the items of an action's pages: ``listCallTaskItems``."""
    return _escape(camel((*words(action), "items")))


def paging_const(action: str) -> str:
    """The ``Paging`` an action's module exports for its iterators: ``listCallTaskPaging``."""
    return camel((*words(action), "paging"))


def module(action: str) -> str:
    """The file of an action's types and descriptor under src/actions/: ``singleCallByTts``."""
    return method(action)


def type_name(wire_name: str) -> str:
    """PascalCase type name: ``menuKeyMap`` → ``MenuKeyMap``, ``aRingTime`` → ``ARingTime``."""
    name = "".join(p[:1].upper() + p[1:] for p in words(wire_name))
    if not name:
        return "Model"
    if name[0].isdigit():
        name = "N" + name
    return name


def request_type(action: str) -> str:
    return type_name(action) + "Request"


def response_type(action: str) -> str:
    return type_name(action) + "Response"
