"""The sample portal is built only from the seed reports and documents the project renders from them
(crawler/sample_portal/render.py): no file in it comes from anywhere else, and each PDF's text is its seed's."""
from __future__ import annotations

import difflib
import re

import pytest

import pdfops

from crawler.sample_portal.render import DATA, RENDERED
from tests.conftest import SHARED


def test_nothing_but_seeds_and_their_renderings():
    allowed = {"SOURCES.md", "__init__.py", *RENDERED}
    others = sorted(p.name for p in DATA.iterdir()
                    if p.is_file() and p.name not in allowed and not re.fullmatch(r"00\d_[0-9a-f]{16}\.txt", p.name))
    assert others == [], f"files in the sample portal that are neither seeds nor rendered from them: {others}"
    assert len(list(DATA.glob("00*.txt"))) == 5
    assert all(name in (DATA / "SOURCES.md").read_text(encoding="utf-8") for name in RENDERED)


@pytest.mark.parametrize("name", sorted(RENDERED))
def test_each_pdf_is_its_seed_rendered(name):
    pytest.importorskip("pypdfium2")
    from auditor.document import Table
    from auditor.extract.text import extract

    got = "".join(pdfops.page_texts((DATA / name).read_bytes()))
    blocks = extract(RENDERED[name]().encode("utf-8")).blocks
    want = "".join("".join("".join(r) for r in b.rows) if isinstance(b, Table) else b.text for b in blocks)
    got, want = re.sub(r"\s+", "", got), re.sub(r"\s+", "", want)
    assert difflib.SequenceMatcher(None, got, want, autojunk=False).ratio() > 0.99


def test_the_seeds_are_the_shared_seeds_verbatim():
    if not (SHARED / "seeds").is_dir():
        pytest.skip(f"needs ../shared beside the project: {SHARED} is absent")
    for ours in DATA.glob("00*.txt"):
        assert ours.read_bytes() == (SHARED / "seeds" / ours.name).read_bytes(), ours.name
