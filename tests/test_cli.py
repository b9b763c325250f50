"""`takeaways read` and `--version`, through the real entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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


@pytest.mark.parametrize("n, says", [("0", "must be at least 1, got 0"),
                                     ("13", "must be at most 12, got 13"),
                                     ("100", "must be at most 12, got 100")])
def test_cli_n_out_of_range_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], n: str, says: str
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["summarize", "-", "-n", n])
    assert exc.value.code == 2 and f"-n: {says}" in capsys.readouterr().err


def test_api_n_over_the_cap_is_a_usage_error() -> None:
    """One rule everywhere: the API refuses what the CLI and the server refuse."""
    from takeaways.keypoints import MAX_KEY_POINTS
    from takeaways.server.services import AnalyzeRequest

    with pytest.raises(takeaways.UsageError, match="n must be at most 12"):
        takeaways.key_points("not even read", n=13)
    assert MAX_KEY_POINTS == 12
    assert AnalyzeRequest.model_json_schema()["properties"]["n"]["maximum"] == MAX_KEY_POINTS


@pytest.mark.parametrize("arg", ["summary.txt", "notes/summary", "~/summary.md"])
def test_cli_audit_missing_summary_file_is_an_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, arg: str
) -> None:
    from tests.conftest import SEED

    monkeypatch.setattr("takeaways.cli._pipeline", _no_pipeline)  # nothing may load
    assert main(["audit", str(SEED), arg]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"takeaways: error: summary file not found: {arg}.")
    assert "--summary-text" in err


def _no_pipeline() -> None:
    raise AssertionError("the pipeline was built before the arguments were checked")


class _Recorder:
    """A pipeline that records what it was asked (no models)."""

    def __init__(self, warnings: tuple[str, ...] = ()) -> None:
        self.summary: object = "unset"
        self.warnings = list(warnings)

    def read(self, source: object, **_: object) -> object:
        import types

        return types.SimpleNamespace(warnings=self.warnings)

    def audit(self, _article: object, summary: object, **_: object) -> object:
        self.summary = summary
        return _Dict()

    def key_points(self, _article: object, **_: object) -> object:
        return _Dict()

    def quotes(self, _article: object) -> object:
        return _Dict()


class _Dict:
    def to_dict(self) -> dict[str, object]:
        return {}


def test_cli_audit_summary_sources(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    rec = _Recorder()
    monkeypatch.setattr("takeaways.cli._pipeline", lambda: rec)
    file = tmp_path / "summary.txt"
    file.write_text("From a file.", "utf-8")
    for argv, want in (([str(file)], "From a file."),
                       (["--summary-text", "summary.txt"], "summary.txt"),
                       (["Putin made a proposal in Astana."], "Putin made a proposal in Astana."),
                       ([], None)):
        assert main(["audit", "page.txt", *argv, "-f", "json"]) == 0, argv
        assert rec.summary == want, argv
    assert main(["audit", "page.txt", str(file), "--summary-text", "x"]) == 2
    assert "not both" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["read", "summarize", "quotes", "audit"])
def test_cli_article_warnings_go_to_stderr_once_in_every_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    import takeaways.cli as cli

    rec = _Recorder(("the article may not be English; results may be poor.",))
    monkeypatch.setattr(cli, "_pipeline", lambda: rec)
    monkeypatch.setattr(cli, "render", lambda *_: "")
    assert main([command, "page.txt"]) == 0
    err = capsys.readouterr().err
    assert err == "takeaways: warning: the article may not be English; results may be poor.\n"


def test_cli_verbose_before_or_after_the_subcommand() -> None:
    from takeaways.cli import _build_parser

    parser = _build_parser()
    assert parser.parse_args(["-v", "read", "x"]).verbose is True
    assert parser.parse_args(["read", "x", "-v"]).verbose is True
    assert parser.parse_args(["read", "x"]).verbose is False
    assert parser.parse_args(["serve", "--verbose"]).verbose is True


def test_cli_serve_help_explains_host_and_port(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "--host HOST address to listen on" in out and "--port PORT TCP port" in out


def test_cli_pdf_says_pdf_is_not_supported(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    pdf = tmp_path / "page.pdf"
    pdf.write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n")
    assert main(["read", str(pdf)]) == 2
    assert "PDF is not supported" in capsys.readouterr().err


def test_cli_audit_markdown_has_no_stray_quote_marker(seed_article) -> None:  # type: ignore[no-untyped-def]
    from takeaways.auditing.report import Audit, ClaimAudit
    from takeaways.document import Span

    s = seed_article.sentences[0]
    claim = ClaimAudit("A claim.", "supported", [], [Span(s.start, s.end, s.text)], None,
                       "found", 0.9, 0.9)
    md = Audit(seed_article, [claim], "supported", 0.9, "given").to_markdown()
    assert f"   - Evidence: \u201c{s.text}\u201d" in md and "> " not in md


def test_cli_audit_summary_rule_flag_overrides_the_setting(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import takeaways.cli as cli
    from takeaways.auditing.settings import SUMMARY_RULES, load_settings

    assert cli.SUMMARY_RULES == SUMMARY_RULES  # the parser's literal copy stays in step
    parser = cli._build_parser()
    args = parser.parse_args(["audit", "page.txt", "--summary-rule", "either"])
    pipeline = cli._audit_pipeline(args)
    assert load_settings(pipeline.settings).summary_rule == "either"
    sentinel = object()
    monkeypatch.setattr(cli, "_pipeline", lambda: sentinel)
    assert cli._audit_pipeline(parser.parse_args(["audit", "page.txt"])) is sentinel
    with pytest.raises(SystemExit):
        parser.parse_args(["audit", "page.txt", "--summary-rule", "majority"])
