"""Shared fixtures. Tests use the deterministic `HashingEmbedder` unless they ask for
`real_embedder`; spaCy loads once per session (model-loading tests are marked slow)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SHARED = Path(os.environ.get("TAKEAWAYS_SHARED", ROOT.parent / "shared"))
SEED = EXAMPLES / "putin-astana.scraped.txt"
SEED_EXPECTED = EXAMPLES / "putin-astana.expected.json"


@pytest.fixture(scope="session", autouse=True)
def _fp32_entailment() -> Iterator[None]:
    """The entailment model in fp32 on every CPU: its "auto" precision picks bf16 autocast
    where the CPU has AMX / AVX-512 BF16, which moves probabilities by up to a few
    thousandths and can tip a claim at a cut, so a test's verdicts would depend on the
    machine. Tests of bf16 itself ask for it explicitly."""
    from takeaways.auditing import entail

    saved = entail.cpu_has_bf16
    entail.cpu_has_bf16 = lambda: False  # type: ignore[assignment]
    yield
    entail.cpu_has_bf16 = saved


@pytest.fixture(scope="session", autouse=True)
def _fake_embedder() -> Iterator[None]:
    from takeaways.nlp.models import HashingEmbedder, set_embedder

    set_embedder(HashingEmbedder())
    yield
    set_embedder(None)


@pytest.fixture(scope="module")
def real_embedder() -> Iterator[object]:
    """Swap in all-MiniLM-L6-v2 for one test module (mark such tests ``slow``)."""
    from takeaways.nlp.models import HashingEmbedder, set_embedder

    emb = _real_embedder_once()
    set_embedder(emb)
    yield emb
    set_embedder(HashingEmbedder())


_REAL: list[object] = []


def _real_embedder_once() -> object:
    from takeaways.nlp.models import SentenceTransformerEmbedder

    if not _REAL:
        _REAL.append(SentenceTransformerEmbedder(device="cpu"))
    return _REAL[0]


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data``; tests using it skip cleanly when it is absent."""
    data = SHARED / "data"
    if not data.is_dir():
        pytest.skip("../shared/data is not present")
    return data


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text("utf-8")


@pytest.fixture(scope="session")
def seed_expected() -> dict[str, object]:
    data: dict[str, object] = json.loads(SEED_EXPECTED.read_text("utf-8"))
    return data


@pytest.fixture(scope="session")
def seed_article():  # type: ignore[no-untyped-def]
    import takeaways

    return takeaways.read(SEED)


@pytest.fixture(scope="session")
def seed_analysis(seed_article):  # type: ignore[no-untyped-def]
    from takeaways.api import analyze

    return analyze(seed_article)


def assert_span_in(text: str, start: int, end: int, span_text: str) -> None:
    """The one offset check every output uses: ``text[start:end] == span_text``."""
    assert 0 <= start <= end <= len(text), (start, end, len(text))
    assert text[start:end] == span_text, (text[start:end], span_text)
