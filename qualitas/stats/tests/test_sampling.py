"""ANSI/ASQ Z1.4 (ISO 2859-1) single sampling: tables, arrows, 100% inspection, switching, OC."""

import json

import numpy as np
import pytest

from qualitas.stats import StatsError
from qualitas.stats.sampling import (
    AQLS,
    CODE_LETTERS,
    SAMPLE_SIZES,
    SAMPLE_SIZES_REDUCED,
    SAMPLE_SIZES_TIGHTENED,
    TABLE_II_A,
    TABLE_II_B,
    TABLE_II_C,
    SwitchingTracker,
    code_letter,
    oc_curve,
    single_plan,
)
from qualitas.stats.tests import z14_tables

# ANSI/ASQC Z1.4 / MIL-STD-105E Table I, "Sample Size Code Letters", as printed in the
# "AQL sampling chart" reproduction (pdfcoffee.com/aql-sampling-chart-pdf-free.html):
# lot size -> S-1 S-2 S-3 S-4 I II III.
PUBLISHED_TABLE_I = {
    (2, 8): "AAAAAAB",
    (9, 15): "AAAAABC",
    (16, 25): "AABBBCD",
    (26, 50): "ABBCCDE",
    (51, 90): "BBCCCEF",
    (91, 150): "BBCDDFG",
    (151, 280): "BCDEEGH",
    (281, 500): "BCDEFHJ",
    (501, 1200): "CCEFGJK",
    (1201, 3200): "CDEGHKL",
    (3201, 10000): "CDFGJLM",
    (10001, 35000): "CDFHKMN",
    (35001, 150000): "DEGJLNP",
    (150001, 500000): "DEGJMPQ",
    (500001, 10**9): "DEHKNQR",
}


@pytest.mark.parametrize(("bounds", "letters"), PUBLISHED_TABLE_I.items())
def test_code_letters_table_i(bounds, letters):
    for lot_size in bounds:
        for level, letter in zip(("S-1", "S-2", "S-3", "S-4", "I", "II", "III"), letters, strict=True):
            assert code_letter(lot_size, level) == letter


# Rejection numbers (or arrows) of single sampling, level II, AQL 0.65 ... 15, as published in
# "Table 1-A (normal)" and "Table 1-B (tightened)" of NIBS FMOC AC-TABLE (www.nibs.org/FMOC/
# DPW_AC/AC-TABLE.ASC), "developed from MIL-STD-105E ... Table II-A" (and II-B).
PUBLISHED_NORMAL_RE = {
    "A": "v v v v v 1 ^ v",
    "B": "v v v v 1 ^ v 2",
    "C": "v v v 1 ^ v 2 3",
    "D": "v v 1 ^ v 2 3 4",
    "E": "v 1 ^ v 2 3 4 6",
    "F": "1 ^ v 2 3 4 6 8",
    "G": "^ v 2 3 4 6 8 11",
    "H": "v 2 3 4 6 8 11 15",
    "J": "2 3 4 6 8 11 15 22",
    "K": "3 4 6 8 11 15 22 ^",
    "L": "4 6 8 11 15 22 ^ ^",
    "M": "6 8 11 15 22 ^ ^ ^",
    "N": "8 11 15 22 ^ ^ ^ ^",
    "P": "11 15 22 ^ ^ ^ ^ ^",
    "Q": "15 22 ^ ^ ^ ^ ^ ^",
}
PUBLISHED_TIGHTENED_RE = {
    "A": "v v v v v v v v",
    "B": "v v v v v 1 v v",
    "C": "v v v v 1 v v 2",
    "D": "v v v 1 v v 2 3",
    "E": "v v 1 v v 2 3 4",
    "F": "v 1 v v 2 3 4 6",
    "G": "1 v v 2 3 4 6 9",
    "H": "v v 2 3 4 6 9 13",
    "J": "v 2 3 4 6 9 13 19",
    "K": "2 3 4 6 9 13 19 ^",
    "L": "3 4 6 9 13 19 ^ ^",
}
COLUMNS = AQLS.index("0.65"), AQLS.index("15") + 1


@pytest.mark.parametrize(
    ("table", "published"), [(TABLE_II_A, PUBLISHED_NORMAL_RE), (TABLE_II_B, PUBLISHED_TIGHTENED_RE)]
)
def test_master_tables_match_the_published_rows(table, published):
    for letter, row in published.items():
        cells = table[letter].split()[slice(*COLUMNS)]
        encoded = [cell.split("/")[1] if "/" in cell else cell for cell in cells]
        assert encoded == row.split(), letter


def test_montgomery_example_n_2000_aql_0_65():
    """Montgomery, Introduction to SQC, 7th ed., Section 15.5 (MIL STD 105E example): N = 2000,
    AQL 0.65%, general level II: code letter K; normal n = 125, Ac = 2, Re = 3; tightened n = 125,
    Ac = 1, Re = 2; reduced n = 50, Ac = 1, Re = 3."""
    normal = single_plan(2000, 0.65)
    assert (normal.code_letter, normal.sample_size, normal.acceptance, normal.rejection) == ("K", 125, 2, 3)
    tightened = single_plan(2000, 0.65, severity="tightened")
    assert (tightened.sample_size, tightened.acceptance, tightened.rejection) == (125, 1, 2)
    reduced = single_plan(2000, 0.65, severity="reduced")
    assert (reduced.sample_size, reduced.acceptance, reduced.rejection) == (50, 1, 3)
    assert reduced.decide(2) == "accept_and_reinstate_normal"


def _resolve_published(rows, letter, column):
    """Follow the arrows of a published row matrix (an independent reading of the table)."""
    letters = list(rows)
    position = letters.index(letter)
    while True:
        cell = rows[letters[position]].split()[column]
        if cell == "v":
            position += 1
        elif cell == "^":
            position -= 1
        else:
            return letters[position], int(cell)


# Level II lot size ranges of the NIBS tables (Table I): one lot size per code letter A..Q.
LEVEL_II_LOTS = dict(
    zip(
        "ABCDEFGHJKLMNPQ",
        (5, 12, 20, 40, 70, 120, 200, 400, 1000, 2000, 5000, 20000, 100000, 300000, 600000),
        strict=True,
    )
)
SAMPLE_SIZE = dict(
    zip(CODE_LETTERS, (2, 3, 5, 8, 13, 20, 32, 50, 80, 125, 200, 315, 500, 800, 1250, 2000), strict=True)
)


@pytest.mark.parametrize(
    ("severity", "published"), [("normal", PUBLISHED_NORMAL_RE), ("tightened", PUBLISHED_TIGHTENED_RE)]
)
def test_plans_for_every_published_lot_size_and_aql(severity, published):
    """Every level II lot size range x AQL 0.65 ... 15 of the published NIBS tables, arrows and
    100% cases included, against single_plan()."""
    checked = hundred_percent = followed = 0
    for letter, lot in LEVEL_II_LOTS.items():
        if letter not in published:
            continue
        for offset, aql in enumerate(AQLS[slice(*COLUMNS)]):
            if letter == "A" and aql == "10":
                continue  # the top-row up arrow: see test_top_row_up_arrow
            plan_letter, rejection = _resolve_published(published, letter, offset)
            plan = single_plan(lot, aql, "II", severity)
            assert plan.code_letter == letter
            assert (plan.plan_letter, plan.rejection) == (plan_letter, rejection), (letter, aql)
            assert plan.hundred_percent == (SAMPLE_SIZE[plan_letter] >= lot)
            assert plan.sample_size == min(SAMPLE_SIZE[plan_letter], lot)
            checked += 1
            hundred_percent += plan.hundred_percent
            followed += plan_letter != letter
    assert checked > 80 and hundred_percent > 5 and followed > 20


def test_top_row_up_arrow():
    # A / AQL 10 (normal) is an up arrow in the top row; it resolves to the 0/1 plan beside it.
    plan = single_plan(8, 10)
    assert (plan.plan_letter, plan.sample_size, plan.acceptance, plan.rejection) == ("A", 2, 0, 1)
    assert not plan.hundred_percent


# --- every cell of Tables II-A, II-B and II-C against the verified copy (tests/z14_tables.py) ---

MASTER_TABLES = {
    "normal": (TABLE_II_A, z14_tables.VERIFIED_II_A, SAMPLE_SIZES, z14_tables.NORMAL_SAMPLE_SIZES),
    "tightened": (
        TABLE_II_B,
        z14_tables.VERIFIED_II_B,
        SAMPLE_SIZES_TIGHTENED,
        z14_tables.TIGHTENED_SAMPLE_SIZES,
    ),
    "reduced": (TABLE_II_C, z14_tables.VERIFIED_II_C, SAMPLE_SIZES_REDUCED, z14_tables.REDUCED_SAMPLE_SIZES),
}


def test_verified_tables_have_the_columns_and_sample_sizes_of_the_module():
    assert z14_tables.AQL_COLUMNS == AQLS
    for severity, (table, verified, sizes, verified_sizes) in MASTER_TABLES.items():
        assert sizes == verified_sizes, severity
        assert list(table) == list(verified), severity  # same rows, in the printed order
        for letter, row in verified.items():
            assert len(row.split()) == len(AQLS), (severity, letter)


@pytest.mark.parametrize("severity", list(MASTER_TABLES))
def test_every_cell_of_the_master_table_matches_the_verified_table(severity):
    table, verified, _, _ = MASTER_TABLES[severity]
    mismatches = [
        (letter, aql, ours, published)
        for letter in verified
        for aql, ours, published in zip(AQLS, table[letter].split(), verified[letter].split(), strict=True)
        if ours != published
    ]
    assert mismatches == []


def test_verified_table_ii_a_places_exactly_the_published_plans_of_each_row():
    for letter, plans in z14_tables.PUBLISHED_II_A_ROW_PLANS.items():
        cells = [cell for cell in z14_tables.VERIFIED_II_A[letter].split() if "/" in cell]
        assert cells == plans.split(), letter


def test_row_e_carries_the_large_acceptance_numbers():
    # Corrected cells (they were up arrows): code letter E, n = 13 (reduced n = 5), AQL 150 and 250.
    for lot, aql, severity, expected in [
        (60, 150, "normal", ("E", 13, 30, 31)),
        (60, 250, "normal", ("E", 13, 44, 45)),
        (60, 400, "normal", ("D", 8, 44, 45)),  # up arrow from E
        (100, 150, "normal", ("E", 13, 30, 31)),  # letter F: up arrow to E
        (60, 150, "tightened", ("E", 13, 27, 28)),
        (60, 250, "tightened", ("E", 13, 41, 42)),
        (60, 150, "reduced", ("E", 5, 14, 17)),
        (60, 250, "reduced", ("E", 5, 21, 24)),
        (60, 400, "reduced", ("D", 3, 21, 24)),
    ]:
        plan = single_plan(lot, aql, "II", severity)
        assert (plan.plan_letter, plan.sample_size, plan.acceptance, plan.rejection) == expected, (lot, aql)


def _follow(rows, letter, column):
    """Independent reading of the arrows of a verified table: v one row down, ^ one row up."""
    letters = list(rows)
    position = letters.index(letter)
    while True:
        cell = rows[letters[position]].split()[column]
        if cell == "v":
            position += 1
        elif cell == "^" and position == 0:
            return None  # the top-row up arrow (A, AQL 10): a judgement call, tested separately
        elif cell == "^":
            position -= 1
        else:
            accept, reject = cell.split("/")
            return letters[position], int(accept), int(reject)


# One lot size per code letter: level II for A-Q, level III for R (500 001 and over).
LOT_FOR_LETTER = {
    **dict(
        zip(
            "ABCDEFGHJKLMNPQ",
            (5, 12, 20, 40, 70, 120, 200, 400, 1000, 2000, 5000, 20000, 100000, 300000, 600000),
            strict=True,
        )
    ),
    "R": 600000,
}


@pytest.mark.parametrize("severity", list(MASTER_TABLES))
def test_single_plan_resolves_every_cell_like_the_verified_table(severity):
    _, verified, _, verified_sizes = MASTER_TABLES[severity]
    for letter in CODE_LETTERS:
        lot = LOT_FOR_LETTER[letter]
        level = "III" if letter == "R" else "II"
        for column, aql in enumerate(AQLS):
            expected = _follow(verified, letter, column)
            if expected is None:
                continue
            plan_letter, accept, reject = expected
            plan = single_plan(lot, aql, level, severity)
            size = verified_sizes[plan_letter]
            assert plan.code_letter == letter
            assert (plan.plan_letter, plan.acceptance, plan.rejection) == expected, (severity, letter, aql)
            assert plan.hundred_percent == (size >= lot)
            assert plan.sample_size == min(size, lot)


@pytest.mark.parametrize(
    ("lot", "aql", "level", "expected"),
    [
        # (code letter, plan letter, sample size, Ac, Re, 100 %) under reduced inspection (Table II-C).
        (2000, 0.10, "II", ("K", "K", 50, 0, 1, False)),
        (2000, 0.15, "II", ("K", "J", 32, 0, 1, False)),  # up arrow to J's 0/1, J's reduced n = 32
        (2000, 0.25, "II", ("K", "L", 80, 0, 2, False)),  # down arrow to L's 0/2, n = 80
        (5, 4.0, "II", ("A", "B", 2, 0, 1, False)),  # down arrow, reduced B keeps n = 2
        (5, 10, "II", ("A", "A", 2, 0, 1, False)),  # top-row up arrow: the 0/1 plan beside it
        (3, 1.0, "II", ("A", "E", 3, 0, 1, True)),  # arrow to E (n = 5) >= lot of 3: 100 %
        (600000, 0.010, "III", ("R", "Q", 500, 0, 1, False)),  # bottom row, up arrow
        (600000, 0.015, "III", ("R", "P", 315, 0, 1, False)),  # two up arrows (R, Q) to P
        (600000, 0.025, "III", ("R", "R", 800, 0, 2, False)),
    ],
)
def test_reduced_plans_with_arrows(lot, aql, level, expected):
    plan = single_plan(lot, aql, level, "reduced")
    got = (plan.code_letter, plan.plan_letter, plan.sample_size, plan.acceptance, plan.rejection)
    assert (*got, plan.hundred_percent) == expected


def test_tightened_bottom_rows_and_row_s():
    plan = single_plan(600000, 0.025, "III", "tightened")  # R: down arrow to S
    assert (plan.code_letter, plan.plan_letter, plan.sample_size, plan.acceptance, plan.rejection) == (
        "R", "S", 3150, 1, 2,
    )  # fmt: skip
    plan = single_plan(600000, 0.015, "III", "tightened")  # R: up arrow to Q
    assert (plan.plan_letter, plan.sample_size, plan.acceptance, plan.rejection) == ("Q", 1250, 0, 1)
    plan = single_plan(600000, 0.015, "III")  # normal R: up arrows through Q to P
    assert (plan.plan_letter, plan.sample_size, plan.acceptance, plan.rejection) == ("P", 800, 0, 1)


@pytest.mark.parametrize(
    ("lot", "aql", "level", "severity", "expected"),
    [
        # Lot 10 000: Table I gives S-1 C, S-2 D, S-3 F, S-4 G.
        (10000, 1.0, "S-1", "normal", ("C", "E", 13, 0, 1)),  # down arrows C, D to E
        (10000, 1.0, "S-2", "normal", ("D", "E", 13, 0, 1)),
        (10000, 1.0, "S-3", "normal", ("F", "E", 13, 0, 1)),  # up arrow to E
        (10000, 1.0, "S-4", "normal", ("G", "H", 50, 1, 2)),  # down arrow to H
        (10000, 1.0, "S-4", "tightened", ("G", "J", 80, 1, 2)),  # down arrows G, H to J
        (10000, 1.0, "S-3", "reduced", ("F", "E", 5, 0, 1)),  # up arrow to reduced E (n = 5)
        # Lot 600: S-1 C, S-2 C, S-3 E, S-4 F.
        (600, 4.0, "S-1", "normal", ("C", "B", 3, 0, 1)),  # up arrow to B
        (600, 4.0, "S-2", "normal", ("C", "B", 3, 0, 1)),
        (600, 4.0, "S-3", "normal", ("E", "E", 13, 1, 2)),
        (600, 4.0, "S-4", "normal", ("F", "F", 20, 2, 3)),
    ],
)
def test_special_inspection_levels(lot, aql, level, severity, expected):
    plan = single_plan(lot, aql, level, severity)
    assert (plan.code_letter, plan.plan_letter, plan.sample_size, plan.acceptance, plan.rejection) == expected
    assert not plan.hundred_percent


@pytest.mark.parametrize(
    ("lot", "aql", "level", "expected"),
    [
        # Lot 1 000, level II (letter J, n = 80), the most quoted row of Table II-A.
        (1000, 1.0, "II", ("J", "J", 80, 2, 3)),
        (1000, 2.5, "II", ("J", "J", 80, 5, 6)),
        (1000, 4.0, "II", ("J", "J", 80, 7, 8)),
        (1000, 0.65, "II", ("J", "J", 80, 1, 2)),
        (1000, 0.40, "II", ("J", "K", 125, 1, 2)),  # down arrow to K
        (1000, 0.25, "II", ("J", "H", 50, 0, 1)),  # up arrow to H
    ],
)
def test_plan_spot_checks(lot, aql, level, expected):
    plan = single_plan(lot, aql, level)
    assert (plan.code_letter, plan.plan_letter, plan.sample_size, plan.acceptance, plan.rejection) == expected


def test_hundred_percent_inspection_when_the_sample_reaches_the_lot_size():
    # Z1.4 footnote: "If sample size equals, or exceeds, lot or batch size, do 100 percent inspection."
    plan = single_plan(10, 0.65)  # letter B, arrow down to F (n = 20) > 10
    assert (plan.code_letter, plan.plan_letter) == ("B", "F")
    assert plan.hundred_percent and plan.sample_size == 10
    assert (plan.acceptance, plan.rejection) == (0, 1)
    equal = single_plan(13, 1.0, "III")  # letter C -> arrow to E (n = 13) = lot size
    assert equal.hundred_percent and equal.sample_size == 13


def test_every_cell_of_every_table_resolves_to_a_plan():
    for severity in ("normal", "tightened", "reduced"):
        for lot in (2, 9, 16, 26, 51, 91, 151, 281, 501, 1201, 3201, 10001, 35001, 150001, 500001):
            for level in ("S-1", "S-2", "S-3", "S-4", "I", "II", "III"):
                for aql in AQLS:
                    plan = single_plan(lot, aql, level, severity)
                    assert plan.rejection > plan.acceptance >= 0
                    if severity != "reduced":
                        assert plan.rejection == plan.acceptance + 1


def test_tables_are_complete():
    for table, letters in (
        (TABLE_II_A, CODE_LETTERS),
        (TABLE_II_B, CODE_LETTERS + "S"),
        (TABLE_II_C, CODE_LETTERS),
    ):
        assert set(table) == set(letters)
        assert all(len(row.split()) == len(AQLS) for row in table.values())


def test_bad_input():
    with pytest.raises(StatsError, match="preferred AQL"):
        single_plan(1000, 0.7)
    with pytest.raises(StatsError, match="inspection level"):
        single_plan(1000, 1.0, "IV")
    with pytest.raises(StatsError, match="severity"):
        single_plan(1000, 1.0, severity="strict")
    with pytest.raises(StatsError, match="lot_size"):
        single_plan(1, 1.0)


def test_oc_curve_montgomery_table_15_1():
    """Montgomery 7th ed., Section 15.2.2, Table 15.1: probabilities of acceptance of the plan
    n = 89, c = 2."""
    p = [0.005, 0.010, 0.020, 0.030, 0.040, 0.050, 0.060, 0.070, 0.080, 0.090]
    published = [0.9897, 0.9397, 0.7366, 0.4985, 0.3042, 0.1721, 0.0919, 0.0468, 0.0230, 0.0109]
    np.testing.assert_allclose(oc_curve(89, 2, p), published, atol=5e-5)


def test_oc_curve_hypergeometric_by_hand():
    # N = 10, n = 2, c = 0 and p = 0.2 (D = 2): Pa = C(8, 2) / C(10, 2) = 28 / 45.
    assert oc_curve(2, 0, [0.2], lot_size=10)[0] == pytest.approx(28 / 45)
    with pytest.raises(StatsError, match="exceeds the lot size"):
        oc_curve(20, 1, [0.1], lot_size=10)


# --- switching rules (ISO 2859-1:1999 clause 9) -----------------------------------------------


def run(tracker, results, lot=2000, aql=0.65):
    decisions = []
    for nonconforming in results:
        plan = tracker.plan(lot, aql)
        decisions.append(tracker.record(plan, nonconforming))
    return decisions


def test_normal_to_tightened_after_two_rejections_in_five_lots_and_back_after_five_accepted():
    tracker = SwitchingTracker()
    decisions = run(tracker, [0, 3, 0, 0, 3])  # normal K: Ac 2, Re 3
    assert [decision.accepted for decision in decisions] == [True, False, True, True, False]
    assert decisions[-1].severity_after == "tightened"
    assert "9.3.1" in decisions[-1].reason
    decisions = run(tracker, [0, 0, 0, 0, 0])
    assert decisions[-1].severity_after == "normal"
    assert "9.3.2" in decisions[-1].reason


def test_two_rejections_six_lots_apart_do_not_tighten():
    tracker = SwitchingTracker()
    run(tracker, [3, 0, 0, 0, 0, 3])
    assert tracker.severity == "normal"


def test_switching_score_to_reduced_and_back():
    tracker = SwitchingTracker()
    # K / 0.65: Ac = 2 >= 2, so +3 when the lot would pass at AQL 0.40 (K: Ac 1), i.e. d <= 1.
    run(tracker, [1] * 9)
    assert tracker.switching_score == 27 and tracker.severity == "normal"
    decision = run(tracker, [1])[0]
    assert decision.severity_after == "reduced" and "9.3.3" in decision.reason
    decision = run(tracker, [0])[0]
    assert decision.severity_after == "reduced"
    decision = run(tracker, [2])[0]  # reduced K: Ac 1, Re 3: accepted but normal is reinstated
    assert decision.accepted and decision.severity_after == "normal"
    assert tracker.switching_score == 0


def test_switching_score_resets_when_the_lot_would_fail_one_step_tighter():
    tracker = SwitchingTracker()
    run(tracker, [1, 1, 2])  # d = 2 is accepted at Ac 2 but not at the tighter Ac 1
    assert tracker.switching_score == 0
    small = SwitchingTracker()
    run(small, [0, 0, 0], lot=500, aql=0.65)  # H / 0.65: Ac 1 -> +2 per accepted lot
    assert small.switching_score == 6


def test_reduced_needs_steady_production_and_approval():
    tracker = SwitchingTracker()
    for _ in range(10):
        plan = tracker.plan(2000, 0.65)
        tracker.record(plan, 0, reduced_approved=False)
    assert tracker.severity == "normal" and tracker.switching_score == 30


def test_discontinue_after_five_rejections_on_tightened_and_resume():
    tracker = SwitchingTracker()
    run(tracker, [3, 3])
    assert tracker.severity == "tightened"
    decisions = run(tracker, [2, 0, 2, 0, 2, 2, 0, 2])  # tightened K: Ac 1, Re 2
    assert decisions[-1].severity_after == "discontinued"
    assert "9.4" in decisions[-1].reason
    with pytest.raises(StatsError, match="discontinued"):
        tracker.plan(2000, 0.65)
    tracker.resume()
    assert tracker.severity == "tightened"


def test_state_is_a_plain_dict_that_round_trips():
    tracker = SwitchingTracker()
    run(tracker, [0, 3, 1])
    state = json.loads(json.dumps(tracker.state))
    restored = SwitchingTracker(state)
    assert restored.state == tracker.state
    with pytest.raises(StatsError, match="malformed"):
        SwitchingTracker({**state, "severity": "lenient"})
    plan = single_plan(2000, 0.65, severity="tightened")
    with pytest.raises(StatsError, match="stream is on normal"):
        restored.record(plan, 0)
