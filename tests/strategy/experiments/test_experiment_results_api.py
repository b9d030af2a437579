"""Experiment results over HTTP: the numbers statsmodels gives on the same rows, SRM, data scope, promoting a winner."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from scipy.stats import chisquare
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint, proportions_ztest

from mofang.platform.context import Platform
from mofang.platform.governance import service as gov
from mofang.platform.settings import Settings
from mofang.strategy.engine.repository import EngineInstance

Headers = dict[str, str]
T0 = datetime(2026, 3, 2, 2, tzinfo=UTC)

# Declarative fixture: (variant, branch) -> (entered, converted) in the AB arms; branch -> counts in the holdout.
ARMS = {("A", "GD-SZ-001"): (300, 30), ("A", "ZJ-HZ-001"): (200, 16),
        ("B", "GD-SZ-001"): (310, 46), ("B", "ZJ-HZ-001"): (190, 25)}
HELD = {"GD-SZ-001": (60, 4), "ZJ-HZ-001": (40, 2)}
SKEWED = {("A", "GD-SZ-001"): (1000, 100), ("B", "GD-SZ-001"): (800, 90)}


def journey(holdout: float = 10) -> dict[str, Any]:
    return {"nodes": [{"id": "in", "type": "api_entry"},
                      {"id": "ab", "type": "ab_split", "title": "两版文案", "control": "A",
                       "variants": [{"label": "A", "percent": 50}, {"label": "B", "percent": 50}]},
                      {"id": "wa", "type": "delay", "seconds": 3600}, {"id": "wb", "type": "delay", "seconds": 3600},
                      {"id": "end", "type": "exit"}],
            "edges": [{"source": "in", "target": "ab"}, {"source": "ab", "target": "wa", "label": "A"},
                      {"source": "ab", "target": "wb", "label": "B"}, {"source": "wa", "target": "end"},
                      {"source": "wb", "target": "end"}],
            "settings": {"holdout_percent": holdout}}


def insert_instances(platform: Platform, strategy_id: int, arms: dict[tuple[str, str], tuple[int, int]],
                     held: dict[str, tuple[int, int]], *, version: int = 1) -> None:
    """Instance rows as the engine leaves them: the AB label in context.variants, holdout customers flagged."""
    rows: list[EngineInstance] = []

    def add(prefix: str, org: str, n: int, x: int, variant: str, holdout: bool) -> None:
        for i in range(n):
            rows.append(EngineInstance(
                strategy_id=strategy_id, version=version, customer_id=f"{prefix}{i}", org_code=org, rm_id=None,
                entry_node="in", entry_key=f"{prefix}{i}", entered_at=T0, node="end", status="done",
                exit_reason="converted" if i < x else "exit", variant=variant, holdout=holdout,
                converted_at=T0 if i < x else None, context={"variants": {"ab": variant}}, seq=3))

    for (variant, org), (n, x) in arms.items():
        add(f"v{version}-{variant}-{org}-", org, n, x, variant, False)
    for org, (n, x) in held.items():
        # Holdout customers pass the split too (they only receive no action): they must not count in the arms.
        add(f"v{version}-h-{org}-", org, n, x, "B", True)
    with platform.metadata.session() as session:
        session.add_all(rows)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Every test on the embedded SQLite metadata DB and on PostgreSQL (when MOFANG_TEST_POSTGRES_URL is set)."""
    url = request.getfixturevalue("_fresh_pg_database") if request.param == "postgres" else None
    return Settings(data_dir=tmp_path / "data", start_background=True, scheduler=False, metadata_url=url)


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The engine facade, recorded: publishing is tested here, running it elsewhere."""
    calls: list[dict[str, Any]] = []
    import mofang.strategy.engine as facade

    monkeypatch.setattr(facade, "activate", lambda **kw: calls.append(kw), raising=False)
    return calls


@pytest.fixture
def users(make_user: Callable[..., str], login: Callable[[str], Headers]) -> dict[str, Headers]:
    spec = {"root": ("admin", "HQ"), "sz_ops": ("branch_operator", "GD-SZ"), "ana": ("analyst", "HQ")}
    return {name: login(make_user(name, role, org)) for name, (role, org) in spec.items()}


def published(client: TestClient, who: Headers, graph: dict[str, Any]) -> int:
    sid = client.post("/api/strategies", json={"name": "基金文案实验", "graph": graph}, headers=who).json()["id"]
    res = client.post(f"/api/strategies/{sid}/publish", headers=who)
    assert res.status_code == 200, res.text
    return int(sid)


def arm(experiment: dict[str, Any], variant: str) -> dict[str, Any]:
    return next(a for a in experiment["arms"] if a["variant"] == variant)


def totals(arms: dict[tuple[str, str], tuple[int, int]], variant: str, org: str | None = None) -> tuple[int, int]:
    pairs = [c for (v, o), c in arms.items() if v == variant and org in (None, o)]
    return sum(n for n, _ in pairs), sum(x for _, x in pairs)


def assert_matches_statsmodels(exp: dict[str, Any], control: tuple[int, int], treated: tuple[int, int],
                               treated_label: str) -> None:
    """Every number of the treated arm equals the reference computed by statsmodels/scipy on the same counts."""
    (n_c, x_c), (n_t, x_t) = control, treated
    row = arm(exp, treated_label)
    assert (row["entered"], row["converted"]) == (n_t, x_t)
    lo, hi = proportion_confint(x_t, n_t, alpha=0.05, method="wilson")
    assert row["rate"] == pytest.approx(x_t / n_t) and row["rate_lower"] == pytest.approx(lo, abs=1e-12)
    assert row["rate_upper"] == pytest.approx(hi, abs=1e-12)
    z, p = proportions_ztest([x_t, x_c], [n_t, n_c])
    assert row["z"] == pytest.approx(z, rel=1e-9) and row["p_value"] == pytest.approx(p, rel=1e-7)
    assert row["significant"] == (p < 0.05)
    d_lo, d_hi = confint_proportions_2indep(x_t, n_t, x_c, n_c, method="newcomb", compare="diff", alpha=0.05)
    assert row["difference"] == pytest.approx(x_t / n_t - x_c / n_c)
    assert row["difference_lower"] == pytest.approx(d_lo, abs=1e-10)
    assert row["difference_upper"] == pytest.approx(d_hi, abs=1e-10)
    p_c, p_t = x_c / n_c, x_t / n_t
    ratio = p_t / p_c
    se = math.sqrt(p_t * (1 - p_t) / n_t / p_c**2 + p_t**2 * p_c * (1 - p_c) / n_c / p_c**4)
    assert row["lift"] == pytest.approx(ratio - 1)
    assert row["lift_lower"] == pytest.approx(ratio - 1 - 1.959963984540054 * se, rel=1e-9)
    assert row["lift_upper"] == pytest.approx(ratio - 1 + 1.959963984540054 * se, rel=1e-9)
    h = NormalIndPower().solve_power(nobs1=min(n_c, n_t), alpha=0.05, power=0.8, ratio=1.0)
    assert row["mde"] == pytest.approx(math.sin(math.asin(math.sqrt(p_c)) + h / 2) ** 2 - p_c, rel=1e-3)


def test_numbers_equal_statsmodels_on_the_same_rows(app_client: TestClient, platform: Platform,
                                                    users: dict[str, Headers], engine: list[Any]) -> None:
    sid = published(app_client, users["root"], journey())
    insert_instances(platform, sid, ARMS, HELD)
    body = app_client.get(f"/api/strategies/{sid}/experiments", headers=users["ana"]).json()
    ab, holdout = body["experiments"]
    assert (ab["kind"], ab["node_id"], ab["control"], ab["versions"]) == ("ab_split", "ab", "A", [1])
    control = totals(ARMS, "A")
    assert (arm(ab, "A")["entered"], arm(ab, "A")["converted"]) == control  # holdout customers left out
    assert arm(ab, "A")["p_value"] is None and arm(ab, "A")["control"] is True
    assert_matches_statsmodels(ab, control, totals(ARMS, "B"), "B")
    assert arm(ab, "B")["sample_note"] == "ok"
    chi2, p = chisquare([control[0], totals(ARMS, "B")[0]])
    assert ab["srm"]["chi2"] == pytest.approx(chi2) and ab["srm"]["p_value"] == pytest.approx(p, rel=1e-7)
    assert ab["srm"]["mismatch"] is False
    # The holdout against everyone treated, each branch on its own (head office sees 广东 and 浙江).
    held = (sum(n for n, _ in HELD.values()), sum(x for _, x in HELD.values()))
    treated = tuple(map(sum, zip(control, totals(ARMS, "B"), strict=True)))
    assert holdout["kind"] == "holdout" and holdout["control"] == "holdout"
    assert_matches_statsmodels(holdout, held, treated, "treated")  # type: ignore[arg-type]
    everyone = held[0] + treated[0]
    _, p = chisquare([held[0], treated[0]], [everyone * 0.1, everyone * 0.9])
    assert holdout["srm"]["p_value"] == pytest.approx(p, rel=1e-7)
    branches = {b["org_code"]: b for b in ab["branches"]}
    assert set(branches) == {"GD", "ZJ"} and branches["GD"]["org_name"] == "广东省分行"
    assert_matches_statsmodels(branches["ZJ"], totals(ARMS, "A", "ZJ-HZ-001"), totals(ARMS, "B", "ZJ-HZ-001"), "B")


def test_a_skewed_split_is_flagged(app_client: TestClient, platform: Platform, users: dict[str, Headers],
                                   engine: list[Any]) -> None:
    sid = published(app_client, users["root"], journey(holdout=0))
    insert_instances(platform, sid, SKEWED, {})
    body = app_client.get(f"/api/strategies/{sid}/experiments", headers=users["root"]).json()
    assert [e["kind"] for e in body["experiments"]] == ["ab_split"]  # no holdout configured, no pseudo-experiment
    srm = body["experiments"][0]["srm"]
    _, p = chisquare([1000, 800])
    assert srm["mismatch"] is True and srm["p_value"] == pytest.approx(p, rel=1e-7) and p < 0.001
    assert srm["expected"] == [900.0, 900.0]


def test_a_branch_viewer_counts_only_its_subtree(app_client: TestClient, platform: Platform,
                                                 users: dict[str, Headers], engine: list[Any]) -> None:
    sid = published(app_client, users["root"], journey())
    insert_instances(platform, sid, ARMS, HELD)
    body = app_client.get(f"/api/strategies/{sid}/experiments", headers=users["sz_ops"]).json()
    ab, holdout = body["experiments"]
    mine = "GD-SZ-001"
    assert_matches_statsmodels(ab, totals(ARMS, "A", mine), totals(ARMS, "B", mine), "B")
    assert (arm(holdout, "holdout")["entered"], arm(holdout, "holdout")["converted"]) == HELD[mine]
    assert [b["org_code"] for b in ab["branches"]] == ["GD-SZ-001"]
    assert "ZJ-HZ-001" not in str(body) and "ZJ" not in {b["org_code"] for b in holdout["branches"]}


def test_promote_publishes_a_version_with_the_winner_and_is_recorded(
        app_client: TestClient, platform: Platform, users: dict[str, Headers], engine: list[dict[str, Any]]) -> None:
    sid = published(app_client, users["root"], journey())
    insert_instances(platform, sid, ARMS, HELD)
    res = app_client.post(f"/api/strategies/{sid}/experiments/ab/promote", json={"variant": "B", "note": "B 胜出"},
                          headers=users["root"])
    assert res.status_code == 200, res.text
    promo = res.json()["promotion"]
    assert res.json()["version"] == 2 and (promo["variant"], promo["previous_version"]) == ("B", 1)
    assert promo["promoted_by"] == "root" and arm(promo["statistics"], "B")["entered"] == totals(ARMS, "B")[0]
    strategy = app_client.get(f"/api/strategies/{sid}", headers=users["root"]).json()
    assert (strategy["published_version"], strategy["status"], strategy["has_draft"]) == (2, "published", False)
    v2 = app_client.get(f"/api/strategies/{sid}/versions/2", headers=users["root"]).json()
    assert next(n for n in v2["graph"]["nodes"] if n["id"] == "ab")["winner"] == "B"
    # The engine runs version 2 for future traffic; customers already inside stay on version 1.
    last = engine[-1]
    assert (last["version"], last["migrate_instances"]) == (2, False)
    assert next(n for n in last["graph"].nodes if n.id == "ab").winner == "B"
    with platform.metadata.session() as session:
        actions = [e.action for e in gov.list_audit(session=session, limit=20, offset=0)[0]]
    assert {"experiment.promote", "strategy.publish"} <= set(actions)
    after = app_client.get(f"/api/strategies/{sid}/experiments", headers=users["root"]).json()["experiments"][0]
    assert after["winner"] == "B" and after["versions"] == [1] and after["promotions"][0]["id"] == promo["id"]


def test_promoting_needs_strategy_publish_and_a_real_variant(
        app_client: TestClient, platform: Platform, users: dict[str, Headers], engine: list[Any]) -> None:
    sid = published(app_client, users["root"], journey())
    url = f"/api/strategies/{sid}/experiments/ab/promote"
    assert app_client.post(url, json={"variant": "B"}, headers=users["ana"]).status_code == 403
    bad = app_client.post(url, json={"variant": "C"}, headers=users["root"])
    assert bad.status_code == 422 and bad.json()["code"] == "experiment.unknown_variant"
    assert app_client.post(f"/api/strategies/{sid}/experiments/zz/promote", json={"variant": "B"},
                           headers=users["root"]).json()["code"] == "experiment.no_node"
    versions = app_client.get(f"/api/strategies/{sid}/versions", headers=users["root"]).json()
    assert [v["version"] for v in versions] == [1]  # nothing half-written


def test_a_pending_draft_is_not_published_by_a_promotion_and_stays_the_draft(
        app_client: TestClient, users: dict[str, Headers], engine: list[dict[str, Any]]) -> None:
    sid = published(app_client, users["root"], journey())
    assert app_client.put(f"/api/strategies/{sid}", json={"graph": journey(holdout=5)},
                          headers=users["root"]).status_code == 200
    res = app_client.post(f"/api/strategies/{sid}/experiments/ab/promote", json={"variant": "B"},
                          headers=users["root"])
    assert res.status_code == 200, res.text
    assert res.json()["version"] == 3  # v2 is the draft; v3 = v1 with the winner
    published_graph = engine[-1]["graph"]
    assert published_graph.settings.holdout_percent == 10  # the draft's edit was not published
    strategy = app_client.get(f"/api/strategies/{sid}", headers=users["root"]).json()
    assert (strategy["published_version"], strategy["current_version"], strategy["has_draft"]) == (3, 4, True)
    draft = strategy["graph"]
    assert draft["settings"]["holdout_percent"] == 5
    assert next(n for n in draft["nodes"] if n["id"] == "ab")["winner"] == "B"
