"""Fixtures for the ingest tests: a stand-in for trafilatura's two extraction modes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from typing import Any

import pytest


def trafilatura_xml(main: str, title: str | None = "Budget approved") -> str:
    """A document shaped like trafilatura's XML output, with ``main`` as its content."""
    attr = f' title="{escape(title)}"' if title else ""
    return f"<doc{attr}><main>{main}</main><comments/></doc>"


@dataclass
class FakeExtract:
    """What trafilatura returns in precision mode and in the default mode."""

    precision: str | None = None
    default: str | None = None
    calls: list[str] = field(default_factory=list)

    def __call__(self, html: str, url: str | None = None, favor_precision: bool = False,
                 **_: Any) -> str | None:
        self.calls.append("precision" if favor_precision else "default")
        return self.precision if favor_precision else self.default


@pytest.fixture
def fake_extract(monkeypatch: pytest.MonkeyPatch) -> Callable[..., FakeExtract]:
    """``fake_extract(precision=xml, default=xml)`` makes ``trafilatura.extract`` return
    those documents, so the reader's own rules can be tested on exact XML."""
    import trafilatura

    def install(precision: str | None = None, default: str | None = None) -> FakeExtract:
        fake = FakeExtract(precision, default)
        monkeypatch.setattr(trafilatura, "extract", fake)
        return fake

    return install
