"""A small BERT encoder in plain torch, loaded from a Hugging Face model folder.

The sentence embedder (all-MiniLM-L6-v2) and the audit's entailment cross-encoder are
BERTs. Building them through ``transformers`` / ``sentence_transformers`` costs ~5 s of
imports on every cold start; this module needs only ``torch``, ``safetensors`` (the
weights) and ``tokenizers`` (the folder's ``tokenizer.json``), and its parameter names
are ``BertModel``'s, so a state dict loads unchanged either way. Outputs equal
``BertModel``'s (post-LayerNorm, absolute positions, erf GELU) to float rounding.

Nothing is imported at module import: `load_bert` and `load_tokenizer` import what they
need when called.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from takeaways.errors import ModelError

if TYPE_CHECKING:
    import torch

__all__ = ["BertConfig", "Encoding", "available", "bert_class", "load_bert", "load_tokenizer",
           "read_bert_config"]

WEIGHTS = "model.safetensors"
TOKENIZER = "tokenizer.json"


class BertConfig:
    """The fields of a BERT ``config.json`` this encoder uses."""

    def __init__(self, data: dict[str, Any]) -> None:
        if data.get("model_type", "bert") != "bert" or data.get("hidden_act", "gelu") != "gelu":
            raise ModelError(
                f"the model folder is not a plain BERT (model_type {data.get('model_type')!r},"
                f" hidden_act {data.get('hidden_act')!r}); use a BERT sentence-transformers "
                "folder such as all-MiniLM-L6-v2."
            )
        if data.get("position_embedding_type", "absolute") != "absolute":
            raise ModelError("the model folder's BERT uses relative positions; only "
                             "absolute positions are supported. Use a standard BERT folder.")
        self.vocab_size = int(data["vocab_size"])
        self.hidden_size = int(data["hidden_size"])
        self.num_hidden_layers = int(data["num_hidden_layers"])
        self.num_attention_heads = int(data["num_attention_heads"])
        self.intermediate_size = int(data["intermediate_size"])
        self.max_position_embeddings = int(data.get("max_position_embeddings", 512))
        self.type_vocab_size = int(data.get("type_vocab_size", 2))
        self.layer_norm_eps = float(data.get("layer_norm_eps", 1e-12))
        self.hidden_dropout_prob = float(data.get("hidden_dropout_prob", 0.1))
        self.attention_probs_dropout_prob = float(data.get("attention_probs_dropout_prob", 0.1))
        self.pad_token_id = int(data.get("pad_token_id", 0))


def read_bert_config(folder: str | Path) -> BertConfig:
    path = Path(folder) / "config.json"
    if not path.is_file():
        raise ModelError(f"no config.json under {folder}; point at a BERT model folder "
                         "(Hugging Face layout: config.json, model.safetensors, tokenizer.json).")
    return BertConfig(json.loads(path.read_text("utf-8")))


def available() -> bool:
    """Whether torch, safetensors and tokenizers are importable (the plain-torch path)."""
    from importlib.util import find_spec

    return all(find_spec(m) is not None for m in ("torch", "safetensors", "tokenizers"))


_CLASSES: dict[str, Any] = {}


def bert_class() -> Any:
    """The ``torch.nn.Module`` subclass (built on first use: torch is imported lazily)."""
    if "bert" not in _CLASSES:
        _CLASSES["bert"] = _define()
    return _CLASSES["bert"]


def _define() -> Any:  # noqa: C901 - the classes of one small network, defined together
    import torch
    from torch import nn
    from torch.nn import functional as F  # noqa: N812 - torch's own convention

    class Embeddings(nn.Module):
        def __init__(self, c: BertConfig) -> None:
            super().__init__()
            self.word_embeddings = nn.Embedding(c.vocab_size, c.hidden_size,
                                                padding_idx=c.pad_token_id)
            self.position_embeddings = nn.Embedding(c.max_position_embeddings, c.hidden_size)
            self.token_type_embeddings = nn.Embedding(c.type_vocab_size, c.hidden_size)
            self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)  # noqa: N815
            self.dropout = nn.Dropout(c.hidden_dropout_prob)

        def forward(self, ids: torch.Tensor, types: torch.Tensor) -> torch.Tensor:
            pos = torch.arange(ids.shape[1], device=ids.device).unsqueeze(0)
            x = (self.word_embeddings(ids) + self.token_type_embeddings(types)
                 + self.position_embeddings(pos))
            return self.dropout(self.LayerNorm(x))  # type: ignore[no-any-return]

    class SelfAttention(nn.Module):
        def __init__(self, c: BertConfig) -> None:
            super().__init__()
            self.heads = c.num_attention_heads
            self.query = nn.Linear(c.hidden_size, c.hidden_size)
            self.key = nn.Linear(c.hidden_size, c.hidden_size)
            self.value = nn.Linear(c.hidden_size, c.hidden_size)
            self.p = c.attention_probs_dropout_prob

        def _split(self, x: torch.Tensor) -> torch.Tensor:
            b, n, d = x.shape
            return x.view(b, n, self.heads, d // self.heads).transpose(1, 2)

        def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
            q, k = self._split(self.query(x)), self._split(self.key(x))
            v = self._split(self.value(x))
            out = F.scaled_dot_product_attention(q, k, v, attn_mask=bias.to(q.dtype),
                                                 dropout_p=self.p if self.training else 0.0)
            b, h, n, d = out.shape
            return out.transpose(1, 2).reshape(b, n, h * d)

    class DenseNorm(nn.Module):  # BertSelfOutput / BertOutput: dense, dropout, residual norm
        def __init__(self, c: BertConfig, width: int) -> None:
            super().__init__()
            self.dense = nn.Linear(width, c.hidden_size)
            self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)  # noqa: N815
            self.dropout = nn.Dropout(c.hidden_dropout_prob)

        def forward(self, x: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
            return self.LayerNorm(self.dropout(self.dense(x)) + residual)  # type: ignore[no-any-return]

    class Attention(nn.Module):
        def __init__(self, c: BertConfig) -> None:
            super().__init__()
            self.self = SelfAttention(c)
            self.output = DenseNorm(c, c.hidden_size)

        def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
            return self.output(self.self(x, bias), x)  # type: ignore[no-any-return]

    class Intermediate(nn.Module):
        def __init__(self, c: BertConfig) -> None:
            super().__init__()
            self.dense = nn.Linear(c.hidden_size, c.intermediate_size)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return F.gelu(self.dense(x))

    class Layer(nn.Module):
        def __init__(self, c: BertConfig) -> None:
            super().__init__()
            self.attention = Attention(c)
            self.intermediate = Intermediate(c)
            self.output = DenseNorm(c, c.intermediate_size)

        def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
            x = self.attention(x, bias)
            return self.output(self.intermediate(x), x)  # type: ignore[no-any-return]

    class Encoder(nn.Module):
        def __init__(self, c: BertConfig) -> None:
            super().__init__()
            self.layer = nn.ModuleList(Layer(c) for _ in range(c.num_hidden_layers))

    class Bert(nn.Module):
        """``BertModel`` without the pooler: ``forward`` gives the last hidden state."""

        def __init__(self, c: BertConfig) -> None:
            super().__init__()
            self.config = c
            self.embeddings = Embeddings(c)
            self.encoder = Encoder(c)

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                    token_type_ids: torch.Tensor | None = None) -> torch.Tensor:
            types = torch.zeros_like(input_ids) if token_type_ids is None else token_type_ids
            x = self.embeddings(input_ids, types)
            # additive mask over keys: 0 where attended, a large negative where padded
            bias = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * torch.finfo(x.dtype).min
            for layer in self.encoder.layer:
                x = layer(x, bias)
            return x  # type: ignore[no-any-return]

    return Bert


def load_bert(folder: str | Path, *, weights: bool = True) -> Any:
    """The BERT of ``folder`` (``config.json`` + ``model.safetensors``), float32, eval mode.

    ``weights=False`` leaves the random initialisation (a caller loads its own state)."""
    from safetensors.torch import load_file

    config = read_bert_config(folder)
    net = bert_class()(config)
    if weights:
        path = Path(folder) / WEIGHTS
        if not path.is_file():
            raise ModelError(f"no {WEIGHTS} under {folder}; the plain-torch BERT reads "
                             "safetensors weights. Reinstall the model package.")
        state = {_strip(k): v.float() for k, v in load_file(str(path)).items()}
        state = {k: v for k, v in state.items() if not k.startswith("pooler.")}
        missing, unexpected = net.load_state_dict(state, strict=False)
        unexpected = [k for k in unexpected if not k.endswith("position_ids")]
        if missing or unexpected:
            raise ModelError(f"the weights under {folder} do not fit a BERT (missing "
                             f"{list(missing)[:3]}, unexpected {unexpected[:3]}); "
                             "use a standard BERT model folder.")
    net.train(False)
    return net


def _strip(key: str) -> str:
    """``bert.encoder…`` / ``0.auto_model.encoder…`` → ``encoder…`` (checkpoint prefixes)."""
    for prefix in ("bert.", "auto_model.", "model."):
        if key.startswith(prefix):
            return key[len(prefix):]
    return key


class Encoding:
    """``tokenizer.json`` of a BERT folder: batches of texts or text pairs → id tensors,
    padded to the longest in the batch and truncated (longest first) like
    ``AutoTokenizer(..., padding=True, truncation="longest_first")``."""

    def __init__(self, folder: str | Path, max_length: int) -> None:
        from tokenizers import Tokenizer

        path = Path(folder) / TOKENIZER
        if not path.is_file():
            raise ModelError(f"no {TOKENIZER} under {folder}; the model folder needs a fast "
                             "tokenizer file. Reinstall the model package.")
        self._tok = Tokenizer.from_file(str(path))
        self._tok.no_padding()
        self._tok.enable_truncation(max_length, strategy="longest_first")
        self.max_length = max_length

    def __call__(self, texts: Sequence[str], pairs: Sequence[str] | None = None
                 ) -> dict[str, torch.Tensor]:
        import torch

        if pairs is None:
            encs = self._tok.encode_batch(list(texts))
        else:
            encs = self._tok.encode_batch(list(zip(texts, pairs, strict=True)))
        width = max((len(e.ids) for e in encs), default=0)
        ids = torch.zeros((len(encs), width), dtype=torch.long)
        types = torch.zeros_like(ids)
        mask = torch.zeros_like(ids)
        for i, e in enumerate(encs):
            n = len(e.ids)
            ids[i, :n] = torch.tensor(e.ids, dtype=torch.long)
            types[i, :n] = torch.tensor(e.type_ids, dtype=torch.long)
            mask[i, :n] = 1
        return {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}


def load_tokenizer(folder: str | Path, max_length: int) -> Encoding:
    return Encoding(folder, max_length)
