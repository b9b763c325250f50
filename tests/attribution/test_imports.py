"""Importing takeaways registers no spaCy component or Doc extension."""

from __future__ import annotations

import subprocess
import sys


def test_quotes_import_has_no_side_effects() -> None:
    code = (
        "import takeaways, takeaways.attribution\n"
        "from spacy.tokens import Doc\n"
        "from spacy.language import Language\n"
        "assert not Doc.has_extension('takeaways_quotes')\n"
        "assert 'takeaways_quotes' not in Language.factories\n"
        "print(sorted(takeaways.attribution.__all__))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr


def test_quotes_exported_names() -> None:
    import takeaways.attribution as q

    assert set(q.__all__) >= {
        "build_quotes",
        "extract_quotes",
        "Quotes",
        "Quote",
        "Speaker",
        "Entity",
        "Mention",
        "register_component",
    }
