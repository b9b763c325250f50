"""One exception tree. Every message says what is wrong and how to fix it.

TakeawaysError
├── InputError        the input cannot be read as an article
│   ├── EmptyInputError
│   ├── BinaryInputError
│   ├── NoArticleError
│   └── FetchError    URL fetching refused or failed
│       └── FetchTimeoutError the fetch ran past its deadline
├── LimitError        the input is over a configured limit
│   └── DeadlineError the work on one document ran past its time limit
├── ModelError        a required model is not installed
├── ConfigError       a configuration file or option is invalid
├── UsageError        a bad argument to a function or command (also a ValueError)
├── StepError         a step of `Pipeline.run` failed (the cause is chained)
└── StoreError        a quote store cannot be opened, read or written
    └── UnknownSpeakerError no speaker of the store has that name
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class TakeawaysError(Exception):
    """Base class of every error this library raises on purpose. Each subclass has a
    stable ``code`` (the catalogue: `catalogue()`, docs/errors.md) and a message that
    says what is wrong and how to fix it; ``doc_id`` names the document when known."""

    code = "E000"

    def __init__(self, message: str, *, doc_id: str | None = None) -> None:
        super().__init__(message)
        self.doc_id = doc_id

    @property
    def reason(self) -> str:
        """A short machine-readable reason, used by batch summaries."""
        return type(self).__name__

    def __str__(self) -> str:
        msg = super().__str__()
        return f"{msg} (document {self.doc_id})" if self.doc_id else msg


class InputError(TakeawaysError):
    """The input cannot be read as an article. Pass an HTML page, page text or a URL."""

    code = "E100"


class EmptyInputError(InputError):
    """The input is empty or only whitespace. Check the file or the request body."""

    code = "E101"


class BinaryInputError(InputError):
    """The input is binary (an image, a PDF, an archive), not a page. Pass the page's HTML or
    text."""

    code = "E102"


class NoArticleError(InputError):
    """The page holds no article body (too little prose, or only chrome). Pass the article
    page, or its text with --kind text."""

    code = "E103"


class FetchError(InputError):
    """Fetching the URL was refused (not a public http(s) address, or fetching is off) or
    failed. Save the page and pass the file."""

    code = "E104"


class FetchTimeoutError(FetchError):
    """Fetching the URL (the name lookup, the connection or the body) ran past the fetch
    deadline (30 s; ``fetch_url(deadline=)``). The site is slow or unreachable: try again later, or
    save the page and pass the file."""

    code = "E105"


class LimitError(TakeawaysError):
    """The input is over a configured limit ([limits] max_input_bytes / --max-bytes,
    max_article_chars, max_article_tokens, max_quote_marks, max_summary_claims,
    max_summary_chars). Raise the limit or shorten the input."""

    code = "E200"


class DeadlineError(LimitError):
    """The work on one document ran past its time limit (batch --doc-timeout, the server's
    request timeout) and was stopped. Shorten the input or raise the limit."""

    code = "E201"

    @property
    def reason(self) -> str:
        return "TimeoutError"


class ModelError(TakeawaysError):
    """A model the step needs is missing (spaCy English, the embedder, the entailment weights).
    Install it as the message says."""

    code = "E300"


class ConfigError(TakeawaysError):
    """A settings file, setting or option is invalid (unknown key, wrong kind, unknown
    strategy). Fix the key the message names."""

    code = "E400"


class UsageError(TakeawaysError, ValueError):
    """A bad argument to a function or command (n < 1, an unknown step). Also a ValueError."""

    code = "E500"


class StepError(TakeawaysError):
    """A step of `Pipeline.run` failed: ``step`` names it, ``cause`` is the error it
    raised (also ``__cause__``), ``partial`` holds the results of the steps before it."""

    code = "E600"

    def __init__(self, step: str, cause: BaseException, partial: Mapping[str, Any],
                 *, doc_id: str | None = None) -> None:
        super().__init__(f"{step}: {type(cause).__name__}: {cause}",
                         doc_id=doc_id or getattr(cause, "doc_id", None))
        self.step = step
        self.cause = cause
        self.partial = dict(partial)


class StoreError(TakeawaysError):
    """A quote store (``--store``) cannot be opened, read or written: it is missing,
    corrupt, locked by another process, or from another schema version. The message says
    which and how to fix it (wait for the writer, rebuild with ``takeaways batch --store``)."""

    code = "E700"


class UnknownSpeakerError(StoreError):
    """No speaker of the store has that name. The message lists the nearest names; run
    ``takeaways speakers STORE`` for all of them."""

    code = "E701"


def catalogue() -> list[tuple[str, str, str]]:
    """Every error class as ``(code, name, what it means and how to fix it)``, by code."""
    out: list[tuple[str, str, str]] = []
    todo: list[type[TakeawaysError]] = [TakeawaysError]
    while todo:
        cls = todo.pop()
        doc = " ".join((cls.__doc__ or "").split())
        out.append((cls.code, cls.__name__, doc))
        todo.extend(cls.__subclasses__())
    return sorted(out)


def code_of(exc: BaseException) -> str | None:
    """The catalogue code of ``exc`` (through a `StepError` to its cause), else None."""
    if isinstance(exc, StepError):
        return code_of(exc.cause) or exc.code
    return exc.code if isinstance(exc, TakeawaysError) else None
