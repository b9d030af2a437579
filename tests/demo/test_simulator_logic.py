"""The response model: probabilities move the way a banker expects, and every draw is reproducible."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mofang.demo.simulator_logic import Contact, Recipient, SimulatorConfig, draw, odds

CFG = SimulatorConfig(seed=1, lifts={"基金意向转化": 0.05})
YOUNG = Recipient(age=28, tier="大众客户", aum=20_000, lifecycle="活跃")
OLD = Recipient(age=66, tier="大众客户", aum=20_000, lifecycle="活跃")


def rate(recipient: Recipient, contact: Contact, n: int = 4000, *, what: str = "opened_after",
         config: SimulatorConfig = CFG) -> float:
    """Share of n deliveries (distinct keys) with the response."""
    hits = 0
    for i in range(n):
        answer = draw(recipient, Contact(**{**contact.__dict__, "key": f"{contact.key}-{i}"}), config)
        hits += getattr(answer, what) is not None
    return hits / n


def test_young_open_pushes_more_and_old_read_sms_more() -> None:
    push, sms = Contact(key="p", channel="push", hour=20), Contact(key="s", channel="sms", hour=20)
    assert odds(YOUNG, push, CFG).open > odds(OLD, push, CFG).open
    assert odds(OLD, sms, CFG).open > odds(YOUNG, sms, CFG).open
    assert rate(YOUNG, push) > rate(OLD, push) + 0.03  # the drawn rates follow the probabilities


def test_night_sends_and_dormant_customers_respond_less() -> None:
    day, night = Contact(key="d", channel="sms", hour=20), Contact(key="n", channel="sms", hour=3)
    assert odds(YOUNG, night, CFG).open < odds(YOUNG, day, CFG).open
    dormant = Recipient(age=28, tier="大众客户", aum=20_000, lifecycle="沉睡")
    assert odds(dormant, day, CFG).open < odds(YOUNG, day, CFG).open
    assert rate(dormant, day) < rate(YOUNG, day)


def test_links_draw_clicks_and_wealth_converts_more() -> None:
    linked, plain = Contact(key="l", channel="push", has_link=True), Contact(key="x", channel="push")
    assert odds(YOUNG, linked, CFG).click > odds(YOUNG, plain, CFG).click
    rich = Recipient(age=45, tier="私行客户", aum=3_000_000, lifecycle="活跃")
    poor = Recipient(age=45, tier="大众客户", aum=1_000, lifecycle="活跃")
    assert odds(rich, linked, CFG).convert > odds(poor, linked, CFG).convert


def test_the_named_strategy_gets_its_true_lift() -> None:
    """Conversions of the named strategy exceed an identical one's by about the configured lift."""
    named = Contact(key="f", channel="push", has_link=True, strategy="基金意向转化", hour=12)
    other = Contact(key="f", channel="push", has_link=True, strategy="别的策略", hour=12)
    n = 20_000
    with_lift = rate(YOUNG, named, n, what="converted_after")
    without = rate(YOUNG, other, n, what="converted_after")
    assert abs((with_lift - without) - 0.05) < 0.012
    assert odds(YOUNG, other, CFG).lift == 0


def test_a_different_seed_gives_different_answers() -> None:
    contact = Contact(key="k", channel="inbox", has_link=True)
    a = [draw(YOUNG, Contact(key=f"k{i}", channel="inbox"), CFG) for i in range(200)]
    b = [draw(YOUNG, Contact(key=f"k{i}", channel="inbox"), SimulatorConfig(seed=2)) for i in range(200)]
    assert a != b
    assert draw(YOUNG, contact, CFG) == draw(YOUNG, contact, SimulatorConfig(seed=1, lifts=CFG.lifts))


@given(key=st.text(min_size=1, max_size=40), channel=st.sampled_from(["push", "sms", "inbox", "rm_task"]),
       hour=st.integers(0, 23), age=st.none() | st.integers(18, 95), aum=st.floats(0, 1e8))
def test_draws_are_reproducible_and_ordered(key: str, channel: str, hour: int, age: int | None, aum: float) -> None:
    who = Recipient(age=age, tier="财富客户", aum=aum, lifecycle="活跃")
    contact = Contact(key=key, channel=channel, has_link=True, strategy="基金意向转化", hour=hour)
    first = draw(who, contact, CFG)
    assert first == draw(who, contact, CFG)  # the same delivery, the same answers, whenever simulated
    if first.clicked_after is not None:
        assert first.opened_after is not None and first.clicked_after > first.opened_after
    if first.converted_after is not None and first.clicked_after is not None:
        assert first.converted_after > first.clicked_after
    o = odds(who, contact, CFG)
    assert all(0 <= p <= 0.95 for p in (o.open, o.click, o.convert, o.lift))
