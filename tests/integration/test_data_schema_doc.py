"""The documented schema is the declared one: docs/integration.md lists every field of every entity."""

from __future__ import annotations

from pathlib import Path

from mofang.integration.schemas import ENTITIES

DOC = Path(__file__).resolve().parents[2] / "docs" / "integration.md"


def test_every_declared_field_is_documented_with_its_chinese_name() -> None:
    text = DOC.read_text(encoding="utf-8")
    for entity in ENTITIES.values():
        section = text.split(f"### {entity.name} ")[1].split("\n### ")[0]
        for f in entity.fields:
            assert f"| `{f.key}` | {f.zh} | {f.type} |" in section, (entity.name, f.key)


def test_the_default_event_rules_are_documented() -> None:
    from mofang.integration.contracts import DEFAULT_EVENT_RULES

    section = DOC.read_text(encoding="utf-8").split("## Transactions as behaviour events")[1].split("\n## ")[0]
    for r in DEFAULT_EVENT_RULES:
        direction = f"`{r.direction}`" if r.direction else ""
        assert f"| `{r.txn_type}` | {direction} | `{r.event}` |" in section, r.event
