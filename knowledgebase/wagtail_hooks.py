"""The Help center menu in Wagtail admin. Each report registers its own hooks in its module."""

from . import admin_contact, admin_feedback, admin_search  # noqa: F401 - register their hooks
