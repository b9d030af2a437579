"""`mofang seed`'s showcase strategies: published through the canvas, a week run on the engine and the sandbox,
the simulator's answers recorded as simulated receipts and events; the same bank always gets the same week."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from mofang.demo.identities import prepare_identities
from mofang.demo.insights import prepare_insights
from mofang.demo.service import generate_bank
from mofang.demo.showcase import _principals, prepare_showcase
from mofang.demo.showcase_journeys import DORMANT, FUND, NEW, prepare_journeys
from mofang.demo.simulator import LiveSimulator, simulated_engine
from mofang.demo.simulator_logic import SimulatorConfig
from mofang.platform.context import Platform, open_platform
from mofang.platform.governance import service as gov
from mofang.platform.settings import DEMO_MARKER, Settings
from mofang.reach.models import Delivery
from mofang.strategy.canvas import service as canvas
from mofang.strategy.engine.repository import EngineInstance
from mofang.strategy.engine.service.stats import stats

pytestmark = pytest.mark.slow
# Today: segments such as 开户30天内新客 are evaluated against today's date, so the bank ends today.
NOW = datetime.now(UTC)


def _bank(root: Path) -> Platform:
    platform = open_platform(Settings(data_dir=root, start_background=False, scheduler=False))
    end = NOW.astimezone(ZoneInfo("Asia/Shanghai")).date()
    generate_bank(platform=platform, customers=800, days=75, seed=11, end_date=end)
    prepare_insights(platform=platform, end=end)
    prepare_showcase(platform=platform, end=end)
    prepare_identities(platform=platform, seed=11)
    return platform


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Platform, list[str]]]:
    """A small demo bank whose showcase strategies ran their simulated week."""
    platform = _bank(tmp_path_factory.mktemp("journeys") / "d")
    # A large true lift for the fund strategy: a bank this small still gets simulated conversions.
    lines = prepare_journeys(platform=platform, now=NOW, config=SimulatorConfig(seed=11, lifts={FUND: 0.5}))
    yield platform, lines
    platform.close()


def _strategies(platform: Platform) -> dict[str, int]:
    with platform.metadata.session() as session:
        who = _principals(session)["hq_ops"]
        return {s.name: s.id for s in canvas.list_strategies(session=session, who=who) if s.status == "published"}


def test_three_strategies_run_with_numbers_on_every_node_kind(seeded: tuple[Platform, list[str]]) -> None:
    platform, lines = seeded
    assert any("ran a simulated week" in line for line in lines), lines
    ids = _strategies(platform)
    assert {NEW, FUND, DORMANT} <= set(ids)
    with platform.metadata.session() as session:
        who = _principals(session)["hq_ops"]
        per = {name: stats(session=session, who=who, strategy_id=sid) for name, sid in ids.items()}
        published, _ = gov.list_audit(session=session, limit=50, offset=0, action="strategy.publish")
    for name in (NEW, FUND, DORMANT):
        assert per[name]["totals"]["entered"] > 0, (name, per[name]["totals"])
    fund = per[FUND]["nodes"]
    assert fund["push_a"]["entered"] > 0 and fund["push_b"]["entered"] > 0  # both arms of the AB split
    assert per[FUND]["totals"]["converted"] > 0  # the goal is reached (the bank's own purchases and simulated ones)
    with platform.metadata.session() as session:
        graph = canvas.graph_of(session=session, strategy_id=ids[DORMANT], version=1)
        held = list(session.scalars(select(EngineInstance.id).where(EngineInstance.strategy_id == ids[DORMANT],
                                                                    EngineInstance.holdout.is_(True))))
        sent_to_held = session.scalar(select(func.count()).select_from(Delivery).where(Delivery.instance_id.in_(held)))
    assert graph.settings.holdout_percent == 10 and sent_to_held == 0  # the holdout enters but is never sent to
    assert per[NEW]["nodes"]["login"]["entered"] > 0
    assert {p.target_id for p in published} >= {str(ids[n]) for n in (NEW, FUND, DORMANT)}  # audited like a user's


def test_sends_went_through_sandbox_channels_in_the_past_week(seeded: tuple[Platform, list[str]]) -> None:
    platform, _ = seeded
    with platform.metadata.session() as session:
        rows = list(session.execute(select(Delivery.channel, Delivery.channel_id, Delivery.cost_fen,
                                           Delivery.created_at, Delivery.receipt).where(Delivery.status == "accepted")))
    assert rows
    sms = [r for r in rows if r.channel == "sms"]
    assert sms and all(r.channel_id is not None and r.cost_fen == 4 for r in sms)  # the configured unit cost
    stamped = [r.created_at.replace(tzinfo=UTC) for r in rows]
    assert min(stamped) >= NOW - timedelta(days=7, minutes=1) and max(stamped) <= NOW
    assert min(stamped) < NOW - timedelta(days=5)  # spread over the week, not all at publish time
    assert {r.receipt for r in rows} >= {"delivered", "opened"}


def test_simulated_answers_are_marked_and_ingested(seeded: tuple[Platform, list[str]]) -> None:
    platform, _ = seeded
    with platform.store.read() as cur:
        converted = cur.execute("SELECT count(*) FROM events WHERE json_extract(properties, '$.simulated') = true"
                                " AND json_extract(context, '$.simulated') = true").fetchone()[0]
        receipts = cur.execute("SELECT count(*) FROM events WHERE event LIKE 'message_%' AND "
                               "json_extract_string(properties, '$.source') = 'simulator'").fetchone()[0]
    assert converted > 0 and receipts > 0


def test_running_the_showcase_again_adds_nothing(seeded: tuple[Platform, list[str]]) -> None:
    platform, _ = seeded
    with platform.metadata.session() as session:
        before = session.scalar(select(func.count()).select_from(Delivery))
    assert prepare_journeys(platform=platform, now=NOW) == []
    with platform.metadata.session() as session:
        assert session.scalar(select(func.count()).select_from(Delivery)) == before


def test_demo_marker_turns_the_live_simulator_on(tmp_path: Path) -> None:
    assert not Settings(data_dir=tmp_path).demo_simulator_on()
    (tmp_path / DEMO_MARKER).write_text("x")
    assert Settings(data_dir=tmp_path).demo_simulator_on()
    assert not Settings(data_dir=tmp_path, demo_simulator=False).demo_simulator_on()


def test_live_simulator_answers_new_sandbox_deliveries_seconds_later(seeded: tuple[Platform, list[str]]) -> None:
    """In a demo `serve`: a delivery sent now gets its (time-compressed) answers through the normal paths."""
    from mofang.reach import send
    from mofang.reach.contracts import SendRequest

    platform, _ = seeded
    fund = _strategies(platform)[FUND]
    with platform.metadata.session() as session:
        reached = list(session.execute(select(Delivery.customer_id, Delivery.template_id).where(
            Delivery.strategy_id == fund, Delivery.status == "accepted").limit(12)))
    assert reached
    # Noon in the bank's time zone today: at night the quiet hours (21:00–09:00) rightly defer every push.
    now = NOW.astimezone(ZoneInfo("Asia/Shanghai")).replace(hour=12, minute=0, second=0, microsecond=0).astimezone(UTC)
    with simulated_engine(platform, now):
        sim = LiveSimulator(platform, SimulatorConfig(seed=3, lifts={FUND: 0.95}), speedup=3600)
        answers = [
            send(platform=platform, request=SendRequest(
                customer_id=cid, channel="push", idempotency_key=f"live-test-{i}", template_id=template,
                strategy_id=fund, purpose="marketing", business_line="wealth", priority=1), now=now)
            for i, (cid, template) in enumerate(reached)]
        sim.step(now)
        sim.step(now + timedelta(minutes=10))  # an answer hours later in the week comes seconds later live
    counts = sim.responder.counts
    accepted = sum(a.status == "accepted" for a in answers)  # the contact policy may hold some back
    assert accepted > 0 and counts["converted"] >= accepted // 2  # the 95% true lift shows
    assert counts["delivered"] == 0  # live, the sandbox gateway itself reports deliveries
    with platform.store.read() as cur:
        live = cur.execute("SELECT count(*) FROM events WHERE message_id LIKE 'sim-%' AND "
                           "json_extract(context, '$.simulated') = true AND ts >= ?",
                           [now.replace(tzinfo=None)]).fetchone()[0]
    assert live >= counts["converted"] > 0


def test_the_demo_campaign_was_approved_by_another_user_and_its_journey_issued_gifts(
        seeded: tuple[Platform, list[str]]) -> None:
    from mofang.campaigns.benefits.models import BenefitGrant
    from mofang.campaigns.lifecycle.models import Approval, Campaign

    platform, lines = seeded
    assert any("showcase campaign" in line and "launched" in line for line in lines), lines
    with platform.metadata.session() as session:
        [c] = session.scalars(select(Campaign)).all()
        [approval] = session.scalars(select(Approval).where(Approval.object_id == str(c.id))).all()
        grants = session.execute(select(BenefitGrant.campaign_id, BenefitGrant.status)).all()
        entered = session.scalar(select(func.count()).select_from(EngineInstance).where(
            EngineInstance.strategy_id.in_(c.strategy_ids)))
    assert c.status == "running" and approval.status == "approved" and approval.decided_by != c.created_by
    assert entered > 0  # its compiled strategy ran in the simulated week like the others
    issued = [g for g in grants if g.status == "issued"]
    assert issued and all(g.campaign_id == c.id for g in grants)  # drawn from the campaign's own pool


def test_the_demo_campaigns_funnel_counts_the_gifts_its_journey_issued(seeded: tuple[Platform, list[str]]) -> None:
    from mofang.campaigns.benefits.models import BenefitGrant
    from mofang.campaigns.lifecycle import service as campaigns
    from mofang.campaigns.lifecycle.models import Campaign

    platform, _ = seeded
    with platform.metadata.session() as session:
        [c] = session.scalars(select(Campaign)).all()
        issued = set(session.scalars(select(BenefitGrant.customer_id).where(
            BenefitGrant.campaign_id == c.id, BenefitGrant.status == "issued")))
        who = _principals(session)["hq_ops"]
        got = campaigns.funnel(platform=platform, session=session, who=who, campaign_id=c.id, now=NOW)
    stages = {s.stage: s.count for s in got.stages}
    assert issued and stages["rewarded"] == len(issued)
    assert stages["completed"] >= stages["rewarded"]
