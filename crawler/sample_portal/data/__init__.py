"""Data files of the sample portal (a package so that wheels include them): see SOURCES.md."""
