"""The serve process starts scheduled campaigns on its own: a loop asks for due campaigns, survives a failure."""

from __future__ import annotations

import time

import pytest

from mofang.campaigns.lifecycle import tasks


def test_the_loop_keeps_asking_for_due_campaigns_after_a_failure_and_stops_cleanly(
        monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []

    def run_due(*, platform: object, now: object) -> list[int]:
        calls.append(now)
        if len(calls) == 1:
            raise RuntimeError("one bad campaign")
        return []

    monkeypatch.setattr(tasks, "run_due", run_due)
    loop = tasks.DueCampaigns(object(), every=0.02)  # type: ignore[arg-type]
    loop.start()
    deadline = time.monotonic() + 10
    while len(calls) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    loop.stop()
    assert len(calls) >= 3  # the failure did not end the loop
    settled = len(calls)
    time.sleep(0.1)
    assert len(calls) == settled  # stopped means stopped
