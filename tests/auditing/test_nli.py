"""The optional NLI signal, on a tiny random model the test builds itself (no quality claim)."""

from __future__ import annotations

from pathlib import Path

import pytest

from takeaways.errors import ModelError

WORDS = ["the", "bridge", "cost", "million", "euros", "berg", "opened", "mayor", "."]


@pytest.fixture(scope="module")
def tiny_nli(tmp_path_factory: pytest.TempPathFactory) -> str:
    transformers = pytest.importorskip("transformers")
    pytest.importorskip("torch")
    folder = tmp_path_factory.mktemp("tiny-nli")
    vocab = folder / "vocab.txt"
    vocab.write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS]) + "\n")
    tokenizer = transformers.BertTokenizer(str(vocab))
    config = transformers.BertConfig(
        vocab_size=len(WORDS) + 5, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=32, max_position_embeddings=64, num_labels=3,
        id2label={0: "entailment", 1: "neutral", 2: "contradiction"},
        label2id={"entailment": 0, "neutral": 1, "contradiction": 2},
    )
    model = transformers.BertForSequenceClassification(config)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return str(folder)


def test_nli_tiny_model_gives_probabilities(tiny_nli: str) -> None:
    from takeaways.auditing.signals.nli import load_nli

    model = load_nli(tiny_nli)
    probs = model.probs("the bridge cost million euros .", "the bridge cost euros .")
    assert set(probs) == {"entailment", "neutral", "contradiction"}
    assert sum(probs.values()) == pytest.approx(1.0, abs=1e-5)


def test_nli_missing_model_is_a_model_error(tmp_path: Path) -> None:
    from takeaways.auditing.signals.nli import NliModel

    with pytest.raises(ModelError, match="--nli-model"):
        NliModel(str(tmp_path))


@pytest.mark.slow
def test_nli_signal_runs_in_the_audit(tiny_nli: str) -> None:
    import takeaways
    from takeaways import api
    from takeaways.api import analyze

    text = "Mayor Anna Berg opened the bridge. The bridge cost 40 million euros."
    report = api.audit(analyze(takeaways.read(text, kind="plain")),
                             ["The bridge cost 40 million euros."], nli_model=tiny_nli)
    assert "audit.signal.nli.v1" in report.strategies
    result = report.claims[0].signals["audit.signal.nli.v1"]
    assert 0.0 <= result.features["entail"] <= 1.0
    assert result.skipped is None
