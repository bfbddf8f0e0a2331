"""Returns' reactions: the policy cache goes when a policy table changes."""

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import AutomationRule, ReturnPolicy, ReturnReason, WindowOverride
from .selectors import POLICY_CACHE_KEY

POLICY_MODELS = (ReturnPolicy, ReturnReason, WindowOverride, AutomationRule)


def _forget_policy(**kwargs) -> None:
    # Now and again after commit: a reader between the two would cache the old tables.
    cache.delete(POLICY_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(POLICY_CACHE_KEY))


for _model in POLICY_MODELS:
    receiver(post_save, sender=_model, dispatch_uid=f"returns-policy-save-{_model.__name__}")(
        _forget_policy
    )
    receiver(post_delete, sender=_model, dispatch_uid=f"returns-policy-del-{_model.__name__}")(
        _forget_policy
    )
