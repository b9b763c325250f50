"""The training-only WordNet reader (`train/entail/wordnet.py`) on a tiny WNDB fixture."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

HERE = Path(__file__).resolve().parents[2] / "train" / "entail" / "wordnet.py"

# index: lemma pos n_synsets n_ptrs [ptrs] sense_cnt tagsense_cnt offsets (most frequent first)
INDEX_ADJ = """\
  1 licence header line
big a 1 1 & 1 0 00000001
huge a 1 1 & 1 0 00000003
large a 1 2 ! & 1 0 00000001
small a 1 1 ! 1 0 00000002
"""
# data: offset lex_filenum ss_type w_cnt (word lex_id)* p_cnt (sym offset pos src/tgt)* | gloss
DATA_ADJ = """\
  1 licence header line
00000001 00 a 02 large 0 big 0 001 ! 00000002 a 0101 | above average in size
00000002 00 a 01 small 0 001 ! 00000001 a 0101 | below average in size
00000003 00 s 01 huge 0 001 & 00000001 a 0000 | unusually great in size
"""
INDEX_VERB = "rise v 1 1 ! 1 0 00000010\nfall v 1 1 ! 1 0 00000011\n"
DATA_VERB = ("00000010 30 v 01 rise 0 001 ! 00000011 v 0101 | move upward\n"
             "00000011 30 v 01 fall 0 001 ! 00000010 v 0101 | move downward\n")


def _module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("train_wordnet", HERE)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture()
def wordnet(tmp_path: Path) -> object:
    files = {"index.adj": INDEX_ADJ, "data.adj": DATA_ADJ, "index.verb": INDEX_VERB,
             "data.verb": DATA_VERB}
    for name in ("index.noun", "data.noun", "index.adv", "data.adv"):
        files[name] = ""
    for name, text in files.items():
        (tmp_path / name).write_text(text, "utf-8")
    return _module().WordNet(tmp_path)


def test_direct_antonym_is_the_pointer_of_that_word(wordnet: object) -> None:
    assert wordnet.antonyms("rise", "v") == ["fall"]  # type: ignore[attr-defined]
    assert wordnet.antonyms("large", "a") == ["small"]  # type: ignore[attr-defined]
    # 'big' shares the synset, but the lexical pointer is from 'large' (word 1) only
    assert wordnet.antonyms("big", "a") == []  # type: ignore[attr-defined]


def test_satellite_takes_its_head_adjectives_antonyms(wordnet: object) -> None:
    assert wordnet.antonyms("huge", "a") == ["small"]  # type: ignore[attr-defined]


def test_unknown_lemma_has_none(wordnet: object) -> None:
    assert wordnet.antonyms("blue", "a") == []  # type: ignore[attr-defined]


def test_synonyms_of_the_most_frequent_sense(wordnet: object) -> None:
    assert wordnet.synonyms("large", "a") == ["big"]  # type: ignore[attr-defined]


def test_not_a_wordnet_folder_says_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="not a WordNet database folder"):
        _module().WordNet(tmp_path)
