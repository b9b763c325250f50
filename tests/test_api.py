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
    "EmptyInputError", "FetchError", "InputError", "LimitError", "ModelError", "NoArticleError",
    "Pipeline", "Sentence", "Settings", "Span", "StepError", "TakeawaysError", "UsageError",
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
