"""Verdict logic, settings and registry (no models)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from takeaways import registry
from takeaways.auditing.registry import SIGNAL, lookup
from takeaways.auditing.settings import load_settings
from takeaways.auditing.signals.base import Finding
from takeaways.auditing.verdict import (
    decide,
    is_entailed,
    short_name,
    summary_features,
    summary_judgement,
    support_probability,
)
from takeaways.document import Span
from takeaways.errors import ConfigError


def _settings():  # type: ignore[no-untyped-def]
    return load_settings().with_weights({"bias": 0.0, "align.lex_best": 4.0}, 0.5)


def test_verdict_probability_follows_weights() -> None:
    w = {"bias": -2.0, "x.a": 4.0}
    assert support_probability({"x.a": 1.0}, w) > 0.8
    assert support_probability({"x.a": 0.0}, w) < 0.2
    assert support_probability({}, {"bias": 1000.0}) == pytest.approx(1.0)


def test_verdict_supported_above_threshold() -> None:
    j = decide({"align.lex_best": 1.0}, [], _settings())
    assert j.verdict == "supported" and j.error_types == [] and j.lead is None


def test_verdict_soft_findings_explain_a_failing_claim() -> None:
    f = Finding("audit.signal.entities.v1", "entity", "unsupported", "Never mentions X.",
                Span(0, 1, "X"))
    j = decide({"align.lex_best": -1.0}, [f], _settings())
    assert j.verdict == "unsupported" and j.error_types == ["entity"] and j.lead is f
    assert decide({"align.lex_best": 1.0}, [f], _settings()).verdict == "supported"


def test_verdict_failing_claim_without_findings_is_out_of_article() -> None:
    j = decide({"align.lex_best": -1.0}, [], _settings())
    assert j.verdict == "unsupported" and j.error_types == ["out-of-article"]


def test_verdict_hard_findings_win_by_severity() -> None:
    a = Finding("audit.signal.quote_verbatim.v1", "out-of-article", "unsupported", "a", hard=True)
    b = Finding("audit.signal.quote_context.v1", "discourse-link", "misattributed", "b", hard=True)
    j = decide({"align.lex_best": 1.0}, [a, b], _settings())
    assert j.verdict == "misattributed" and j.error_types == ["discourse-link"]
    assert j.support < 0.5


def test_verdict_short_names() -> None:
    assert short_name("audit.signal.novel_content.v1") == "novel_content"


def test_registry_unknown_name_is_a_config_error() -> None:
    import takeaways.auditing.signals  # noqa: F401

    with pytest.raises(ConfigError, match="registered"):
        lookup(SIGNAL, "audit.signal.nope.v1")
    with pytest.raises(ConfigError, match="audit.signal strategy"):
        lookup(SIGNAL, "keypoints.select.mmr.v2")  # registered, but not a signal


def test_settings_every_configured_signal_is_registered() -> None:
    import takeaways.auditing.signals  # noqa: F401

    s = load_settings()
    for name in (*s.signals, s.nli_signal):
        assert name in registry.names(SIGNAL)
    assert 0.0 < s.support_threshold < 1.0
    assert "audit.signal.quote_speaker.v1" in s.signals


def test_audit_exported_names() -> None:
    import takeaways.auditing as audit

    assert sorted(audit.__all__) == ["Audit", "AuditSettings", "ClaimAudit", "audit_summary",
                                     "load_settings"]


def _summary_settings():  # type: ignore[no-untyped-def]
    base = load_settings()
    return base.with_weights(base.weights, base.support_threshold,
                             ({"bias": 0.0, "claims.mean_logit": 1.0}, 0.5))


def test_summary_features_weigh_the_weakest_claims() -> None:
    f = summary_features([0.9, 0.2, 0.8], [False, False, True])
    assert f["claims.min_logit"] < f["claims.min2_logit"] < f["claims.mean_logit"]
    assert f["claims.confirmed"] == 1.0
    assert summary_features([0.5], [False])["claims.min_logit"] == pytest.approx(0.0)


def test_summary_one_claim_is_that_claim() -> None:
    st = _summary_settings()
    assert summary_judgement([0.9], [False], [True], st) == ("supported", 0.9)
    assert summary_judgement([0.2], [False], [False], st) == ("unsupported", 0.2)
    assert summary_judgement([], [], [], st) == ("no-claims", None)


def test_summary_one_weak_claim_does_not_fail_a_long_faithful_summary() -> None:
    st = _summary_settings()
    verdict, score = summary_judgement([0.95, 0.9, 0.92, 0.4], [False] * 4,
                                       [True, True, True, False], st)
    assert verdict == "supported" and score is not None and score > 0.5


def test_summary_one_confirmed_error_fails_it() -> None:
    st = _summary_settings()
    verdict, _ = summary_judgement([0.95, 0.9, 0.92, 0.95], [False, False, False, True],
                                   [True, True, True, False], st)
    assert verdict == "partly-supported"
    weak, _ = summary_judgement([0.1, 0.2], [False, False], [False, False], st)
    assert weak == "unsupported"


def test_summary_rule_all_claims_fails_on_any_failed_claim() -> None:
    st = replace(_summary_settings(), summary_rule="all-claims")
    verdict, score = summary_judgement([0.95, 0.9, 0.92, 0.4], [False] * 4,
                                       [True, True, True, False], st)
    assert verdict == "partly-supported" and score == pytest.approx(0.4)
    verdict, score = summary_judgement([0.2, 0.3], [False, False], [True, True], st)
    assert verdict == "supported"  # routes passed both: the claims' verdicts decide
    assert score == pytest.approx(st.support_threshold)  # the weakest claim's support


def test_summary_rule_either_passes_a_summary_whose_every_claim_is_supported() -> None:
    base = _summary_settings()
    either = replace(base, summary_rule="either")
    low = [0.05, 0.08, 0.1]  # abstractive claims, each passed by a route
    assert summary_judgement(low, [False] * 3, [True] * 3, base)[0] == "partly-supported"
    assert summary_judgement(low, [False] * 3, [True] * 3, either)[0] == "supported"
    # the model still forgives one weak claim of a long summary; a confirmed error fails it
    assert summary_judgement([0.95, 0.9, 0.92, 0.4], [False] * 4,
                             [True, True, True, False], either)[0] == "supported"
    assert summary_judgement(low, [False, True, False], [True, False, True],
                             either)[0] == "partly-supported"


def test_unknown_summary_rule_is_a_clear_error() -> None:
    from takeaways.auditing.settings import _build, raw_settings

    with pytest.raises(ConfigError, match="summary_rule must be one of model, either, all-claims"):
        _build({**raw_settings(), "summary_rule": "majority"})


def test_summary_settings_are_free_form_and_shipped() -> None:
    st = load_settings()
    assert 0.0 < st.summary_threshold < 1.0
    assert set(st.summary_weights) >= {"bias"}


def _novel(**kw: float) -> dict[str, float]:
    f = {"align.lex_best": 0.2, "novel_content.nouns": 0.0, "novel_content.verbs": 0.0,
         "novel_content.unsupported": 0.0, "novel_content.far": 0.0}
    f.update(kw)
    return f


def _soft_settings():  # type: ignore[no-untyped-def]
    return load_settings().with_weights(
        {"bias": 0.0, "align.lex_best": 1.0, "novel_content.nouns": -2.0}, 0.5)


def test_soft_word_never_fails_a_claim_alone() -> None:
    st = _soft_settings()
    near = _novel(**{"novel_content.nouns": 1.0, "novel_content.unsupported": 1.0})
    assert support_probability(near, st.weights) < 0.5
    assert decide(near, [], st).verdict == "supported"  # "worse" for "deteriorating"


def test_far_nouns_entities_and_figures_still_fail() -> None:
    st = _soft_settings()
    far = _novel(**{"novel_content.nouns": 1.0, "novel_content.unsupported": 1.0,
                    "novel_content.far": 1.0})  # "stalemate": close to nothing
    assert decide(far, [], st).verdict == "unsupported"
    named = _novel(**{"novel_content.nouns": 1.0, "novel_content.unsupported": 1.0,
                      "entities.missing": 1.0})
    assert decide(named, [], st).verdict == "unsupported"
    off = replace(st, soft_word_route=False)
    near = _novel(**{"novel_content.nouns": 1.0, "novel_content.unsupported": 1.0})
    assert decide(near, [], off).verdict == "unsupported"


# ------------------------------------------------------------------ the entailment route


def _route(cut: float = 0.6, on: bool = True):  # type: ignore[no-untyped-def]
    st = load_settings().with_weights({"bias": -2.0, "align.lex_best": 4.0}, 0.5)
    return replace(st, entail_route=on, entail_pass=cut)


def test_entailment_route_passes_an_entailed_claim_that_fails_lexically() -> None:
    features = {"align.lex_best": 0.0, "entail.entail": 0.8}
    assert decide({"align.lex_best": 0.0}, [], _route()).verdict == "unsupported"
    assert decide(features, [], _route()).verdict == "supported"
    assert is_entailed(features, _route())


@pytest.mark.parametrize("missing", ["entities.missing", "numbers.missing",
                                     "entities.off_evidence"])
def test_entailment_route_never_vouches_for_an_unknown_entity_or_figure(missing: str) -> None:
    features = {"align.lex_best": 0.0, "entail.entail": 0.99, missing: 1.0}
    assert not is_entailed(features, _route())
    assert decide(features, [], _route()).verdict == "unsupported"


def test_entailment_route_below_its_cut_or_switched_off_does_nothing() -> None:
    features = {"align.lex_best": 0.0, "entail.entail": 0.59}
    assert decide(features, [], _route(0.6)).verdict == "unsupported"
    on = {"align.lex_best": 0.0, "entail.entail": 0.9}
    assert decide(on, [], _route(0.6, on=False)).verdict == "unsupported"
    assert decide(on, [], _route(0.0)).verdict == "unsupported"  # 0: no cut fitted


def test_entailment_route_never_overrides_a_hard_finding() -> None:
    hard = Finding("audit.signal.quote_speaker.v1", "attribution", "misattributed", "x", hard=True)
    j = decide({"align.lex_best": 1.0, "entail.entail": 1.0}, [hard], _route())
    assert j.verdict == "misattributed" and j.confirmed


def test_shipped_settings_turn_the_route_on_with_a_fitted_cut() -> None:
    st = load_settings()
    assert st.entail_route and 0.0 < st.entail_pass < 1.0 and st.entail_route_on
    assert st.entail_precision in ("auto", "fp32", "bf16")


def test_summary_features_count_the_claims_not_supported() -> None:
    f = summary_features([0.2, 0.3, 0.9], [False] * 3, [True, False, True])
    assert f["claims.failed_frac"] == pytest.approx(1 / 3)
    assert "claims.failed_frac" not in summary_features([0.2, 0.3], [False, False])


def test_unknown_entail_precision_is_a_clear_error() -> None:
    from takeaways.auditing.entail import use_bf16
    from takeaways.auditing.settings import _build, raw_settings

    assert use_bf16("fp32") is False and use_bf16("bf16") is True
    with pytest.raises(ConfigError, match="entail_precision"):
        use_bf16("fp8")
    raw = raw_settings()
    with pytest.raises(ConfigError, match="entail_precision"):
        _build({**raw, "entail_precision": "fp8"})
    with pytest.raises(ConfigError, match="entail_pass"):
        _build({**raw, "entail_pass": 1.5})


def test_passing_routes_name_every_way_a_claim_passes() -> None:
    from takeaways.auditing.verdict import passing_routes

    st = replace(_settings(), paraphrase_similarity=0.7, entail_pass=0.6, entail_route=True)
    assert passing_routes({"align.lex_best": 1.0}, st) == ("probability",)
    para = {"align.lex_best": -1.0, "align.emb_max": 0.9}
    assert passing_routes(para, st) == ("paraphrase",)
    both = {**para, "entail.entail": 0.95}
    assert passing_routes(both, st) == ("paraphrase", "entailment")
    assert passing_routes({"align.lex_best": -1.0}, st) == ()


def test_a_summary_failed_despite_every_claim_supported_gets_a_note_saying_why() -> None:
    from takeaways.auditing.core import summary_verdict, weak_whole_note
    from takeaways.auditing.report import ClaimAudit

    st = load_settings()

    def claim(verdict: str, p: float) -> ClaimAudit:
        return ClaimAudit(f"Claim at {p}.", verdict, [], [], None, "", 0.5, p, probability=p)

    low = [claim("supported", 0.08), claim("supported", 0.1), claim("supported", 0.12)]
    verdict, score = summary_verdict(low, st)
    assert verdict == "partly-supported"
    note = weak_whole_note(low, verdict, score, st)
    assert note is not None and "Every claim is supported" in note
    assert 'summary_rule = "either"' in note and "[audit]" in note
    assert summary_verdict(low, replace(st, summary_rule="either"))[0] == "supported"
    # no note when a claim failed (its own reason says why), or for a single claim
    mixed = [claim("supported", 0.9), claim("unsupported", 0.1)]
    assert weak_whole_note(mixed, *summary_verdict(mixed, st), st) is None
    assert weak_whole_note(low[:1], "unsupported", 0.08, st) is None
