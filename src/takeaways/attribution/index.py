"""Which tokens of a doc a scan needs to look at, found from the doc's arrays.

The attribution scans ('every reporting verb', 'every pronoun', 'every role noun') used
to walk every token of the doc, and spaCy makes a `Token` object per step: on a news
article that was most of the attribution step's time. `token_indices` picks the token
indices a scan can act on from one ``Doc.to_array`` call (part of speech, lower-case
form, title case), so the scan makes `Token` objects only for those. The filters are
exactly the scans' own first tests, so the output is the same.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from spacy.tokens import Doc


def token_indices(doc: Doc, *, pos: Iterable[str] = (), lower: Collection[str] | None = None,
                  title: bool = False, or_lower: Iterable[str] = ()) -> list[int]:
    """Indices of the tokens whose part of speech is one of ``pos`` (any when empty),
    whose lower-case form is in ``lower`` (any when None) and, when ``title``, that are
    title case; plus every token whose lower-case form is in ``or_lower``. In order."""
    from spacy.attrs import IS_TITLE, LOWER, POS
    from spacy.strings import hash_string
    from spacy.symbols import IDS

    n = len(doc)
    if n == 0:
        return []
    arr = doc.to_array([POS, LOWER, IS_TITLE]).reshape(n, 3)
    keep = np.ones(n, dtype=bool)
    wanted_pos = [IDS[p] for p in pos]
    if wanted_pos:
        keep &= np.isin(arr[:, 0], np.array(wanted_pos, dtype=arr.dtype))
    if lower is not None:
        keep &= np.isin(arr[:, 1], np.array([hash_string(w) for w in lower], dtype=arr.dtype))
    if title:
        keep &= arr[:, 2].astype(bool)
    extra = [hash_string(w) for w in or_lower]
    if extra:
        keep |= np.isin(arr[:, 1], np.array(extra, dtype=arr.dtype))
    return np.flatnonzero(keep).tolist()
