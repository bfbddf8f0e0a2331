"""Portico's benchmark harness: ``make bench`` (see README.md)."""
