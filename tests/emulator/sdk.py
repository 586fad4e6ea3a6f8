"""Assertions shared by the emulator tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from openai import APIStatusError


def expect_error(
    call: Callable[[], Any], status: int, error_type: str, message: str
) -> APIStatusError:
    """Run a call that must fail; check Moonshot's status, error.type and message text."""
    with pytest.raises(APIStatusError) as caught:
        call()
    error = caught.value
    assert error.status_code == status, error
    assert isinstance(error.body, dict), error.body
    assert set(error.body) == {"type", "message"}
    assert error.body["type"] == error_type
    assert message in error.body["message"], error.body["message"]
    return error
