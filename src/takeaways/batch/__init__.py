"""Batch runs over corpora (directories, JSONL, WARC), locally or on Ray."""
