"""The plain-torch BERT (nlp/bert.py): the same vectors as sentence-transformers, no
``transformers`` import, and no progress bar on stderr."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from takeaways.nlp import bert, models

ROOT = Path(__file__).resolve().parents[2]
TEXTS = [
    "Kremlin spokesman Dmitry Peskov said the proposal was a peace initiative.",
    "The city council approved a new budget for the schools on Monday evening.",
    "  Leading and trailing spaces.  ",
    "word " * 300,  # longer than max_seq_length: truncated the same way
    "Ünïcödé — “curly quotes” and an emoji 🎉.",
]


def _folder() -> str:
    try:
        return models._packaged_model_path()
    except Exception as exc:  # noqa: BLE001 - no packaged weights: the tests skip
        pytest.skip(f"no packaged MiniLM: {exc}")


def test_bert_import_loads_nothing() -> None:
    code = "import sys, takeaways.nlp.bert, takeaways.nlp.models; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_bert_config_refuses_other_architectures() -> None:
    from takeaways.errors import ModelError

    with pytest.raises(ModelError, match="not a plain BERT"):
        bert.BertConfig({"model_type": "roberta", "vocab_size": 1, "hidden_size": 1,
                         "num_hidden_layers": 1, "num_attention_heads": 1,
                         "intermediate_size": 1})


def test_bert_encoding_pads_and_truncates_pairs() -> None:
    pytest.importorskip("tokenizers")
    pytest.importorskip("torch")
    enc = bert.load_tokenizer(_folder(), 16)
    out = enc(["a short premise", "a much longer premise " * 10], ["claim", "another claim"])
    ids, mask, types = out["input_ids"], out["attention_mask"], out["token_type_ids"]
    assert ids.shape == mask.shape == types.shape == (2, 16)
    assert int(mask[0].sum()) < 16 and int(mask[1].sum()) == 16
    assert int(ids[0, 0]) == 101  # [CLS]
    assert int(types[1].max()) == 1  # the claim is segment B, kept under longest-first


@pytest.mark.slow
def test_bert_embedder_matches_sentence_transformers() -> None:
    pytest.importorskip("sentence_transformers")
    ours = models.TorchEmbedder(device="cpu")
    theirs = models.SentenceTransformerEmbedder(device="cpu")
    for bf16 in (False, True):
        ours.bf16 = theirs.bf16 = bf16
        a, b = ours.encode(TEXTS), theirs.encode(TEXTS)
        assert a.dtype == np.float32 and a.shape == b.shape
        assert float(np.min(np.sum(a * b, axis=1))) >= 0.9999


@pytest.mark.slow
def test_bert_state_dict_names_are_bertmodels() -> None:
    transformers: Any = pytest.importorskip("transformers")
    ours = bert.load_bert(_folder(), weights=False)
    theirs = transformers.BertModel(transformers.BertConfig.from_pretrained(_folder()),
                                    add_pooling_layer=False)
    assert set(ours.state_dict()) == {k for k in theirs.state_dict() if "position_ids" not in k}


@pytest.mark.slow
def test_bert_summarize_and_audit_import_no_transformers_and_print_no_bar() -> None:
    """Item 6 of issue 17: no ``Loading weights 0%|`` on stderr; issue 16: cold start
    without transformers / sentence_transformers."""
    code = (
        "import sys, takeaways\n"
        f"text = open({str(ROOT / 'examples/putin-astana.scraped.txt')!r}).read()\n"
        "takeaways.key_points(text, n=3)\n"
        "takeaways.audit(text, 'Putin said he was ready for talks.')\n"
        "print(sorted(m for m in ('transformers', 'sentence_transformers') if m in sys.modules))\n"
    )
    env = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PATH": "/usr/bin:/bin",
           "PYTHONPATH": str(ROOT / "src")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=env)
    assert out.stdout.strip().splitlines()[-1] == "[]"
    assert "Loading weights" not in out.stderr
    assert "%|" not in out.stderr, out.stderr[-500:]
