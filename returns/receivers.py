"""Returns' reactions: the policy cache goes when a policy table changes; Stripe's word on
a refund a return made is followed by a task."""

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from orders import signals as orders_signals
from orders.stripe_api import RETURN_METADATA_KEY

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


@receiver(orders_signals.payment_refund_updated, dispatch_uid="returns.follow_refund")
def refund_updated(sender, refund_id, status, metadata=None, failure_reason="", **kwargs):
    # Only refunds a return made carry the mark; the store's own are not ours to follow.
    if RETURN_METADATA_KEY not in (metadata or {}):
        return
    from .tasks import payment_refund_updated

    payment_refund_updated.delay(refund_id, status, dict(metadata), failure_reason or "")
