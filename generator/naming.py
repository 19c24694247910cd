"""Every name sdkgen emits is decided here, once, from the wire name.

Wire name in; ``py_name`` (snake_case attribute or keyword), ``class_name`` (CapWords),
``method_name`` and ``module_name`` out. Templates never change case: they read these from the IR.

Rules, by example (the table in tests/test_naming.py is the full contract):
- word boundaries: ``CalledShowNumber`` → ``called_show_number``; acronyms stay one word:
  ``EnableITN`` → ``enable_itn``, ``HTTPStatus`` → ``http_status``;
- digits stick to the word before them: ``QueryRobotv2AllList`` → ``query_robotv2_all_list``
  (not the official SDK's ``query_robotv_2all_list``), ``Ipv6Address`` → ``ipv6_address``;
- a name that is a Python keyword, a builtin, or an attribute of pydantic's BaseModel gets a
  trailing underscore: ``from`` → ``from_``, ``type`` → ``type_``, ``Json`` → ``json_``;
- a name that would start with a digit gets a letter in front: ``3DSecure`` → ``n3d_secure``,
  class ``N3DSecure``.
"""

from __future__ import annotations

import builtins
import keyword
import re

_WORD = re.compile(
    r"""
    [A-Z]+[0-9]*(?=[A-Z][a-z]|[^A-Za-z0-9]|$)  # an acronym, up to the next Capitalised word
    | [A-Z]?[a-z]+[0-9]*                         # a word, with the digits that follow it
    | [A-Z]+[0-9]*                               # trailing capitals
    | [0-9]+(?:[a-z]+|[A-Z]+(?=[A-Z][a-z]|[^A-Za-z]|$))?  # leading digits: 1st, 3D
    """,
    re.VERBOSE,
)

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
    }
)
BUILTIN_NAMES = frozenset(dir(builtins))
_RESERVED = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(dir(builtins)) | _BASEMODEL_NAMES


def words(wire_name: str) -> list[str]:
    """Split a wire name into its words, keeping digits with the word before them."""
    return _WORD.findall(wire_name)


def snake(wire_name: str) -> str:
    """The snake_case form, before any escaping."""
    return "_".join(w.lower() for w in words(wire_name))


def _escape_snake(name: str) -> str:
    if not name:
        return "field_"
    if name[0].isdigit():
        name = "n" + name
    if name in _RESERVED or name.startswith("model_"):
        name += "_"
    return name


def py_name(wire_name: str) -> str:
    """Attribute and keyword-argument name of a wire field: ``CallerShowNumber`` → ``caller_show_number``."""
    return _escape_snake(snake(wire_name))


def method_name(action: str) -> str:
    """Client method of an action: ``SingleCallByTts`` → ``single_call_by_tts``."""
    return _escape_snake(snake(action))


def module_name(action: str) -> str:
    """Module holding an action's models: ``QueryCallDetailByCallId`` → ``query_call_detail_by_call_id``."""
    return _escape_snake(snake(action))


def class_name(wire_name: str) -> str:
    """CapWords class name: ``menuKeyMap`` → ``MenuKeyMap``, ``aRingTime`` → ``ARingTime``."""
    parts = words(wire_name)
    name = "".join(p[:1].upper() + p[1:] for p in parts)
    if not name:
        return "Model"
    if name[0].isdigit():
        name = "N" + name
    if keyword.iskeyword(name) or name in dir(builtins):
        name += "_"
    return name


def request_class(action: str) -> str:
    return class_name(action) + "Request"


def response_class(action: str) -> str:
    return class_name(action) + "Response"


# Classes the generated errors module defines itself; an error code's class must not reuse them.
RUNTIME_ERROR_CLASSES = frozenset(
    {
        "DyvmsapiError",
        "ClientError",
        "ServerError",
        "ThrottlingError",
        "NetworkError",
        "ConnectionFailedError",
        "RequestTimeoutError",
        "InvalidResponseError",
        "CredentialsError",
    }
)
