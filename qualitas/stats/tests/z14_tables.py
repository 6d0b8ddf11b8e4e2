"""ANSI/ASQ Z1.4 = MIL-STD-105E = ISO 2859-1 single sampling master tables, typed in as verified.

Verified cell by cell (Ac/Re or arrow for each code letter x AQL) against:

1. MIL-STD-105E, 10 May 1989, "legible copy" transcription, TABLE II-A "Single sampling plans for
   normal inspection (Master table)", pages 18-19 of 74 (studylib.net/doc/26308233; the same file
   as www.scribd.com/document/438959564 and /563507790): the ordered list of plans in each row
   A ... R. Its rows B-E print "44 65" for 44 45 (typing slip).
2. NIBS FMOC "AC-TABLE", Tables 1-A (single normal) and 1-B (single tightened), "developed from
   MIL-STD-105E using TABLE I ... and TABLE II-A" (www.nibs.org/FMOC/DPW_AC/AC-TABLE.ASC): every
   cell, arrows included, of rows A-Q (1-A) and A-L (1-B) under AQL 0.65 ... 15.
3. Text layer of a scanned Z1.4 / MIL-STD-105E Table II-A, "Tabela 5. Single Sampling Plans for
   Normal Inspection (Master Table)" (pt.scribd.com/document/212342834, "Plan-Ilha"): the row
   groups, among them row E reading 5 6 7 8 10 11 14 15 21 22 30 31 44 45 from AQL 15.
4. Cross-check of every resolved cell (n, Ac, Re after the arrows) of the three tables: the R
   package AQLSchemes by J. S. Lawson (CRAN, version 1.7-2, R/AAZ14Single.R, as kept in the fork
   fjgonzalezmgt/AQLSchemesCust), which cites archive.org/details/MIL-STD-105E_1. It agrees with
   every cell below except (a) letter A at AQL 10 (see sampling.py: it reads the top-row up arrow
   as a down arrow) and (b) Table II-C rows A-C above AQL 15 and column 1000, where its data are
   not reduced plans at all (e.g. 21/22, 30/31) and were not used.

Table II-A agrees with sources 1, 2, 3 and 4 wherever they cover it. Table II-B agrees with 2 (rows
A-L, AQL 0.65-15) and 4 (all cells). Table II-C agrees with 4 for rows D-R and, for rows A-C, rests
on the Z1.4 / ISO 2859-1 layout of Table II-C (its plans stand in the same cells as those of
Table II-A, with 0/2, 1/3, 1/4, 2/5, 3/6, 5/8, 7/10, 10/13, 14/17, 21/24 in place of 1/2 ... 44/45)
and on Montgomery, Introduction to SQC, 7th ed., Section 15.5 (K, AQL 0.65: n = 50, Ac 1, Re 3).

Notation: "Ac/Re" a plan, "v" use the first plan below, "^" use the first plan above, "-" no entry.
"""

AQL_COLUMNS = (
    "0.010", "0.015", "0.025", "0.040", "0.065", "0.10", "0.15", "0.25", "0.40", "0.65", "1.0", "1.5", "2.5",
    "4.0", "6.5", "10", "15", "25", "40", "65", "100", "150", "250", "400", "650", "1000",
)  # fmt: skip

# Sample sizes by code letter (the "Sample size" column of each table).
NORMAL_SAMPLE_SIZES = {
    "A": 2, "B": 3, "C": 5, "D": 8, "E": 13, "F": 20, "G": 32, "H": 50, "J": 80, "K": 125, "L": 200,
    "M": 315, "N": 500, "P": 800, "Q": 1250, "R": 2000,
}  # fmt: skip
TIGHTENED_SAMPLE_SIZES = {**NORMAL_SAMPLE_SIZES, "S": 3150}
REDUCED_SAMPLE_SIZES = {
    "A": 2, "B": 2, "C": 2, "D": 3, "E": 5, "F": 8, "G": 13, "H": 20, "J": 32, "K": 50, "L": 80,
    "M": 125, "N": 200, "P": 315, "Q": 500, "R": 800,
}  # fmt: skip

# fmt: off
# Table II-A (ISO 2859-1 Table 2-A): normal inspection.
#         0.010 0.015 0.025 0.040 0.065  0.10  0.15  0.25  0.40  0.65   1.0   1.5   2.5   4.0   6.5    10    15    25    40    65   100   150   250   400   650  1000
VERIFIED_II_A = {
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

# Table II-B (ISO 2859-1 Table 2-B): tightened inspection; row S (n = 3150) has a plan only at 0.025.
#         0.010 0.015 0.025 0.040 0.065  0.10  0.15  0.25  0.40  0.65   1.0   1.5   2.5   4.0   6.5    10    15    25    40    65   100   150   250   400   650  1000
VERIFIED_II_B = {
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

# Table II-C (ISO 2859-1 Table 2-C): reduced inspection.
#         0.010 0.015 0.025 0.040 0.065  0.10  0.15  0.25  0.40  0.65   1.0   1.5   2.5   4.0   6.5    10    15    25    40    65   100   150   250   400   650  1000
VERIFIED_II_C = {
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

# The plans of each row, in order, as listed by source 1 (legible copy of MIL-STD-105E Table II-A,
# with its "44 65" read as 44 45): an independent check of the arrows' placement in VERIFIED_II_A.
PUBLISHED_II_A_ROW_PLANS = {
    "A": "0/1 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 30/31",
    "B": "0/1 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 30/31 44/45",
    "C": "0/1 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 30/31 44/45",
    "D": "0/1 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 30/31 44/45",
    "E": "0/1 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 30/31 44/45",
    "F": "0/1 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22",
    "G": "0/1 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22",
    "H": "0/1 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22",
    "J": "0/1 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22",
    "K": "0/1 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22",
    "L": "0/1 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22",
    "M": "0/1 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22",
    "N": "0/1 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22",
    "P": "0/1 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22",
    "Q": "0/1 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22",
    "R": "1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22",
}
