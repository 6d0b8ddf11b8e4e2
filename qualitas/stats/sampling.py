"""Acceptance sampling by attributes: ANSI/ASQ Z1.4 (ISO 2859-1) single sampling plans.

Tables
    Table I (sample size code letters), and Tables II-A, II-B and II-C (single sampling plans for
    normal, tightened and reduced inspection) of ANSI/ASQ Z1.4-2003 (R2018), which reproduce
    MIL-STD-105E (1989) and are the same as Tables 1 and 2-A, 2-B, 2-C of ISO 2859-1:1999, are
    encoded below as data, row by row, in the order of the printed tables.

    Cell notation: ``Ac/Re`` a plan; ``v`` "use the first sampling plan below the arrow";
    ``^`` "use the first sampling plan above the arrow"; ``-`` no entry (tightened row S, n = 3150,
    exists only under AQL 0.025).

    Every cell was checked against published transcriptions; the verified copy, with the sources,
    is ``qualitas/stats/tests/z14_tables.py`` and the tests compare the two cell by cell. Sources:
    MIL-STD-105E "legible copy" transcription, Table II-A (studylib.net/doc/26308233, pages 18-19 of
    74: the list of plans in every row A-R); NIBS FMOC "AC-TABLE" Tables 1-A and 1-B (www.nibs.org/
    FMOC/DPW_AC/AC-TABLE.ASC, "developed from MIL-STD-105E ... Table II-A" and II-B: every cell,
    arrows included, of rows A-Q, AQL 0.65-15); the text of a scanned Z1.4 / 105E Table II-A
    ("Plan-Ilha", pt.scribd.com/document/212342834, Tabela 5); and, as a cross-check of every
    resolved cell of all three tables, the resolved matrices of the R package AQLSchemes
    (J. Lawson, CRAN 1.7-2, R/AAZ14Single.R; its Table II-C rows A-C above AQL 15 and its column
    1000 are internally inconsistent, e.g. 21/22 plans in a reduced table, and were not used).
    Correction made on that check: row E of all three tables carries the plans 30/31, 44/45
    (normal), 27/28, 41/42 (tightened) and 14/17, 21/24 (reduced) under AQL 150 and 250 (they
    were up arrows); the up arrows start at row F under AQL 100 to 250 and at row E under 400.

Plan selection (:func:`single_plan`)
    1. Table I gives the code letter for the lot size and inspection level (S-1 ... S-4, I, II, III).
    2. The master table cell for (code letter, AQL) is read. An arrow is followed, in the same AQL
       column, to the first cell below (``v``) or above (``^``) it that holds a plan; that plan's
       Ac and Re are used *together with that plan's own sample size* (Z1.4 and ISO 2859-1
       footnotes to Tables II-A/B/C: "Use the first sampling plan below/above the arrow"; 105E
       4.9.3). The plan's row is reported as ``plan_letter`` next to the original ``code_letter``.
       Arrows are followed within the table of the current severity, so a reduced-inspection
       arrow lands on a reduced plan (and a reduced sample size), a tightened one on a tightened
       plan; below row R of Table II-B the arrows lead to row S (n = 3150, Ac 1, Re 2 at 0.025).
    3. When the sample size equals or exceeds the lot size, the whole lot is inspected
       (``hundred_percent``; ``sample_size`` becomes the lot size), as the footnote to the down
       arrow says ("If sample size equals, or exceeds, lot or batch size, do 100 percent
       inspection"). Ac and Re stay those of the plan.

    Remaining judgement call: the cell for code letter A under AQL 10 of Tables II-A and II-C is
    printed as an up arrow (NIBS Table 1-A transcribes it so) although row A is the top row and
    nothing lies above it. This module reads it as the nearest plan in that row, the 0/1 plan at
    AQL 6.5 (n = 2: normal Ac 0 Re 1, reduced Ac 0 Re 1), i.e. the plan the arrows of that diagonal
    point to. AQLSchemes reads the cell as a down arrow instead (normal: C, n = 5, Ac 1, Re 2;
    reduced: C, n = 2, Ac 0, Re 2). Only lots of 2 to 8 items (levels S-1 ... II) reach this cell.
    The footnotes of the standard do not cover an up arrow with no plan above it.

Reduced inspection (Table II-C) keeps the acceptance/rejection gaps of Z1.4: when the number
nonconforming lies strictly between Ac and Re the lot is accepted but normal inspection is
reinstated (Z1.4 section 8.3.4 b).

Switching rules (:class:`SwitchingTracker`) follow ISO 2859-1:1999 clause 9, including the
switching score for normal to reduced (9.3.3.2); see the class docstring.

OC curves (:func:`oc_curve`): Montgomery, *Introduction to Statistical Quality Control*, 7th ed.,
Section 15.2.2: the type B (binomial) curve Pa = P(X <= c), X ~ Binomial(n, p); with a lot size N
the type A (hypergeometric) curve with D = round(p N) nonconforming items in the lot.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from qualitas.stats._validation import finite_vector, positive_integer
from qualitas.stats.errors import StatsError

__all__ = [
    "AQLS",
    "CODE_LETTERS",
    "LotDecision",
    "SamplingPlan",
    "SwitchingTracker",
    "code_letter",
    "oc_curve",
    "single_plan",
]

LEVELS = ("S-1", "S-2", "S-3", "S-4", "I", "II", "III")
SEVERITIES = ("normal", "tightened", "reduced")

# Table I: (upper end of the lot size range, code letters for S-1, S-2, S-3, S-4, I, II, III).
TABLE_I: tuple[tuple[int | None, str], ...] = (
    (8, "A A A A A A B"),
    (15, "A A A A A B C"),
    (25, "A A B B B C D"),
    (50, "A B B C C D E"),
    (90, "B B C C C E F"),
    (150, "B B C D D F G"),
    (280, "B C D E E G H"),
    (500, "B C D E F H J"),
    (1200, "C C E F G J K"),
    (3200, "C D E G H K L"),
    (10000, "C D F G J L M"),
    (35000, "C D F H K M N"),
    (150000, "D E G J L N P"),
    (500000, "D E G J M P Q"),
    (None, "D E H K N Q R"),  # 500 001 and over
)

CODE_LETTERS = "ABCDEFGHJKLMNPQR"
SAMPLE_SIZES = dict(
    zip(CODE_LETTERS, (2, 3, 5, 8, 13, 20, 32, 50, 80, 125, 200, 315, 500, 800, 1250, 2000), strict=True)
)
SAMPLE_SIZES_TIGHTENED = {**SAMPLE_SIZES, "S": 3150}
SAMPLE_SIZES_REDUCED = dict(
    zip(CODE_LETTERS, (2, 2, 2, 3, 5, 8, 13, 20, 32, 50, 80, 125, 200, 315, 500, 800), strict=True)
)

# AQL columns: percent nonconforming up to 10, nonconformities per 100 units above.
AQLS = (
    "0.010", "0.015", "0.025", "0.040", "0.065", "0.10", "0.15", "0.25", "0.40", "0.65", "1.0", "1.5", "2.5",
    "4.0", "6.5", "10", "15", "25", "40", "65", "100", "150", "250", "400", "650", "1000",
)  # fmt: skip

# fmt: off
TABLE_II_A: dict[str, str] = {  # Table II-A, normal inspection
    "A": "    v     v     v     v     v     v     v     v     v     v     v     v     v     v   0/1     ^     v   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22 30/31",
    "B": "    v     v     v     v     v     v     v     v     v     v     v     v     v   0/1     ^     v   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22 30/31 44/45",
    "C": "    v     v     v     v     v     v     v     v     v     v     v     v   0/1     ^     v   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22 30/31 44/45     ^",
    "D": "    v     v     v     v     v     v     v     v     v     v     v   0/1     ^     v   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22 30/31 44/45     ^     ^",
    "E": "    v     v     v     v     v     v     v     v     v     v   0/1     ^     v   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22 30/31 44/45     ^     ^     ^",
    "F": "    v     v     v     v     v     v     v     v     v   0/1     ^     v   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ^     ^     ^     ^     ^     ^",
    "G": "    v     v     v     v     v     v     v     v   0/1     ^     v   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ^     ^     ^     ^     ^     ^     ^",
    "H": "    v     v     v     v     v     v     v   0/1     ^     v   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ^     ^     ^     ^     ^     ^     ^     ^",
    "J": "    v     v     v     v     v     v   0/1     ^     v   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ^     ^     ^     ^     ^     ^     ^     ^     ^",
    "K": "    v     v     v     v     v   0/1     ^     v   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^",
    "L": "    v     v     v     v   0/1     ^     v   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^",
    "M": "    v     v     v   0/1     ^     v   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^",
    "N": "    v     v   0/1     ^     v   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^",
    "P": "    v   0/1     ^     v   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^",
    "Q": "  0/1     ^     v   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^",
    "R": "    ^     ^   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^",
}
TABLE_II_B: dict[str, str] = {  # Table II-B, tightened inspection (row S only under 0.025)
    "A": "    v     v     v     v     v     v     v     v     v     v     v     v     v     v     v     v     v     v   1/2   2/3   3/4   5/6   8/9 12/13 18/19 27/28",
    "B": "    v     v     v     v     v     v     v     v     v     v     v     v     v     v   0/1     v     v   1/2   2/3   3/4   5/6   8/9 12/13 18/19 27/28 41/42",
    "C": "    v     v     v     v     v     v     v     v     v     v     v     v     v   0/1     v     v   1/2   2/3   3/4   5/6   8/9 12/13 18/19 27/28 41/42     ^",
    "D": "    v     v     v     v     v     v     v     v     v     v     v     v   0/1     v     v   1/2   2/3   3/4   5/6   8/9 12/13 18/19 27/28 41/42     ^     ^",
    "E": "    v     v     v     v     v     v     v     v     v     v     v   0/1     v     v   1/2   2/3   3/4   5/6   8/9 12/13 18/19 27/28 41/42     ^     ^     ^",
    "F": "    v     v     v     v     v     v     v     v     v     v   0/1     v     v   1/2   2/3   3/4   5/6   8/9 12/13 18/19     ^     ^     ^     ^     ^     ^",
    "G": "    v     v     v     v     v     v     v     v     v   0/1     v     v   1/2   2/3   3/4   5/6   8/9 12/13 18/19     ^     ^     ^     ^     ^     ^     ^",
    "H": "    v     v     v     v     v     v     v     v   0/1     v     v   1/2   2/3   3/4   5/6   8/9 12/13 18/19     ^     ^     ^     ^     ^     ^     ^     ^",
    "J": "    v     v     v     v     v     v     v   0/1     v     v   1/2   2/3   3/4   5/6   8/9 12/13 18/19     ^     ^     ^     ^     ^     ^     ^     ^     ^",
    "K": "    v     v     v     v     v     v   0/1     v     v   1/2   2/3   3/4   5/6   8/9 12/13 18/19     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^",
    "L": "    v     v     v     v     v   0/1     v     v   1/2   2/3   3/4   5/6   8/9 12/13 18/19     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^",
    "M": "    v     v     v     v   0/1     v     v   1/2   2/3   3/4   5/6   8/9 12/13 18/19     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^",
    "N": "    v     v     v   0/1     v     v   1/2   2/3   3/4   5/6   8/9 12/13 18/19     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^",
    "P": "    v     v   0/1     v     v   1/2   2/3   3/4   5/6   8/9 12/13 18/19     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^",
    "Q": "    v   0/1     v     v   1/2   2/3   3/4   5/6   8/9 12/13 18/19     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^",
    "R": "  0/1     ^     v   1/2   2/3   3/4   5/6   8/9 12/13 18/19     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^",
    "S": "    -     -   1/2     -     -     -     -     -     -     -     -     -     -     -     -     -     -     -     -     -     -     -     -     -     -     -",
}
TABLE_II_C: dict[str, str] = {  # Table II-C, reduced inspection
    "A": "    v     v     v     v     v     v     v     v     v     v     v     v     v     v   0/1     ^     v   0/2   1/3   1/4   2/5   3/6   5/8  7/10 10/13 14/17",
    "B": "    v     v     v     v     v     v     v     v     v     v     v     v     v   0/1     ^     v   0/2   1/3   1/4   2/5   3/6   5/8  7/10 10/13 14/17 21/24",
    "C": "    v     v     v     v     v     v     v     v     v     v     v     v   0/1     ^     v   0/2   1/3   1/4   2/5   3/6   5/8  7/10 10/13 14/17 21/24     ^",
    "D": "    v     v     v     v     v     v     v     v     v     v     v   0/1     ^     v   0/2   1/3   1/4   2/5   3/6   5/8  7/10 10/13 14/17 21/24     ^     ^",
    "E": "    v     v     v     v     v     v     v     v     v     v   0/1     ^     v   0/2   1/3   1/4   2/5   3/6   5/8  7/10 10/13 14/17 21/24     ^     ^     ^",
    "F": "    v     v     v     v     v     v     v     v     v   0/1     ^     v   0/2   1/3   1/4   2/5   3/6   5/8  7/10 10/13     ^     ^     ^     ^     ^     ^",
    "G": "    v     v     v     v     v     v     v     v   0/1     ^     v   0/2   1/3   1/4   2/5   3/6   5/8  7/10 10/13     ^     ^     ^     ^     ^     ^     ^",
    "H": "    v     v     v     v     v     v     v   0/1     ^     v   0/2   1/3   1/4   2/5   3/6   5/8  7/10 10/13     ^     ^     ^     ^     ^     ^     ^     ^",
    "J": "    v     v     v     v     v     v   0/1     ^     v   0/2   1/3   1/4   2/5   3/6   5/8  7/10 10/13     ^     ^     ^     ^     ^     ^     ^     ^     ^",
    "K": "    v     v     v     v     v   0/1     ^     v   0/2   1/3   1/4   2/5   3/6   5/8  7/10 10/13     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^",
    "L": "    v     v     v     v   0/1     ^     v   0/2   1/3   1/4   2/5   3/6   5/8  7/10 10/13     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^",
    "M": "    v     v     v   0/1     ^     v   0/2   1/3   1/4   2/5   3/6   5/8  7/10 10/13     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^",
    "N": "    v     v   0/1     ^     v   0/2   1/3   1/4   2/5   3/6   5/8  7/10 10/13     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^",
    "P": "    v   0/1     ^     v   0/2   1/3   1/4   2/5   3/6   5/8  7/10 10/13     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^",
    "Q": "  0/1     ^     v   0/2   1/3   1/4   2/5   3/6   5/8  7/10 10/13     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^",
    "R": "    ^     ^   0/2   1/3   1/4   2/5   3/6   5/8  7/10 10/13     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^",
}
# fmt: on


_MASTER = {
    "normal": (TABLE_II_A, SAMPLE_SIZES, CODE_LETTERS),
    "tightened": (TABLE_II_B, SAMPLE_SIZES_TIGHTENED, CODE_LETTERS + "S"),
    "reduced": (TABLE_II_C, SAMPLE_SIZES_REDUCED, CODE_LETTERS),
}


def _aql_index(aql) -> int:
    try:
        value = float(aql)
    except (TypeError, ValueError):
        raise StatsError(f"AQL must be a number, got {aql!r}") from None
    for index, column in enumerate(AQLS):
        if abs(float(column) - value) <= 1e-9 * max(1.0, value):
            return index
    raise StatsError(f"AQL {aql!r} is not one of the preferred AQLs of the standard: {', '.join(AQLS)}")


def code_letter(lot_size: int, level: str = "II") -> str:
    """Sample size code letter from Table I (ANSI/ASQ Z1.4, ISO 2859-1 Table 1)."""
    lot_size = positive_integer(lot_size, "lot_size", minimum=2)
    if level not in LEVELS:
        raise StatsError(f"unknown inspection level {level!r}; choose one of {', '.join(LEVELS)}")
    column = LEVELS.index(level)
    for upper, letters in TABLE_I:
        if upper is None or lot_size <= upper:
            return letters.split()[column]
    raise AssertionError("unreachable")  # pragma: no cover


@dataclass(frozen=True)
class SamplingPlan:
    lot_size: int
    aql: str
    level: str
    severity: str
    code_letter: str  # from Table I
    plan_letter: str  # the row whose plan is used, after following arrows
    sample_size: int  # the lot size when hundred_percent
    acceptance: int  # Ac
    rejection: int  # Re
    hundred_percent: bool

    def decide(self, nonconforming: int) -> str:
        """'accept', 'reject', or on reduced plans with a gap 'accept_and_reinstate_normal'."""
        count = positive_integer(nonconforming, "nonconforming", minimum=0)
        if count <= self.acceptance:
            return "accept"
        if count >= self.rejection:
            return "reject"
        return "accept_and_reinstate_normal"

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _cell(table: dict[str, str], letter: str, column: int) -> str:
    return table[letter].split()[column]


def _resolve(severity: str, letter: str, column: int) -> tuple[str, int, int]:
    """Follow the arrows of the ``severity`` table from (letter, column) to a plan: ``v`` moves one
    row down, ``^`` one row up, in the same AQL column, until a cell holds Ac/Re. Returns the
    plan's row letter (whose sample size is then used), Ac and Re."""
    table, _, order = _MASTER[severity]
    position = order.index(letter)
    while True:
        cell = _cell(table, order[position], column)
        if cell == "v":
            position += 1
        elif cell == "^" and position == 0:
            # An up arrow in the top row (A under AQL 10) has no plan above it; it stands beside
            # the row's 0/1 plan at the next tighter AQL, which is the plan used.
            column -= 1
        elif cell == "^":
            position -= 1
        elif "/" in cell:
            accept, reject = (int(part) for part in cell.split("/"))
            return order[position], accept, reject
        else:
            raise AssertionError(f"no plan at {order[position]}/{AQLS[column]} in the {severity} table")
        if not 0 <= position < len(order):
            raise AssertionError(f"arrow leaves the {severity} table at {letter}/{AQLS[column]}")


def single_plan(lot_size: int, aql, level: str = "II", severity: str = "normal") -> SamplingPlan:
    """Single sampling plan from ANSI/ASQ Z1.4 (ISO 2859-1): code letter, n, Ac and Re.

    ``aql`` is one of the preferred AQLs (0.010 ... 1000; values above 10 are nonconformities per
    100 units); ``level`` S-1 to S-4, I, II or III; ``severity`` normal, tightened or reduced.
    Arrows are followed to the first plan and that plan's sample size is used; when it is at
    least the lot size the whole lot is inspected.
    """
    if severity not in SEVERITIES:
        raise StatsError(f"unknown severity {severity!r}; choose one of {', '.join(SEVERITIES)}")
    column = _aql_index(aql)
    letter = code_letter(lot_size, level)
    plan_letter, accept, reject = _resolve(severity, letter, column)
    sample_size = _MASTER[severity][1][plan_letter]
    hundred_percent = sample_size >= lot_size
    return SamplingPlan(
        lot_size=int(lot_size),
        aql=AQLS[column],
        level=level,
        severity=severity,
        code_letter=letter,
        plan_letter=plan_letter,
        sample_size=int(lot_size) if hundred_percent else sample_size,
        acceptance=accept,
        rejection=reject,
        hundred_percent=hundred_percent,
    )


def oc_curve(n: int, c: int, p_values, lot_size: int | None = None) -> np.ndarray:
    """Probability of acceptance Pa(p) of the plan (n, c).

    Binomial (type B): Pa = sum_(d=0..c) C(n, d) p^d (1 - p)^(n - d).
    With ``lot_size`` N (type A, hypergeometric): D = round(p N) nonconforming items in the lot,
    Pa = sum_(d=0..c) C(D, d) C(N - D, n - d) / C(N, n).
    """
    n = positive_integer(n, "n")
    c = positive_integer(c, "c", minimum=0)
    p = finite_vector(p_values, "p_values")
    if ((p < 0) | (p > 1)).any():
        raise StatsError("p_values must be fractions between 0 and 1")
    if lot_size is None:
        return stats.binom.cdf(c, n, p)
    lot_size = positive_integer(lot_size, "lot_size")
    if n > lot_size:
        raise StatsError(f"the sample size {n} exceeds the lot size {lot_size}")
    defectives = np.rint(p * lot_size).astype(np.int64)
    return stats.hypergeom.cdf(c, lot_size, defectives, n)


# --- switching rules ------------------------------------------------------------------------


@dataclass(frozen=True)
class LotDecision:
    plan: SamplingPlan
    nonconforming: int
    accepted: bool
    severity_before: str
    severity_after: str
    reason: str  # why the severity changed, or "" when it did not
    switching_score: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "plan": self.plan.to_dict(),
            "nonconforming": self.nonconforming,
            "accepted": self.accepted,
            "severity_before": self.severity_before,
            "severity_after": self.severity_after,
            "reason": self.reason,
            "switching_score": self.switching_score,
        }


class SwitchingTracker:
    """Normal / tightened / reduced switching for one stream of lots (a supplier and material, or a
    part stream), ISO 2859-1:1999 clause 9 (the same rules as ANSI/ASQ Z1.4 section 8, except that
    the switching score replaces Z1.4's limit numbers for normal to reduced).

    * Normal -> tightened (9.3.1): 2 lots not accepted within 5 or fewer consecutive lots.
    * Tightened -> normal (9.3.2): 5 consecutive lots accepted.
    * Normal -> reduced (9.3.3): switching score >= 30, production steady and the responsible
      authority approves. The score starts at 0 on entering normal inspection; after each lot:
      with Ac >= 2, add 3 if the lot would also have been accepted at the AQL one step tighter,
      else reset to 0; with Ac 0 or 1, add 2 if the lot is accepted, else reset to 0 (9.3.3.2).
    * Reduced -> normal (9.3.4): a lot not accepted, a lot accepted with Ac < d < Re (Z1.4
      Table II-C gap), production irregular or delayed, or other conditions.
    * Discontinuation (9.4): the cumulative number of lots not accepted while on tightened
      inspection reaches 5. :meth:`resume` (after corrective action) restarts on tightened.

    The state is a plain dict (``.state``) to be stored with the stream and passed back in.
    """

    VERSION = 1
    SCORE_TO_REDUCE = 30

    def __init__(self, state: dict | None = None):
        self.severity = "normal"
        self.recent_normal: list[bool] = []  # accepted flags of the last lots on normal (at most 5)
        self.tightened_accepted_run = 0
        self.tightened_not_accepted = 0
        self.switching_score = 0
        self.lots = 0
        if state is not None:
            self._load(state)

    @property
    def state(self) -> dict:
        return {
            "version": self.VERSION,
            "severity": self.severity,
            "recent_normal": list(self.recent_normal),
            "tightened_accepted_run": self.tightened_accepted_run,
            "tightened_not_accepted": self.tightened_not_accepted,
            "switching_score": self.switching_score,
            "lots": self.lots,
        }

    def _load(self, state: dict) -> None:
        if state.get("version") != self.VERSION:
            raise StatsError(f"unsupported switching state version {state.get('version')!r}")
        try:
            severity = state["severity"]
            if severity not in (*SEVERITIES, "discontinued"):
                raise ValueError(f"unknown severity {severity!r}")
            self.severity = severity
            self.recent_normal = [bool(flag) for flag in state["recent_normal"]][-5:]
            self.tightened_accepted_run = int(state["tightened_accepted_run"])
            self.tightened_not_accepted = int(state["tightened_not_accepted"])
            self.switching_score = int(state["switching_score"])
            self.lots = int(state["lots"])
        except (KeyError, TypeError, ValueError) as error:
            raise StatsError(f"switching state is malformed: {error}") from None

    def plan(self, lot_size: int, aql, level: str = "II") -> SamplingPlan:
        """The plan for the next lot at the current severity."""
        if self.severity == "discontinued":
            raise StatsError(
                "acceptance inspection is discontinued (5 lots not accepted on tightened inspection); "
                "resume() after corrective action"
            )
        return single_plan(lot_size, aql, level, self.severity)

    def resume(self) -> None:
        """Restart after corrective action, on tightened inspection (ISO 2859-1 9.4)."""
        if self.severity != "discontinued":
            raise StatsError("inspection is not discontinued")
        self._enter("tightened")

    def _enter(self, severity: str) -> None:
        self.severity = severity
        self.recent_normal = []
        self.tightened_accepted_run = 0
        self.tightened_not_accepted = 0
        self.switching_score = 0

    def record(
        self,
        plan: SamplingPlan,
        nonconforming: int,
        *,
        production_steady: bool = True,
        reduced_approved: bool = True,
    ) -> LotDecision:
        """Record the result of original inspection of one lot under ``plan``; switch if due."""
        if self.severity == "discontinued":
            raise StatsError("acceptance inspection is discontinued; resume() after corrective action")
        if plan.severity != self.severity:
            raise StatsError(
                f"the plan is for {plan.severity} inspection but the stream is on {self.severity}"
            )
        outcome = plan.decide(nonconforming)
        accepted = outcome != "reject"
        before = self.severity
        reason = ""
        self.lots += 1
        if before == "normal":
            self.recent_normal = [*self.recent_normal, accepted][-5:]
            self._update_score(plan, int(nonconforming), accepted)
            if self.recent_normal.count(False) >= 2:
                self._enter("tightened")
                reason = "2 lots not accepted within 5 or fewer consecutive lots (ISO 2859-1 9.3.1)"
            elif self.switching_score >= self.SCORE_TO_REDUCE and production_steady and reduced_approved:
                self._enter("reduced")
                reason = "switching score reached 30 (ISO 2859-1 9.3.3)"
        elif before == "tightened":
            if accepted:
                self.tightened_accepted_run += 1
            else:
                self.tightened_accepted_run = 0
                self.tightened_not_accepted += 1
            if self.tightened_not_accepted >= 5:
                self.severity = "discontinued"
                reason = "5 lots not accepted on tightened inspection: discontinue (ISO 2859-1 9.4)"
            elif self.tightened_accepted_run >= 5:
                self._enter("normal")
                reason = "5 consecutive lots accepted on tightened inspection (ISO 2859-1 9.3.2)"
        elif before == "reduced":
            if not accepted:
                self._enter("normal")
                reason = "a lot not accepted on reduced inspection (ISO 2859-1 9.3.4)"
            elif outcome == "accept_and_reinstate_normal":
                self._enter("normal")
                reason = "accepted with Ac < d < Re on reduced inspection: reinstate normal (Z1.4 8.3.4)"
            elif not production_steady:
                self._enter("normal")
                reason = "production irregular or delayed (ISO 2859-1 9.3.4)"
        return LotDecision(
            plan=plan,
            nonconforming=int(nonconforming),
            accepted=accepted,
            severity_before=before,
            severity_after=self.severity,
            reason=reason,
            switching_score=self.switching_score,
        )

    def _update_score(self, plan: SamplingPlan, nonconforming: int, accepted: bool) -> None:
        if plan.acceptance >= 2:
            tighter = _tighter_acceptance(plan)
            if tighter is not None and nonconforming <= tighter:
                self.switching_score += 3
            else:
                self.switching_score = 0
        elif accepted:
            self.switching_score += 2
        else:
            self.switching_score = 0


def _tighter_acceptance(plan: SamplingPlan) -> int | None:
    """Ac of the normal plan with the same sample size at the AQL one step tighter."""
    column = AQLS.index(plan.aql) - 1
    if column < 0:
        return None
    cell = _cell(TABLE_II_A, plan.plan_letter, column)
    if "/" not in cell:
        return None
    return int(cell.split("/")[0])
