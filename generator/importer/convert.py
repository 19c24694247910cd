"""The whole document → the files of the imported layer (``imported/…`` → YAML text).

``errors.yaml``: every code of every action once (the first action in file order that states it
decides status and message; a code stated differently elsewhere is noted), category from the HTTP
status (429 or a ``Throttling`` code → throttling, 5xx → server, else client; throttling and
server codes are retryable), ``source: business`` at HTTP 200 and ``gateway`` otherwise, an
exception class in CapWords + ``Error`` made unique with a number. The vendor gives one message
per code, usually English: it is also the description, under the language it is written in.
``OK``, the success code of every RPC answer, is stated too.
``product.yaml``: product, api_version, style, protocol and method when every API agrees,
endpoints (the most common one is the default; regions listed only where they differ).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import PurePosixPath
from typing import Any

from generator.importer.action import convert_action
from generator.importer.emit import dump
from generator.importer.source import Problems
from generator.targets.python import naming  # the names a generated SDK defines itself

FOLDER = "imported"


def _groups(directories: Any, parent: str | None = None, out: dict[str, str] | None = None) -> dict[str, str]:
    """Action → the title of the nearest directory holding it (nested directories included)."""
    out = {} if out is None else out
    for d in directories if isinstance(directories, list) else []:
        if not isinstance(d, dict):
            continue
        title = str(d.get("title") or "").strip() or parent
        for child in d.get("children") or []:
            if isinstance(child, str) and title:
                out.setdefault(child, title)
            elif isinstance(child, dict):
                _groups([child], title, out)
    return out


def exception_name(code: str) -> str:
    words = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+", code)
    name = "".join(w[:1].upper() + w[1:].lower() if w.isupper() else w[:1].upper() + w[1:] for w in words)
    name = name or "Unknown"
    return (name if name[0].isalpha() else "E" + name) + "Error"


def _category(status: int, code: str) -> str:
    if status == 429 or code.lower().startswith("throttling"):
        return "throttling"
    return "server" if status >= 500 else "client"


def _errors(
    apis: dict[str, Any], notes: list[str], product: str
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    table: dict[str, Any] = {}
    per_action: dict[str, list[str]] = {}
    # Names the generated SDKs define themselves: an error code's class must not shadow them.
    classes: set[str] = set(naming.RUNTIME_ERROR_CLASSES | naming.BUILTIN_NAMES)
    classes.add(naming.root_error(product))
    for name, api in apis.items():
        codes: list[str] = []
        groups = api.get("errorCodes") if isinstance(api.get("errorCodes"), dict) else {}
        for status_text, entries in groups.items():
            status = int(status_text) if str(status_text).isdigit() else 400
            status = status if 100 <= status <= 599 else 400
            for entry in entries if isinstance(entries, list) else []:
                code = str(entry.get("errorCode") or "").strip() if isinstance(entry, dict) else ""
                if not code or code in codes:
                    continue
                codes.append(code)
                message = str(entry.get("errorMessage") or "").strip() or code
                if code in table:
                    if (table[code]["http_status"], table[code]["message"]) != (status, message):
                        notes.append(
                            f"$.apis.{name}.errorCodes: {code} differs from its first statement: kept that"
                        )
                    continue
                base = exception_name(code)
                cls, n = base, 1
                while cls in classes:
                    n += 1
                    cls = f"{base[:-5]}{n}Error"
                classes.add(cls)
                category = _category(status, code)
                table[code] = {
                    "http_status": status,
                    "category": category,
                    "retryable": category != "client",
                    "source": "business" if status == 200 else "gateway",
                    "exception": cls,
                    "message": message,
                    "description": {"en" if message.isascii() else "zh": message},
                }
        per_action[name] = codes
    table.setdefault("OK", dict(_SUCCESS))
    return {k: table[k] for k in sorted(table)}, per_action


# What an RPC answer's Code says on success (the protocol's, not a product's).
_SUCCESS: dict[str, Any] = {
    "http_status": 200,
    "category": "success",
    "retryable": False,
    "source": "business",
    "message": "OK",
    "description": {"en": "The request succeeded."},
}


def _product(doc: dict[str, Any]) -> dict[str, Any]:
    info, apis = doc["info"], doc["apis"].values()
    product: dict[str, Any] = {"product": info["product"], "api_version": info["version"], "style": "RPC"}
    schemes = [set(a.get("schemes") or []) for a in apis]
    methods = [set(a.get("methods") or []) for a in apis]
    if schemes and all("https" in s for s in schemes):
        product["protocol"] = "HTTPS"
    elif schemes and all("http" in s for s in schemes):
        product["protocol"] = "HTTP"
    if methods and all("post" in m for m in methods):
        product["method"] = "POST"
    elif methods and all("get" in m for m in methods):
        product["method"] = "GET"
    pairs = [
        (str(e.get("regionId")), str(e.get("endpoint")))
        for e in doc.get("endpoints") or []
        if isinstance(e, dict) and e.get("regionId") and e.get("endpoint")
    ]
    if pairs:
        counts = Counter(endpoint for _, endpoint in pairs)
        default = min(counts, key=lambda e: (-counts[e], e))
        regional = {r: e for r, e in sorted(pairs) if e != default}
        product["endpoints"] = {"default": default, **({"regional": regional} if regional else {})}
    return product


def convert(
    doc: dict[str, Any], source: str, problems: Problems, only: list[str] | None, notes: list[str]
) -> dict[str, str]:
    """``imported/…`` path → file text; ``only`` limits the action files written."""
    header = (
        f"Written by `sdkgen import` from {PurePosixPath(source).name}: do not edit. "
        "Curated changes go in the files directly under specs/."
    )
    apis: dict[str, Any] = doc["apis"]
    components = (doc.get("components") or {}).get("schemas") or {}
    groups = _groups(doc.get("directories"))
    errors, per_action = _errors(apis, notes, str(doc["info"]["product"]))
    files = {
        f"{FOLDER}/product.yaml": dump(header, _product(doc)),
        f"{FOLDER}/errors.yaml": dump(header, {"errors": errors}),
    }
    request_id_text = _request_id_text(apis)
    for name, api in apis.items():
        if only is not None and name not in only:
            continue
        spec = convert_action(
            name, api, groups.get(name), components, problems, per_action[name], notes, request_id_text
        )
        files[f"{FOLDER}/actions/{name}.yaml"] = dump(header, _link_actions(spec, doc["info"]))
    return files


# The vendor's prose links another action of the product as ``[Name](~~Name~~)``: made the
# action's page in Alibaba Cloud's API reference.
_ACTION_LINK = re.compile(r"~~([A-Z][A-Za-z0-9]*)~~")
API_REFERENCE = "https://api.aliyun.com/api/{product}/{version}/{action}"


def _link_actions(value: Any, info: dict[str, Any]) -> Any:
    """``value`` with every action link in its texts made an address."""
    if isinstance(value, dict):
        return {k: _link_actions(v, info) for k, v in value.items()}
    if isinstance(value, list):
        return [_link_actions(v, info) for v in value]
    if isinstance(value, str) and "~~" in value:
        product, version = info["product"], info["version"]
        return _ACTION_LINK.sub(
            lambda m: API_REFERENCE.format(product=product, version=version, action=m.group(1)), value
        )
    return value


def _request_id_text(apis: dict[str, Any]) -> str | None:
    """How the document describes RequestId in the first answer that declares it."""
    for api in apis.values():
        node: Any = api
        for key in ("responses", "200", "schema", "properties", "RequestId", "description"):
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, str) and node.strip():
            return node.strip()
    return None
