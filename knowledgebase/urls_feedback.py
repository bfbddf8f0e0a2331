"""Filled in by the module that owns these routes."""

urlpatterns: list = []
