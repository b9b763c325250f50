"""spaCy's dense layers through numpy's BLAS (nlp/blasops.py): the same products and
annotations as thinc's blis path, on the BLAS threads asked for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from thinc.api import NumpyOps

from takeaways.nlp import blasops

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"


@pytest.mark.parametrize(("trans1", "trans2"), [(False, False), (False, True), (True, False),
                                                (True, True)])
def test_gemm_equals_blis_gemm(trans1: bool, trans2: bool) -> None:
    rng = np.random.default_rng(3)
    x = rng.standard_normal((7, 5) if not trans1 else (5, 7)).astype("float32")
    y = rng.standard_normal((5, 4) if not trans2 else (4, 5)).astype("float32")
    ref = NumpyOps().gemm(x, y, trans1=trans1, trans2=trans2)
    ops = blasops.BlasOps(1)
    got = ops.gemm(x, y, trans1=trans1, trans2=trans2)
    assert got.shape == ref.shape == (7, 4)
    assert np.allclose(got, ref, atol=1e-5)
    out = np.zeros((7, 4), dtype="float32")
    assert ops.gemm(x, y, out=out, trans1=trans1, trans2=trans2) is out
    assert np.allclose(out, ref, atol=1e-5)


def _held_counts() -> list[int]:
    """Thread counts of the BLAS libraries `blasops` limits (those loaded when it first
    ran a product: numpy's among them; libraries loaded later, such as torch's, are not
    numpy's and stay as they are)."""
    pytest.importorskip("threadpoolctl")
    with blasops._lock:
        libs = blasops._blas_libraries()
    assert libs is not None
    return [int(i["num_threads"]) for i in libs.info()]


def test_gemm_holds_blas_threads_only_during_the_product() -> None:
    before = _held_counts()
    seen: list[list[int]] = []

    class Spy(blasops.BlasOps):
        def gemm(self, x: Any, y: Any, out: Any = None, trans1: bool = False,
                 trans2: bool = False) -> Any:
            with self._limited():
                seen.append(_held_counts())
            return super().gemm(x, y, out=out, trans1=trans1, trans2=trans2)

    Spy(1).gemm(np.ones((2, 2), "float32"), np.ones((2, 2), "float32"))
    assert seen[0] and all(n == 1 for n in seen[0])
    assert _held_counts() == before


def test_overlapping_products_restore_the_blas_threads_once_the_last_ends() -> None:
    """Two threads' products overlapping out of order (A in, B in, A out, B out): the
    limit holds until the last one ends, then the BLAS has its own count again."""
    before = _held_counts()
    a, b = blasops._blas_threads(1), blasops._blas_threads(1)
    a.__enter__()
    b.__enter__()
    a.__exit__(None, None, None)
    assert all(n == 1 for n in _held_counts())
    b.__exit__(None, None, None)
    assert _held_counts() == before


def test_zero_threads_leaves_the_blas_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(blasops, "_blas_libraries", lambda: pytest.fail("limited"))
    got = blasops.BlasOps(0).gemm(np.eye(3, dtype="float32"), np.ones((3, 2), "float32"))
    assert np.array_equal(got, np.ones((3, 2), "float32"))


def test_install_swaps_numpy_ops_of_every_layer() -> None:
    spacy = pytest.importorskip("spacy")
    nlp = spacy.blank("en")
    nlp.add_pipe("tagger")
    nlp.get_pipe("tagger").add_label("NN")
    nlp.initialize()
    count = blasops.install(nlp)
    layers = list(nlp.get_pipe("tagger").model.walk())
    assert count == len(layers) > 0
    assert all(isinstance(layer.ops, blasops.BlasOps) for layer in layers)
    assert blasops.install(nlp) == 0  # already swapped: nothing more to do
    assert [t.tag_ for t in nlp("A short test .")] == ["NN"] * 4


@pytest.mark.slow
def test_loaded_pipeline_annotates_real_pages_as_blis_does(seed_text: str) -> None:
    """The shipped pipeline (BlasOps on) against the same pipeline on blis: every token
    attribute equal on the seed and, when ../shared is there, 30 dev news page texts."""
    from spacy.attrs import DEP, ENT_IOB, ENT_TYPE, HEAD, LEMMA, MORPH, POS, SENT_START, TAG

    from takeaways.nlp.models import get_nlp

    nlp = get_nlp()
    models = [c.model for _, c in nlp.components if hasattr(getattr(c, "model", None), "walk")]
    layers = [layer for m in models for layer in m.walk()]
    if not any(isinstance(layer.ops, blasops.BlasOps) for layer in layers):
        pytest.skip("[models] blas_gemm is off")
    texts = [seed_text]
    truth = SHARED / "article_extraction_benchmark" / "ground-truth.json"
    if truth.exists():
        import json

        rows = json.loads(truth.read_text("utf-8"))
        texts += [str(rows[k]["articleBody"]) for k in sorted(rows)[:30]]
    cols = [TAG, POS, MORPH, LEMMA, DEP, HEAD, ENT_IOB, ENT_TYPE, SENT_START]
    ours = [d.to_array(cols) for d in nlp.pipe(texts)]
    blas = {id(layer): layer.ops for layer in layers}
    try:
        for layer in layers:
            layer.ops = NumpyOps()
        ref = [d.to_array(cols) for d in nlp.pipe(texts)]
    finally:
        for layer in layers:
            layer.ops = blas[id(layer)]
    assert all(np.array_equal(a, b) for a, b in zip(ours, ref, strict=True))
