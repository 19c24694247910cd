"""``pagination:`` from the specs to the IR and the Python target's names, and what ``sdkgen import``
detects in the vendor's metadata (generator/importer/paging.py).

The located diagnostics of a bad pagination are pinned in tests/fixtures/diagnostics/
(``*--pagination``); the diff's classification in tests/fixtures/diff/pagination-*; the
iterators against the emulator in tests/e2e/test_paginated_actions.py and test_kvstore.py, the
runtime's loop in tests/python_sdk/test_page_loop.py.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from generator.frontend import ir
from generator.frontend.pipeline import load_api
from generator.importer.paging import pagination
from generator.targets.python import naming
from generator.targets.python.view import py_action
from spec_edits import ROOT

API = load_api(ROOT / "specs")
KVSTORE = load_api(ROOT / "tests/fixtures/specs/kvstore")


def _action(api: ir.Api, name: str) -> ir.Action:
    return next(a for a in api.actions if a.name == name)


def test_pages_by_number_under_a_struct() -> None:
    p = _action(API, "ListHotlineTransferNumber").pagination
    assert p is not None
    assert p.by == ir.PageNumbers("PageNo", 1) and p.parameter == "PageNo"
    assert (p.items, p.item, p.size, p.total) == (("Data", "Values"), ir.StructRef("Values"), "PageSize", ("Data", "Total"))
    assert p.where.path.endswith("specs/imported/actions/ListHotlineTransferNumber.yaml") and p.where.line == 14


def test_pages_by_token() -> None:
    p = _action(KVSTORE, "ListNamespaces").pagination
    assert p is not None
    assert p.by == ir.Tokens("NextToken", ("NextToken",))
    assert (p.items, p.item, p.size, p.total) == (("Namespaces",), ir.Scalar(ir.Primitive.string), "MaxResults", None)


def test_only_actions_with_a_typed_list_are_paginated() -> None:
    assert sorted(a.name for a in API.actions if a.pagination is not None) == [
        "ListCallTask", "ListCallTaskDetail", "ListHotlineTransferNumber", "ListHotlineTransferRegisterFile",
        "QueryCallInTransferRecord",
    ]  # fmt: skip


def test_the_python_view_of_the_iterators() -> None:
    a = py_action(_action(API, "ListCallTask"), {})
    p = a.paging
    assert p is not None
    assert (p.pages_method, p.items_method, p.style, p.parameter) == ("list_call_task_pages", "list_call_task_items", "page", "page_number")
    assert (p.items, p.total, p.next, p.item_annotation, p.item_doc) == (("data",), ("total",), None, "_models.Data", "Data")
    assert "page_number" not in {q.name for q in p.params} and {"page_size", "status"} <= {q.name for q in p.params}
    assert a.struct_annotations, "the items' struct needs the models module"
    assert py_action(_action(API, "SingleCallByTts"), {}).paging is None


@pytest.mark.parametrize(
    ("action", "pages", "items"),
    [("ListCallTask", "list_call_task_pages", "list_call_task_items"), ("Print", "print_pages", "print_items"),
     ("Describe3DModels", "describe3_d_models_pages", "describe3_d_models_items")],
)  # fmt: skip
def test_iterator_names(action: str, pages: str, items: str) -> None:
    assert (naming.pages_method(action), naming.items_method(action)) == (pages, items)
    assert naming.pages_method(action).startswith(naming.method(action).rstrip("_"))


# -- detection in the vendor's metadata ----------------------------------------------------------------


def _spec(params: dict[str, str], fields: dict[str, str], structs: dict[str, dict[str, str]] | None = None) -> dict[str, Any]:
    def typed(names: dict[str, str]) -> dict[str, Any]:
        return {n: ({"type": t[5:], "style": "json"} if t.startswith("json:") else {"type": t}) for n, t in names.items()}

    return {
        "parameters": typed(params),
        "response": {"fields": typed(fields)},
        "structs": {name: {"fields": typed(f)} for name, f in (structs or {}).items()},
    }


def detect(spec: dict[str, Any]) -> tuple[dict[str, Any] | None, list[str]]:
    notes: list[str] = []
    return pagination(spec, "$.apis.X", notes), notes


def test_detects_pages_by_number_with_the_total_beside_the_list() -> None:
    spec = _spec({"PageNo": "int32", "PageSize": "int32"}, {"Total": "int64", "Data": "Data"},
                 {"Data": {"Total": "int64", "Values": "list<Values>"}, "Values": {"Id": "string"}})  # fmt: skip
    assert detect(spec) == (
        {"style": "page", "page": "PageNo", "first_page": 1, "size": "PageSize", "items": "Data.Values", "total": "Data.Total"},
        [],
    )
    spec = _spec({"CurrentPage": "int64", "PageSize": "int64"}, {"TotalCount": "int32", "Items": "list<string>"})
    assert detect(spec)[0] == {"style": "page", "page": "CurrentPage", "first_page": 1, "size": "PageSize",
                               "items": "Items", "total": "TotalCount"}  # fmt: skip


def test_prefers_tokens_when_the_answer_has_one() -> None:
    params = {"PageNumber": "int32", "PageSize": "int32", "NextToken": "string", "MaxResults": "int32"}
    fields = {"NextToken": "string", "TotalCount": "int32", "Instances": "Instances"}
    spec = _spec(params, fields, {"Instances": {"Instance": "list<Instance>"}, "Instance": {"InstanceId": "string"}})
    assert detect(spec)[0] == {"style": "token", "token": "NextToken", "next": "NextToken", "size": "MaxResults",
                               "items": "Instances.Instance"}  # fmt: skip
    del spec["response"]["fields"]["NextToken"]  # a token parameter, but none in the answer: by number
    assert detect(spec)[0] == {"style": "page", "page": "PageNumber", "first_page": 1, "size": "PageSize",
                               "items": "Instances.Instance", "total": "TotalCount"}  # fmt: skip
    spec = _spec({"NextToken": "string"}, {"NextToken": "string", "Tags": "list<string>"})
    assert detect(spec)[0] == {"style": "token", "token": "NextToken", "next": "NextToken", "items": "Tags"}


def test_no_typed_list_or_two_lists_is_a_note() -> None:
    spec = _spec({"PageNo": "int32", "PageSize": "int32"}, {"Data": "string"})  # a list sent as JSON text
    assert detect(spec) == (None, ["$.apis.X: has paging parameters, but not one typed list in its answer "
                                   "(none: a list sent as JSON text has no type): not paginated"])  # fmt: skip
    spec = _spec({"PageNumber": "int32", "PageSize": "int32"}, {"A": "list<string>", "B": "list<string>"})
    assert detect(spec)[0] is None and "(A, B)" in detect(spec)[1][0]
    spec = _spec({"PageNumber": "int32", "PageSize": "int32"}, {"Data": "json:list<string>"})
    assert detect(spec)[0] is None


def test_without_paging_parameters_nothing_is_detected() -> None:
    assert detect(_spec({"PageNumber": "int32"}, {"Data": "list<string>"})) == (None, []), "no page size"
    assert detect(_spec({"PageNumber": "string", "PageSize": "int32"}, {"Data": "list<string>"})) == (None, [])
    assert detect(_spec({}, {"Data": "list<string>"})) == (None, [])


def test_the_imported_specs_carry_the_pagination() -> None:
    imported = yaml.safe_load((ROOT / "specs/imported/actions/ListCallTask.yaml").read_text(encoding="utf-8"))
    keys = list(imported)
    assert keys.index("pagination") == keys.index("parameters") - 1, "written where the format lists it"
    assert imported["pagination"] == {"style": "page", "page": "PageNumber", "first_page": 1, "size": "PageSize",
                                      "items": "Data", "total": "Total"}  # fmt: skip
