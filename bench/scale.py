"""Generation at catalogue scale: sdkgen and its peers on products of 7, 50, 200 and 500 actions.

    .venv/bin/python bench/scale.py [--sizes 7,50,200,500] [--repeat 3] [--no-peers]

The products: 7 is specs/ (the curated actions); 50 is Dyvmsapi imported from
../shared/data; 200 and 500 add copies of Dyvmsapi's actions under new names (``…X1``, ``…X2``)
to reach the size, so every action is a real one. For each, in a temporary project, medians of
``--repeat`` runs, each command a fresh process:

- validate;
- generate, cold: an empty output directory and ``--no-cache``;
- generate and check with nothing changed (after a run that filled the cache);
- generate after one action's summary changed (the cache holds the rest);
- peak memory: the largest resident set of the cold generate's processes;
- ``import <package>; <package>.Client(...)`` in a fresh interpreter (bytecode compiled).

Peers, installed from PyPI into a virtual environment under the system's temporary folder, run on
an equivalent OpenAPI 3 document made from the same IR (one POST operation per action, its
request as the JSON body, its response as the 200 answer): openapi-python-client (which formats
with ruff) and datamodel-code-generator with black. They write models and clients only; sdkgen
also writes docs, samples, JSON Schemas and the emulator's data.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared/data"
SOURCE = DATA / "dyvmsapi-2017-05-25.api-docs.json"
PEERS = (
    "openapi-python-client==0.29.1",
    "datamodel-code-generator==0.89.0",
    "black==26.10.1",
    "ruff==0.17.6",
)
RSS = (
    "import resource, sys\n"
    "from generator.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "r = resource.getrusage\n"
    "peak = max(r(resource.RUSAGE_SELF).ru_maxrss, r(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    "print(f'PEAK_KB {peak}', file=sys.stderr)\n"
    "raise SystemExit(code)\n"
)


def run(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env={**os.environ, **(env or {})})
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:4])}… failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return seconds, done.stderr


def sdkgen(*args: str, env: dict[str, str] | None = None) -> tuple[float, int]:
    """Seconds and peak resident KB of one ``sdkgen`` command."""
    seconds, err = run([sys.executable, "-c", RSS, *args], env=env)
    peak = re.search(r"PEAK_KB (\d+)", err)
    return seconds, int(peak.group(1)) if peak else 0


def make_product(size: int, where: Path) -> Path:
    specs = where / "specs"
    if size <= 7:
        shutil.copytree(ROOT / "specs", specs, ignore=shutil.ignore_patterns("schema"))
        return specs
    sdkgen("import", str(SOURCE), "--specs", str(specs))
    actions = sorted((specs / "imported/actions").glob("*.yaml"))
    originals = len(actions)
    for i in range(originals, size):
        base = actions[i % originals]
        text = base.read_text(encoding="utf-8")
        name = re.search(r"^action: (\w+)$", text, re.M)
        assert name is not None
        copy = f"{name.group(1)}X{i // originals}"
        text = text.replace(f"action: {name.group(1)}\n", f"action: {copy}\n", 1)
        (base.parent / f"{copy}.yaml").write_text(text, encoding="utf-8")
    for extra in actions[size:]:
        extra.unlink()
    return specs


def load_api_names(specs: Path) -> list[str]:
    from generator.frontend.pipeline import load_api

    return [a.name for a in load_api(specs).actions]


def touch_one_action(specs: Path, round_: int) -> None:
    folder = specs / "actions" if (specs / "actions").is_dir() else specs / "imported/actions"
    path = sorted(folder.glob("*.yaml"))[0]
    text = path.read_text(encoding="utf-8")
    mark = f"edit {round_} "
    text = re.sub(r"^(summary:\n  (?:zh|en): )", rf"\g<1>{mark}", text, count=1, flags=re.M)
    text = re.sub(r"^(summary: \{(?:zh|en): )", rf"\g<1>{mark}", text, count=1, flags=re.M)
    path.write_text(text, encoding="utf-8")


def import_cost(out: Path, package: str, repeat: int) -> float:
    src = out / "python/src"
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(src)], check=True)
    code = (
        "import time; t = time.perf_counter()\n"
        f"import {package}\n"
        f"{package}.Client(access_key_id='id', access_key_secret='secret')\n"
        "print(time.perf_counter() - t)\n"
    )
    times = []
    for _ in range(max(repeat, 7)):
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONPATH": str(src)})  # fmt: skip
        times.append(float(done.stdout))
    return statistics.median(times)


def openapi_of(specs: Path, target: Path) -> None:
    """An OpenAPI 3.0 document with the same operations, requests and responses as the specs."""
    from generator.frontend.pipeline import load_api
    from generator.targets.common.jsonschema import action_schema

    api = load_api(specs)
    paths, schemas = {}, {}
    for action in api.actions:
        doc = action_schema(action)
        text = json.dumps(doc["$defs"]).replace("#/$defs/", f"#/components/schemas/{action.name}_")
        for name, schema in json.loads(text).items():
            schemas[f"{action.name}_{name}"] = schema
        request, response = f"{action.name}_{action.name}Request", f"{action.name}_{action.name}Response"
        paths[f"/{action.name}"] = {"post": {
            "operationId": action.name,
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{request}"}}}},
            "responses": {"200": {"description": "OK", "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{response}"}}}}},
        }}  # fmt: skip
    document = {
        "openapi": "3.0.3",
        "info": {"title": api.product.code, "version": api.product.api_version},
        "paths": paths,
        "components": {"schemas": schemas},
    }
    target.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")


def peers_env() -> Path:
    home = Path(tempfile.gettempdir()) / "sdkgen-bench-peers"
    python = home / "bin/python"
    if not python.exists():
        venv.create(home, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *PEERS], check=True)
    return home / "bin"


def peer_times(spec: Path, work: Path, peers: Path) -> dict[str, float]:
    out: dict[str, float] = {}
    target = work / "opc"
    out["openapi-python-client"], _ = run(
        [str(peers / "openapi-python-client"), "generate", "--path", str(spec), "--output-path", str(target),
         "--overwrite"], env={"PATH": f"{peers}:{os.environ['PATH']}"},
    )  # fmt: skip
    out["datamodel-code-generator + black"], _ = run(
        [str(peers / "datamodel-codegen"), "--input", str(spec), "--input-file-type", "openapi",
         "--output", str(work / "dmcg_models.py"), "--output-model-type", "pydantic_v2.BaseModel",
         "--formatters", "black", "--disable-timestamp"],
    )  # fmt: skip
    return out


def measure(size: int, repeat: int, peers: Path | None) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix=f"sdkgen-scale-{size}-") as tmp:
        where = Path(tmp)
        specs = make_product(size, where)
        out, cache = where / "out", where / "cache"
        env = {"SDKGEN_CACHE_DIR": str(cache)}
        locations = ["--specs", str(specs), "--output", str(out)]
        result: dict[str, list[float]] = {k: [] for k in (
            "validate", "cold", "peak", "nochange", "check", "one")}  # fmt: skip
        for r in range(repeat):
            result["validate"].append(sdkgen("validate", "--specs", str(specs), env=env)[0])
            shutil.rmtree(out, ignore_errors=True)
            seconds, peak = sdkgen("generate", "--no-cache", *locations, env=env)
            result["cold"].append(seconds)
            result["peak"].append(peak / 1024)
            sdkgen("generate", *locations, env=env)  # fills the cache and the no-change record
            result["nochange"].append(sdkgen("generate", *locations, env=env)[0])
            result["check"].append(sdkgen("check", *locations, env=env)[0])
            touch_one_action(specs, r)
            result["one"].append(sdkgen("generate", *locations, env=env)[0])
        found = {k: statistics.median(v) for k, v in result.items()}
        found["actions"] = len(load_api_names(specs))
        found["import"] = import_cost(out, "dyvmsapi", repeat)
        if peers is not None:
            spec = where / "openapi.json"
            openapi_of(specs, spec)
            runs = [peer_times(spec, where / f"peer{r}", peers) for r in range(repeat)]
            for name in runs[0]:
                found[name] = statistics.median(x[name] for x in runs)
        return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="7,50,200,500")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-peers", action="store_true")
    args = parser.parse_args()
    peers = None if args.no_peers else peers_env()
    rows = [measure(int(s), args.repeat, peers) for s in args.sizes.split(",")]
    print(f"medians of {args.repeat}; {os.cpu_count()} CPUs; seconds unless stated\n")
    head = ["actions", "validate", "generate, cold", "generate, no change", "check, no change",
            "one action changed", "peak MB (cold)", "import + Client() ms"]  # fmt: skip
    if peers is not None:
        head += ["openapi-python-client", "datamodel-code-generator + black"]
    print("| " + " | ".join(head) + " |")
    print("|" + " ---: |" * len(head))
    for row in rows:
        cells = [f"{row['actions']:.0f}"]
        cells += [f"{row[k]:.2f}" for k in ("validate", "cold", "nochange", "check", "one")]
        cells += [f"{row['peak']:.0f}", f"{row['import'] * 1000:.1f}"]
        if peers is not None:
            cells += [f"{row['openapi-python-client']:.2f}", f"{row['datamodel-code-generator + black']:.2f}"]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
