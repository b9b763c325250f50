"""One exception tree. Every message says what is wrong and how to fix it.

TakeawaysError
├── InputError        the input cannot be read as an article
│   ├── EmptyInputError
│   ├── BinaryInputError
│   ├── NoArticleError
│   └── FetchError    URL fetching refused or failed
├── LimitError        the input is over a configured limit
├── ModelError        a required model is not installed
├── ConfigError       a configuration file or option is invalid
├── UsageError        a bad argument to a function or command (also a ValueError)
└── StepError         a step of `Pipeline.run` failed (the cause is chained)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class TakeawaysError(Exception):
    """Base class of every error this library raises on purpose."""

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
    code = "E100"


class EmptyInputError(InputError):
    code = "E101"


class BinaryInputError(InputError):
    code = "E102"


class NoArticleError(InputError):
    code = "E103"


class FetchError(InputError):
    code = "E104"


class LimitError(TakeawaysError):
    code = "E200"


class ModelError(TakeawaysError):
    code = "E300"


class ConfigError(TakeawaysError):
    code = "E400"


class UsageError(TakeawaysError, ValueError):
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
