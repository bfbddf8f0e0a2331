"""Wagtail admin hooks of the portal app."""

from django.contrib.auth import get_user_model
from wagtail import hooks

from .auth_backends import user_cache_forget


@hooks.register("after_bulk_action")
def forget_users_changed_in_bulk(request, action_type, objects, action_class_instance):
    """Wagtail's bulk "mark active / inactive" writes users with ``QuerySet.update()``,
    which sends no signal: drop their cached copies so the change holds at once."""
    user_model = get_user_model()
    for obj in objects:
        if isinstance(obj, user_model):
            user_cache_forget(obj.pk)
