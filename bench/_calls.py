"""One side of the comparison, run in its own interpreter: ``python _calls.py ours|official PORT N``.

Prints JSON: CPU seconds per call and calls per second against the server (build + sign + send
+ parse), and CPU seconds per call of build + sign + parse with the network replaced by a
canned answer.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any, Callable

ARGS = {"called_number": "13800000000", "tts_code": "TTS_10001", "play_times": 2}
CANNED = {"RequestId": "bench-1", "Code": "OK", "Message": "OK", "CallId": "116012854210^102814"}


def measure(call: Callable[[], Any], n: int) -> tuple[float, float]:
    for _ in range(min(50, n)):
        call()
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(n):
        call()
    return (time.process_time() - cpu) / n, n / (time.perf_counter() - wall)


def ours(port: int, n: int) -> dict[str, float]:
    from dyvmsapi import Client

    client = Client("testid", "testsecret", endpoint=f"http://127.0.0.1:{port}")
    net_cpu, rate = measure(lambda: client.single_call_by_tts(**ARGS, tts_param={"code": "1234"}), n)
    from dyvmsapi._rpc import interpret
    from dyvmsapi._transport import Answer
    from dyvmsapi.models.single_call_by_tts import SingleCallByTtsRequest, SingleCallByTtsResponse

    canned = json.dumps(CANNED).encode()

    def local() -> Any:  # what the SDK itself does around the HTTP exchange
        request = SingleCallByTtsRequest(**ARGS, tts_param={"code": "1234"})
        client._build("SingleCallByTts", request)
        body, _ = interpret(Answer(200, {"content-type": "application/json"}, canned))
        return SingleCallByTtsResponse.model_validate(body)

    local_cpu, _ = measure(local, n)
    return {"cpu_per_call": net_cpu, "calls_per_s": rate, "local_cpu_per_call": local_cpu}


def official(port: int, n: int) -> dict[str, float]:
    import requests
    from alibabacloud_dyvmsapi20170525 import models
    from alibabacloud_dyvmsapi20170525.client import Client
    from alibabacloud_tea_openapi import models as openapi_models
    from darabonba.core import DaraCore

    def make(endpoint: str) -> Any:
        config = openapi_models.Config(access_key_id="testid", access_key_secret="testsecret", endpoint=endpoint,
                                       protocol="http")  # fmt: skip
        return Client(config)

    def request() -> Any:
        return models.SingleCallByTtsRequest(**ARGS, tts_param='{"code":"1234"}')

    client = make(f"127.0.0.1:{port}")
    net_cpu, rate = measure(lambda: client.single_call_by_tts(request()), n)

    class CannedSession:
        def send(self, prepared: Any, **kwargs: Any) -> requests.Response:
            response = requests.Response()
            response.status_code, response.reason, response.url = 200, "OK", prepared.url
            response.headers["content-type"] = "application/json;charset=utf-8"
            response._content = json.dumps(CANNED).encode()
            return response

    DaraCore._get_session = staticmethod(lambda *a, **k: CannedSession())  # type: ignore[method-assign]
    offline = make("127.0.0.1:9")
    local_cpu, _ = measure(lambda: offline.single_call_by_tts(request()), n)
    return {"cpu_per_call": net_cpu, "calls_per_s": rate, "local_cpu_per_call": local_cpu}


if __name__ == "__main__":
    side, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    print(json.dumps({"ours": ours, "official": official}[side](port, n)))
