"""The auditor: bytes in, findings out. No network, no database."""
