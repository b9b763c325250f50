"""`takeaways read` and `--version`, through the real entry point."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import takeaways
from takeaways.cli import main
from takeaways.schema import validate


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "takeaways", *args], capture_output=True,
                          text=True, timeout=120)


def test_cli_version() -> None:
    proc = _run("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"takeaways {takeaways.__version__}"


@pytest.fixture(scope="module")
def seed_json() -> dict[str, object]:
    from tests.conftest import SEED

    proc = _run("read", str(SEED), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    data: dict[str, object] = json.loads(proc.stdout)
    return data


def test_cli_read_json_is_article_dict(seed_json: dict[str, object], seed_article) -> None:  # type: ignore[no-untyped-def]
    validate(seed_json, "article")
    assert seed_json == json.loads(json.dumps(seed_article.to_dict()))


def test_cli_read_markdown(capsys: pytest.CaptureFixture[str], seed_article) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import SEED

    assert main(["read", str(SEED), "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("*Meeting of autocrats in Astana*\n")
    assert "# Putin reiterates willingness to negotiate\n" in out
    assert "## Zelenskyy calls for Russian troop withdrawal\n" in out
    assert "## Summary found on the page\n" in out
    assert "4. During the SCO summit in Astana" in out
    assert seed_article.paragraphs[0].text in out


def test_cli_read_text(capsys: pytest.CaptureFixture[str], seed_article) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import SEED

    assert main(["read", str(SEED)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Meeting of autocrats in Astana\nPutin reiterates willingness")
    assert seed_article.text in out


def test_cli_read_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                        seed_text: str) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(seed_text.encode())))
    assert main(["read", "-", "--format", "json"]) == 0
    title = json.loads(capsys.readouterr().out)["title"]
    assert title == "Putin reiterates willingness to negotiate"


def test_cli_read_kind_plain(capsys: pytest.CaptureFixture[str], seed_text: str) -> None:
    from tests.conftest import SEED

    assert main(["read", str(SEED), "--kind", "plain", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["text"] == seed_text


def test_cli_read_error_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["read", "no-such-file"]) == 2
    err = capsys.readouterr().err
    assert err == "takeaways: error: file not found: no-such-file. Check the path, or pass '-' " \
                  "to read stdin.\n"


def test_cli_bad_option_exits_2() -> None:
    proc = _run("read", "x.txt", "--format", "pdf")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr


def test_cli_n_zero_is_a_usage_error_before_loading(capsys: pytest.CaptureFixture[str]) -> None:
    from takeaways.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["summarize", "-", "-n", "0"])
    assert exc.value.code == 2
    assert "-n: must be at least 1, got 0" in capsys.readouterr().err


def test_api_n_zero_is_a_usage_error() -> None:
    import takeaways

    with pytest.raises(takeaways.UsageError, match="n must be at least 1"):
        takeaways.key_points("not even read", n=0)
