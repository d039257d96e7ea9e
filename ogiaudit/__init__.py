"""ogiaudit: the front door.  Wires the crawler, the auditor and storage; does no work of its own."""
__version__ = "0.1.0"
