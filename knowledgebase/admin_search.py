"""Wagtail admin screens; this module registers its own hooks."""
