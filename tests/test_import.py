"""``sdkgen import`` (generator/importer/): api-docs.json → specs/imported/.

The four vendor files import; twice gives the same bytes; prose mining, example repair and bad
input; ``--action``. Until the loader merges specs/ over specs/imported/, ``merged_tree`` does the
merge here (imported layer + a minimal curated product.yaml) and ``load_api`` validates it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.cli import main
from generator.frontend import spec as spec_format
from generator.frontend.diagnostics import SpecError
from generator.frontend.pipeline import load_api
from generator.importer import render
from generator.importer.mining import mine
from generator.importer.repair import repair, unmask
from generator.importer.values import fits

ROOT = Path(__file__).resolve().parent.parent
DATA = Path("/work/shared/data")
PRODUCTS = ["sts-2015-04-01", "dyvmsapi-2017-05-25", "slb-2014-05-15", "ecs-2014-05-26"]
CURATED = {
    "title": {"zh": "产品", "en": "Product"},
    "protocol": "HTTPS",
    "method": "POST",
    "signing": {"default": "v3", "schemes": ["v3", "v1"]},
    "sdk": {"version": "1.0.0", "targets": {"python": {"package": "imported_sdk", "distribution": "imported-sdk"}}},
}
pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason="the vendor metadata is not here")


def source(product: str) -> Path:
    return DATA / f"{product}.api-docs.json"


def run_import(tmp_path: Path, product: str, *extra: str) -> int:
    return main(["import", str(source(product)), "--specs", str(tmp_path / "specs"), *extra])


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# -- the merge the loader will do, for validation ---------------------------------------------------


def deep_merge(base: Any, over: Any) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        return {**base, **{k: deep_merge(base.get(k), v) for k, v in over.items()}}
    return over


def _adapt(value: Any) -> Any:
    """What the format of this checkout cannot hold yet: a zh-only text gets its zh as en when
    ``en`` is still required, and ``mined``/``unit``/``repaired`` go when FieldSpec lacks them."""
    needs_en = spec_format.TextSpec.model_fields["en"].is_required()
    field_keys = set(spec_format.FieldSpec.model_fields)
    if isinstance(value, dict):
        out = {k: _adapt(v) for k, v in value.items()}
        if set(out) == {"zh"} and needs_en:
            out["en"] = out["zh"]
        if "type" in out and "description" in out or "type" in out and isinstance(out.get("type"), str):
            for key in ("mined", "unit", "repaired"):
                if key not in field_keys and isinstance(out.get(key), (dict, str)):
                    out.pop(key)
        return out
    if isinstance(value, list):
        return [_adapt(v) for v in value]
    return value


def _fill(spec: dict[str, Any]) -> None:
    """Texts the vendor does not give (a missing description) that the format requires."""
    spec.setdefault("summary", {"zh": spec["action"]})
    spec.setdefault("description", spec["summary"])
    spec.setdefault("group", {"zh": "其他"})
    for holder in [spec["parameters"], spec["response"]["fields"], *(s["fields"] for s in spec.get("structs", {}).values())]:
        for name, field in holder.items():
            field.setdefault("description", {"zh": name})
    for name, struct in spec.get("structs", {}).items():
        struct.setdefault("description", {"zh": name})


def merged_tree(imported: Path, out: Path) -> Path:
    load = lambda p: yaml.safe_load(p.read_text(encoding="utf-8"))  # noqa: E731
    (out / "actions").mkdir(parents=True)
    product = deep_merge(load(imported / "product.yaml"), CURATED)
    errors = load(imported / "errors.yaml")
    errors["errors"].setdefault("OK", {"http_status": 200, "category": "success", "retryable": False,
                                       "source": "business", "message": "OK", "description": {"zh": "成功"}})
    for name, data in (("product.yaml", product), ("errors.yaml", errors)):
        (out / name).write_text(yaml.safe_dump(_adapt(data), allow_unicode=True, sort_keys=False), encoding="utf-8")
    for path in sorted((imported / "actions").glob("*.yaml")):
        spec = load(path)
        _fill(spec)
        (out / "actions" / path.name).write_text(
            yaml.safe_dump(_adapt(spec), allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
    return out


def validate(tmp_path: Path, product: str) -> list[str]:
    """The diagnostics of the merged tree (empty: valid)."""
    assert run_import(tmp_path, product) == 0
    specs = merged_tree(tmp_path / "specs" / "imported", tmp_path / "merged")
    try:
        load_api(specs)
    except SpecError as exc:
        return [d.render() for d in exc.diagnostics]
    return []


# -- the four files ---------------------------------------------------------------------------------


@pytest.mark.parametrize("product", PRODUCTS)
def test_every_product_imports_and_twice_changes_nothing(tmp_path: Path, product: str) -> None:
    start = time.perf_counter()
    assert run_import(tmp_path, product) == 0
    elapsed = time.perf_counter() - start
    first = tree(tmp_path / "specs")
    apis = json.loads(source(product).read_text(encoding="utf-8"))["apis"]
    layer = {f"imported/actions/{a}.yaml" for a in apis} | {"imported/product.yaml", "imported/errors.yaml"}
    assert layer | {"product.yaml", "errors.yaml"} == set(first), "the layer, and a new project's curated files"
    assert all(first[p].startswith(b"# Written by `sdkgen import` from ") for p in layer)
    assert first["product.yaml"].startswith(b"# Curated: "), "written once, then the team's"
    assert run_import(tmp_path, product) == 0
    assert tree(tmp_path / "specs") == first
    assert render(source(product)) == render(source(product))
    assert elapsed < 20, f"{product} took {elapsed:.1f}s"


@pytest.mark.parametrize("product", ["sts-2015-04-01", "dyvmsapi-2017-05-25"])
def test_small_products_validate_when_merged(tmp_path: Path, product: str) -> None:
    assert validate(tmp_path, product) == []


def test_the_layer_keeps_only_what_the_metadata_has(tmp_path: Path) -> None:
    specs = tmp_path / "specs" / "imported"
    (specs / "actions").mkdir(parents=True)
    (specs / "actions" / "Gone.yaml").write_text("action: Gone\n")
    (tmp_path / "specs" / "curated.yaml").write_text("kept: true\n")
    assert run_import(tmp_path, "sts-2015-04-01") == 0
    assert not (specs / "actions" / "Gone.yaml").exists()
    assert (tmp_path / "specs" / "curated.yaml").read_text() == "kept: true\n"


def test_action_subset_keeps_the_others(tmp_path: Path) -> None:
    assert run_import(tmp_path, "sts-2015-04-01", "--action", "AssumeRole") == 0
    actions = tmp_path / "specs" / "imported" / "actions"
    assert [p.name for p in actions.iterdir()] == ["AssumeRole.yaml"]
    (actions / "GetCallerIdentity.yaml").write_text("# kept\n")
    assert run_import(tmp_path, "sts-2015-04-01", "--action", "AssumeRoleWithSAML") == 0
    assert sorted(p.name for p in actions.iterdir()) == ["AssumeRole.yaml", "AssumeRoleWithSAML.yaml", "GetCallerIdentity.yaml"]
    assert (actions / "GetCallerIdentity.yaml").read_text() == "# kept\n"
    assert run_import(tmp_path, "sts-2015-04-01", "--action", "NoSuchAction") == 2


def test_the_converted_action(tmp_path: Path) -> None:
    assert run_import(tmp_path, "dyvmsapi-2017-05-25") == 0
    imported = tmp_path / "specs" / "imported"
    tts = yaml.safe_load((imported / "actions" / "SingleCallByTts.yaml").read_text(encoding="utf-8"))
    p = tts["parameters"]
    assert p["CalledNumber"]["example"] == "15900000000" and p["CalledNumber"]["format"] == "phone-number"
    assert p["CalledNumber"]["repaired"] == {"example": "the vendor's example 1590****000 is masked"}
    assert p["CalledShowNumber"]["example"] == "057100005678"
    assert p["PlayTimes"]["type"] == "int32" and p["PlayTimes"]["example"] == 3
    assert p["PlayTimes"]["constraints"] == {"minimum": 1, "maximum": 3} and p["PlayTimes"]["default"] == 3
    assert p["PlayTimes"]["mined"]["constraints.minimum"] == "取值范围：**1~3**，默认取值**3**。"
    assert p["TtsCode"]["example"] == "TTS_28726****"  # a masked id on a plain string field stays
    assert tts["group"] == {"zh": "发送语音验证码"} and tts["summary"]["zh"].startswith("发送语音验证码")
    assert "en" not in tts["summary"]
    body = json.loads(tts["response"]["examples"]["json"])
    assert set(body) <= set(tts["response"]["fields"])
    product = yaml.safe_load((imported / "product.yaml").read_text(encoding="utf-8"))
    assert product["endpoints"]["default"] == "dyvmsapi.aliyuncs.com"
    assert product["api_version"] == "2017-05-25"
    assert '"2017-05-25"' in (imported / "product.yaml").read_text(encoding="utf-8")


def test_errors_are_stated_once(tmp_path: Path) -> None:
    assert run_import(tmp_path, "sts-2015-04-01") == 0
    imported = tmp_path / "specs" / "imported"
    errors = yaml.safe_load((imported / "errors.yaml").read_text(encoding="utf-8"))["errors"]
    one = errors["InvalidParameter.DurationSeconds"]
    assert one["http_status"] == 400 and one["category"] == "client" and one["source"] == "gateway"
    assert one["exception"] == "InvalidParameterDurationSecondsError"
    failures = {code: e for code, e in errors.items() if e["category"] != "success"}
    assert len({e["exception"] for e in failures.values()}) == len(failures)
    assert errors["OK"]["category"] == "success" and "exception" not in errors["OK"], "the protocol's success code"
    role = yaml.safe_load((imported / "actions" / "AssumeRole.yaml").read_text(encoding="utf-8"))
    assert "InvalidParameter.DurationSeconds" in role["errors"]


# -- mining and repair ------------------------------------------------------------------------------

MINING = [
    ("int32", "取值范围：**1~3**，默认取值**3**。", {"constraints": {"minimum": 1, "maximum": 3}, "default": 3}),
    ("int32", "语速。取值范围为：**-500~500**。", {"constraints": {"minimum": -500, "maximum": 500}}),
    ("int64", "超时时间，单位：秒。默认值为 60。", {"unit": "seconds", "default": 60}),
    ("int32", "间隔，单位：毫秒。", {"unit": "milliseconds"}),
    ("int32", "时长，单位为分钟。", {"unit": "minutes"}),
    ("string", "字符串类型，长度限制为1~15个字符。", {"constraints": {"min_length": 1, "max_length": 15}}),
    ("string", "名称长度不超过64个字符。", {"constraints": {"max_length": 64}}),
    ("string", "说明。默认值为 cloud_efficiency。", {"default": "cloud_efficiency"}),
    ("string", "取值范围：**1~3**。", {}),  # a range of numbers says nothing about a string
]


@pytest.mark.parametrize(("type_name", "sentence", "expected"), MINING)
def test_mining(type_name: str, sentence: str, expected: dict[str, Any]) -> None:
    field: dict[str, Any] = {"type": type_name}
    mine(field, sentence, type_name, lambda v, c: fits(v, type_name, {}, c))
    marks = field.pop("mined", {})
    field.pop("type")
    assert field == expected
    flat = [f"constraints.{k}" for k in expected.get("constraints", {})] + [k for k in expected if k != "constraints"]
    assert sorted(marks) == sorted(flat)
    assert all(sentence.find(s) >= 0 for s in marks.values())


def test_mining_never_overrides_the_metadata() -> None:
    field: dict[str, Any] = {"type": "int32", "constraints": {"maximum": 2}, "default": 1}
    mine(field, "取值范围：**1~3**，默认取值**3**。", "int32", lambda v, c: fits(v, "int32", {}, c))
    assert field["constraints"] == {"maximum": 2, "minimum": 1} and field["default"] == 1
    assert set(field["mined"]) == {"constraints.minimum"}


@pytest.mark.parametrize(
    ("masked", "digits"), [("159****0000", "15900000000"), ("0571****5678", "057100005678"), ("85200****00", "85200000000")]
)
def test_masked_numbers(masked: str, digits: str) -> None:
    assert unmask(masked) == digits and len(digits) == len(masked)
    field: dict[str, Any] = {"type": "string"}
    assert repair(field, "CalledNumber", "string", "被叫号码", masked) == digits
    assert field["format"] == "phone-number" and masked in field["repaired"]["example"]


def test_phone_format_is_conservative() -> None:
    field: dict[str, Any] = {"type": "string"}
    assert repair(field, "SerialNumber", "string", "序列号", "123****") == "123****"
    assert "format" not in field
    field = {"type": "string"}
    repair(field, "CalledNumber", "string", "被叫号码", "+86 139")
    assert "format" not in field  # an example that is not 5 to 16 digits: no format


def test_dates_on_timestamp_fields_become_epoch_millis() -> None:
    field: dict[str, Any] = {"type": "int64"}
    assert repair(field, "StartTime", "int64", "开始时间，Unix时间戳，单位：毫秒。", "2020-01-01 00:00:00") == 1577836800000
    assert field["format"] == "epoch-millis" and "repaired" in field


# -- bad input ----------------------------------------------------------------------------------------


def _bad(tmp_path: Path, content: str, capsys: pytest.CaptureFixture[str]) -> str:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    assert main(["import", str(path), "--specs", str(tmp_path / "specs")]) == 2
    assert not (tmp_path / "specs").exists(), "nothing is written"
    return capsys.readouterr().err


def _doc(**apis: Any) -> str:
    return json.dumps({"info": {"style": "RPC", "product": "P", "version": "1"}, "apis": apis})


def _param(schema: dict[str, Any]) -> dict[str, Any]:
    return {"parameters": [{"name": "A", "in": "query", "schema": {"type": "string"}},
                           {"name": "B", "in": "query", "schema": schema}]}  # fmt: skip


@pytest.mark.parametrize(
    ("content", "code", "where"),
    [
        ("{not json", "import-not-json", "bad.json:1:2:"),
        ("[1, 2]", "import-not-api-docs", "$:"),
        ('{"apis": {}}', "import-not-api-docs", "missing 'info'"),
        ('{"info": {"product": "P", "version": "1"}, "apis": []}', "import-not-api-docs", "$.apis:"),
        (_doc(X=_param({"type": "decimal"})), "import-unknown-type", "$.apis.X.parameters[1].schema.type:"),
        (_doc(X=_param({"$ref": "#/components/schemas/Nope"})), "import-unresolved-ref", "$.apis.X.parameters[1].schema.$ref:"),
        ("[" * 100 + "]" * 100, "import-limit", "nested deeper"),
        ("[" * 100000 + "]" * 100000, "import-limit", "nested deeper"),
        ("NaN", "import-not-json", "not JSON"),
    ],
)
def test_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, code: str, where: str) -> None:
    err = _bad(tmp_path, content, capsys)
    assert f"error[{code}]" in err and where in err and "bad.json" in err


_LOADS = """
import importlib, pkgutil, sys
package = importlib.import_module(sys.argv[1])
client = package.Client(access_key_id="id", access_key_secret="secret")
names = [m.name for m in pkgutil.iter_modules(importlib.import_module(sys.argv[1] + "._methods").__path__)]
methods = [n for n in names if not n.startswith("_")]
for name in methods:
    assert callable(getattr(client, name)), name
for m in pkgutil.iter_modules(importlib.import_module(sys.argv[1] + ".models").__path__):
    importlib.import_module(f"{sys.argv[1]}.models.{m.name}")
print(len(methods))
"""


@pytest.mark.parametrize("product", PRODUCTS)
def test_every_product_imports_validates_generates_and_type_checks(tmp_path: Path, product: str) -> None:
    """A new product needs no file of its own to start: the starter curated files are enough, and
    the package they make loads every method and model and passes mypy --strict."""
    assert run_import(tmp_path, product) == 0
    specs, out = tmp_path / "specs", tmp_path / "out"
    assert main(["validate", "--specs", str(specs)]) == 0
    assert main(["generate", "--specs", str(specs), "--output", str(out)]) == 0
    package = next((out / "python/src").iterdir()).name
    env = {**os.environ, "PYTHONPATH": str(out / "python/src"), "MYPY_CACHE_DIR": str(tmp_path / "mypy")}
    loaded = subprocess.run([sys.executable, "-c", _LOADS, package], env=env, capture_output=True, text=True,
                            timeout=600, cwd=tmp_path)  # fmt: skip
    assert loaded.returncode == 0, loaded.stderr[-3000:]
    apis = json.loads(source(product).read_text(encoding="utf-8"))["apis"]
    paginated = [p for p in (specs / "imported/actions").glob("*.yaml") if "\npagination:\n" in p.read_text(encoding="utf-8")]
    assert int(loaded.stdout) == len(apis) + 2 * len(paginated), "a method per action, two iterators per paginated one"
    checked = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", "-p", package], env=env,
                             capture_output=True, text=True, timeout=900, cwd=tmp_path)  # fmt: skip
    assert checked.returncode == 0, checked.stdout[-3000:]


def test_the_starter_files_are_never_overwritten(tmp_path: Path) -> None:
    assert run_import(tmp_path, "sts-2015-04-01") == 0
    specs = tmp_path / "specs"
    (specs / "product.yaml").write_text("# mine\n" + (specs / "product.yaml").read_text(encoding="utf-8"), "utf-8")
    assert run_import(tmp_path, "sts-2015-04-01") == 0
    assert (specs / "product.yaml").read_text(encoding="utf-8").startswith("# mine"), "never overwritten"


def test_a_required_parameter_without_example_gets_one_made_from_its_rules() -> None:
    from generator.importer.synth import made_example

    structs = {"Detail": {"fields": {"Number": {"type": "string", "required": True, "format": "phone-number"},
                                     "Note": {"type": "string"}}}}  # fmt: skip
    assert made_example({"type": "list<Detail>"}, structs) == [{"Number": "13800000000"}]
    assert made_example({"type": "int32", "constraints": {"minimum": 5, "maximum": 9}}, {}) == 5
    assert made_example({"type": "string", "constraints": {"min_length": 10}}, {}) == "examplexxx"
    enum = {"type": "string", "constraints": {"enum": [{"value": "roundRobin"}]}}
    assert made_example(enum, {}) == "roundRobin"
    assert made_example({"type": "string", "constraints": {"pattern": "^[a-z]+$"}}, {}) is None, "no guessing"


def test_every_required_dyvmsapi_parameter_has_an_example(tmp_path: Path) -> None:
    assert run_import(tmp_path, "dyvmsapi-2017-05-25") == 0
    for path in (tmp_path / "specs/imported/actions").glob("*.yaml"):
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        for name, field in spec["parameters"].items():
            if field.get("required"):
                assert field.get("example") is not None, f"{path.name}: {name}"


def test_importing_the_metadata_into_the_repository_changes_nothing(tmp_path: Path) -> None:
    """specs/ is what `sdkgen import` wrote, with the curated files over it: a re-import is a no-op,
    and the curated actions keep their values (English texts, emulator declarations)."""
    specs = tmp_path / "specs"
    shutil.copytree(ROOT / "specs", specs)
    before = tree(specs)
    assert main(["import", str(source("dyvmsapi-2017-05-25")), "--specs", str(specs)]) == 0
    assert tree(specs) == before
    api = load_api(specs)
    tts = next(a for a in api.actions if a.name == "SingleCallByTts")
    assert tts.summary.en and tts.emulator.creates is not None
    assert len(api.actions) == 52 and {"ClickToDial", "CancelCall"} <= {a.name for a in api.actions}
