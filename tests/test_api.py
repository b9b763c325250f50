"""The public surface: exported names, one version, nothing heavy at import."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import takeaways

EXPORTED = {
    "SCHEMA_VERSION", "Analysis", "Article", "BinaryInputError", "ConfigError", "DeadlineError",
    "EmptyInputError", "FetchError", "FetchTimeoutError", "InputError", "LimitError",
    "ModelError", "NoArticleError",
    "Pipeline", "Sentence", "Settings", "Span", "StepError", "StoreError",
    "UnknownSpeakerError", "TakeawaysError", "UsageError",
    "__version__", "analyze", "audit", "key_points", "pipe", "quotes", "read",
}
HEAVY = ("spacy", "torch", "sentence_transformers", "trafilatura", "transformers", "lxml")


def test_api_exported_names() -> None:
    assert set(takeaways.__all__) == EXPORTED
    for name in takeaways.__all__:
        assert hasattr(takeaways, name), name


def test_api_version_single_source() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+([.-]?\w+)?", takeaways.__version__)
    assert version("takeaways") == takeaways.__version__
    root = Path(__file__).resolve().parents[1]
    pyproject = (root / "pyproject.toml").read_text("utf-8")
    assert 'dynamic = ["version"]' in pyproject
    assert 'version = { attr = "takeaways.__version__" }' in pyproject
    hits = [p for p in (root / "src" / "takeaways").rglob("*.py")
            if re.search(r"^__version__\s*=", p.read_text("utf-8"), re.M)]
    assert [p.name for p in hits] == ["__init__.py"]


def test_api_import_loads_nothing_heavy() -> None:
    code = ("import sys, takeaways; "
            f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120)
    assert out.stdout.strip() == "", f"imported at `import takeaways`: {out.stdout}"


def test_api_import_has_no_side_effects() -> None:
    code = ("import logging, takeaways; root = logging.getLogger(); "
            "print(len(root.handlers), logging.getLogger('takeaways').level)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120)
    assert out.stdout.split() == ["0", "0"]
    assert out.stderr == ""


def test_api_errors_form_one_tree() -> None:
    for name in ("InputError", "LimitError", "ModelError", "ConfigError", "NoArticleError"):
        assert issubclass(getattr(takeaways, name), takeaways.TakeawaysError)
    assert issubclass(takeaways.NoArticleError, takeaways.InputError)


def test_api_error_carries_doc_id_and_reason() -> None:
    exc = takeaways.NoArticleError("no article text found", doc_id="page-7")
    assert "page-7" in str(exc)
    assert exc.reason == "NoArticleError"
    assert exc.code.startswith("E")


def test_api_read_accepts_path_str_bytes(seed_text: str) -> None:
    from tests.conftest import SEED

    by_path = takeaways.read(SEED)
    assert takeaways.read(str(SEED)).text == by_path.text
    assert takeaways.read(seed_text).text == by_path.text
    assert takeaways.read(seed_text.encode("utf-8")).text == by_path.text


def test_api_read_kind_plain_keeps_text(seed_text: str) -> None:
    assert takeaways.read(seed_text, kind="plain").text == seed_text


def test_api_read_url_is_recorded(seed_text: str) -> None:
    a = takeaways.read(seed_text, url="https://example.org/a")
    assert a.metadata.url == "https://example.org/a"


def test_api_results_are_short_sequences(seed_article) -> None:  # type: ignore[no-untyped-def]
    """`KeyPoints`, `Quotes` and `Audit` iterate, index, ``len()`` and print a short repr
    (never the whole article); ``key_points`` is the name ``to_dict()`` uses."""
    from takeaways.attribution.result import Quote, Quotes, Speaker
    from takeaways.auditing.report import Audit, ClaimAudit
    from takeaways.document import Span
    from takeaways.keypoints.result import Evidence, KeyPoint, KeyPoints

    s = seed_article.sentences
    points = [KeyPoint(i + 1, x.text, (Evidence(x.id, x.start, x.end, x.text),), (), 0.5)
              for i, x in enumerate(s[:3])]
    kp = KeyPoints(seed_article, points, {})
    quote = Quote("direct", Span(s[0].start, s[0].end, s[0].text), None,
                  Speaker(None, "Putin", "fake"))
    qs = Quotes(seed_article, [quote], [], [])
    claim = ClaimAudit("A claim.", "supported", [], [], None, "ok", 0.9, 0.9)
    au = Audit(seed_article, [claim, claim], "supported", 0.9, "given")
    empty = Audit(seed_article, [], "no-claims", None, "none")
    for result, items, key in ((kp, points, "key_points"), (qs, [quote], "quotes"),
                               (au, [claim, claim], "claims")):
        assert len(result) == len(items) and list(result) == items
        assert result[0] is items[0] and result[-1] is items[-1] and result[:1] == items[:1]
        assert len(result.to_dict()[key]) == len(result)
        text = repr(result)
        assert len(text) < 120 and seed_article.text[:200] not in text, text
        assert text.startswith(f"<{type(result).__name__}: {len(items)} ")
        assert "Putin reiterates" in text and seed_article.id[:12] in text
    assert kp.key_points is kp.points
    assert [p.n for p in kp] == [d["n"] for d in kp.to_dict()["key_points"]]
    assert len(empty) == 0 and bool(empty)  # a result without claims is still a result
    assert repr(empty).startswith("<Audit: 0 claims of ")
