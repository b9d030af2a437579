"""A small demo bank, generated once per test session (generation is deterministic, tests only read)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from demo.bank import Bank, make_bank


@pytest.fixture(scope="session")
def bank(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bank]:
    """The shared test bank."""
    b = make_bank(tmp_path_factory.mktemp("bank"))
    yield b
    b.platform.close()
