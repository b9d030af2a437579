"""Pure validation of a canvas graph against a catalogue snapshot: each problem names the node, field and code."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import TypeAdapter, ValidationError

from mofang.strategy.canvas.contracts import (
    ENTRY_TYPES,
    FIXED_LABELS,
    AbSplit,
    AllOf,
    ApiEntry,
    AttributeIs,
    Condition,
    ConditionSplit,
    DraftGraph,
    Edge,
    EventEntry,
    Goal,
    Graph,
    InSegment,
    IssueBenefit,
    Node,
    NotOf,
    Problem,
    Propensity,
    ResultSplit,
    RmTask,
    SegmentEntry,
    Send,
    SetAttribute,
    SetTag,
    StrategySettings,
    TagIs,
    TriggerIs,
    WaitEvent,
)

NODE = TypeAdapter(Node)
# Nodes where a customer is held until time passes or something happens: a cycle through one cannot spin.
WAIT_TYPES = frozenset({"delay", "wait_until", "wait_event", "time_window", "best_time"})
ELSE = "else"
NEXT = "next"


@dataclass(frozen=True)
class CatalogueSnapshot:
    """What a strategy's owner may refer to; `None` for templates/benefits: that centre does not exist yet."""

    segments: frozenset[int] = frozenset()
    tags: Mapping[str, bool] = field(default_factory=dict)  # key → manual (settable by a 打标签 node)
    events: Mapping[str, frozenset[str]] = field(default_factory=dict)  # event → its property keys
    attributes: frozenset[str] = frozenset()  # profile attributes a condition may read
    custom_attributes: frozenset[str] = frozenset()  # declared attributes a 更新属性 node may set
    templates: Mapping[str, frozenset[int]] | None = None  # channel → template ids
    benefits: frozenset[int] | None = None


def _p(node_id: str | None, fld: str, code: str, severity: str = "error", **params: str | int | float) -> Problem:
    return Problem(node_id=node_id, field=fld, code=code, params=params, severity=severity)  # type: ignore[arg-type]


def _loc(loc: Sequence[int | str], node_type: str | None) -> str:
    parts = [str(x) for x in loc]
    if parts and node_type is not None and parts[0] == node_type:
        parts = parts[1:]  # the discriminated union prefixes the tag
    return ".".join(parts) or "type"


def _config_problems(node_id: str, node_type: str | None, exc: ValidationError) -> Iterator[Problem]:
    for err in exc.errors(include_url=False):
        kind = err["type"]
        if kind in ("union_tag_invalid", "union_tag_not_found"):
            yield _p(node_id, "type", "strategy.unknown_node_type", type=str(node_type))
            continue
        code = "strategy.missing_config" if kind == "missing" else "strategy.invalid_config"
        yield _p(node_id, _loc(err["loc"], node_type), code, reason=str(err["msg"])[:200])


def parse(draft: DraftGraph) -> tuple[list[Node], list[Edge], StrategySettings, list[Problem]]:
    """Typed nodes, edges and settings of a draft, and the problems of the parts that do not parse."""
    problems: list[Problem] = []
    nodes: list[Node] = []
    seen: set[str] = set()
    for i, raw in enumerate(draft.nodes):
        raw_id = raw.get("id")
        node_id = raw_id if isinstance(raw_id, str) and raw_id else f"#{i}"
        if node_id in seen:
            problems.append(_p(node_id, "id", "strategy.duplicate_node"))
            continue
        seen.add(node_id)
        node_type = raw.get("type") if isinstance(raw.get("type"), str) else None
        try:
            nodes.append(NODE.validate_python(raw))
        except ValidationError as exc:
            problems.extend(_config_problems(node_id, node_type, exc))
    edges: list[Edge] = []
    for i, raw in enumerate(draft.edges):
        try:
            edges.append(Edge.model_validate(raw))
        except ValidationError:
            src = raw.get("source")
            problems.append(_p(src if isinstance(src, str) and src in seen else None, f"edges.{i}",
                               "strategy.invalid_edge"))
    try:
        settings = StrategySettings.model_validate(draft.settings)
    except ValidationError as exc:
        settings = StrategySettings()
        for err in exc.errors(include_url=False):
            problems.append(_p(None, "settings." + _loc(err["loc"], None), "strategy.invalid_config",
                               reason=str(err["msg"])[:200]))
    try:
        ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(_p(None, "settings.timezone", "strategy.unknown_timezone", timezone=settings.timezone))
    return nodes, edges, settings, problems


def out_labels(node: Node) -> tuple[frozenset[str], tuple[str, ...]]:
    """(labels the node's out-edges may carry, labels that should each have an edge)."""
    match node:
        case ConditionSplit():
            labels = [b.label for b in node.branches]
            return frozenset([*labels, ELSE]), (*labels, ELSE)
        case AbSplit():
            labels = [v.label for v in node.variants]
            return frozenset(labels), tuple(labels)
        case WaitEvent():
            return FIXED_LABELS["wait_event"], ("did", "timeout")
        case ResultSplit():
            return FIXED_LABELS["result_split"], ()
        case Propensity():
            return FIXED_LABELS["propensity"], ("high", ELSE)
        case Goal():
            return FIXED_LABELS["goal"], ()
        case _ if node.type == "exit":
            return FIXED_LABELS["exit"], ()
        case _:
            return frozenset({NEXT}), (NEXT,)


def validate(draft: DraftGraph, catalogue: CatalogueSnapshot) -> tuple[Graph | None, list[Problem]]:
    """The typed graph when it has no errors (warnings allowed), and every problem found."""
    nodes, edges, settings, problems = parse(draft)
    # Nodes whose config does not parse still take part in the structure checks (their config problem is reported).
    raw_ids = {n["id"] for n in draft.nodes if isinstance(n.get("id"), str)}
    raw_entries = sorted({n["id"] for n in draft.nodes
                          if isinstance(n.get("id"), str) and n.get("type") in ENTRY_TYPES})
    by_id = {n.id: n for n in nodes}
    problems.extend(_structure(nodes, edges, raw_ids, raw_entries, by_id))
    for node in nodes:
        problems.extend(_references(node, catalogue, by_id, edges, _trigger_keys(nodes, catalogue)))
    if not draft.nodes:
        problems.append(_p(None, "nodes", "strategy.empty"))
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        return None, problems
    try:
        graph = Graph(nodes=nodes, edges=edges, settings=settings)
    except ValidationError as exc:  # limits of the whole graph (sizes) the draft did not enforce
        return None, [*problems, _p(None, "nodes", "strategy.invalid_config", reason=str(exc.errors()[0]["msg"]))]
    return graph, problems


def _structure(nodes: list[Node], edges: list[Edge], raw_ids: set[str], entries: list[str], by_id: dict[str, Node]
               ) -> list[Problem]:
    problems: list[Problem] = []
    if nodes and not entries:
        problems.append(_p(None, "nodes", "strategy.no_entry"))
    taken: dict[tuple[str, str], str] = {}
    good: list[Edge] = []
    for i, e in enumerate(edges):
        if e.source not in raw_ids or e.target not in raw_ids:
            missing = e.source if e.source not in raw_ids else e.target
            anchor = e.source if e.source in raw_ids else (e.target if e.target in raw_ids else None)
            problems.append(_p(anchor, f"edges.{i}", "strategy.unknown_edge_node", node=missing))
            continue
        if e.source == e.target:
            problems.append(_p(e.source, f"edges.{i}", "strategy.self_loop"))
            continue
        target = by_id.get(e.target)
        if target is not None and target.type in ENTRY_TYPES:
            problems.append(_p(e.target, f"edges.{i}", "strategy.edge_into_entry"))
            continue
        source = by_id.get(e.source)
        if source is not None:
            allowed, _ = out_labels(source)
            if e.label not in allowed:
                problems.append(_p(e.source, f"edges.{i}", "strategy.bad_label", label=e.label,
                                   allowed=", ".join(sorted(allowed)) or "—"))
                continue
        if (e.source, e.label) in taken:
            problems.append(_p(e.source, f"edges.{i}", "strategy.duplicate_branch", label=e.label))
            continue
        taken[(e.source, e.label)] = e.target
        good.append(e)
    succ: dict[str, list[str]] = {}
    for e in good:
        succ.setdefault(e.source, []).append(e.target)
    reached = _reachable(entries, succ)
    for node_id in sorted(raw_ids - reached):
        if entries:
            problems.append(_p(node_id, "id", "strategy.unreachable"))
    for node in nodes:
        _, expected = out_labels(node)
        for label in expected:
            if (node.id, label) not in taken:
                # Allowed (a missing edge means the customer exits there), but usually a slip: a warning.
                problems.append(_p(node.id, "edges", "strategy.dangling_branch", "warning", label=label))
        if node.type == "result_split" and not any(s == node.id for s, _ in taken):
            problems.append(_p(node.id, "edges", "strategy.dangling_branch", "warning", label=ELSE))
        match node:
            case ConditionSplit():
                labels = [b.label for b in node.branches]
                for i, label in enumerate(labels):
                    if label == ELSE:
                        problems.append(_p(node.id, f"branches.{i}.label", "strategy.reserved_label", label=label))
                    elif labels.index(label) != i:
                        problems.append(_p(node.id, f"branches.{i}.label", "strategy.duplicate_label", label=label))
            case _:
                pass
    # A loop is safe only if every way around it passes a node that holds the customer: look for cycles among
    # the nodes that do not hold.
    free = {n for n in raw_ids if not _holds(by_id.get(n))}
    for component in _cycles(free, {u: [v for v in vs if v in free] for u, vs in succ.items() if u in free}):
        first = sorted(component)[0]
        problems.append(_p(first, "edges", "strategy.cycle_without_wait", nodes=", ".join(sorted(component))))
    return problems


def _holds(node: Node | None) -> bool:
    if node is None:
        return True  # its own config problem is reported; do not pile a cycle error on top
    if node.type in WAIT_TYPES:
        return True
    return isinstance(node, ResultSplit) and node.wait_seconds > 0


def _reachable(starts: Sequence[str], succ: Mapping[str, Sequence[str]]) -> set[str]:
    seen = set(starts)
    todo = list(starts)
    while todo:
        for nxt in succ.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _cycles(ids: set[str], succ: Mapping[str, Sequence[str]]) -> list[set[str]]:
    """Strongly connected components with more than one node (self-loops are rejected before), iteratively."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[set[str]] = []
    counter = 0
    for root in sorted(ids):
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            v, pos = work.pop()
            if pos == 0:
                index[v] = low[v] = counter
                counter += 1
                stack.append(v)
                on_stack.add(v)
            children = succ.get(v, ())
            if pos < len(children):
                work.append((v, pos + 1))
                w = children[pos]
                if w not in index:
                    work.append((w, 0))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            if low[v] == index[v]:
                comp: set[str] = set()
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.add(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    out.append(comp)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
    return out


def _trigger_keys(nodes: list[Node], catalogue: CatalogueSnapshot) -> frozenset[str]:
    keys: set[str] = set()
    for n in nodes:
        if isinstance(n, EventEntry):
            keys |= catalogue.events.get(n.event, frozenset())
        elif isinstance(n, ApiEntry):
            keys |= set(n.payload_keys)
    return frozenset(keys)


def _ancestors(node_id: str, edges: list[Edge]) -> set[str]:
    pred: dict[str, list[str]] = {}
    for e in edges:
        pred.setdefault(e.target, []).append(e.source)
    return _reachable(pred.get(node_id, []), pred)


def _event_refs(node_id: str, event: str, filters: Sequence[Any], catalogue: CatalogueSnapshot, fld: str = "event"
                ) -> Iterator[Problem]:
    if event not in catalogue.events:
        yield _p(node_id, fld, "strategy.unknown_event", event=event)
        return
    known = catalogue.events[event]
    for i, f in enumerate(filters):
        if f.property not in known:
            yield _p(node_id, f"filters.{i}.property", "strategy.unknown_property", event=event, property=f.property)


def _condition_refs(node_id: str, cond: Condition, path: str, catalogue: CatalogueSnapshot,
                    trigger: frozenset[str]) -> Iterator[Problem]:
    match cond:
        case AttributeIs():
            if cond.field not in catalogue.attributes:
                yield _p(node_id, f"{path}.field", "strategy.unknown_attribute", attribute=cond.field)
        case TagIs():
            if cond.tag not in catalogue.tags:
                yield _p(node_id, f"{path}.tag", "strategy.unknown_tag", tag=cond.tag)
        case InSegment():
            if cond.segment_id not in catalogue.segments:
                yield _p(node_id, f"{path}.segment_id", "strategy.unknown_segment", segment_id=cond.segment_id)
        case TriggerIs():
            if cond.property not in trigger:
                yield _p(node_id, f"{path}.property", "strategy.unknown_property", event="", property=cond.property)
        case AllOf():
            for i, c in enumerate(cond.conditions):
                yield from _condition_refs(node_id, c, f"{path}.conditions.{i}", catalogue, trigger)
        case NotOf():
            yield from _condition_refs(node_id, cond.condition, f"{path}.condition", catalogue, trigger)


def _references(node: Node, catalogue: CatalogueSnapshot, by_id: Mapping[str, Node], edges: list[Edge],
                trigger: frozenset[str]) -> Iterator[Problem]:
    match node:
        case SegmentEntry():
            if node.segment_id not in catalogue.segments:
                yield _p(node.id, "segment_id", "strategy.unknown_segment", segment_id=node.segment_id)
        case EventEntry() | WaitEvent() | Goal():
            yield from _event_refs(node.id, node.event, node.filters, catalogue)
        case Propensity():
            yield from _event_refs(node.id, node.target_event, [], catalogue, "target_event")
        case ConditionSplit():
            for i, b in enumerate(node.branches):
                yield from _condition_refs(node.id, b.condition, f"branches.{i}.condition", catalogue, trigger)
        case Send():
            if catalogue.templates is not None and node.template_id not in catalogue.templates.get(node.channel, ()):
                yield _p(node.id, "template_id", "strategy.unknown_template", template_id=node.template_id,
                         channel=node.channel)
        case RmTask():
            if catalogue.templates is not None and node.template_id not in catalogue.templates.get("rm_task", ()):
                yield _p(node.id, "template_id", "strategy.unknown_template", template_id=node.template_id,
                         channel="rm_task")
        case IssueBenefit():
            if catalogue.benefits is not None and node.benefit_id not in catalogue.benefits:
                yield _p(node.id, "benefit_id", "strategy.unknown_benefit", benefit_id=node.benefit_id)
        case SetTag():
            if node.tag not in catalogue.tags:
                yield _p(node.id, "tag", "strategy.unknown_tag", tag=node.tag)
            elif not catalogue.tags[node.tag]:
                yield _p(node.id, "tag", "strategy.tag_not_manual", tag=node.tag)
        case SetAttribute():
            if node.field not in catalogue.custom_attributes:
                yield _p(node.id, "field", "strategy.unknown_attribute", attribute=node.field)
        case ResultSplit():
            target = by_id.get(node.send_node)
            if target is None or target.type != "send":
                yield _p(node.id, "send_node", "strategy.not_a_send", node=node.send_node)
            elif node.send_node not in _ancestors(node.id, edges):
                yield _p(node.id, "send_node", "strategy.send_not_upstream", node=node.send_node)
        case _:
            pass
