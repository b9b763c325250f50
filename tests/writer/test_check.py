"""The writer's gate (`writer.check.passes`): the audit's verdict plus the confidence the
``[writer]`` settings ask for. Synthetic audits, no models."""

from __future__ import annotations

import pytest

from takeaways.auditing import ClaimAudit
from takeaways.config import Settings
from takeaways.errors import ConfigError
from takeaways.writer.check import finding, gate_reason, passes
from takeaways.writer.settings import WriterSettings

GATE = WriterSettings.from_settings(Settings.load(None).replace(
    writer={"gate": "threshold", "min_support": 0.5, "trust_routes": ["paraphrase"]}))
OPEN = WriterSettings.from_settings(Settings.load(None).replace(
    writer={"gate": "threshold", "min_support": 0.0, "trust_routes": []}))


def _audit(verdict: str = "supported", p: float = 0.7, routes: tuple[str, ...] = ("probability",),
           parts: tuple[ClaimAudit, ...] = ()) -> ClaimAudit:
    return ClaimAudit(text="A claim.", verdict=verdict, error_types=[], evidence=[],
                      faulty_span=None, reason="The article says so.", confidence=0.8,
                      support=max(p, 0.46), probability=p, routes=routes, parts=parts)


def test_gate_keeps_a_confident_point_and_a_trusted_route() -> None:
    assert passes(_audit(p=0.7), GATE)
    assert passes(_audit(p=0.3, routes=("paraphrase",)), GATE)


def test_gate_rejects_a_point_only_an_untrusted_route_passes() -> None:
    weak = _audit(p=0.3, routes=("soft-word", "entailment"))
    assert not passes(weak, GATE)
    assert passes(weak, OPEN)  # min_support 0: the audit's verdict alone
    f = finding("draft", weak, GATE)
    assert f.verdict == "unconfirmed" and "0.30" in f.reason
    assert "closer to their words" in gate_reason(weak, GATE)


def test_gate_never_keeps_what_the_audit_rejects() -> None:
    for verdict in ("unsupported", "misattributed", "contradicted"):
        assert not passes(_audit(verdict=verdict, p=0.9, routes=()), OPEN)
        assert finding("draft", _audit(verdict=verdict), GATE).verdict == verdict


def test_gate_needs_every_sentence_of_a_point() -> None:
    good, weak = _audit(p=0.8), _audit(p=0.2, routes=("entailment",))
    assert not passes(_audit(p=0.2, routes=(), parts=(good, weak)), GATE)
    assert passes(_audit(p=0.8, parts=(good, _audit(p=0.3, routes=("paraphrase",)))), GATE)


@pytest.mark.parametrize("writer", [{"min_support": 1.5}, {"trust_routes": ["magic"]}])
def test_gate_settings_out_of_range_are_config_errors(writer) -> None:  # type: ignore[no-untyped-def]
    ws = WriterSettings.from_settings(Settings.load(None).replace(writer=writer))
    with pytest.raises(ConfigError, match="writer"):
        ws.check()
