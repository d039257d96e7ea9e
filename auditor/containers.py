"""The one home of the content-container decision: which element of a CMS page holds the report's text.

TIERS are the containers of the CMS families we know (SPEC §6), best first.  The auditor's HTML extractor takes the
first tier with a candidate (and, among the candidates of a tier, the one holding the most section headings); the
crawler selects every CMS container with CONTENT_XPATH (built from the same TIERS) to tell a page that carries a
report's text from a page that only links to an attachment.  GENERIC (class "content", "view", an id containing
"content") joins the last tier for the auditor only: on a list or home page it matches the whole page.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tier:
    class_tokens: tuple[str, ...] = ()   # the class attribute holds this whole word
    class_parts: tuple[str, ...] = ()    # the class attribute contains this text
    ids: tuple[str, ...] = ()            # the id is exactly this
    id_parts: tuple[str, ...] = ()       # the id contains this text
    tags: tuple[str, ...] = ()           # the element is this (CMS-specific) tag

    def matches(self, tag: str, cls: str, id_: str) -> bool:
        return (tag in self.tags or id_ in self.ids or any(t in cls.split() for t in self.class_tokens)
                or any(p in cls for p in self.class_parts) or any(p in id_ for p in self.id_parts))

    def xpath_tests(self) -> list[str]:
        tests = [f"contains(concat(' ',normalize-space(@class),' '),' {t} ')" for t in self.class_tokens]
        tests += [f"contains(@class,'{p}')" for p in self.class_parts]
        tests += [f"@id='{i}'" for i in self.ids]
        tests += [f"contains(@id,'{p}')" for p in self.id_parts]
        return tests


TIERS: tuple[Tier, ...] = (
    Tier(class_tokens=("TRS_Editor",)),                                # TRS WCM
    Tier(class_parts=("TRS_UEDITOR", "TRS_Editor")),
    Tier(tags=("ucapcontent",), ids=("zoomcon", "UCAP-CONTENT")),      # ucap, Hanweb
    Tier(class_parts=("article-content", "xxgk_content", "zw-content", "article_con"), ids=("Zoom", "zoom")),
)
GENERIC = Tier(class_parts=("view", "content"), id_parts=("content",))


def auditor_tiers() -> tuple[Tier, ...]:
    """The tiers as the auditor tries them: the last CMS tier together with GENERIC."""
    return (*TIERS[:-1], Tier(*(a + b for a, b in zip(_fields(TIERS[-1]), _fields(GENERIC), strict=True))))


def _fields(tier: Tier) -> tuple[tuple[str, ...], ...]:
    return tier.class_tokens, tier.class_parts, tier.ids, tier.id_parts, tier.tags


def content_xpath() -> str:
    """An XPath selecting every CMS content container of a page (the crawler's)."""
    tests = [t for tier in TIERS for t in tier.xpath_tests()]
    tags = [tag for tier in TIERS for tag in tier.tags]
    return " | ".join([f"//*[{' or '.join(tests)}]", *(f"//{tag}" for tag in tags)])


CONTENT_XPATH = content_xpath()
