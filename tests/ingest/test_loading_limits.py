"""Issue 18 items 12 and 13: size limits are validated and applied while reading (never
allocated), and every member of a multi-member gzip is read."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest

from takeaways.errors import InputError, LimitError, UsageError
from takeaways.ingest.loading import (
    MAX_BYTES_CEILING,
    check_max_bytes,
    load_bytes,
    load_text,
    read_capped,
    read_source_bytes,
)

TEXT = b"The council approved the budget on Monday after a long debate in the town hall. "


def test_loading_reads_every_gzip_member() -> None:
    data = gzip.compress(TEXT) + gzip.compress(b"Second member. ") + gzip.compress(b"Third.")
    loaded = load_bytes(data, origin="cat.gz", kind="text", max_bytes=10_000)
    assert loaded.text == (TEXT + b"Second member. Third.").decode()


def test_loading_multi_member_gzip_is_limited_as_a_whole() -> None:
    data = gzip.compress(b"a" * 600) + gzip.compress(b"b" * 600)
    with pytest.raises(LimitError, match="1,000-byte limit"):
        load_bytes(data, origin="cat.gz", kind="text", max_bytes=1000)


def test_loading_truncated_or_trailing_gzip_is_an_input_error() -> None:
    data = gzip.compress(TEXT * 10)
    with pytest.raises(InputError, match="truncated"):
        load_bytes(data[:-20], origin="cut.gz", kind="text", max_bytes=10_000)
    with pytest.raises(InputError, match="after the gzip data"):
        load_bytes(data + b"junk", origin="junk.gz", kind="text", max_bytes=10_000)
    loaded = load_bytes(data + b"\0" * 16, origin="padded.gz", kind="text", max_bytes=10_000)
    assert loaded.text.startswith("The council")


def test_loading_gzip_bomb_is_capped_while_inflating() -> None:
    bomb = gzip.compress(b"\0" * 50_000_000)  # 50 KB that inflates to 50 MB
    with pytest.raises(LimitError, match="decompressed input is over"):
        load_bytes(bomb, origin="bomb.gz", kind="text", max_bytes=1_000_000)


@pytest.mark.parametrize("value", [-1, 0, MAX_BYTES_CEILING + 1, 3_000_000_000, 10**12])
def test_loading_limits_out_of_range_are_usage_errors(value: int, tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(TEXT)
    for call in (
        lambda: check_max_bytes(value),
        lambda: read_source_bytes(path, max_bytes=value),
        lambda: load_bytes(TEXT, origin="x", kind=None, max_bytes=value),
        lambda: load_text(TEXT.decode(), origin="x", kind=None, max_bytes=value),
    ):
        with pytest.raises(UsageError, match="between 1 and 100,000,000 bytes") as info:
            call()
        assert "-1-byte" not in str(info.value) and info.value.code == "E500"


@pytest.mark.parametrize("value", [1.5, "4", None, True])
def test_loading_limits_of_the_wrong_kind_are_usage_errors(value: object) -> None:
    with pytest.raises(UsageError, match="whole number of bytes"):
        check_max_bytes(value)


def test_loading_the_api_refuses_a_huge_limit_without_allocating_it() -> None:
    import takeaways

    with pytest.raises(UsageError):
        takeaways.read(TEXT.decode() * 3, max_bytes=10**12)  # was MemoryError


class _CountingReader(io.RawIOBase):
    """A stream of ``size`` bytes that records the largest read asked of it."""

    def __init__(self, size: int) -> None:
        self.left = size
        self.largest = 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        self.largest = max(self.largest, n)
        n = self.left if n < 0 else min(n, self.left)
        self.left -= n
        return b"x" * n


def test_loading_reads_in_blocks_never_by_the_limit() -> None:
    stream = _CountingReader(3_000_000)
    data = read_capped(stream, MAX_BYTES_CEILING)  # type: ignore[arg-type]
    assert len(data) == 3_000_000 and stream.largest <= 1 << 20
    stream = _CountingReader(3_000_000)
    assert len(read_capped(stream, 1000)) == 1001  # type: ignore[arg-type]  # one past: overflow
