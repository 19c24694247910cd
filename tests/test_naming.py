"""The naming contract: tricky wire names and the Python names they become."""

from __future__ import annotations

import keyword

import pytest

from generator.frontend.words import words
from generator.targets.python import naming

# wire name, py_name (attribute / keyword argument), class_name
TABLE = [
    # plain words
    ("CalledShowNumber", "called_show_number", "CalledShowNumber"),
    ("OutId", "out_id", "OutId"),
    # digits stay with the word before them (the official SDK says query_robotv_2all_list)
    ("QueryRobotv2AllList", "query_robotv2_all_list", "QueryRobotv2AllList"),
    ("Ipv6Address", "ipv6_address", "Ipv6Address"),
    ("Base64Data", "base64_data", "Base64Data"),
    ("S3Bucket", "s3_bucket", "S3Bucket"),
    # acronyms are one word
    ("EnableITN", "enable_itn", "EnableITN"),
    ("HTTPStatus", "http_status", "HTTPStatus"),
    ("ABTest", "ab_test", "ABTest"),
    ("MD5", "md5", "MD5"),
    # lowerCamel keys of JSON payloads
    ("aRingTime", "a_ring_time", "ARingTime"),
    ("callerShowNumber", "caller_show_number", "CallerShowNumber"),
    # Python keywords, soft keywords and builtins get a trailing underscore
    ("from", "from_", "From"),
    ("async", "async_", "Async"),
    ("type", "type_", "Type"),
    ("id", "id_", "Id"),
    ("ID", "id_", "ID"),
    ("match", "match_", "Match"),
    ("Class", "class_", "Class"),
    # names pydantic's BaseModel already uses
    ("Json", "json_", "Json"),
    ("Schema", "schema_", "Schema"),
    ("model_config", "model_config_", "ModelConfig"),
    # a leading digit gets a letter in front
    ("3DSecure", "n3d_secure", "N3DSecure"),
    ("1stNumber", "n1st_number", "N1stNumber"),
    ("2FA", "n2fa", "N2FA"),
]


@pytest.mark.parametrize(("wire", "py", "cls"), TABLE)
def test_names(wire: str, py: str, cls: str) -> None:
    assert naming.attribute(wire) == py
    assert naming.class_name(wire) == cls
    assert py.isidentifier() and not keyword.iskeyword(py)
    assert cls.isidentifier() and not keyword.iskeyword(cls)


@pytest.mark.parametrize(
    ("first", "second"), [("CallId", "CallID"), ("EnableITN", "EnableItn"), ("callee", "Callee")]
)
def test_names_differing_only_in_case_collide(first: str, second: str) -> None:
    # the check stage reports these as name-collision, so no SDK silently drops one of them
    assert naming.attribute(first) == naming.attribute(second)


def test_action_names() -> None:
    assert naming.method("SingleCallByTts") == "single_call_by_tts"
    assert naming.module("QueryCallDetailByCallId") == "query_call_detail_by_call_id"
    assert naming.request_class("IvrCall") == "IvrCallRequest"
    assert naming.response_class("IvrCall") == "IvrCallResponse"


def test_words_are_the_language_neutral_split() -> None:
    """The IR keeps words; every target builds its names from the same split."""
    assert words("QueryRobotv2AllList") == ("Query", "Robotv2", "All", "List")
    assert words("EnableITN") == ("Enable", "ITN")
    assert words("3DSecure") == ("3D", "Secure")


def test_product_names_come_from_the_product_code() -> None:
    assert naming.root_error("Ecs") == "EcsError"
    assert naming.env_endpoint("Ecs") == "ECS_ENDPOINT"
    assert naming.env_endpoint("CloudAPI") == "CLOUD_API_ENDPOINT"


@pytest.mark.parametrize(
    ("wire", "py"), [("Self", "self_"), ("ToQuery", "to_query_"), ("WireData", "wire_data_"), ("ModelDump", "model_dump_")]
)
def test_names_the_generated_classes_already_use_are_escaped(wire: str, py: str) -> None:
    assert naming.attribute(wire) == py
