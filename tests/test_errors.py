"""One exception tree with a coded catalogue (docs/errors.md)."""

from __future__ import annotations

from pathlib import Path

import takeaways
from takeaways.errors import StepError, TakeawaysError, UsageError, catalogue, code_of

ROOT = Path(__file__).resolve().parents[1]


def test_every_error_has_a_unique_code_a_description_and_is_exported() -> None:
    rows = catalogue()
    codes = [c for c, _, _ in rows]
    assert len(codes) == len(set(codes))
    for code, name, doc in rows:
        assert code.startswith("E") and doc, name
        assert isinstance(getattr(takeaways, name), type), f"{name} is not exported"


def test_the_docs_list_every_code() -> None:
    text = (ROOT / "docs" / "errors.md").read_text("utf-8")
    for code, name, _ in catalogue():
        assert f"| {code} | `{name}` |" in text, f"docs/errors.md lacks {code} {name}"


def test_code_of_looks_through_a_step_error() -> None:
    cause = UsageError("n must be at least 1")
    assert code_of(StepError("key_points", cause, {})) == "E500"
    assert code_of(StepError("quotes", RuntimeError("x"), {})) == "E600"
    assert code_of(ValueError("x")) is None
    assert TakeawaysError("x", doc_id="d1").doc_id == "d1" and "(document d1)" in str(
        TakeawaysError("x", doc_id="d1"))
