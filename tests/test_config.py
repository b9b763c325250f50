"""Settings: shipped defaults, user overrides, clear errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import takeaways
from takeaways.config import clear_cache, load_config, section
from takeaways.errors import ConfigError

P = ("The city council voted on Tuesday to approve a new budget for the coming year, after "
     "months of debate about how to pay for repairs to roads and schools. ")


@pytest.fixture()
def user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "config.toml"
    monkeypatch.setenv("TAKEAWAYS_CONFIG", str(path))
    clear_cache()
    yield path
    monkeypatch.delenv("TAKEAWAYS_CONFIG")
    clear_cache()


def test_config_defaults() -> None:
    assert section("limits")["max_input_bytes"] == 5_000_000
    assert section("read")["min_body_chars"] == 40
    assert section("no-such-section") == {}


def test_config_user_override_merges_by_key(user_config: Path) -> None:
    user_config.write_text("[read]\nmin_body_chars = 10\n", "utf-8")
    assert section("read")["min_body_chars"] == 10
    assert section("read")["min_english_stopword_ratio"] == 0.08  # untouched: the default


def test_config_limit_applies_to_read(user_config: Path) -> None:
    user_config.write_text("[limits]\nmax_input_bytes = 100\n", "utf-8")
    with pytest.raises(takeaways.LimitError, match="100-byte limit"):
        takeaways.read(P * 3)


def test_config_bad_toml_is_config_error(user_config: Path) -> None:
    user_config.write_text("[limits\nmax_input_bytes = ", "utf-8")
    with pytest.raises(ConfigError, match="TAKEAWAYS_CONFIG"):
        load_config()


def test_config_missing_file_is_config_error(user_config: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_config()


def test_config_section_is_a_copy() -> None:
    section("limits")["max_input_bytes"] = 1
    assert section("limits")["max_input_bytes"] == 5_000_000


def test_keypoint_settings_take_the_user_override(user_config: Path) -> None:
    from takeaways.keypoints.select import settings

    user_config.write_text("", "utf-8")
    assert settings()["min_words"] == 6
    user_config.write_text("[keypoints]\nmin_words = 99\n", "utf-8")
    clear_cache()
    cfg = settings()
    assert cfg["min_words"] == 99
    assert cfg["max_words"] == 60  # untouched keys keep their shipped value
    assert "weights" in cfg


def test_keypoint_user_override_changes_eligibility(user_config: Path) -> None:
    from takeaways.document import Sentence
    from takeaways.keypoints import _eligible

    text = "The council approved the new budget for roads and schools on Tuesday."
    sent = Sentence(0, 0, len(text), text, 0)
    user_config.write_text("", "utf-8")
    assert _eligible(sent, 0.0)
    user_config.write_text("[keypoints]\nmin_words = 99\n", "utf-8")
    clear_cache()
    assert not _eligible(sent, 0.0)


def test_keypoint_unknown_user_key_is_config_error(user_config: Path) -> None:
    from takeaways.keypoints.select import settings

    user_config.write_text("[keypoints]\nmin_wrods = 9\n", "utf-8")
    clear_cache()
    with pytest.raises(ConfigError, match=r"unknown key 'min_wrods' in \[keypoints\].*min_words"):
        settings()


def test_config_show_prints_effective_settings_as_toml(
    user_config: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    import tomllib

    from takeaways.cli import main

    user_config.write_text("[keypoints]\nmin_words = 99\n[audit]\nevidence_max = 2\n"
                           "[limits]\nmax_input_bytes = 1000\n", "utf-8")
    clear_cache()
    assert main(["config", "show"]) == 0
    shown = tomllib.loads(capsys.readouterr().out)
    assert shown["keypoints"]["min_words"] == 99
    assert shown["keypoints"]["max_words"] == 60
    assert shown["audit"]["evidence_max"] == 2
    assert shown["audit"]["weights"]["align.emb_max"] != 0
    assert shown["limits"]["max_input_bytes"] == 1000
    assert shown["models"]["spacy"][0] == "en_core_web_sm"


def test_config_path_lists_shipped_files_then_the_user_file(
    user_config: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    from takeaways.cli import main

    user_config.write_text("", "utf-8")
    assert main(["config", "path"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [Path(p).name for p in lines] == [
        "defaults.toml", "keypoints.toml", "audit.toml", "config.toml"]
    assert lines[-1] == str(user_config)
    assert all(Path(p).is_file() for p in lines)


@pytest.mark.parametrize("value", [0, -1.5, 2.5e-07, True, "a \"quoted\" \\ word", ["x", 1]])
def test_to_toml_round_trips(value: object) -> None:
    import tomllib

    from takeaways.config import to_toml

    cfg = {"top": value, "sec": {"k": value, "dotted.key": value, "sub": {"k": value}}}
    assert tomllib.loads(to_toml(cfg)) == cfg


@pytest.mark.parametrize(("toml", "section_name", "key", "value"), [
    ("[limits]\nmax_input_bytes = 1234\n", "limits", "max_input_bytes", 1234),
    ("[read]\nmin_body_chars = 12\n", "read", "min_body_chars", 12),
    ("[models]\ndevice = \"cpu\"\n", "models", "device", "cpu"),
    ("[keypoints]\nmmr_lambda = 0.5\n", "keypoints", "mmr_lambda", 0.5),
    ("[keypoints.weights]\nbias = 1.5\n", "keypoints", "weights", None),
    ("[audit]\nevidence_max = 2\n", "audit", "evidence_max", 2),
])
def test_every_section_takes_the_user_file_and_shows_it(
    user_config: Path, capsys: pytest.CaptureFixture[str], toml: str, section_name: str,
    key: str, value: object,
) -> None:
    import tomllib

    from takeaways.cli import main

    user_config.write_text(toml, "utf-8")
    clear_cache()
    got = section(section_name)[key]
    assert got == value if value is not None else got["bias"] == 1.5
    assert main(["config", "show"]) == 0
    shown = tomllib.loads(capsys.readouterr().out)[section_name][key]
    assert shown == got


@pytest.mark.parametrize(("toml", "message"), [
    ("[limit]\nmax_input_bytes = 1\n", r"unknown section \[limit\]; allowed: audit, keypoints"),
    ("[read]\nmin_body_char = 1\n", r"unknown key 'min_body_char' in \[read\].*min_body_chars"),
    ("[models]\nspacy = \"en\"\n", r"models.spacy must be a list"),
    ("[audit]\nevidence_max = \"3\"\n", r"audit.evidence_max must be a number"),
    ("[audit]\nweights = 3\n", r"audit.weights must be a table"),
])
def test_a_bad_user_file_names_the_file_the_key_and_what_is_allowed(
    user_config: Path, toml: str, message: str,
) -> None:
    user_config.write_text(toml, "utf-8")
    clear_cache()
    with pytest.raises(ConfigError, match=message) as info:
        section("limits")
    assert str(user_config) in str(info.value)


def test_the_user_file_changes_what_the_stages_do(user_config: Path) -> None:
    user_config.write_text("[read]\nmin_body_chars = 100000\n", "utf-8")
    clear_cache()
    with pytest.raises(takeaways.NoArticleError):
        takeaways.read(P * 3)


@pytest.mark.parametrize(("key", "value"), [
    ("max_article_chars", -1), ("max_input_bytes", -5), ("doc_timeout_s", -0.5),
    ("doc_timeout_s", float("nan")), ("max_summary_claims", -200),
])
def test_a_negative_limit_is_a_config_error_naming_the_key(key: str, value: float) -> None:
    from takeaways.config import Settings

    with pytest.raises(ConfigError, match=rf"limits\.{key} must be 0 or more"):
        Settings.load(None).replace(limits={key: value})


def test_a_zero_limit_is_allowed() -> None:
    from takeaways.config import Settings

    assert Settings.load(None).replace(limits={"max_article_chars": 0}).section(
        "limits")["max_article_chars"] == 0
