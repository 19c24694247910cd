"""The Python target's naming policy: every name the Python package uses, from the IR's words.

Words in (``generator.frontend.words``), Python names out: snake_case attributes, keywords,
methods and modules; CapWords classes. Templates never change case: they read these names from
the target's view of the IR.

- a name that is a Python keyword, a soft keyword, a builtin, or an attribute of pydantic's
  BaseModel gets a trailing underscore: ``from`` → ``from_``, ``type`` → ``type_``, ``Json`` →
  ``json_``;
- a name that would start with a digit gets a letter in front: ``3DSecure`` → ``n3d_secure``,
  class ``N3DSecure``;
- the client's own members (``close``, ``endpoint``, …) are reserved for methods, and the runtime's
  error classes for error codes (``RESERVED_*`` below); ``check`` reports a collision at the spec.
"""

from __future__ import annotations

import builtins
import keyword
from collections.abc import Sequence

from generator.frontend.words import words
from generator.targets.common.product import env_endpoint as env_endpoint
from generator.targets.common.product import root_error as root_error

# Attribute names a pydantic v2 model already has; a field by that name would shadow them.
_BASEMODEL_NAMES = frozenset(
    {
        "construct",
        "copy",
        "dict",
        "fields",
        "from_orm",
        "json",
        "parse_file",
        "parse_obj",
        "parse_raw",
        "schema",
        "schema_json",
        "update_forward_refs",
        "validate",
        # the runtime's own Model (templates/python/runtime/_model.py)
        "to_query",
        "wire_data",
    }
)
BUILTIN_NAMES = frozenset(dir(builtins))
# ``self``: the methods' first argument, so no parameter may take it.
_RESERVED = (
    frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | BUILTIN_NAMES | _BASEMODEL_NAMES | {"self"}
)

# Members the generated Client and AsyncClient have besides the actions' methods.
RESERVED_CLIENT_MEMBERS = frozenset({"close", "endpoint", "retry"})

# Classes the generated errors module defines itself, besides the product's root error.
RECEIPT_MODULE_NAMES = frozenset(
    """Receipt ReceiptError ReceiptSource PushReceiver Consumer AsyncConsumer ConsumerStats Callable
    Annotated Any ClassVar BeforeValidator Field R PUSH_REPLY RECEIPT_TYPES SOURCE""".split()
)
"""Names ``<package>.receipts`` imports or defines besides the receipt models."""

RUNTIME_ERROR_CLASSES = frozenset(
    {
        "ClientError",
        "ServerError",
        "ThrottlingError",
        "NetworkError",
        "ConnectionFailedError",
        "RequestTimeoutError",
        "InvalidResponseError",
        "CredentialsError",
        "InvalidArgumentError",
    }
)


def snake(parts: Sequence[str]) -> str:
    """The snake_case form of some words, before any escaping."""
    return "_".join(w.lower() for w in parts)


def _escape_snake(name: str) -> str:
    if not name:
        return "field_"
    if name[0].isdigit():
        name = "n" + name
    if name in _RESERVED or name.startswith("model_"):
        name += "_"
    return name


def attribute(wire_name: str) -> str:
    """Attribute and keyword-argument name of a wire field: ``CallerShowNumber`` → ``caller_show_number``."""
    return _escape_snake(snake(words(wire_name)))


def method(action: str) -> str:
    """Client method of an action: ``SingleCallByTts`` → ``single_call_by_tts``."""
    return _escape_snake(snake(words(action)))


def pages_method(action: str) -> str:
    """Client method iterating an action's pages: ``ListCallTask`` → ``list_call_task_pages``."""
    return _escape_snake(snake((*words(action), "pages")))


def items_method(action: str) -> str:
    """Client method iterating the items of an action's pages: ``list_call_task_items``."""
    return _escape_snake(snake((*words(action), "items")))


def module(action: str) -> str:
    """Module holding an action's models: ``DescribeInstanceStatus`` → ``describe_instance_status``."""
    return _escape_snake(snake(words(action)))


def class_name(wire_name: str) -> str:
    """CapWords class name: ``menuKeyMap`` → ``MenuKeyMap``, ``aRingTime`` → ``ARingTime``."""
    name = "".join(p[:1].upper() + p[1:] for p in words(wire_name))
    if not name:
        return "Model"
    if name[0].isdigit():
        name = "N" + name
    if keyword.iskeyword(name) or name in BUILTIN_NAMES:
        name += "_"
    return name


def request_class(action: str) -> str:
    return class_name(action) + "Request"


def response_class(action: str) -> str:
    return class_name(action) + "Response"
