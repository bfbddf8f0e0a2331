"""The help center's own reactions to Wagtail's signals."""
