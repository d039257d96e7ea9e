"""One module per CMS family: how to read its list pages and find the other pages of a list."""
from crawler.portals import generic, hanweb, trs, ucap

FAMILIES = {m.NAME: m for m in (trs, hanweb, ucap, generic)}
