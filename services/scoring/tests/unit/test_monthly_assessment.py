"""R9: a fixture month whose 签约率/落地率/资金到位率/入库投资率/入规企业数 were computed by hand.

Month 2024-03, default policy (weights 20/20/20/25/15, cap 1.2, annual targets measured
year-to-date, ties by 入库投资率 then unit code). All amounts in 万元.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

from scoring_testkit.month import by_code, inputs

from scoring.domain.policy import DEFAULT_POLICY, policy_from_dict, policy_to_dict
from scoring.domain.scoring import (
    bottom,
    rank_units,
    rate,
    score_unit,
    scorecard_from_dict,
    scorecard_to_dict,
    unit_input_from_dict,
    unit_input_to_dict,
)
from scoring.domain.whatif import identical, rank_diff


def test_inputs_follow_the_r9_definitions_for_fengcheng() -> None:
    fc = by_code()["fc"].indicators
    assert (fc["signing_rate"].actual, fc["signing_rate"].target) == (D(30000), D(37500))
    assert (fc["landing_rate"].actual, fc["landing_rate"].target) == (D(1), D(2))
    assert (fc["funds_rate"].actual, fc["funds_rate"].target) == (D(6500), D(13000))
    assert (fc["investment_rate"].actual, fc["investment_rate"].target) == (D(18000), D(45000))
    assert (fc["enterprise_rate"].actual, fc["enterprise_rate"].target) == (D(2), D(4))
    # every number names the event it came from
    signing = {
        i.ref: (i.value, i.source_event_id, i.detail["base_event_id"]) for i in fc["signing_rate"].items
    }
    assert signing == {
        "fc-1": (D(15000), "ev-fc-1-signed-2024-03", "ev-fc-1-signed-2023-12"),
        "fc-2": (D(15000), "ev-fc-2-signed-2024-03", None),
    }
    assert [i.ref for i in fc["investment_rate"].items] == ["fc-1", "fc-3"]
    assert [(i.ref, i.source_event_id) for i in fc["enterprise_rate"].items] == [
        ("晋城甲公司", "ev-ret-fc-01"),
        ("晋城乙公司", "ev-ret-fc-02"),
    ]
    assert fc["investment_rate"].target_event_id == "ev-target-fc-fixed_asset_investment"


def test_scores_are_min_rate_cap_times_weight_as_computed_by_hand() -> None:
    cards = {c.unit_code: c for c in rank_units(DEFAULT_POLICY, inputs())}
    expected = {
        # unit: [(rate, score) for 签约率, 落地率, 资金到位率, 入库投资率, 入规企业数], total
        "fc": (
            [("0.8", "16.00"), ("0.5", "10.00"), ("0.5", "10.00"), ("0.4", "10.00"), ("0.5", "7.50")],
            "53.50",
        ),
        # 签约率 1.5 is capped at 1.2: 1.2 × 20 = 24
        "bl": ([("1.5", "24.00"), ("1", "20.00"), ("1", "20.00"), ("0.6", "15.00"), ("0", "0.00")], "79.00"),
        # 入规企业数 2/3 = 0.6667 → 0.6667 × 15 = 10.0005 → 10.00
        "rc": (
            [("0.95", "19.00"), ("0.5", "10.00"), ("1", "20.00"), ("0.8", "20.00"), ("0.6667", "10.00")],
            "79.00",
        ),
        # no funds target: 资金到位率 has no rate and scores 0 (policy missing_target = zero)
        "dingdian": (
            [("0.5", "10.00"), ("0", "0.00"), (None, "0.00"), ("0.3", "7.50"), ("1", "15.00")],
            "32.50",
        ),
        "sitou": (
            [("0.25", "5.00"), ("0.25", "5.00"), ("0", "0.00"), ("0.3", "7.50"), ("1", "15.00")],
            "32.50",
        ),
    }
    assert set(cards) == set(expected)  # the department 交通局 is not ranked
    for code, (lines, total) in expected.items():
        got = [(i.rate, i.score) for i in cards[code].indicators]
        assert got == [(D(r) if r is not None else None, D(s)) for r, s in lines], code
        assert cards[code].total == D(total), code
    assert [i.code for i in cards["fc"].indicators] == [
        "signing_rate",
        "landing_rate",
        "funds_rate",
        "investment_rate",
        "enterprise_rate",
    ]
    assert "no" in (cards["dingdian"].indicators[2].note or "")


def test_ranking_breaks_ties_by_investment_rate_then_unit_code() -> None:
    ranking = rank_units(DEFAULT_POLICY, inputs())
    # rc and bl both score 79.00: rc's 入库投资率 0.8 beats bl's 0.6.
    # dingdian and sitou both score 32.50 with 入库投资率 0.3: the unit code decides.
    assert [(c.rank, c.unit_code, c.total) for c in ranking] == [
        (1, "rc", D("79.00")),
        (2, "bl", D("79.00")),
        (3, "fc", D("53.50")),
        (4, "dingdian", D("32.50")),
        (5, "sitou", D("32.50")),
    ]
    assert [c.unit_code for c in bottom(DEFAULT_POLICY, ranking)] == ["fc", "dingdian", "sitou"]


def test_another_tie_break_policy_orders_ties_by_unit_code_alone() -> None:
    policy = replace(DEFAULT_POLICY, version=2, tie_breaks=("unit_code",))
    assert [c.unit_code for c in rank_units(policy, inputs())][:2] == ["bl", "rc"]


def test_rate_is_kept_to_four_places_and_score_to_two() -> None:
    assert rate(D(2), D(3)) == D("0.6667")
    assert rate(D(5), D(0)) is None and rate(D(5), None) is None
    unit = by_code()["rc"]
    assert score_unit(DEFAULT_POLICY, unit).indicators[4].score == D("10.00")


def test_full_weight_rule_for_a_missing_target() -> None:
    policy = replace(DEFAULT_POLICY, missing_target="full")
    card = score_unit(policy, by_code()["dingdian"])
    assert card.indicators[2].score == D("20.00") and card.total == D("52.50")


def test_what_if_with_other_weights_shows_rank_changes() -> None:
    before = rank_units(DEFAULT_POLICY, inputs())
    # only 入规企业数 counts: fc (2/4 = 0.5) falls behind every unit that met its target
    only_enterprises = DEFAULT_POLICY.with_weights(
        {
            "signing_rate": D(0),
            "landing_rate": D(0),
            "funds_rate": D(0),
            "investment_rate": D(0),
            "enterprise_rate": D(100),
        }
    )
    after = rank_units(only_enterprises, inputs())
    changes = {c.unit_code: (c.rank_before, c.rank_after) for c in rank_diff(before, after)}
    # dingdian, sitou 100 (tie: 入库投资率 0.3 both → unit code); rc 66.67; fc 50; bl 0
    assert changes == {"dingdian": (4, 1), "sitou": (5, 2), "rc": (1, 3), "fc": (3, 4), "bl": (2, 5)}
    assert not identical(before, after)


def test_stored_forms_reproduce_the_identical_ranking() -> None:
    units = [unit_input_from_dict(unit_input_to_dict(u)) for u in inputs()]
    assert units == inputs()
    ranking = rank_units(DEFAULT_POLICY, units)
    assert [scorecard_from_dict(scorecard_to_dict(c)) for c in ranking] == ranking
    assert identical(ranking, rank_units(policy_from_dict(policy_to_dict(DEFAULT_POLICY)), units))
