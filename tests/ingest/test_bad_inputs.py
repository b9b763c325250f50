"""Hostile inputs: each gives a clear `TakeawaysError` subclass or a valid `Article`, fast.

Small cases live in ``tests/golden/bad_inputs/``; big ones are generated here so the
repository stays small. A SIGALRM guard fails a case after 10 s (a hang bound, not a
benchmark), and ``faulthandler`` kills the run with a traceback if C code ever ignores it.

``python tests/ingest/test_bad_inputs.py`` prints the case → outcome → time table.
"""

from __future__ import annotations

import faulthandler
import gzip
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import takeaways
from takeaways.document import Article
from takeaways.errors import (
    BinaryInputError,
    EmptyInputError,
    InputError,
    LimitError,
    NoArticleError,
    TakeawaysError,
)

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "bad_inputs"
HANG_BOUND_S = 10
OK, WARN = "ok", "ok+warning"  # a valid article; the same with a non-English warning

_PARA = (
    "The city council voted on Tuesday to approve a new budget for the coming year, "
    "after months of debate about how to pay for repairs to roads and schools. "
)


@dataclass(frozen=True)
class Case:
    id: str
    source: Callable[[], Any]  # what to pass to takeaways.read
    expect: type[TakeawaysError] | str
    kwargs: dict[str, Any] = field(default_factory=dict)
    check: Callable[[Article], object] | None = None  # extra checks on an OK article
    says: str | None = None  # a phrase the error message must contain


_GOLDEN_USED: set[str] = set()


def _file(name: str) -> Callable[[], Path]:
    _GOLDEN_USED.add(name)
    return lambda: GOLDEN / name


# ---- generated big inputs ------------------------------------------------------------


def _nested_divs(target: int) -> bytes:
    inner = "<div><p>" + _PARA * 3 + "</p>"
    n = (target - 200) // (len(inner) + len("</div>"))
    head = "<!doctype html><html><head><title>Deep</title></head><body>"
    return (head + inner * n + "</div>" * n + "</body></html>").encode()


def _deep_divs(depth: int) -> bytes:
    return ("<html><body>" + "<div>" * depth + "<p>" + _PARA * 3 + "</p>" + "</div>" * depth
            + "</body></html>").encode()


def _words(n: int, punct: bool) -> bytes:
    rnd = random.Random(n)
    words = _PARA.split() if punct else [w.strip(",.") for w in _PARA.split()]
    return (" ".join(rnd.choice(words) for _ in range(n)) + ".").encode()


def _huge_attribute() -> bytes:
    return ("<!doctype html><html><head><title>Attrs</title></head><body><article><h1>Attrs</h1>"
            f"<p data-x='{'x' * 200_000}'>{_PARA * 3}</p><p>{_PARA * 2}</p></article></body></html>"
            ).encode()


# ---- extra checks on OK articles -----------------------------------------------------


def _contains(*snippets: str) -> Callable[[Article], None]:
    def check(article: Article) -> None:
        for s in snippets:
            assert s in article.text or s == article.title, (s, article.title, article.text[:200])

    return check


def _no_chars(chars: str) -> Callable[[Article], None]:
    def check(article: Article) -> None:
        bad = {c for c in chars if c in article.text or c in (article.title or "")}
        assert not bad, bad

    return check


def _title(title: str) -> Callable[[Article], None]:
    def check(article: Article) -> None:
        assert article.title == title

    return check


def _min_sentences(n: int) -> Callable[[Article], None]:
    def check(article: Article) -> None:
        assert len(article.sentences) >= n, len(article.sentences)

    return check


CONTROLS = "".join(chr(c) for c in (*range(0, 9), 11, 12, *range(14, 32), 127))

CASES: list[Case] = [
    # empty / binary / compressed
    Case("empty", _file("empty.txt"), EmptyInputError, says="empty"),
    Case("whitespace_only", _file("whitespace_only.txt"), EmptyInputError, says="empty"),
    Case("empty_string", lambda: "", EmptyInputError),
    Case("whitespace_bytes", lambda: b" \n\t\r\n  ", EmptyInputError),
    Case("binary_png", _file("binary.png"), BinaryInputError, says="binary"),
    Case("nul_early", _file("nul_early.txt"), BinaryInputError, says="binary"),
    Case("nul_in_str", lambda: "Budget\x00vote " + _PARA, BinaryInputError, says="NUL"),
    Case("nul_middle", _file("nul_middle.txt"), OK, check=_no_chars("\x00")),
    Case("truncated_gzip", _file("truncated.txt.gz"), InputError, says="truncated"),
    Case("not_gzip_after_magic", _file("not_gzip_after_magic.gz"), InputError, says="gzip"),
    Case("gzip_bomb", lambda: gzip.compress(b" " * 50_000_000), LimitError, says="--max-bytes"),
    Case("gzip_ok", lambda: gzip.compress(("Budget\n\n" + _PARA * 3).encode()), OK),
    # no article
    Case("script_only_html", _file("script_only.html"), NoArticleError, says="script"),
    Case("headline_only_html", _file("headline_only.html"), NoArticleError, says="headline"),
    Case("headline_only_text", _file("headline_only.txt"), NoArticleError, says="headline"),
    Case("html_no_body", _file("html_no_body.html"), NoArticleError, says="no article"),
    Case("tables_only_html", _file("tables_only.html"), NoArticleError, says="no article"),
    Case("links_only_html", _file("links_only.html"), NoArticleError, says="index page"),
    Case("chrome_only_text", _file("chrome_only.txt"), NoArticleError),
    Case("list_only_text", _file("list_only.txt"), NoArticleError),
    Case("md_headings_only", _file("markdown_headings_only.txt"), NoArticleError),
    Case("single_word", _file("single_word.txt"), NoArticleError),
    Case("deep_divs_5000", lambda: _deep_divs(5000), NoArticleError, says="no article"),
    Case("many_short_lines", lambda: "\n".join(f"Line {i}" for i in range(50_000)),
         NoArticleError),
    # encodings
    Case("latin1", _file("latin1.txt"), OK, check=_contains("Café société", "garçon")),
    Case("cp1252", _file("cp1252.txt"), OK, check=_contains("“We will rebuild,”", "€5")),
    Case("utf16_bom", _file("utf16_bom.txt"), OK, check=_title("Budget approved")),
    Case("utf8_bom", _file("utf8_bom.txt"), OK, check=_title("Budget approved")),
    Case("meta_charset_1252_html", _file("meta_charset_1252.html"), OK,
         check=_contains("“We will rebuild,”")),
    Case("mixed_encodings", _file("mixed_encodings.txt"), OK, check=_contains("Budget vote")),
    Case("html_entities", _file("html_entities.html"), OK,
         check=_contains("“We will rebuild,”")),
    # scripts and languages
    Case("arabic_rtl", _file("arabic_rtl.txt"), WARN),
    Case("hebrew_rtl_html", _file("hebrew_rtl.html"), WARN),
    Case("mixed_rtl_ltr", _file("mixed_rtl_ltr.txt"), OK, check=_contains("שלום עולם")),
    Case("german", _file("german.txt"), WARN),
    Case("emoji", _file("emoji.txt"), OK, check=_contains("\U0001F468\u200d\U0001F469")),
    Case("zero_width", _file("zero_width.txt"), OK,
         check=lambda a: (_title("Budget vo\u200cte")(a), _no_chars("\u200b\ufeff\u2060")(a))),
    # odd characters and layout
    Case("unbalanced_quotes", _file("unbalanced_quotes.txt"), OK, check=_min_sentences(5)),
    Case("control_chars", _file("control_chars.txt"), OK, check=_no_chars(CONTROLS)),
    Case("crlf", _file("crlf.txt"), OK, check=lambda a: (_no_chars("\r")(a),
                                                          _title("Budget vote")(a))),
    Case("cr_only", _file("cr_only.txt"), OK, check=_no_chars("\r")),
    Case("punctuation_only", _file("punctuation_only.txt"), OK),
    Case("numbers_only", _file("numbers_only.txt"), OK),
    Case("malformed_html", _file("malformed.html"), OK),
    Case("deeply_nested_lists", _file("deeply_nested_lists.html"), OK),
    Case("huge_attribute_html", _huge_attribute, OK),
    Case("words_20000_one_paragraph", lambda: _words(20_000, punct=True), OK,
         check=_min_sentences(100)),
    Case("words_20000_no_punctuation", lambda: _words(20_000, punct=False), OK),
    Case("huge_line_1mb_no_spaces", lambda: b"a" * 1_000_000, OK),
    Case("duplicate_paragraphs", lambda: "\n\n".join([_PARA * 2] * 5000), OK,
         check=lambda a: len(a.paragraphs) == 1 or pytest.fail("duplicates kept")),
    # size limits
    Case("nested_divs_4_9mb", lambda: _nested_divs(4_900_000), OK),
    Case("nested_divs_5mib_default_limit", lambda: _nested_divs(5 * 1024 * 1024), LimitError,
         says="5,000,000-byte limit"),
    Case("over_limit_str", lambda: "word " * 1_100_000, LimitError, says="--max-bytes"),
    Case("over_custom_limit", lambda: (_PARA * 10).encode(), LimitError, {"max_bytes": 100},
         says="100-byte limit"),
    # API misuse
    Case("unknown_kind", lambda: _PARA, InputError, {"kind": "pdf"}, says="'html', 'text'"),
    Case("missing_file", lambda: Path("/nonexistent/dir/page.html"), InputError,
         says="file not found"),
    Case("directory", lambda: GOLDEN, InputError, says="directory"),
]


class HangError(Exception):
    pass


@contextmanager
def _hang_guard(seconds: int) -> Iterator[None]:
    def on_alarm(signum: int, frame: object) -> None:
        raise HangError(f"no result within {seconds} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    faulthandler.dump_traceback_later(seconds * 6, exit=True)  # if C code ignores SIGALRM
    try:
        yield
    finally:
        signal.alarm(0)
        faulthandler.cancel_dump_traceback_later()
        signal.signal(signal.SIGALRM, previous)


def run_case(case: Case) -> tuple[Article | TakeawaysError, float]:
    """Read one case under the hang guard; returns the article or the library's error."""
    source = case.source()
    t0 = time.monotonic()
    with _hang_guard(HANG_BOUND_S):
        try:
            result: Article | TakeawaysError = takeaways.read(source, **case.kwargs)
        except TakeawaysError as exc:
            result = exc
    return result, time.monotonic() - t0


@pytest.fixture(scope="module", autouse=True)
def _warm_model() -> None:
    """Load spaCy before the clock starts: the hang bound is about the reader, not the load."""
    from takeaways.nlp.models import get_nlp

    get_nlp()


def test_bad_inputs_corpus_is_big_enough() -> None:
    assert len(CASES) >= 30
    assert len({c.id for c in CASES}) == len(CASES)
    on_disk = {f.name for f in GOLDEN.iterdir() if f.is_file()}  # hostile/: see tests/
    assert on_disk == _GOLDEN_USED, f"golden files without a case: {on_disk - _GOLDEN_USED}"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_inputs_clear_error_or_valid_article(case: Case) -> None:
    from tests.ingest.ingest_checks import assert_article_valid

    result, _ = run_case(case)
    if isinstance(case.expect, str):
        if not isinstance(result, Article):
            pytest.fail(f"expected an article, got {type(result).__name__}: {result}")
        assert_article_valid(result)
        warned = any("English" in w for w in result.warnings)
        assert warned == (case.expect == WARN), result.warnings
        if case.check is not None:
            case.check(result)
        return
    if isinstance(result, Article):
        pytest.fail(f"expected {case.expect.__name__}, got an article: {result.text[:200]!r}")
    assert isinstance(result, case.expect), f"expected {case.expect.__name__}, got {result!r}"
    message = str(result)
    assert len(message) > 25 and "\n" not in message, message
    if case.says:
        assert case.says in message, message


def test_bad_inputs_ok_articles_match_schema() -> None:
    from takeaways.schema import validate

    for case in CASES:
        if case.expect in (OK, WARN) and case.id in {"emoji", "german", "crlf", "html_entities"}:
            result, _ = run_case(case)
            assert isinstance(result, Article)
            validate(result.to_dict(), "article")


# ---- the same inputs through the CLI -------------------------------------------------


def _cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "takeaways", "read", *args],
        input=stdin.decode() if stdin is not None else None,
        capture_output=True, text=True, timeout=120, cwd=GOLDEN,
    )


def _assert_one_error_line(proc: subprocess.CompletedProcess[str], says: str) -> None:
    assert proc.returncode != 0, f"exit 0; stdout starts {proc.stdout[:200]!r}"
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("takeaways: error: "), lines[0]
    assert says in lines[0], lines[0]
    assert proc.stdout == ""


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("missing.html",), "file not found"),
        (("empty.txt",), "empty"),
        (("binary.png",), "binary"),
        (("truncated.txt.gz",), "truncated"),
        (("script_only.html",), "no article found"),
        (("headline_only.txt",), "headline without a story"),
        (("--max-bytes", "100", "german.txt"), "100-byte limit"),
        ((".",), "directory"),
    ],
    ids=["missing", "empty", "binary", "truncated_gzip", "no_article_html", "no_article_text",
         "over_limit", "directory"],
)
def test_cli_read_bad_input_one_error_line(args: tuple[str, ...], says: str) -> None:
    _assert_one_error_line(_cli(*args), says)


def test_cli_read_empty_stdin() -> None:
    _assert_one_error_line(_cli("-", stdin=b"  \n"), "empty")


def test_cli_read_non_english_warns_and_succeeds() -> None:
    proc = _cli("german.txt", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("takeaways: warning: "), proc.stderr
    assert "English" in lines[0]
    assert '"Haushalt beschlossen"' in proc.stdout


def _table() -> None:  # pragma: no cover - a report helper, not a test
    from takeaways.nlp.models import get_nlp

    get_nlp()
    print("| case | input size | outcome | time (s) |\n|---|---:|---|---:|")
    for case in CASES:
        src = case.source()
        size = "-"
        if isinstance(src, bytes | str):
            size = f"{len(src):,}"
        elif src.is_file():
            size = f"{src.stat().st_size:,}"
        result, dt = run_case(case)
        outcome = "ok" if isinstance(result, Article) else type(result).__name__
        if isinstance(result, Article) and result.warnings:
            outcome += " + warning"
        print(f"| {case.id} | {size} | {outcome} | {dt:.2f} |")


if __name__ == "__main__":  # pragma: no cover
    _table()
