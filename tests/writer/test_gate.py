"""The writer's learned gate (`takeaways.writer.gate`): its inputs from the audit's
signals, its decision, the shipped model against the training script's own decisions,
and the gate behind `writer.check.passes`. Synthetic audits, no models."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from takeaways.auditing import ClaimAudit
from takeaways.auditing.signals.base import SignalResult
from takeaways.config import Settings
from takeaways.errors import ConfigError
from takeaways.writer import check
from takeaways.writer.check import finding, gate_reason, passes
from takeaways.writer.gate import GateModel, gate_features, load_gate, raw_signals
from takeaways.writer.settings import WriterSettings

VECTORS = Path(__file__).with_name("gate_vectors.json")


def _raw(**over: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {"verdict": "supported", "probability": 0.5, "confirmed": False,
                           "routes": ["probability"], "words": 9,
                           "features": {"align.emb_max": 0.8, "entail.entail": 0.9}}
    raw.update(over)
    return raw


def _model(cut: float = 0.5) -> GateModel:
    """P = sigmoid(2 * (entail.entail - 0.5) / 0.25): 0.5 at entail 0.5."""
    return GateModel("test", ("entail.entail",), (0.5,), (0.25,), (2.0,), 0.0, cut, {})


def test_gate_features_keep_the_audit_signals_and_add_counts() -> None:
    f = gate_features(_raw(routes=["probability", "paraphrase"]))
    assert f["align.emb_max"] == 0.8 and f["entail.entail"] == 0.9
    assert f["claim.logit"] == pytest.approx(0.0)
    assert f["route.probability"] == 1.0 and f["route.paraphrase"] == 1.0
    assert f["route.soft-word"] == 0.0 and f["route.entailment"] == 0.0
    assert f["claim.log_words"] == pytest.approx(math.log(10))
    assert f["entail.missing"] == 0.0


def test_gate_features_flag_a_skipped_entailment_signal_and_clip_the_logit() -> None:
    f = gate_features(_raw(probability=1.0, features={"align.emb_max": 0.5}))
    assert f["entail.missing"] == 1.0 and "entail.entail" not in f
    assert math.isfinite(f["claim.logit"]) and f["claim.logit"] > 9


def test_raw_signals_of_an_audit() -> None:
    audit = ClaimAudit(text="Four words are here.", verdict="supported", error_types=[],
                       evidence=[], faulty_span=None, reason="", confidence=0.8, support=0.7,
                       signals={"audit.signal.entail.v1": SignalResult(
                           "audit.signal.entail.v1", {"entail": 0.91234567, "contradict": 0.01})},
                       probability=0.7, routes=("probability",))
    raw = raw_signals(audit)
    assert raw == {"verdict": "supported", "probability": 0.7, "confirmed": False,
                   "routes": ["probability"], "words": 4,
                   "features": {"entail.contradict": 0.01, "entail.entail": 0.91235}}
    json.dumps(raw)  # plain JSON values (bench/writer.py caches them)


def test_gate_model_decision_needs_every_part_supported_and_at_the_cut() -> None:
    m = _model(cut=0.5)
    assert m.probability({"entail.entail": 0.5}) == pytest.approx(0.5)
    high, low = _raw(features={"entail.entail": 0.9}), _raw(features={"entail.entail": 0.2})
    assert m.passes_raw([high])
    assert not m.passes_raw([low])
    assert not m.passes_raw([high, low])  # every sentence of the point
    assert not m.passes_raw([_raw(verdict="unsupported", features={"entail.entail": 0.99})])
    assert not m.passes_raw([])


def test_gate_model_round_trips_and_bad_files_are_config_errors() -> None:
    m = _model()
    assert GateModel.from_dict(m.to_dict()) == m
    with pytest.raises(ConfigError, match="retrain"):
        GateModel.from_dict({"name": "x"})
    bad = {**m.to_dict(), "weights": [1.0, 2.0]}
    with pytest.raises(ConfigError, match="differ in length"):
        GateModel.from_dict(bad)


def test_shipped_gate_gives_the_training_scripts_decisions() -> None:
    """``train/writer/train_gate.py`` wrote these sentences with its model's P and decision
    before rounding the JSON; the shipped file must agree."""
    model = load_gate("learned.v1")
    assert model.name == "learned.v1" and 0.0 < model.cut < 1.0
    assert model.card["script"] == "train/writer/train_gate.py"
    vectors = json.loads(VECTORS.read_text("utf-8"))
    assert {v["passes"] for v in vectors} == {True, False}
    for v in vectors:
        p = model.probability(gate_features(v["raw"]))
        assert p == pytest.approx(v["probability"], abs=1e-3), v["id"]
        assert (p >= model.cut) == v["passes"] == model.passes_raw([v["raw"]]), v["id"]


def test_unknown_gate_is_a_config_error() -> None:
    ws = WriterSettings.from_settings(Settings.load(None).replace(writer={"gate": "magic"}))
    with pytest.raises(ConfigError, match="gate must be 'threshold' or one of learned.v1"):
        ws.check()
    with pytest.raises(ConfigError, match="gate"):
        load_gate("magic")


LEARNED = WriterSettings.from_settings(Settings.load(None).replace(writer={"gate": "learned.v1"}))


def _audit(entail: float, verdict: str = "supported", parts: tuple[ClaimAudit, ...] = ()
           ) -> ClaimAudit:
    sig = SignalResult("audit.signal.entail.v1", {"entail": entail, "contradict": 0.0})
    return ClaimAudit(text="A claim of some words.", verdict=verdict, error_types=[],
                      evidence=[], faulty_span=None, reason="The article says so.",
                      confidence=0.8, support=0.6, signals={sig.name: sig}, probability=0.6,
                      routes=("probability",), parts=parts)


def test_check_passes_uses_the_learned_gate(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(check, "load_gate", lambda name: _model(cut=0.5))
    assert passes(_audit(0.9), LEARNED)
    weak = _audit(0.2)
    assert not passes(weak, LEARNED)
    f = finding("draft", weak, LEARNED)
    assert f.verdict == "unconfirmed"
    assert "needs 0.50" in gate_reason(weak, LEARNED) and "closer to their words" in f.reason
    assert not passes(_audit(0.99, verdict="unsupported"), LEARNED)  # never what the audit rejects
    assert not passes(_audit(0.9, parts=(_audit(0.9), _audit(0.1))), LEARNED)


def test_threshold_gate_stays_reachable() -> None:
    ws = WriterSettings.from_settings(Settings.load(None).replace(
        writer={"gate": "threshold", "min_support": 0.5, "trust_routes": []}))
    assert ws.gate == "threshold"
    assert passes(_audit(0.0), ws)  # probability 0.6 >= 0.5, whatever the entailment


def test_the_default_gate_is_the_learned_one() -> None:
    assert WriterSettings.from_settings(Settings.load(None)).gate == "learned.v1"
