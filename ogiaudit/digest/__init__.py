"""Digests: build (from the audit database), render (Jinja2, autoescaped HTML + plain text), attach (XLSX, CSV),
deliver (SMTP or .eml files, recorded in the `delivery` table)."""
