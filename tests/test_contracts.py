"""contracts/ is generated from code and checked in: these tests fail when the two drift."""

from __future__ import annotations

import json

import jsonschema

from diaodu_platform.contracts import CONTRACTS, generated
from diaodu_platform.topology import SERVICES


def test_checked_in_contracts_equal_what_the_code_generates() -> None:
    drift = [
        str(p.relative_to(CONTRACTS))
        for p, text in generated().items()
        if not p.exists() or p.read_text() != text
    ]
    assert drift == [], f"run `make contracts` and commit: {drift}"


def test_no_stale_event_schema_is_left_in_contracts() -> None:
    expected = {p for p in generated() if p.parent.name == "events"}
    present = set((CONTRACTS / "events").glob("*.schema.json"))
    assert present - expected == set()


def test_every_event_schema_is_valid_json_schema_and_names_its_type() -> None:
    for path in (CONTRACTS / "events").glob("*.schema.json"):
        schema = json.loads(path.read_text())
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["title"] == path.name.removesuffix(".schema.json")
        assert schema["title"].split(".")[1] in SERVICES


def test_asyncapi_documents_list_every_event_of_their_service() -> None:
    for name in SERVICES:
        doc = json.loads((CONTRACTS / "asyncapi" / f"{name}.json").read_text())
        assert doc["asyncapi"] == "3.0.0"
        assert doc["channels"][name]["address"] == f"diaodu.{name}.v1"
        types = {m["name"] for m in doc["components"]["messages"].values()}
        files = {p.name.removesuffix(".schema.json") for p in (CONTRACTS / "events").glob(f"diaodu.{name}.*")}
        assert types == files
