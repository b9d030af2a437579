"""The condition compiler: generated SQL, bound values only, and 422s that name the field."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from mofang.insight.catalogue import ATTRIBUTES, OPERATORS, TRACKING_PLAN, Catalogue, EventInfo, TagInfo, _f
from mofang.insight.segments.compiler import Context, SegmentRef, condition
from mofang.insight.segments.contracts import Condition
from mofang.insight.segments.queries import count_query
from mofang.platform.errors import Invalid
from mofang.platform.governance.logic import Scope
from mofang.platform.storage.sql import Params, compile_query

TREE = TypeAdapter(Condition)
TODAY = date(2026, 11, 20)
CATALOGUE = Catalogue(
    attributes=list(ATTRIBUTES),
    events=[EventInfo(name=n, label=label, properties=[_f(k, k, t) for k, t in props.items()])
            for n, (label, props) in TRACKING_PLAN.items()],
    transactions=[EventInfo(name="salary", label="代发工资"), EventInfo(name="purchase", label="产品购买")],
    transaction_properties=[_f("amount", "金额", "number"), _f("category", "类别", "string")],
    product_types=["基金", "理财", "定期"],
    products=[],
    tags=[TagInfo(id=7, key="rfm_class", name="RFM", family="business_value", value_type="string",
                  ops=list(OPERATORS["string"])),
          TagInfo(id=8, key="fund_views_30d", name="浏览基金", family="preference", value_type="number",
                  ops=list(OPERATORS["number"]))],
    operators={k: list(v) for k, v in OPERATORS.items()},
)
CTX = Context(catalogue=CATALOGUE, today=TODAY, segments={
    3: SegmentRef(id=3, kind="static", owner_org="GD", definition=None, frozen_on=date(2026, 11, 1)),
}, lists=frozenset({5}))


def sql_of(tree: dict, scope: Scope = Scope(kind="all")) -> tuple[str, dict]:
    params = Params()
    return compile_query(count_query(condition(TREE.validate_python(tree), CTX, params), scope, params), params)


def test_attribute_and_behaviour_tree_compiles_to_expected_sql() -> None:
    sql, values = sql_of({"type": "group", "op": "and", "conditions": [
        {"type": "attribute", "field": "age", "op": "between", "value": [25, 40]},
        {"type": "behaviour", "event": "product_view", "op": "gte", "value": 3, "window": {"last_days": 30},
         "filters": [{"property": "product_type", "op": "eq", "value": "基金"}]},
        {"type": "attribute", "field": "aum", "op": "between", "value": [50000, 500000]},
    ]}, Scope(kind="org", org_code="GD"))
    assert sql == (
        "SELECT COUNT(*) AS n FROM customers AS c WHERE (c.org_code = $p10 OR STARTS_WITH(c.org_code, $p11)) AND "
        "((c.birth_date <= $p0 AND c.birth_date > $p1) AND c.customer_id IN (SELECT e.customer_id FROM events AS e "
        "WHERE NOT e.customer_id IS NULL AND e.event = $p2 AND (e.ts >= $p3 AND e.ts < $p4) AND "
        "JSON_EXTRACT_STRING(e.properties, $p5) = $p6 GROUP BY e.customer_id HAVING COUNT(*) >= $p7) AND "
        "c.aum BETWEEN $p8 AND $p9)"
    )
    # Age 25–40 on 2026-11-20 means born after 1985-11-20 and on or before 2001-11-20.
    assert values["p0"] == date(2001, 11, 20) and values["p1"] == date(1985, 11, 20)
    assert values["p2"] == "product_view" and values["p5"] == '$."product_type"' and values["p6"] == "基金"
    assert values["p10"] == "GD" and values["p11"] == "GD-"


def test_did_not_and_zero_counts_exclude_instead_of_include() -> None:
    sql, _ = sql_of({"type": "behaviour", "event": "login", "op": "lt", "value": 2})
    assert sql.startswith("SELECT COUNT(*) AS n FROM customers AS c WHERE NOT c.customer_id IN (SELECT")
    assert "HAVING NOT COUNT(*) < $p" in sql
    sql, _ = sql_of({"type": "behaviour", "event": "login", "did": False})
    assert "WHERE NOT c.customer_id IN (SELECT e.customer_id FROM events AS e WHERE" in sql
    assert "GROUP BY" not in sql


def test_tag_on_past_date_sequence_holding_segment_and_list() -> None:
    sql, values = sql_of({"type": "group", "op": "or", "conditions": [
        {"type": "tag", "tag": "rfm_class", "op": "eq", "value": "重要价值客户", "days_ago": 30},
        {"type": "sequence", "steps": [{"event": "product_view"}, {"event": "fund_purchase"}], "within_hours": 24},
        {"type": "holding", "product_type": "基金", "op": "gte", "value": 10000},
        {"type": "segment", "segment_id": 3},
        {"type": "not", "condition": {"type": "list", "list_id": 5}},
    ]})
    assert "(t.tag_id = $p1 AND t.valid_from <= $p2 AND t.valid_to > $p3) AND t.value = $p0" in sql
    assert values["p2"] == date(2026, 10, 21) and values["p0"] == "重要价值客户"
    assert "JOIN events AS s1 ON s1.customer_id = s0.customer_id AND s1.ts > s0.ts AND s1.ts <= s0.ts + " \
           "TO_HOURS(CAST($p" in sql
    assert "HAVING SUM(h.balance) >= $p" in sql
    assert "FROM segment_members AS m WHERE m.segment_id = $p" in sql
    assert "NOT (c.customer_id IN (SELECT l.customer_id FROM list_members AS l" in sql


@pytest.mark.parametrize(("tree", "field", "words"), [
    ({"type": "attribute", "field": "salary", "op": "eq", "value": 1}, "definition.field", "unknown attribute"),
    ({"type": "attribute", "field": "gender", "op": "gt", "value": "M"}, "definition.op", "operator 'gt'"),
    ({"type": "attribute", "field": "aum", "op": "eq", "value": "lots"}, "definition.value", "number"),
    ({"type": "group", "conditions": [{"type": "behaviour", "event": "teleport"}]},
     "definition.conditions.0.event", "unknown event"),
    ({"type": "behaviour", "event": "product_view", "filters": [{"property": "colour", "op": "eq", "value": "x"}]},
     "definition.filters.0.property", "unknown property"),
    ({"type": "behaviour", "event": "product_view",
      "filters": [{"property": "product_type", "op": "between", "value": ["a", "b"]}]},
     "definition.filters.0.op", "operator 'between'"),
    ({"type": "tag", "tag": "nope", "op": "eq", "value": "x"}, "definition.tag", "unknown tag"),
    ({"type": "holding", "product_type": "火箭"}, "definition.product_type", "unknown product type"),
    ({"type": "segment", "segment_id": 99}, "definition.segment_id", "unknown segment"),
    ({"type": "list", "list_id": 99}, "definition.list_id", "unknown list"),
    ({"type": "behaviour", "event": "fund_purchase", "measure": "sum", "property": "product_type", "op": "gt",
      "value": 1}, "definition.property", "number property"),
])
def test_bad_definitions_name_the_field(tree: dict, field: str, words: str) -> None:
    with pytest.raises(Invalid) as err:
        sql_of(tree)
    assert err.value.field == field and words in err.value.message


# ---- property test: any valid tree compiles and no user text ends up in the SQL

USER_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12)
STRING_ATTRS = [a.key for a in ATTRIBUTES if a.type == "string"]
NUMBER_ATTRS = [a.key for a in ATTRIBUTES if a.type == "number"]


def leaves(marker: st.SearchStrategy[str]) -> st.SearchStrategy[dict]:
    string_attr = st.builds(lambda f, op, v: {"type": "attribute", "field": f, "op": op, "value": v},
                            st.sampled_from(STRING_ATTRS), st.sampled_from(["eq", "neq", "contains"]), marker)
    string_in = st.builds(lambda f, vs: {"type": "attribute", "field": f, "op": "in", "value": vs},
                          st.sampled_from(STRING_ATTRS), st.lists(marker, min_size=1, max_size=3))
    number_attr = st.builds(lambda f, op, v: {"type": "attribute", "field": f, "op": op, "value": v},
                            st.sampled_from(NUMBER_ATTRS), st.sampled_from(["eq", "gt", "gte", "lt", "lte"]),
                            st.integers(0, 150))
    behaviour = st.builds(
        lambda ev, v, op, n, did, days: {
            "type": "behaviour", "event": ev, "op": op, "value": n, "did": did, "window": {"last_days": days},
            "filters": [{"property": "product_type", "op": "eq", "value": v}] if ev == "product_view" else []},
        st.sampled_from(list(TRACKING_PLAN)), marker, st.sampled_from(["gte", "lt", "eq", "gt"]),
        st.integers(0, 20), st.booleans(), st.integers(1, 400))
    tag = st.builds(lambda v: {"type": "tag", "tag": "rfm_class", "op": "eq", "value": v}, marker)
    holding = st.builds(lambda t, n: {"type": "holding", "product_type": t, "op": "gte", "value": n},
                        st.sampled_from(["基金", "理财", "定期"]), st.integers(0, 10**6))
    return st.one_of(string_attr, string_in, number_attr, behaviour, tag, holding)


def trees(marker: st.SearchStrategy[str]) -> st.SearchStrategy[dict]:
    return st.recursive(leaves(marker), lambda kids: st.one_of(
        st.builds(lambda op, cs: {"type": "group", "op": op, "conditions": cs}, st.sampled_from(["and", "or"]),
                  st.lists(kids, min_size=1, max_size=4)),
        st.builds(lambda c: {"type": "not", "condition": c}, kids),
    ), max_leaves=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=trees(USER_TEXT.map(lambda s: "§" + s)))
def test_random_valid_trees_compile_with_every_value_bound(tree: dict) -> None:
    sql, values = sql_of(tree, Scope(kind="org", org_code="GD-SZ"))
    assert "§" not in sql  # every user string is a bound value, never SQL text
    placeholders = set(re.findall(r"\$(p\d+)", sql))
    assert placeholders == set(values)
    texts = [v for v in values.values() if isinstance(v, str) and v.startswith("§")]
    assert all(t not in sql for t in texts)
