"""The one home of the body-kind decision: department, government or township, from a body's name (RULES.md).

The auditor uses it for a report whose body's kind is not configured; storage (storage/queries.infer_kind) and the
crawler (crawler/titles.infer_kind, for bodies it discovers) delegate to it.  Pure functions.
"""
from __future__ import annotations

import re

KINDS = ("department", "government", "township")
DEFAULT_KIND = "department"  # what a name that tells nothing counts as where a kind is required (deadlines)

_TOWNSHIP = re.compile(r"(乡|镇|街道|街道办事处|苏木)(人民政府|政府)?$")
_GOVERNMENT = re.compile(r"(省|市|县|区|旗|州|盟|自治区|自治州|自治县|特别行政区)(人民政府|政府|管委会|管理委员会)?$")
_DEPARTMENT = re.compile(r"(局|委|委员会|办|办公室|办公厅|中心|厅|署|院|所|站|队|处|会|社|馆|公司|部)$")


def infer_body_kind(name: str | None) -> str | None:
    """乡/镇/街道 -> township; …县/市/区人民政府 -> government; 局/委/办/中心… -> department (RULES.md)."""
    if not name:
        return None
    name = re.sub(r"\s+", "", name)
    if _TOWNSHIP.search(name):
        return "township"
    if _DEPARTMENT.search(name) and not name.endswith(("管委会", "管理委员会")):
        return "department"
    if _GOVERNMENT.search(name):
        return "government"
    return None


def kind_or_default(name: str | None) -> str:
    """The body's kind from its name; a name that tells nothing counts as a department."""
    return infer_body_kind(name) or DEFAULT_KIND


# the offices that compile and sign a government's report for it ("沭阳县人民政府办公室", "XX镇党政办公室")
_OFFICE = r"(?:办公室|办公厅|办|党政办公室|党政办|政务公开办公室|政务公开办|信息公开办公室)"
_PLACE = re.compile(r"(省|市|县|区|旗|州|盟|自治区|自治州|自治县|乡|镇|街道|苏木)$")


def government_signed_by_office(signer: str, named: str | None) -> str | None:
    """The government whose report its own office signed: the title names "沭阳县人民政府" (or just "沭阳县") and the
    signature is "沭阳县人民政府办公室" / "沭阳县政府办": the report is the government's (its deadline, not a
    department's); None otherwise."""
    if not named:
        return None
    if named.endswith("政府"):
        government = named
    elif _PLACE.search(named):
        government = f"{named}人民政府"
    else:
        return None

    def short(name: str) -> str:
        return re.sub(r"\s+", "", name).replace("人民政府", "政府")

    return government if re.fullmatch(rf"{re.escape(short(government))}{_OFFICE}", short(signer)) else None
