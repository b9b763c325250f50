"""The audit's strategies in the one registry (`takeaways.registry`), by kind.

``audit.claims.*`` split a summary into claims, ``audit.signal.*`` compute one signal for
one claim, ``audit.verdict.*`` turn signals into a verdict. The output's ``strategies``
field lists the names that ran, so a change in quality can be traced to a change here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from takeaways import registry

F = TypeVar("F", bound=Callable[..., Any])

SPLITTER = "audit.claims."
SIGNAL = "audit.signal."
VERDICT = "audit.verdict."


def _checked(prefix: str, name: str) -> str:
    if not name.startswith(prefix):
        raise ValueError(f"an audit strategy of this kind is named {prefix}…, not {name!r}")
    return name


def register_splitter(name: str) -> Callable[[F], F]:
    return registry.register(_checked(SPLITTER, name))


def register_signal(name: str) -> Callable[[F], F]:
    return registry.register(_checked(SIGNAL, name))


def register_verdict(name: str) -> Callable[[F], F]:
    return registry.register(_checked(VERDICT, name))


def lookup(kind: str, name: str) -> Callable[..., Any]:
    """The audit strategy of ``kind`` (`SPLITTER`, `SIGNAL`, `VERDICT`) named ``name``, or a
    `ConfigError` listing the registered names of that kind."""
    return registry.get(name, kind)
