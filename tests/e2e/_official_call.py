"""Call the emulator with the official Dyvmsapi SDK (``alibabacloud-dyvmsapi20170525``). Test-only.

Used in-process for release 5.3.0 (installed in the venv) and, for ClickToDial, as a script run
with the unpacked release 2.1.3 first on ``PYTHONPATH`` (a JSON list of specs on stdin, a JSON list
of results on stdout): the same approach as ``tests/python_sdk/_official_capture.py``, but with the
SDK's own timestamps and nonces, since the emulator checks them.

A spec: ``action``, ``params`` (wire names, as ``<Action>Request.from_map`` takes them),
``algorithm`` (``"v3"``, the default ACS3-HMAC-SHA256, or ``"v1"``, the official SDK's
``signature_algorithm='v2'``), ``host`` (``127.0.0.1:PORT``), ``access_key_id``,
``access_key_secret``, ``security_token`` (or None). A result: ``ok``, then ``status`` and
``body`` (the response body's map) or ``code``, ``status`` and ``error`` (the exception's class
name). No result carries a secret or an exception message.
"""

from __future__ import annotations

import importlib
import json
import re
import sys
from typing import Any


def _snake(action: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", action).lower()


def call(spec: dict[str, Any]) -> dict[str, Any]:
    from alibabacloud_tea_openapi import models as openapi_models

    sdk = importlib.import_module("alibabacloud_dyvmsapi20170525.client")
    models = importlib.import_module("alibabacloud_dyvmsapi20170525.models")
    config = openapi_models.Config(
        access_key_id=spec["access_key_id"],
        access_key_secret=spec["access_key_secret"],
        security_token=spec.get("security_token"),
        endpoint=spec["host"],
        protocol="http",
    )
    if spec.get("algorithm", "v3") == "v1":
        config.signature_algorithm = "v2"
    client = sdk.Client(config)
    request = getattr(models, spec["action"] + "Request")().from_map(spec["params"])
    try:
        response = getattr(client, _snake(spec["action"]))(request)
    except Exception as error:  # the official SDK's TeaException family
        status = getattr(error, "status_code", None) or getattr(error, "statusCode", None)
        return {
            "ok": False,
            "code": getattr(error, "code", None),
            "status": status,
            "error": type(error).__name__,
        }
    return {
        "ok": True,
        "status": getattr(response, "status_code", None),
        "body": response.body.to_map(),
        "sdk_file": sdk.__file__,
    }


def main() -> None:
    specs = json.load(sys.stdin)
    json.dump([call(spec) for spec in specs], sys.stdout)


if __name__ == "__main__":
    main()
