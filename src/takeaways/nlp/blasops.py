"""spaCy's dense layers through numpy's BLAS, on one thread.

spaCy's CPU pipelines compute every dense layer (the tok2vec encoders, the tagger, the
parser's and NER's input layers) with thinc's ``NumpyOps.gemm``, which calls the ``blis``
wheel. Where that wheel has no kernel tuned for the CPU (perf shows it running its
reference C kernel, ``bli_sgemm_generic_ref``, on this project's machines), its products
are several times slower than the OpenBLAS that numpy ships with: on the 2-core machine a
(30,000 × 288)·(288 × 288) product takes 14.6 CPU-ms with blis and 4.3 with numpy on one
thread, and gemm is about 40% of the parse. thinc has the switch for this:
``NumpyOps(use_blis=False)`` computes gemm with ``numpy.dot``. `install` gives every layer
of a loaded pipeline such ops (`BlasOps`), with numpy's BLAS held to ``threads`` threads
during each product (default 1: throughput is counted in pages per CPU-second and the
batch runs one worker process per core, so extra BLAS threads only add CPU time). The
transition step of the parser and NER keeps blis (thinc exposes that pointer only to
Cython).

Annotations are blis's up to float rounding: a slow test parses real pages both ways and
compares every token. ``[models] blas_gemm = false`` keeps blis.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from thinc.api import NumpyOps

if TYPE_CHECKING:
    from spacy.language import Language

__all__ = ["BlasOps", "install"]

_lock = threading.Lock()
_blas: list[Any] = []  # threadpoolctl's handle on the loaded BLAS libraries, made once
_held: list[Any] = []  # the limiter while any product runs (shared by threads), and
_users = [0]           # how many products run under it


def _blas_libraries() -> Any | None:
    """threadpoolctl's selection of the loaded BLAS libraries, or None without it
    (call with `_lock` held)."""
    if not _blas:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:
            _blas.append(None)
        else:
            _blas.append(ThreadpoolController().select(user_api="blas"))
    return _blas[0]


@contextlib.contextmanager
def _blas_threads(threads: int) -> Iterator[None]:
    """numpy's BLAS on ``threads`` threads while the block runs. Shared by reference
    count: the first product in sets the limit, the last one out restores what the BLAS
    had, so threads running products at once never leave the limit behind."""
    with _lock:
        libs = _blas_libraries()
        if libs is not None and not _users[0]:
            _held.append(libs.limit(limits=threads))
        _users[0] += libs is not None
    try:
        yield
    finally:
        with _lock:
            if libs is not None:
                _users[0] -= 1
                if not _users[0]:
                    _held.pop().restore_original_limits()


class BlasOps(NumpyOps):  # type: ignore[misc]  # thinc ships no types for NumpyOps
    """thinc's ``NumpyOps`` with gemm through ``numpy.dot`` (``use_blis=False``), numpy's
    BLAS held to ``threads`` threads during each product (0: as the BLAS decides)."""

    def __init__(self, threads: int = 1) -> None:
        super().__init__(use_blis=False)
        self.threads = int(threads)

    def _limited(self) -> contextlib.AbstractContextManager[None]:
        return _blas_threads(self.threads) if self.threads > 0 else contextlib.nullcontext()

    def gemm(self, x: Any, y: Any, out: Any = None, trans1: bool = False,
             trans2: bool = False) -> Any:
        with self._limited():
            return super().gemm(x, y, out=out, trans1=trans1, trans2=trans2)


def install(nlp: Language, threads: int = 1) -> int:
    """Give every layer of ``nlp``'s trainable components one `BlasOps`; returns how many
    layers now use it. Components on another device (cupy ops) are left alone."""
    ops = BlasOps(threads)
    count = 0
    for _, component in nlp.components:
        model = getattr(component, "model", None)
        if model is None or not hasattr(model, "walk"):
            continue
        for layer in model.walk():
            if type(layer.ops) is NumpyOps:
                layer.ops = ops
                count += 1
    return count
