"""``takeaways speakers STORE`` and ``takeaways said STORE NAME``: parse, query, print."""

from __future__ import annotations

import argparse
import sys

from takeaways.config import active
from takeaways.store.db import open_store
from takeaways.store.merge import AliasRules
from takeaways.store.query import said, speakers
from takeaways.store.render import render_said, render_speakers

__all__ = ["add_said_arguments", "add_speakers_arguments", "cmd_said", "cmd_speakers"]


def _common(p: argparse.ArgumentParser, formats: tuple[str, ...]) -> None:
    p.add_argument("store", metavar="STORE", help="a .duckdb quote store or a Parquet folder")
    p.add_argument("--format", "-f", choices=formats, default="text")
    p.add_argument("--aliases", default=None, metavar="FILE",
                   help="speaker alias file ([merge] / [separate]; default [store] aliases)")


def add_speakers_arguments(p: argparse.ArgumentParser) -> None:
    _common(p, ("text", "json"))


def add_said_arguments(p: argparse.ArgumentParser) -> None:
    _common(p, ("text", "json", "markdown", "csv"))
    p.add_argument("name", metavar="NAME", help="a speaker's name, surname or id")
    p.add_argument("--since", default=None, metavar="DATE", help="from this date (YYYY-MM-DD)")
    p.add_argument("--until", default=None, metavar="DATE", help="to this date (YYYY-MM-DD)")


def _rules(args: argparse.Namespace) -> AliasRules:
    return AliasRules.load(args.aliases or active().section("store").get("aliases") or None)


def cmd_speakers(args: argparse.Namespace) -> int:
    rules = _rules(args)
    with open_store(args.store) as store:
        groups = speakers(store, aliases=rules)
    print(render_speakers(groups, args.format))
    return 0


def cmd_said(args: argparse.Namespace) -> int:
    rules = _rules(args)
    with open_store(args.store) as store:
        rows = said(store, args.name, since=args.since, until=args.until, aliases=rules)
    print(render_said(rows, args.format))
    if not rows:
        print("takeaways: said: no quotes in that date range", file=sys.stderr)
    return 0
