"""``/api/loyalty/me``: the signed-in member's points as JSON, for the store's own pages
(a balance in the header, a link to ``/rewards/``). Authenticated by the portal session.
"""

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import selectors, services


@never_cache
@require_GET
def me(request: HttpRequest) -> JsonResponse:
    if not request.user.is_authenticated:
        return JsonResponse({"error": "sign in first", "field": "session"}, status=401)
    program = services.program()
    rewards_url = settings.SITE_URL + reverse("loyalty:rewards")
    account = selectors.account_for_user(user=request.user)
    if not program.enabled or account is None:
        return JsonResponse(
            {"program": program.program_name, "member": False, "rewards_url": rewards_url}
        )
    now = timezone.now()
    balances = selectors.balances(account=account, program=program, now=now)
    _value, upcoming, missing = services.tier_progress(account, settings=program, now=now)
    return JsonResponse(
        {
            "program": program.program_name,
            "member": account.is_member,
            "points": {
                "available": account.available,
                "pending": account.pending,
                "lifetime_earned": account.lifetime_earned,
                "expiring_soon": balances.expiring_soon,
                "expiring_soon_first": balances.expiring_soon_first,
            },
            "tier": {"name": account.tier.name, "until": account.tier_until}
            if account.tier_id
            else None,
            # Points to go as a whole number; money to spend as a decimal string.
            "next_tier": {
                "name": upcoming.name,
                "basis": program.tier_basis,
                "missing": int(missing)
                if program.tier_basis == program.TierBasis.POINTS
                else str(missing),
            }
            if upcoming
            else None,
            "rewards_url": rewards_url,
        }
    )
