"""The one data loader of ``bench/``: every script takes ``--data DIR``, a folder in the
``shared/data`` layout (see its README), and reads it through this module.

* :func:`add_data_argument` adds ``--data DIR`` (default :data:`DEFAULT_DATA_DIR`,
  resolved from this file, so it works from any working directory);
* :data:`FILES` names each dataset file inside that folder; :func:`data_file` gives
  its path and :func:`records` its JSON records, filtered by field values and limited;
* typed loaders for what the scripts share: :func:`load_article_extraction`,
  :func:`load_trafilatura_eval`, :func:`load_pasted_text`, :func:`cnndm_articles`.

Nothing here filters on ``split``: the holdout folder has the same names and fields,
so a script scores whatever folder it is given (pass ``split="dev"`` to keep dev only).
"""

from __future__ import annotations

import argparse
import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: ``shared/data`` next to the repository (``<repo>/../shared/data``)
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data"

#: dataset name -> its JSON-lines file inside the data folder
FILES: dict[str, str] = {
    "aeb": "article_extraction_benchmark/pages.jsonl",
    "trafilatura_eval": "trafilatura_eval_en/evaldata.jsonl",
    "pasted_text": "pasted_text/pasted_text.jsonl.gz",
    "frank": "frank/frank.jsonl.gz",
    "cnndm": "frank/cnndm_articles.jsonl.gz",
    "xsum": "frank/xsum_articles.jsonl.gz",
    "qags": "qags/qags.jsonl.gz",
    "summeval": "summeval_subset/summeval_subset.jsonl.gz",
    "aggrefact": "aggrefact_unified/aggrefact_unified.jsonl.gz",
    "polnear": "polnear/polnear.jsonl.gz",
}

# --------------------------------------------------------------------------
# --data DIR
# --------------------------------------------------------------------------


def data_dir(value: str | Path) -> Path:
    """``--data`` as a folder; an ``argparse`` type, so a file or a missing folder is a
    usage error that says what to pass instead."""
    path = Path(value)
    if path.is_file():
        raise argparse.ArgumentTypeError(
            f"{path} is a file; --data takes the data folder (the shared/data layout, "
            f"e.g. {DEFAULT_DATA_DIR}), and each script finds its files inside it"
        )
    if not path.is_dir():
        raise argparse.ArgumentTypeError(
            f"{path} is not a folder; --data takes the data folder (the shared/data layout, "
            f"e.g. {DEFAULT_DATA_DIR})"
        )
    return path


def add_data_argument(parser: argparse.ArgumentParser) -> None:
    """``--data DIR`` with the repo-relative default."""
    parser.add_argument(
        "--data",
        type=data_dir,
        default=DEFAULT_DATA_DIR,
        metavar="DIR",
        help="data folder in the shared/data layout (default: %(default)s)",
    )


def data_file(data: Path, name: str) -> Path:
    """The file of dataset ``name`` (a key of :data:`FILES`) inside ``data``."""
    if name not in FILES:
        raise KeyError(f"unknown dataset {name!r}; choose from {', '.join(FILES)}")
    return data / FILES[name]


# --------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------


def open_text(path: Path) -> Any:
    """Open a text file for reading, transparently un-gzipping ``*.gz``."""
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open("r", encoding="utf-8")


def iter_jsonl(path: Path, limit: int | None = None) -> Iterator[dict[str, Any]]:
    """Records of a ``.jsonl`` or ``.jsonl.gz`` file (first ``limit`` only); blank lines
    are skipped."""
    with open_text(path) as fh:
        count = 0
        for line in fh:
            if not line.strip():
                continue
            if limit is not None and count >= limit:
                return
            yield json.loads(line)
            count += 1


def load_jsonl(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    return list(iter_jsonl(path, limit))


def records(
    data: Path, name: str, *, limit: int | None = None, **match: Any
) -> Iterator[dict[str, Any]]:
    """The records of dataset ``name`` in file order whose fields equal ``match``
    (``split="dev"``, ``compartment="train"``), the first ``limit`` of those."""
    count = 0
    for rec in iter_jsonl(data_file(data, name)):
        if limit is not None and count >= limit:
            return
        if all(rec.get(k) == v for k, v in match.items()):
            yield rec
            count += 1


def read_gz_bytes(path: Path) -> bytes:
    with gzip.open(path, "rb") as fh:
        return fh.read()


# --------------------------------------------------------------------------
# Typed loaders
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class HtmlPage:
    """One HTML page with whatever gold annotation its dataset has."""

    id: str
    url: str
    html: bytes
    gold_body: str = ""
    must_keep: tuple[str, ...] = ()
    must_drop: tuple[str, ...] = ()

    @property
    def html_text(self) -> str:
        return self.html.decode("utf-8", "replace")


@dataclass(frozen=True)
class TextPage:
    """A pasted plain-text page with its gold article body."""

    id: str
    url: str
    text: str
    gold_body: str


def load_article_extraction(data: Path, limit: int | None = None) -> list[HtmlPage]:
    """``article_extraction_benchmark/``: pages with gold ``articleBody``."""
    root = data_file(data, "aeb").parent
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for rec in records(data, "aeb", limit=limit):
        gold = truth[rec["id"]]
        pages.append(
            HtmlPage(
                id=rec["id"],
                url=rec.get("url") or gold.get("url", ""),
                html=read_gz_bytes(root / rec["html_path"]),
                gold_body=gold.get("articleBody", ""),
            )
        )
    return pages


def aeb_html(data: Path, rec: dict[str, Any]) -> str:
    """The HTML of one ``article_extraction_benchmark`` record, decoded as the
    benchmark scripts do (UTF-8, bad bytes replaced)."""
    return read_gz_bytes(data_file(data, "aeb").parent / rec["html_path"]).decode(
        "utf-8", "replace"
    )


def load_trafilatura_eval(data: Path, limit: int | None = None) -> list[HtmlPage]:
    """``trafilatura_eval_en/``: pages with must-keep (``with``) and
    must-drop (``without`` + ``comments``) snippets."""
    root = data_file(data, "trafilatura_eval").parent
    pages = []
    for rec in records(data, "trafilatura_eval", limit=limit):
        url = rec.get("url", "")
        pages.append(
            HtmlPage(
                id=rec["id"],
                url="" if url.startswith("hard::") else url,
                html=read_gz_bytes(root / rec["html_path"]),
                must_keep=tuple(rec.get("with") or ()),
                must_drop=tuple(rec.get("without") or ()) + tuple(rec.get("comments") or ()),
            )
        )
    return pages


def load_pasted_text(data: Path, limit: int | None = None) -> list[TextPage]:
    """``pasted_text/``: select-all-copy page text with gold article body."""
    return [
        TextPage(id=r["id"], url=r.get("url", ""), text=r["text"], gold_body=r["article_body"])
        for r in records(data, "pasted_text", limit=limit)
    ]


def cnndm_articles(data: Path, limit: int | None = None) -> list[dict[str, Any]]:
    """FRANK's CNN/DM articles with their reference highlights (``frank/cnndm_articles``)."""
    return list(records(data, "cnndm", limit=limit))
