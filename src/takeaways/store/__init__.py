"""The quote store: who said what across a corpus (docs/store.md).

``takeaways batch … --what quotes --store quotes.duckdb`` fills it; `speakers` lists the
speakers merged across articles and `said` gives one speaker's timeline. Nothing is
imported from DuckDB until a store is opened.
"""

from takeaways.store.db import STORE_SCHEMA_VERSION, QuoteStore, open_store
from takeaways.store.merge import AliasRules, Occurrence, SpeakerGroup, merge_speakers
from takeaways.store.query import Statement, find_speaker, said, speakers
from takeaways.store.rows import rows_of

__all__ = [
    "STORE_SCHEMA_VERSION", "AliasRules", "Occurrence", "QuoteStore", "SpeakerGroup",
    "Statement", "find_speaker", "merge_speakers", "open_store", "rows_of", "said", "speakers",
]
