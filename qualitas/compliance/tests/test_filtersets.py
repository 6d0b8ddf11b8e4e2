"""StandardFilterSet and ClauseFilterSet through the generic filterset tests."""

from qualitas.compliance.choices import ClauseOriginChoices
from qualitas.compliance.filtersets import ClauseFilterSet, StandardFilterSet
from qualitas.compliance.tests.helpers import make_clause, make_standard
from qualitas.testing.filtersets import FilterSetTests


class TestStandardFilterSet(FilterSetTests):
    filterset = StandardFilterSet

    def make_records(self):
        base = make_standard(
            code="qms2030",
            name="QMS",
            edition="2030",
            title="Quality systems of the future",
            publisher="Future Standards Body",
            summary="A generic quality system standard.",
        )
        sector = make_standard(
            code="rail2031",
            name="Rail QMS",
            edition="2031",
            title="Rail sector quality systems",
            publisher="Railway Group",
            summary="Rail additions to the generic standard.",
            base=base,
        )
        return {"base": base, "sector": sector}

    def cases(self, records):
        return [
            ({"q": "future"}, ["base"]),
            ({"q": "rail additions"}, ["sector"]),
            ({"code": "rail2031"}, ["sector"]),
            ({"name": "QMS"}, ["base"]),
            ({"edition": "2030"}, ["base"]),
            ({"publisher": "Railway Group"}, ["sector"]),
            ({"title": "of the future"}, ["base"]),
            ({"summary": "generic"}, ["base", "sector"]),
            ({"base": [records["base"].pk]}, ["sector"]),
            ({"code": "nothing"}, []),
        ]


class TestClauseFilterSet(FilterSetTests):
    filterset = ClauseFilterSet
    untested_filters = {
        "has_evidence": "needs the requesting user; tested through the API in test_api.py "
        "(test_clauses_filter_by_evidence)",
    }

    def make_records(self):
        base_standard = make_standard(code="qms2030", name="QMS")
        sector_standard = make_standard(code="rail2031", name="Rail QMS", base=base_standard)
        seven = make_clause(base_standard, "7", title="Support", summary="Support heading.", is_heading=True)
        seven_one = make_clause(base_standard, "7.1", title="Resources", summary="People and machines.")
        rail_seven = make_clause(
            sector_standard,
            "7",
            title="Support",
            summary="Rail support.",
            is_heading=True,
            origin=ClauseOriginChoices.ISO9001,
        )
        rail_seven_one = make_clause(
            sector_standard,
            "7.1",
            title="Resources",
            summary="People, machines and rolling stock.",
            base_clause=seven_one,
            origin=ClauseOriginChoices.SUPPLEMENTED,
        )
        rail_seven_ten = make_clause(
            sector_standard,
            "7.10",
            title="Track access",
            summary="Permits to work on the track.",
            origin=ClauseOriginChoices.SECTOR,
            is_withdrawn=True,
        )
        return {
            "seven": seven,
            "seven_one": seven_one,
            "rail_seven": rail_seven,
            "rail_seven_one": rail_seven_one,
            "rail_seven_ten": rail_seven_ten,
        }

    def cases(self, records):
        return [
            ({"q": "rolling stock"}, ["rail_seven_one"]),
            ({"q": "qms2030:7"}, ["seven", "seven_one"]),
            ({"standard": ["rail2031"]}, ["rail_seven", "rail_seven_one", "rail_seven_ten"]),
            ({"standard": ["rail2031", "qms2030"]}, list(records)),
            ({"number": "7.1"}, ["seven_one", "rail_seven_one"]),
            ({"key": "rail2031:7.10"}, ["rail_seven_ten"]),
            ({"level": 1}, ["seven", "rail_seven"]),
            ({"is_heading": True}, ["seven", "rail_seven"]),
            ({"is_withdrawn": True}, ["rail_seven_ten"]),
            ({"within": "7.1"}, ["seven_one", "rail_seven_one"]),
            ({"within": "7"}, list(records)),
            ({"within": "7.10"}, ["rail_seven_ten"]),
            ({"parent": "rail2031:7"}, ["rail_seven_one", "rail_seven_ten"]),
            ({"parent": str(records["seven"].pk)}, ["seven_one"]),
            ({"base_clause": "qms2030:7.1"}, ["rail_seven_one"]),
            ({"base_clause": str(records["seven_one"].pk)}, ["rail_seven_one"]),
            ({"origin": ["supplemented", "sector"]}, ["rail_seven_one", "rail_seven_ten"]),
            ({"title": "track"}, ["rail_seven_ten"]),
            ({"summary": "machines"}, ["seven_one", "rail_seven_one"]),
            ({"standard": ["qms2030"], "within": "7.1"}, ["seven_one"]),
        ]
