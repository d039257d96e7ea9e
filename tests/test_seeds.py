"""The five seeds give exactly what the table at the end of RULES.md says."""
import pytest

from tests.helpers import audit_file, of, rules

T = ("T3-BAL", "T3-TOTAL", "T3-ROW", "T4-SUM")
SEC_BUT_HEADING = ("SEC-MISSING", "SEC-EMPTY", "SEC-ORDER")
EXPECTED = {
    "000": ({"PUB-LATE", "TBL-CELL"},
            {*SEC_BUT_HEADING, "TBL-MISSING", "TBL-INCOMPLETE", *T, "TXT-SUM", "TXT-TABLE", "CNT-FEE"}),
    "001": ({"TXT-SUM", "PUB-DATE-UNKNOWN"},
            {"PUB-LATE", "SEC-MISSING", "TBL-MISSING", "TBL-INCOMPLETE", *T, "TXT-TABLE", "CNT-FEE"}),
    "002": ({"SEC-HEADING", "CNT-FEE"},
            {"PUB-LATE", "SEC-MISSING", "TBL-MISSING", "TBL-INCOMPLETE", *T, "TXT-SUM", "TXT-PCT", "TXT-TABLE"}),
    "003": ({"TBL-INCOMPLETE"}, {"PUB-LATE", "SEC-MISSING", "TBL-MISSING", *T, "TXT-TABLE", "CNT-FEE"}),
    "004": ({"PUB-DATE-UNKNOWN"},
            {"PUB-LATE", "SEC-MISSING", "TBL-MISSING", "TBL-INCOMPLETE", *T, "TXT-SUM", "TXT-TABLE", "CNT-FEE"}),
}


@pytest.mark.parametrize("seed", sorted(EXPECTED))
def test_seed_gives_what_rules_md_says(seeds, seed):
    must, must_not = EXPECTED[seed]
    found = rules(audit_file(seeds[seed]))
    assert must <= found, f"missing {must - found}"
    assert not (found & must_not), f"unexpected {found & must_not}"


def test_seed_000_is_late_by_21_days_from_its_signature(seeds):
    result = audit_file(seeds["000"])
    assert (result.body, result.year, result.body_kind) == ("盐锅峡镇人民政府", 2022, "township")
    assert (str(result.published), result.published_source, str(result.deadline)) == ("2023-02-21", "signature", "2023-01-31")
    late = of(result, "PUB-LATE")[0]
    assert (late.expected, late.observed) == ("2023-01-31", "2023-02-21")
    assert "逾期21天" in late.message


def test_seed_000_points_at_the_annotated_licensing_cell(seeds):
    cell = of(audit_file(seeds["000"]), "TBL-CELL")
    assert [(f.location.table, f.location.row, f.location.column, f.observed) for f in cell] == [
        ("二", "行政许可", "本年处理决定数量", "50（营业执照）")]


def test_seed_001_sums_in_section_six(seeds):
    sums = of(audit_file(seeds["001"]), "TXT-SUM")
    assert {(f.section, f.observed, f.expected) for f in sums} == {("六", 1121, 1288), ("六", 466.4415, 586.2529)}


def test_seed_003_table_three_lost_seven_cells(seeds):
    result = audit_file(seeds["003"])
    [incomplete] = of(result, "TBL-INCOMPLETE")
    assert (incomplete.location.table, incomplete.expected, incomplete.observed) == ("三", 175, 168)
    assert incomplete.location.row == "（一）予以公开"
    assert len(result.report.tables["三"].short_rows) == 7


def test_seed_002_heading_two_is_numbered_2(seeds):
    [heading] = of(audit_file(seeds["002"]), "SEC-HEADING")
    assert heading.section == "二" and "2、" in heading.message


def test_seed_tables_are_read_in_full(seeds):
    for seed in ("000", "001", "002", "004"):
        tables = audit_file(seeds[seed]).report.tables
        assert {k: g.cells_present() for k, g in tables.items()} == {"二": 10, "三": 175, "四": 15}, seed
