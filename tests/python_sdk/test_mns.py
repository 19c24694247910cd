"""The receipt queue's protocol (dyvmsapi._mns) against the vendor's MNS client (aliyun-mns-sdk,
tests only): the same signature on the same request, and its message format read back."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from mns.auth import Credentials
from mns.mns_client import MNSClient

from dyvmsapi import _mns

KEY_ID, SECRET = "STS.NUxyz", "secret/with+chars="


def vendor_signature(method: str, resource: str, headers: dict[str, str]) -> str:
    client = MNSClient.__new__(MNSClient)  # get_signature reads nothing of the client's state
    return str(client.get_signature(method, headers, resource, Credentials(KEY_ID, SECRET, "token")))


@pytest.mark.parametrize(
    ("method", "resource", "headers"),
    [
        ("GET", _mns.receive_resource("Alicom-Queue-1-VoiceReport", 16, 30),
         {"x-mns-version": _mns.VERSION, "date": _mns.http_date(0), "host": "1.mns.example.com"}),
        ("DELETE", _mns.delete_resource("Alicom-Queue-1-VoiceReport"),
         {"x-mns-version": _mns.VERSION, "date": _mns.http_date(1_700_000_000), "content-type": _mns.CONTENT_TYPE,
          "content-md5": "bWQ1", "x-mns-user-request-id": "r-1"}),
        ("GET", _mns.receive_resource("q", 1, 0), {"x-mns-version": _mns.VERSION, "date": "Mon, 01 Dec 2026 00:00:00 GMT"}),
    ],
)  # fmt: skip
def test_the_signature_is_the_vendors(method: str, resource: str, headers: dict[str, str]) -> None:
    assert _mns.authorization(method, resource, headers, KEY_ID, SECRET) == vendor_signature(method, resource, headers)


def test_a_receive_answer_is_read_and_its_md5_checked() -> None:
    payload = json.dumps([{"call_id": "1^2", "status_code": "200000"}], ensure_ascii=False).encode()
    encoded = base64.b64encode(payload).decode()
    md5 = hashlib.md5(encoded.encode()).hexdigest().upper()
    xml = (f'<?xml version="1.0" encoding="UTF-8"?><Messages xmlns="{_mns.NAMESPACE}"><Message>'
           f"<MessageId>5F2A</MessageId><ReceiptHandle>1-ODU5</ReceiptHandle><MessageBody>{encoded}</MessageBody>"
           f"<MessageBodyMD5>{md5}</MessageBodyMD5><EnqueueTime>1250700979248</EnqueueTime>"
           "<NextVisibleTime>1250700799348</NextVisibleTime><FirstDequeueTime>1250700779318</FirstDequeueTime>"
           "<DequeueCount>2</DequeueCount><Priority>8</Priority></Message></Messages>").encode()  # fmt: skip
    [message] = _mns.parse_messages(xml)
    assert (message.message_id, message.receipt_handle, message.dequeue_count) == ("5F2A", "1-ODU5", 2)
    assert json.loads(message.body) == [{"call_id": "1^2", "status_code": "200000"}]
    assert "1-ODU5" not in repr(message)
    with pytest.raises(_mns.ProtocolError, match="MD5"):
        _mns.parse_messages(xml.replace(md5.encode(), b"0" * 32))
    with pytest.raises(_mns.ProtocolError):
        _mns.parse_messages(b'<!DOCTYPE x [<!ENTITY a "b">]><Messages/>')


def test_delete_bodies_and_error_answers() -> None:
    from mns.mns_xml_handler import ReceiptHandlesEncoder

    import xml.etree.ElementTree as ET

    def shape(data: bytes | str) -> tuple[str, list[tuple[str, str | None]]]:
        root = ET.fromstring(data)
        return root.tag, [(child.tag, child.text) for child in root]

    assert shape(_mns.delete_body(["h1", "h2"])) == shape(ReceiptHandlesEncoder.encode(["h1", "h2"]))
    errors = (f'<Errors xmlns="{_mns.NAMESPACE}"><Error><ErrorCode>ReceiptHandleError</ErrorCode>'
              "<ErrorMessage>expired</ErrorMessage><ReceiptHandle>h2</ReceiptHandle></Error></Errors>").encode()  # fmt: skip
    assert _mns.parse_delete_errors(errors) == {"h2": ("ReceiptHandleError", "expired")}
    error = (f'<Error xmlns="{_mns.NAMESPACE}"><Code>MessageNotExist</Code><Message>none</Message>'
             "<RequestId>R1</RequestId><HostId>h</HostId></Error>").encode()  # fmt: skip
    assert _mns.parse_error(error) == ("MessageNotExist", "none", "R1")
