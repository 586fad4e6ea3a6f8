from __future__ import annotations

import pytest

from revu.byok import mask


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("sk-abcdefghijklmnopqrstuvwxyz1234", "sk-…1234"),
        ("sk-kimi-abcdefghijklmnopqrstuvwxyz", "sk-kimi-…wxyz"),
        ("sk-ant-api03-abcdefghijklmnopqrstuv", "sk-ant-…stuv"),
        ("0123456789abcdef0123456789abcdef", "…cdef"),  # no vendor prefix: nothing but the tail
        ("sk-short1234", "…1234"),  # too short to show the prefix
        ("tiny", "…"),  # too short to show anything
    ],
)
def test_only_a_vendor_prefix_and_the_last_four_are_ever_shown(key: str, shown: str) -> None:
    assert mask(key) == shown
