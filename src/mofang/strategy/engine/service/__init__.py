"""Orchestration of the engine runtime: entries, the executor, timers, the outbox dispatcher and statistics."""

from mofang.strategy.engine.service.dispatch import ask_quota, call_webhook, dispatch, finish, sign, tick_timers
from mofang.strategy.engine.service.effects import DefaultEffects, Effects, Outcome, record_locally
from mofang.strategy.engine.service.entries import (
    EntryReport,
    active_version,
    enter,
    enter_by_api,
    entry_key,
    holdout_of,
)
from mofang.strategy.engine.service.events import handle_events, record_receipts
from mofang.strategy.engine.service.facts import FactsSource, Known, ProfileFacts
from mofang.strategy.engine.service.lifecycle import (
    activate,
    deactivate,
    last_slot,
    run_entries,
    segment_members,
    stop_instances,
)
from mofang.strategy.engine.service.runtime import Runtime, get_runtime
from mofang.strategy.engine.service.stats import customer_journeys, node_customers, stats

__all__ = [
    "DefaultEffects", "Effects", "EntryReport", "FactsSource", "Known", "Outcome", "ProfileFacts", "Runtime",
    "activate", "active_version", "ask_quota", "call_webhook", "customer_journeys", "deactivate", "dispatch",
    "enter", "enter_by_api", "entry_key", "finish", "get_runtime", "handle_events", "holdout_of", "last_slot",
    "node_customers", "record_locally", "record_receipts", "run_entries", "segment_members", "sign", "stats",
    "stop_instances", "tick_timers",
]
