"""The review desk (`ogiaudit web`): supervisors see, check and confirm findings in the browser.

It lives in the front package because it wires storage and the auditor's vocabulary together like the command line
does; it reads and writes only through storage (storage.desk_queries, storage.review)."""
from ogiaudit.web.app import create_app

__all__ = ["create_app"]
