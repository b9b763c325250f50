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
