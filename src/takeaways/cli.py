"""Command-line interface: parse, call the `Pipeline`, render, exit. No logic of its own.

Errors print one line (``takeaways: error: …``) and exit 2; never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from takeaways.errors import TakeawaysError
from takeaways.render import FORMATS, render

EXIT_ERROR = 2


def _points(text: str) -> int:
    """``-n``: a whole number from 1 to `MAX_KEY_POINTS` (the rule of the API and the
    server too), checked before any model loads."""
    from takeaways.keypoints import MAX_KEY_POINTS

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    if value > MAX_KEY_POINTS:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_KEY_POINTS}, got {value}")
    return value


def _verbose_arg(p: argparse.ArgumentParser) -> None:
    """``-v`` before or after the subcommand (a subcommand's copy only sets it when given)."""
    p.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                   help="log progress to stderr")


def _input_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("input", help="a file path, '-' for stdin, or an http(s) URL")
    p.add_argument("--kind", choices=("html", "text", "plain"), help="force the input kind")
    p.add_argument("--format", "-f", choices=FORMATS, default="text", help="output format")
    p.add_argument("--max-bytes", type=int, default=None, help="input size limit (default 5 MB)")
    _verbose_arg(p)


def _source(arg: str) -> str | Path:
    """INPUT is a URL, ``-`` or a path; never page text (so a typo says 'file not found')."""
    if arg == "-" or re.match(r"^https?://", arg.strip(), re.I):
        return arg
    return Path(arg)


def _pipeline() -> Any:
    from takeaways.pipeline import default_pipeline

    return default_pipeline()


def _read(args: argparse.Namespace) -> Any:
    """The article of INPUT; its warnings (a non-English page...) go to stderr, once, in
    every command."""
    article = _pipeline().read(_source(args.input), kind=args.kind, max_bytes=args.max_bytes)
    for warning in article.warnings:
        print(f"takeaways: warning: {warning}", file=sys.stderr)
    return article


def cmd_read(args: argparse.Namespace) -> int:
    print(render(_read(args), args.format), end="")
    return 0


def _overridden(section: str, over: dict[str, Any]) -> Any:
    """The default pipeline, or one whose ``[section]`` settings ``over`` overrides."""
    if not over:
        return _pipeline()
    from takeaways.config import default_settings
    from takeaways.pipeline import Pipeline

    return Pipeline(default_settings().replace(**{section: over}))


def _writer_pipeline(args: argparse.Namespace) -> Any:
    """The default pipeline, or one whose ``[writer]`` the flags override (docs/writer.md)."""
    from takeaways.writer.settings import writer_overrides

    return _overridden("writer", writer_overrides(args))


def cmd_summarize(args: argparse.Namespace) -> int:
    pipeline = _writer_pipeline(args)
    article = _read(args)
    result = pipeline.key_points(article, n=args.n)
    if args.verify:
        pipeline.verify(result, article)
    print(render(result, args.format), end="")
    return 0


def cmd_quotes(args: argparse.Namespace) -> int:
    print(render(_pipeline().quotes(_read(args)), args.format), end="")
    return 0


_PATHLIKE = re.compile(r"^~|[/\\]|\.[A-Za-z][A-Za-z0-9]{0,4}$")


def _summary(args: argparse.Namespace) -> str | None:
    """SUMMARY is a file, ``-`` (stdin) or, when it looks like no path, literal text;
    ``--summary-text`` is always literal. A path-like SUMMARY that does not exist is an
    error: it is a mistyped file name, not a one-word claim."""
    from takeaways.errors import UsageError

    if args.summary is not None and args.summary_text is not None:
        raise UsageError("give the summary once: as SUMMARY (a file or '-') or as "
                         "--summary-text, not both.")
    if args.summary_text is not None:
        return str(args.summary_text)
    if args.summary is None:
        return None
    if args.summary == "-":
        return sys.stdin.read()
    path = Path(args.summary)
    if path.is_file():
        return path.read_text("utf-8")
    if path.exists() or (_PATHLIKE.search(args.summary) and not re.search(r"\s", args.summary)):
        raise UsageError(f"summary file not found: {args.summary}. Check the path, or pass "
                         "the summary itself with --summary-text.")
    return str(args.summary)


#: ``[audit] summary_rule``'s values (`takeaways.auditing.settings.SUMMARY_RULES`; kept
#: literal here so that building the parser imports no audit code)
SUMMARY_RULES = ("model", "either", "all-claims")


def _audit_pipeline(args: argparse.Namespace) -> Any:
    """The default pipeline, or one whose ``[audit] summary_rule`` ``--summary-rule`` sets."""
    rule = getattr(args, "summary_rule", None)
    return _overridden("audit", {"summary_rule": rule} if rule else {})


def cmd_audit(args: argparse.Namespace) -> int:
    summary = _summary(args)
    extra = {"nli_model": args.nli_model} if args.nli_model else {}
    report = _audit_pipeline(args).audit(_read(args), summary, **extra)
    print(render(report, args.format), end="")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from takeaways.server import serve

    options: dict[str, object] = {}
    if args.token:
        options["token"] = args.token
    if args.timeout is not None:
        options["request_timeout_s"] = args.timeout
    if args.quote_store:
        options["quote_store"] = args.quote_store
    serve(host=args.host, port=args.port, db=args.db, allow_fetch=args.allow_fetch,
          allowed_hosts=args.allowed_host, **options)
    return 0


def cmd_batch(args: argparse.Namespace) -> int:
    from takeaways.batch.cli import run_batch_cli

    return run_batch_cli(args)


def cmd_speakers(args: argparse.Namespace) -> int:
    from takeaways.store.cli import cmd_speakers as run

    return run(args)


def cmd_said(args: argparse.Namespace) -> int:
    from takeaways.store.cli import cmd_said as run

    return run(args)


def cmd_config(args: argparse.Namespace) -> int:
    from takeaways import config

    if args.action == "path":
        print("\n".join(config.files_read()))
        if config.user_config_path() is None:
            print("# no user file: set $TAKEAWAYS_CONFIG or create "
                  "~/.config/takeaways/config.toml", file=sys.stderr)
        return 0
    print(config.default_settings().to_toml(), end="")
    return 0


def _build_parser() -> argparse.ArgumentParser:
    from takeaways import __version__

    parser = argparse.ArgumentParser(
        prog="takeaways",
        description="Grounded key points, who-said-what and summary audits for news articles.",
    )
    parser.add_argument("--version", action="version", version=f"takeaways {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("read", help="read a page into a clean article")
    _input_args(p)
    p.set_defaults(func=cmd_read)

    p = sub.add_parser("summarize", help="numbered key points with evidence")
    _input_args(p)
    p.add_argument("-n", type=_points, default=4,
                   help="number of key points, 1 to 12 (default 4)")
    p.add_argument("--verify", action="store_true", help="audit the generated points")
    from takeaways.writer.settings import add_writer_arguments

    add_writer_arguments(p)
    p.set_defaults(func=cmd_summarize)

    p = sub.add_parser("config", help="the effective settings (show) or the files read (path)")
    p.add_argument("action", choices=("show", "path"))
    _verbose_arg(p)
    p.set_defaults(func=cmd_config)

    p = sub.add_parser("quotes", help="who said what")
    _input_args(p)
    p.set_defaults(func=cmd_quotes)

    p = sub.add_parser("audit", help="check a summary claim by claim against the article")
    _input_args(p)
    p.add_argument("summary", nargs="?",
                   help="a summary file, or '-' for stdin (default: the page's own summary box)")
    p.add_argument("--summary-text", default=None, metavar="TEXT",
                   help="the summary itself, as literal text")
    p.add_argument("--nli-model", default=None, help="local Hugging Face NLI model folder")
    p.add_argument("--summary-rule", choices=SUMMARY_RULES, default=None,
                   help="how a summary of several claims is judged: 'model' (the fitted summary "
                   "model, the default), 'either' (the model, or every claim supported) or "
                   "'all-claims'; overrides [audit] summary_rule (docs/audit.md)")
    p.set_defaults(func=cmd_audit)

    p = sub.add_parser("serve", help="run the HTTP API and web page")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this machine only; "
                   "0.0.0.0 for every interface)")
    p.add_argument("--port", type=int, default=8000, help="TCP port (default 8000)")
    _verbose_arg(p)
    p.add_argument("--db", default=None, help="SQLite path (default: per-user data dir)")
    p.add_argument("--allow-fetch", action="store_true", help="allow fetching public URLs")
    p.add_argument("--allowed-host", action="append", default=[], metavar="NAME",
                   help="a host name clients may use (repeatable; default: the bind address "
                   "and localhost; '*' for any)")
    p.add_argument("--token", default=None,
                   help="API token required for writes and deletes (default: $TAKEAWAYS_TOKEN)")
    p.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                   help="time limit per analysis; past it the work is stopped (default 60)")
    p.add_argument("--quote-store", default=None, metavar="PATH",
                   help="a quote store (batch --store) for the speaker pages at /speakers")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("batch", help="process corpora: directories, JSONL, WARC")
    _add_batch_args(p)
    _verbose_arg(p)
    p.set_defaults(func=cmd_batch)
    _add_store_commands(sub)
    return parser


def _add_store_commands(sub: Any) -> None:
    from takeaways.store.cli import add_said_arguments, add_speakers_arguments

    p = sub.add_parser("speakers", help="the speakers of a quote store (batch --store)")
    add_speakers_arguments(p)
    _verbose_arg(p)
    p.set_defaults(func=cmd_speakers)
    p = sub.add_parser("said", help="what one speaker said across a quote store, by date")
    add_said_arguments(p)
    _verbose_arg(p)
    p.set_defaults(func=cmd_said)


def _add_batch_args(p: argparse.ArgumentParser) -> None:
    try:
        from takeaways.batch.cli import add_batch_arguments
    except ImportError:  # pragma: no cover - batch module always ships
        return
    add_batch_arguments(p)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="takeaways: %(levelname)s: %(message)s",
    )
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except TakeawaysError as exc:
        print(f"takeaways: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("takeaways: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except (OSError, UnicodeError, ValueError, RecursionError, MemoryError) as exc:
        print(f"takeaways: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
