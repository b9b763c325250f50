"""Countries are named by their other names, demonyms and places inside (data/places.txt)."""

from __future__ import annotations

from takeaways.auditing.signals.facts import place_names
from takeaways.lexicon import lexicon


def test_places_file_parses_into_country_forms_and_places() -> None:
    assert lexicon().places, "data/places.txt is empty"
    for forms, inside in lexicon().places:
        assert forms and all(f == f.lower() for f in (*forms, *inside))


def test_a_country_is_named_by_its_demonym_and_its_places() -> None:
    uk = place_names()["u k"]  # "U.K." normalised
    assert {"british", "london", "britain", "uk"} <= uk
    assert "paris" not in uk and "france" not in uk


def test_a_place_is_not_named_by_its_country() -> None:
    assert "london" not in place_names()  # "London" is never supported by "the U.K." alone
