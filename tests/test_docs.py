"""The reference docs: complete, linked, honest about the wire and the retries, and showing the
very samples the tests run (tests/test_samples.py runs them).

The committed tree generated/ is what specs/ render to (tests/test_generate.py); these tests read
it, and the golden trees of the fixture spec sets, as ``{path: text}``.
"""

from __future__ import annotations

import ast
import inspect
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from dyvmsapi import AsyncClient, Client, RetryPolicy, _signing
from dyvmsapi._rpc import outcome_of
from dyvmsapi._errors import error_from_body

from generator.frontend import ir
from generator.targets.python import naming, user_agent
from generator.targets.typescript import naming as ts_naming
from generator.output.generate import render_all
from generator.frontend.pipeline import load_api
from generator.targets.common import wire as _wire
from generator.targets.docs import tables as _docs_tables
from generator.targets.docs.tables import md
from generator.targets.common.text import constraint_text

NAMERS = (lambda f: naming.attribute(f.wire_name),)  # the Python column of the docs tables

ROOT = Path(__file__).resolve().parent.parent
TREES = {
    "specs": (ROOT / "specs", ROOT / "generated"),
    "edge": (ROOT / "tests/fixtures/specs/edge", ROOT / "tests/fixtures/golden/edge"),
    "mini": (ROOT / "tests/fixtures/specs/mini", ROOT / "tests/fixtures/golden/mini"),
}
FENCE = re.compile(r"^```.*?^```", re.S | re.M)
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def read_tree(folder: Path) -> dict[str, str]:
    """The docs and samples of a generated tree (caches and build products left out)."""
    files = [p for top in ("docs", "samples") for p in (folder / top).rglob("*") if p.is_file()]
    return {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
            for p in files if not any(part.startswith((".", "__")) for part in p.parts)}  # fmt: skip


@pytest.fixture(scope="module")
def api() -> ir.Api:
    return load_api(ROOT / "specs")


@pytest.fixture(scope="module")
def tree() -> dict[str, str]:
    return read_tree(ROOT / "generated")


def prose(markdown: str) -> str:
    """The Markdown without its code blocks and code spans, where links cannot be."""
    return re.sub(r"`[^`\n]*`", "", FENCE.sub("", markdown))


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_\[\]()]", "", heading).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(markdown: str) -> set[str]:
    found: set[str] = set()
    for line in FENCE.sub("", markdown).splitlines():
        if m := re.match(r"#{1,6} (.*)", line):
            base = name = slug(m.group(1))
            n = 0
            while name in found:
                n += 1
                name = f"{base}-{n}"
            found.add(name)
    return found


@pytest.mark.parametrize("name", TREES)
def test_every_relative_link_resolves(name: str) -> None:
    files = read_tree(TREES[name][1])
    docs = [p for p in files if p.startswith("docs/") and p.endswith(".md")]
    assert "docs/index.md" in docs
    checked = 0
    for page in docs:
        for target in LINK.findall(prose(files[page])):
            parts = urlsplit(target)
            if parts.scheme in ("http", "https"):
                continue  # the vendor's prose links its help centre and API reference
            assert not parts.scheme, f"{page}: {target} is not relative"
            assert not parts.path.startswith("/"), f"{page}: {target} is not relative"
            resolved = _normalize(f"{Path(page).parent.as_posix()}/{parts.path}") if parts.path else page
            assert resolved in files or any(p.startswith(resolved.rstrip("/") + "/") for p in files), \
                f"{page}: {target} leads nowhere"  # fmt: skip
            if parts.fragment:
                assert parts.fragment in anchors(
                    files[resolved]
                ), f"{page}: no #{parts.fragment} in {resolved}"
            checked += 1
    assert checked > 3 * len(docs)


def _normalize(path: str) -> str:
    out: list[str] = []
    for part in path.split("/"):
        if part == "..":
            assert out, f"{path} leaves the generated tree"
            out.pop()
        elif part not in (".", ""):
            out.append(part)
    return "/".join(out)


def test_docs_and_samples_are_part_of_the_rendered_tree(api: ir.Api) -> None:
    """So ``sdkgen generate`` writes them and ``sdkgen check`` reports their drift."""
    rendered = render_all(api, ROOT / "templates")
    expected = {"docs/index.md", "docs/errors.md", "docs/getting-started.md"}
    if api.product.receipts is not None:
        expected.add("docs/receipts.md")
    for a in api.actions:
        expected |= {f"docs/actions/{a.name}.md", f"samples/python/{naming.module(a.name)}.py",
                     f"samples/python/{naming.module(a.name)}_async.py"}  # fmt: skip
    assert expected <= rendered.keys()
    ours = {p for p in rendered if p.startswith(("docs/", "samples/"))}
    guides = {f"samples/python/getting_started/{n}.py" for n in ("handle_errors", "retries", "with_emulator")}
    receipts = (
        {f"samples/python/receipts/{n}.py" for n in ("pull", "push")} if api.product.receipts else set()
    )
    typescript = (
        {f"samples/typescript/{ts_naming.method(a.name)}.ts" for a in api.actions}
        if api.product.package("typescript")
        else set()
    )
    if api.product.package("typescript") and api.product.receipts:
        typescript |= {f"samples/typescript/receipts/{n}.ts" for n in ("pull", "push")}
    assert ours - expected == guides | receipts | typescript
    for path in ours:
        header = {".md": "<!-- Generated by sdkgen", ".ts": "// Generated by sdkgen"}.get(path[-3:], "# Generated by sdkgen")
        assert rendered[path].startswith(header), path


def test_every_action_parameter_and_error_code_is_documented(api: ir.Api, tree: dict[str, str]) -> None:
    index, errors, guide = tree["docs/index.md"], tree["docs/errors.md"], tree["docs/getting-started.md"]
    for a in api.actions:
        assert f"[{a.name}](actions/{a.name}.md)" in index and f"[{a.name}](actions/{a.name}.md)" in guide
        assert md(a.summary.en) in index and md(a.summary.zh) in index and md(a.group.zh) in index
        page = tree[f"docs/actions/{a.name}.md"]
        for f in a.parameters + a.response.fields:
            assert (
                f"| `{f.wire_name}` | `{naming.attribute(f.wire_name)}` |" in page
            ), f"{a.name}.{f.wire_name}"
        for s in a.structs:
            for f in s.fields:
                assert re.search(
                    rf"\| `[^`]*\.{re.escape(f.wire_name)}` \|", page
                ), f"{a.name}: {s.name}.{f.wire_name}"
        for code in a.errors:
            assert f"| `{code}` |" in page, f"{a.name}: {code}"
        assert md(a.summary.zh) in page and all(md(line) in page for line in a.description.zh.splitlines())
    for e in api.errors:
        assert f"| `{e.code}`" in errors and all(md(line) in errors for line in e.description.zh.splitlines())
        if e.exception is not None:
            assert f"`{e.exception}`" in errors


def test_the_docs_embed_the_samples_byte_for_byte(api: ir.Api, tree: dict[str, str]) -> None:
    def embeds(page: str, sample: str) -> bool:
        return f"```python\n{tree[sample]}```\n" in tree[page]

    for a in api.actions:
        for sample in (
            f"samples/python/{naming.module(a.name)}.py",
            f"samples/python/{naming.module(a.name)}_async.py",
        ):
            assert embeds(f"docs/actions/{a.name}.md", sample), sample
    for name in ("handle_errors", "retries", "with_emulator"):
        assert embeds("docs/getting-started.md", f"samples/python/getting_started/{name}.py")
    assert embeds("docs/getting-started.md", "samples/python/single_call_by_tts.py")
    code_blocks = sum(page.count("```python\n") for path, page in tree.items() if path.startswith("docs/"))
    samples = [p for p in tree if p.startswith("samples/python/")]
    assert code_blocks == len(samples) + 1, "every Python block in the docs is a sample file"


def test_the_wire_example_is_what_the_sdk_sends(api: ir.Api, tree: dict[str, str]) -> None:
    import importlib

    for a in api.actions:
        models = importlib.import_module(f"dyvmsapi.models.{naming.module(a.name)}")
        values = {f.wire_name: f.example for f in _wire.sample_fields(a)}
        request = getattr(models, naming.request_class(a.name)).model_validate(values)
        pairs = _wire.example_pairs(a)
        assert request.to_query() == pairs, a.name
        request_line = _wire.http_request(api.product, a, user_agent(api)).splitlines()[0]
        assert request_line == (
            f"POST /?{_signing.encode_query(pairs)} HTTP/1.1" if pairs else "POST / HTTP/1.1"
        )
        assert (
            f"```http\n{_wire.http_request(api.product, a, user_agent(api))}\n```"
            in tree[f"docs/actions/{a.name}.md"]
        )


def test_the_wire_example_shows_the_signed_headers_in_the_sdks_order(api: ir.Api) -> None:
    a = api.actions[0]
    sdk = _signing.v3_headers(host="h", action=a.name, version=api.product.api_version, timestamp="t",
                              nonce="n", user_agent="u")  # fmt: skip
    shown = _wire.v3_headers(api.product, a, user_agent(api))
    assert [k for k, _ in shown] == [*sdk, "Authorization", "content-length"]
    for name, value in shown:
        if name in (
            "x-acs-version",
            "x-acs-action",
            "accept",
            "x-acs-content-sha256",
            "x-acs-credentials-provider",
        ):
            assert value == sdk[name]
    signed = dict(shown)["Authorization"].split("SignedHeaders=")[1].split(",")[0]
    assert signed == ";".join(sorted(sdk))


def test_the_retry_column_agrees_with_the_sdks_retry_loop(api: ir.Api) -> None:
    for e in (e for e in api.errors if e.exception is not None):
        error = error_from_body({"Code": e.code, "Message": "m"}, http_status=e.http_status, request_id=None)
        for idempotent in (True, False):
            sdk = RetryPolicy().should_retry(outcome_of(error), attempt=1, idempotent=idempotent)
            assert _docs_tables.retried(e, idempotent) == sdk, (e.code, idempotent)


def test_each_action_page_says_which_of_its_errors_are_retried(api: ir.Api, tree: dict[str, str]) -> None:
    for a in api.actions:
        page = tree[f"docs/actions/{a.name}.md"]
        for code in a.errors:
            e = api.error(code)
            verdict = "yes" if _docs_tables.retried(e, a.idempotent) else "no"
            assert f"| `{code}` | {e.http_status} | `{e.exception}` | {verdict} |" in page
        assert ("**Idempotent:**" in page) is a.idempotent


def test_nested_fields_are_named_by_path() -> None:
    edge = load_api(TREES["edge"][0]).actions[0]
    structs = {s.name: s for s in edge.structs}
    request = [r.wire for r in _docs_tables.field_rows(edge.parameters, structs, NAMERS, in_query=True)]
    response = [
        (r.wire, r.names[0])
        for r in _docs_tables.field_rows(edge.response.fields, structs, NAMERS, in_query=False)
    ]
    assert "`Labels.<key>.Text`" in request
    assert ("`Items[].Text`", "`items[].text`") in response
    ivr = load_api(ROOT / "specs")
    a = next(a for a in ivr.actions if a.name == "IvrCall")
    rows = _docs_tables.field_rows(a.parameters, {s.name: s for s in a.structs}, NAMERS, in_query=True)
    assert ("`MenuKeyMap.N.Key`", "`menu_key_map[].key`") in [(r.wire, r.names[0]) for r in rows]


def test_markdown_cells_are_escaped() -> None:
    assert _docs_tables.md("a|b *c* <d>\nzh") == "a\\|b \\*c\\* \\<d\\><br>zh"
    assert _docs_tables.code("^(a|b)$") == "`^(a\\|b)$`"
    assert _docs_tables.code("a`b") == "`` a`b ``"
    assert slug("Errors · 错误码") == "errors--错误码"


def test_the_wire_rules_agree_with_the_sdk_on_the_edge_cases(tmp_path: Path) -> None:
    """Nested lists and maps of structs sent as JSON, repeatList strings, keywords and digits."""
    spec, _ = TREES["edge"]
    api = load_api(spec)
    golden = tmp_path  # the whole package, runtime included (golden trees hold rendered files only)
    for path, text in render_all(api, ROOT / "templates", ("python",)).items():
        (golden / path).parent.mkdir(parents=True, exist_ok=True)
        (golden / path).write_text(text, encoding="utf-8")
    action = api.actions[0]
    values = {f.wire_name: f.example for f in _wire.sample_fields(action)}
    code = (f"import json, sys; from edgeapi.models.{naming.module(action.name)} import {naming.request_class(action.name)} as R; "
            "print(json.dumps(R.model_validate(json.loads(sys.stdin.read())).to_query()))")  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(golden / "python/src")}
    result = subprocess.run(
        [sys.executable, "-c", code], input=json.dumps(values), capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr
    assert [tuple(p) for p in json.loads(result.stdout)] == _wire.example_pairs(action)


def test_client_methods_document_summary_parameters_constraints_and_errors(api: ir.Api) -> None:
    for a in api.actions:
        for client in (Client, AsyncClient):
            doc = getattr(client, naming.method(a.name)).__doc__
            assert doc is not None and a.summary.en in doc and a.summary.zh in doc
            lines = [line.strip() for line in doc.splitlines()]
            for f in a.parameters:
                [line] = [x for x in lines if x.startswith(f"{naming.attribute(f.wire_name)}: ")]
                assert (
                    " ".join(f.description.short.split()) in line
                    and constraint_text(f, naming.attribute) in line
                )
                assert line.startswith(f"{naming.attribute(f.wire_name)}: Required.") is f.required
            for code in a.errors:
                assert f"{api.error(code).exception}: ``{code}``." in lines


def test_models_document_every_field(api: ir.Api) -> None:
    for a in api.actions:
        source = (ROOT / "generated/python/src/dyvmsapi/models" / f"{naming.module(a.name)}.py").read_text(
            "utf-8"
        )
        classes = {n.name: n for n in ast.parse(source).body if isinstance(n, ast.ClassDef)}
        models = [(naming.request_class(a.name), a.parameters, True),
                  (naming.response_class(a.name), a.response.fields, True),
                  *((naming.class_name(s.name), s.fields, bool(s.description.joined(""))) for s in a.structs)]  # fmt: skip
        for name, fields, described in models:
            assert bool(ast.get_docstring(classes[name])) is described  # docs show what the specs say
            body = classes[name].body
            docs = {
                stmt.target.id: inspect.cleandoc(str(after.value.value))
                for stmt, after in zip(body, body[1:], strict=False)
                if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)
                and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)
            }  # fmt: skip
            for f in fields:
                assert docs[naming.attribute(f.wire_name)] == f.description.joined(
                    "\n\n"
                ), f"{name}.{naming.attribute(f.wire_name)}"
