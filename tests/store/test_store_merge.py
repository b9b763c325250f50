"""Speakers merged across articles: names, surnames, roles, context, alias files."""

from __future__ import annotations

import pytest

from takeaways.errors import ConfigError
from takeaways.store.merge import AliasRules, Occurrence, merge_speakers


def occ(doc: str, name: str, *, roles: tuple[str, ...] = (), count: int = 1,
        context: tuple[str, ...] = (), typ: str = "PERSON") -> Occurrence:
    return Occurrence(doc_id=doc, entity_id="e1", name=name, type=typ, roles=roles,
                      count=count, date=f"2016-01-{int(doc[1:]):02d}",
                      context=frozenset(context))


def groups_of(occs: list[Occurrence], **kw: object) -> list[set[str]]:
    return [{d for d, _ in g.members} for g in merge_speakers(occs, **kw)]  # type: ignore[arg-type]


def test_store_merge_peskov_three_ways_is_one_speaker_with_reasons() -> None:
    occs = [occ("d1", "Dmitry Peskov", roles=("Kremlin spokesman",)),
            occ("d2", "Peskov", roles=("the Kremlin spokesman",)),
            occ("d3", "Dmitry S. Peskov"), occ("d4", "Peskov")]
    [g] = merge_speakers(occs)
    assert g.name == "Dmitry Peskov" and g.count == 4
    assert (g.first, g.last) == ("2016-01-01", "2016-01-04")
    assert any("same first and last name" in w for w in g.why)
    assert sum("surname 'peskov'" in w for w in g.why) == 2


def test_store_merge_two_smiths_stay_apart_and_surnames_follow_roles() -> None:
    occs = [occ("d1", "John Smith", roles=("Sen.", "senator from Ohio")),
            occ("d2", "Jane Smith", roles=("farmer",)),
            occ("d3", "Smith", roles=("the senator",)),
            occ("d4", "Smith", roles=("a farmer in Iowa",))]
    assert sorted(groups_of(occs), key=min) == [{"d1", "d3"}, {"d2", "d4"}]


def test_store_merge_ambiguous_surname_stays_apart_and_says_why() -> None:
    occs = [occ("d1", "John Smith"), occ("d2", "Jane Smith"), occ("d3", "Smith")]
    merged = merge_speakers(occs)
    assert len(merged) == 3
    lone = next(g for g in merged if g.name == "Smith")
    assert "ambiguous surname" in lone.why[0]


def test_store_merge_context_and_frequency_pick_among_full_names() -> None:
    occs = [occ(f"d{i}", "Hillary Clinton", context=("bernie sanders",)) for i in range(1, 9)]
    occs += [occ("d9", "Bill Clinton", context=("monica lewinsky",)),
             occ("d10", "Clinton", context=("bernie sanders",))]
    merged = merge_speakers(occs)
    hillary = next(g for g in merged if g.name == "Hillary Clinton")
    assert ("d10", "e1") in hillary.members and len(merged) == 2


def test_store_merge_surname_only_people_join_unless_roles_conflict() -> None:
    occs = [occ("d1", "Smith", roles=("farmer",)), occ("d2", "Smith", roles=("farmer",)),
            occ("d3", "Smith", roles=("senator",))]
    assert sorted(groups_of(occs), key=min) == [{"d1", "d2"}, {"d3"}]


def test_store_merge_first_names_never_mix_through_an_initial() -> None:
    occs = [occ("d1", "John Smith"), occ("d2", "Jane Smith"), occ("d3", "J. Smith")]
    assert len(merge_speakers(occs)) == 2


def test_store_merge_organisations_join_on_the_name() -> None:
    occs = [occ("d1", "the Kremlin", typ="ORG"), occ("d2", "Kremlin", typ="ORG")]
    assert len(merge_speakers(occs)) == 1


def test_store_merge_alias_file_separates_and_merges() -> None:
    occs = [occ("d1", "Dmitry Peskov"), occ("d2", "Peskov"),
            occ("d3", "Bernie Sanders"), occ("d4", "Bernard Sanders")]
    assert len(merge_speakers(occs)) == 3
    rules = AliasRules.from_dict({"separate": {"Peskov": ["Dmitry Peskov"]},
                                  "merge": {"Bernard Sanders": "Bernie Sanders"}})
    assert sorted(groups_of(occs, rules=rules), key=min) == [{"d1"}, {"d2"}, {"d3", "d4"}]


def test_store_merge_alias_file_errors_name_the_file(tmp_path: object) -> None:
    with pytest.raises(ConfigError, match="unknown section"):
        AliasRules.from_dict({"mrege": {}}, source="aliases.toml")
    with pytest.raises(ConfigError, match="cannot read"):
        AliasRules.load("/nonexistent/aliases.toml")


# ------------------------------------------------------------------ step 0: name repair

def words(**shares: float):  # type: ignore[no-untyped-def]
    """A `WordShare` over a made-up corpus: token -> share written in lower case."""
    return lambda tokens: {t: shares[t] for t in tokens if t in shares}


def trumps(n: int = 3) -> list[Occurrence]:
    return [occ(f"d{i}", "Donald Trump", count=5) for i in range(1, n + 1)]


def group_of(merged: list, doc: str):  # type: ignore[no-untyped-def]
    return next(g for g in merged if any(d == doc for d, _ in g.members))


def test_store_merge_headline_fragment_joins_the_person_it_names() -> None:
    occs = [*trumps(), occ("d9", "Trump Says He Never")]
    merged = merge_speakers(occs, word_share=words(says=0.96, never=0.95))
    g = group_of(merged, "d9")
    assert g.name == "Donald Trump" and len(merged) == 1
    assert any(w.startswith("name repaired: 'Trump Says He Never'") and "says" in w
               for w in g.why)
    assert "Trump Says He Never" not in g.aliases
    # an alias file that names it undoes the repair
    rules = AliasRules.from_dict({"separate": {"Trump Says He Never": ["Donald Trump"]}})
    assert len(merge_speakers(occs, rules=rules,
                              word_share=words(says=0.96, never=0.95))) == 2
    # without the corpus evidence "says" and "never" may be names: it stays apart
    assert len(merge_speakers(occs)) == 2


def test_store_merge_lower_case_and_stop_words_need_no_corpus() -> None:
    occs = [*trumps(), occ("d8", "Trump v. Trump"), occ("d9", "Marco Rubio", count=4),
            occ("d10", "Weak - Rubio"), occ("d11", "Said Rubio")]
    merged = merge_speakers(occs, word_share=words(weak=0.97))
    assert group_of(merged, "d8").name == "Donald Trump"
    assert group_of(merged, "d10").name == group_of(merged, "d11").name == "Marco Rubio"
    assert len(merged) == 2


def test_store_merge_dateline_place_is_cut_from_an_organisation_name() -> None:
    occs = [*trumps(), occ("d9", "CLEVELAND - Donald Trump", typ="ORG")]
    merged = merge_speakers(occs, places=frozenset({"cleveland"}))
    assert len(merged) == 1 and merged[0].type == "PERSON"
    assert any("cleveland (a place)" in w for w in merged[0].why)
    # an organisation is never cut down to a bare surname
    assert len(merge_speakers([*trumps(), occ("d9", "Trump Addresses Munich Attack",
                                               typ="ORG")],
                              word_share=words(addresses=0.9, attack=0.9),
                              places=frozenset({"munich"}))) == 2


def test_store_merge_a_name_stays_a_name() -> None:
    shares = words(hope=0.91, foundation=0.9)
    hicks = [occ("d1", "Gregory Hicks", count=5), occ("d2", "Gregory Hicks", count=5)]
    # "said Hope Hicks" in the article's running text: a name, though "hope" is a word
    merged = merge_speakers([*hicks, occ("d3", "Hope Hicks")], word_share=shares,
                            in_prose=lambda pairs: set(pairs))
    assert len(merged) == 2
    # a token the store uses as an organisation's head ("Clinton Foundation") blocks it
    occs = [*trumps(), occ("d8", "Trump Foundation"),
            occ("d9", "Clinton Foundation", typ="ORG")]
    assert group_of(merge_speakers(occs, word_share=shares), "d8").name == "Trump Foundation"
    # a first name the corpus never writes in lower case is a name: Melania stays apart
    melania = merge_speakers([*trumps(), occ("d9", "Melania Trump")], word_share=shares)
    assert len(melania) == 2


def test_store_merge_repaired_surname_still_needs_the_surname_rule() -> None:
    occs = [occ("d1", "John Smith", roles=("Sen.", "senator")),
            occ("d2", "Jane Smith", roles=("farmer",)), occ("d3", "Smith Says")]
    merged = merge_speakers(occs, word_share=words(says=0.96))
    lone = group_of(merged, "d3")
    assert len(merged) == 3 and any("ambiguous surname" in w for w in lone.why)
    assert any(w.startswith("name repaired") for w in lone.why)


def test_store_merge_conflicting_middle_names_are_two_people() -> None:
    occs = [occ("d1", "George W. Bush"), occ("d2", "George H.W. Bush"),
            occ("d3", "George Bush"), occ("d4", "Donald J. Trump"), occ("d5", "Donald Trump"),
            occ("d6", "Donald John Trump")]
    merged = merge_speakers(occs)
    assert group_of(merged, "d1") is not group_of(merged, "d2")
    assert group_of(merged, "d4") is group_of(merged, "d5") is group_of(merged, "d6")
