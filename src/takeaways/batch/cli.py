"""Placeholder: the batch CLI (issue 7) replaces this module."""

from __future__ import annotations

import argparse

from takeaways.errors import TakeawaysError


def add_batch_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("inputs", nargs="+")
    p.add_argument("--out", required=True)


def run_batch_cli(args: argparse.Namespace) -> int:
    raise TakeawaysError("batch runs are not implemented yet.")
