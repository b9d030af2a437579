"""Canvas validation: every problem code by example, and graph properties checked against a reference (Hypothesis)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mofang.strategy.canvas.contracts import DraftGraph
from mofang.strategy.canvas.logic import CatalogueSnapshot, validate

CAT = CatalogueSnapshot(
    segments=frozenset({7}),
    tags={"vip": False, "salon": True},
    events={"login": frozenset({"channel"}), "fund_purchase": frozenset({"amount", "product"})},
    attributes=frozenset({"aum", "age", "risk_level"}),
    custom_attributes=frozenset({"preferred_branch"}),
    templates={"push": frozenset({11}), "sms": frozenset({12}), "rm_task": frozenset({13})},
    benefits=frozenset({21}),
)


def n(node_id: str, type_: str, **config: Any) -> dict[str, Any]:
    return {"id": node_id, "type": type_, **config}


def e(source: str, target: str, label: str = "next") -> dict[str, Any]:
    return {"source": source, "target": target, "label": label}


AUM = {"type": "attribute", "field": "aum", "op": "gte", "value": 50000}
JOURNEY = {
    "nodes": [
        n("start", "event_entry", event="login"),
        n("rich", "condition_split", branches=[{"label": "rich", "condition": AUM}]),
        n("push", "send", channel="push", template_id=11),
        n("buy", "wait_event", event="fund_purchase", within_seconds=3 * 86400),
        n("goal", "goal", event="fund_purchase"),
        n("end", "exit"),
    ],
    "edges": [e("start", "rich"), e("rich", "push", "rich"), e("rich", "end", "else"), e("push", "buy"),
              e("buy", "goal", "did"), e("buy", "end", "timeout")],
}


def run(graph: dict[str, Any], cat: CatalogueSnapshot = CAT):
    return validate(DraftGraph.model_validate(graph), cat)


def codes(graph: dict[str, Any], cat: CatalogueSnapshot = CAT) -> set[tuple[str | None, str, str]]:
    return {(p.node_id, p.field, p.code) for p in run(graph, cat)[1]}


def with_(nodes: list[dict[str, Any]] | None = None, edges: list[dict[str, Any]] | None = None,
          **extra: Any) -> dict[str, Any]:
    return {"nodes": [*JOURNEY["nodes"], *(nodes or [])], "edges": [*JOURNEY["edges"], *(edges or [])], **extra}


def test_the_journey_of_the_issue_is_valid_without_warnings() -> None:
    graph, problems = run(JOURNEY)
    assert problems == []
    assert graph is not None and [x.type for x in graph.nodes][:3] == ["event_entry", "condition_split", "send"]


@pytest.mark.parametrize(("graph", "expected"), [
    ({"nodes": []}, (None, "nodes", "strategy.empty")),
    ({"nodes": [n("a", "delay", seconds=60)]}, (None, "nodes", "strategy.no_entry")),
    (with_([n("start", "exit")]), ("start", "id", "strategy.duplicate_node")),
    (with_([n("x", "teleport")], [e("push", "x", "x")]), ("x", "type", "strategy.unknown_node_type")),
    (with_([n("w", "delay")], [e("goal", "w")]), ("w", "seconds", "strategy.missing_config")),
    (with_([n("w", "delay", seconds=-5)]), ("w", "seconds", "strategy.invalid_config")),
    (with_(edges=[{"source": "push", "target": "buy", "label": "no spaces"}]),
     ("push", "edges.6", "strategy.invalid_edge")),
    (with_(settings={"timezone": "Mars/Olympus"}), (None, "settings.timezone", "strategy.unknown_timezone")),
    (with_(settings={"holdout_percent": 90}), (None, "settings.holdout_percent", "strategy.invalid_config")),
    (with_(edges=[e("push", "ghost")]), ("push", "edges.6", "strategy.unknown_edge_node")),
    (with_([n("d", "delay", seconds=60)], [e("buy", "d", "did"), e("d", "d")]), ("d", "edges.7", "strategy.self_loop")),
    (with_(edges=[e("end", "start")]), ("start", "edges.6", "strategy.edge_into_entry")),
    (with_(edges=[e("push", "end", "clicked")]), ("push", "edges.6", "strategy.bad_label")),
    (with_(edges=[e("push", "end")]), ("push", "edges.6", "strategy.duplicate_branch")),
    (with_([n("lonely", "exit")]), ("lonely", "id", "strategy.unreachable")),
    (with_([n("r2", "condition_split", branches=[{"label": "else", "condition": AUM}])], [e("push", "r2", "next")]),
     ("r2", "branches.0.label", "strategy.reserved_label")),
    (with_([n("r3", "condition_split", branches=[{"label": "a", "condition": AUM}, {"label": "a", "condition": AUM}])]),
     ("r3", "branches.1.label", "strategy.duplicate_label")),
    ({"nodes": [n("s", "api_entry"), n("t1", "tag", tag="salon"), n("t2", "tag", tag="salon")],
      "edges": [e("s", "t1"), e("t1", "t2"), e("t2", "t1")]}, ("t1", "edges", "strategy.cycle_without_wait")),
    (with_([n("s2", "event_entry", event="nope")]), ("s2", "event", "strategy.unknown_event")),
    (with_([n("s2", "event_entry", event="login", filters=[{"property": "amount", "op": "gt", "value": 1}])]),
     ("s2", "filters.0.property", "strategy.unknown_property")),
    (with_([n("c", "condition_split", branches=[{"label": "t", "condition": {
        "type": "trigger", "property": "secret", "op": "eq", "value": 1}}])]),
     ("c", "branches.0.condition.property", "strategy.unknown_property")),
    (with_([n("c", "condition_split", branches=[{"label": "t", "condition": {"type": "group", "conditions": [
        {"type": "not", "condition": {"type": "attribute", "field": "shoe_size", "op": "gt", "value": 1}}]}}])]),
     ("c", "branches.0.condition.conditions.0.condition.field", "strategy.unknown_attribute")),
    (with_([n("u", "set_attribute", field="aum", value=1)]), ("u", "field", "strategy.unknown_attribute")),
    (with_([n("t", "tag", tag="nope")]), ("t", "tag", "strategy.unknown_tag")),
    (with_([n("t", "tag", tag="vip")]), ("t", "tag", "strategy.tag_not_manual")),
    (with_([n("c", "condition_split", branches=[{"label": "t", "condition": {"type": "tag", "tag": "x", "op": "eq",
                                                                             "value": "y"}}])]),
     ("c", "branches.0.condition.tag", "strategy.unknown_tag")),
    (with_([n("s2", "segment_entry", segment_id=8)]), ("s2", "segment_id", "strategy.unknown_segment")),
    (with_([n("c", "condition_split", branches=[{"label": "t", "condition": {"type": "segment", "segment_id": 9}}])]),
     ("c", "branches.0.condition.segment_id", "strategy.unknown_segment")),
    (with_([n("p", "send", channel="sms", template_id=11)]), ("p", "template_id", "strategy.unknown_template")),
    (with_([n("p", "send", channel="push", template_id=11, product_risk="R9")]),
     ("p", "product_risk", "strategy.invalid_config")),
    (with_([n("p", "rm_task", template_id=11)]), ("p", "template_id", "strategy.unknown_template")),
    (with_([n("b", "benefit", benefit_id=22)]), ("b", "benefit_id", "strategy.unknown_benefit")),
    (with_([n("r", "result_split", send_node="buy")]), ("r", "send_node", "strategy.not_a_send")),
    (with_([n("p2", "send", channel="push", template_id=11), n("r", "result_split", send_node="p2")],
           [e("push", "r", "next")]), ("r", "send_node", "strategy.send_not_upstream")),
    (with_([n("h", "propensity", target_event="nope", top_percent=10)]),
     ("h", "target_event", "strategy.unknown_event")),
])
def test_each_problem_names_its_node_field_and_code(graph: dict[str, Any], expected: tuple[str, str, str]) -> None:
    found = codes(graph)
    assert expected in found, found
    assert run(graph)[0] is None  # every one of these blocks publishing


def test_a_missing_branch_edge_is_a_warning_not_an_error() -> None:
    graph = {"nodes": JOURNEY["nodes"], "edges": [x for x in JOURNEY["edges"] if x.get("label") != "timeout"]}
    typed, problems = run(graph)
    assert typed is not None  # the customer exits there
    assert [(p.node_id, p.code, p.severity, p.params) for p in problems] == [
        ("buy", "strategy.dangling_branch", "warning", {"label": "timeout"})]


def test_a_loop_through_a_wait_is_allowed_but_a_shortcut_around_it_is_not() -> None:
    nodes = [n("s", "api_entry"), n("a", "tag", tag="salon"), n("w", "delay", seconds=3600),
             n("b", "condition_split", branches=[{"label": "again", "condition": AUM}])]
    loop = [e("s", "a"), e("a", "w"), e("w", "b"), e("b", "a", "again")]
    assert not any(p.code == "strategy.cycle_without_wait" for p in run({"nodes": nodes, "edges": loop})[1])
    shortcut = [e("s", "a"), e("a", "b"), e("b", "a", "again"), e("b", "w", "else"), e("w", "a")]
    assert ("a", "edges", "strategy.cycle_without_wait") in codes({"nodes": nodes, "edges": shortcut})


def test_a_result_split_waiting_for_the_outcome_holds_a_loop() -> None:
    nodes = [n("s", "api_entry"), n("p", "send", channel="push", template_id=11),
             n("r", "result_split", send_node="p", wait_seconds=3600)]
    edges = [e("s", "p"), e("p", "r"), e("r", "p", "failed")]
    assert not any(p.code == "strategy.cycle_without_wait" for p in run({"nodes": nodes, "edges": edges})[1])
    nodes[2]["wait_seconds"] = 0
    assert ("p", "edges", "strategy.cycle_without_wait") in codes({"nodes": nodes, "edges": edges})


def test_template_and_benefit_ids_go_unchecked_while_their_centre_does_not_exist() -> None:
    graph = with_([n("p", "send", channel="sms", template_id=99), n("b", "benefit", benefit_id=99)],
                  [e("buy", "p", "timeout"), e("p", "b")])
    graph["edges"] = [x for x in graph["edges"] if not (x["source"] == "buy" and x["target"] == "end")]
    absent = CatalogueSnapshot(**{**CAT.__dict__, "templates": None, "benefits": None})
    assert not {c for _, _, c in codes(graph, absent)} & {"strategy.unknown_template", "strategy.unknown_benefit"}
    assert {c for _, _, c in codes(graph)} >= {"strategy.unknown_template", "strategy.unknown_benefit"}


# ---------------------------------------------------------------------------------------------- properties

KINDS = ["event_entry", "delay", "tag", "exit", "split"]


def _node(i: int, kind: str) -> dict[str, Any]:
    match kind:
        case "event_entry":
            return n(f"n{i}", "event_entry", event="login")
        case "delay":
            return n(f"n{i}", "delay", seconds=60)
        case "tag":
            return n(f"n{i}", "tag", tag="salon")
        case "exit":
            return n(f"n{i}", "exit")
        case _:
            return n(f"n{i}", "condition_split", branches=[{"label": "yes", "condition": AUM}])


@st.composite
def graphs(draw: st.DrawFn) -> dict[str, Any]:
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=8))
    nodes = [_node(i, k) for i, k in enumerate(kinds)]
    size = len(nodes)
    pairs = draw(st.lists(st.tuples(st.integers(0, size - 1), st.integers(0, size - 1),
                                    st.sampled_from(["next", "yes", "else"])), max_size=14))
    return {"nodes": nodes, "edges": [e(f"n{a}", f"n{b}", label) for a, b, label in pairs]}


def _reference_ok(graph: dict[str, Any]) -> bool:
    """An independent, brute-force statement of the structural rules for these node kinds."""
    kinds = {x["id"]: x["type"] for x in graph["nodes"]}
    allowed = {"condition_split": {"yes", "else"}, "exit": set()}
    entries = [k for k, t in kinds.items() if t == "event_entry"]
    if not entries:
        return False
    seen_pairs: set[tuple[str, str]] = set()
    adj: dict[str, set[str]] = {k: set() for k in kinds}
    for x in graph["edges"]:
        s, t, label = x["source"], x["target"], x["label"]
        if s == t or kinds[t] == "event_entry" or label not in allowed.get(kinds[s], {"next"}) \
                or (s, label) in seen_pairs:
            return False
        seen_pairs.add((s, label))
        adj[s].add(t)
    reach = set(entries)
    for _ in kinds:
        reach |= {t for s in reach for t in adj[s]}
    if reach != set(kinds):
        return False
    # No cycle among non-waiting nodes: repeatedly remove nodes without incoming edges from that subgraph.
    free = {k for k, t in kinds.items() if t != "delay"}
    while free:
        roots = {k for k in free if not any(k in adj[s] for s in free)}
        if not roots:
            return False
        free -= roots
    return True


@settings(max_examples=300, deadline=None)
@given(graphs())
def test_the_validator_agrees_with_a_brute_force_reference(graph: dict[str, Any]) -> None:
    typed, problems = run(graph)
    ids = {x["id"] for x in graph["nodes"]}
    assert all(p.node_id is None or p.node_id in ids for p in problems)
    assert (typed is not None) == _reference_ok(graph), problems
    if typed is not None:
        assert all(p.severity == "warning" for p in problems)
