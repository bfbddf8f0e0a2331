"""Every write the points ledger allows.

Each public function is one transaction that locks the account row first (one account per
call), writes entries whose keys derive from their cause, and changes the cached balances
with them. "Already done" (the key exists) is a normal outcome: the function returns
without writing. Order events converge: the points of an order are computed from the order
as it is now (paid? cancelled? what was refunded?), so the same events duplicated or in
any order end in the same ledger.

The package's modules: ``ledger`` (accounts, posting, release, expiry, spending, the
check), ``earning`` (orders' points and their reversal), ``tiers``, ``rewards``,
``referrals``, ``birthdays`` and ``credit`` (store credit for returns).
Callers import the names below from ``loyalty.services``.
"""

from .birthdays import (
    birthday_correct,
    birthday_next_bonus,
    birthday_reward,
    birthday_rule,
    birthday_set,
    birthdays_reward_due,
)
from .credit import store_credit_finish, store_credit_issue, store_credit_points
from .earning import (
    earning_catalogue,
    order_earnings,
    order_points_award,
    order_points_reverse,
    orders_points_award,
)
from .ledger import (
    account_for_email,
    ledger_check,
    lot_expire,
    lot_release,
    member_claim_email,
    member_join,
    points_adjust,
    points_emails_off,
    points_expire_due,
    points_release_due,
    points_spend,
    program,
)
from .referrals import (
    ReferralRefused,
    referral_approve,
    referral_cancel,
    referral_claim,
    referral_code_for,
    referral_offer,
    referral_order_record,
    referral_reward,
    referral_summary,
    referrals_reward_due,
    referrer_for_code,
)
from .rewards import (
    DEAD,
    STRIPE_KINDS,
    redemption_deactivate_remote,
    redemption_fail,
    redemption_issue,
    redemption_void,
    redemptions_issue_stuck,
    redemptions_mark_used,
    redemptions_mark_used_many,
    reward_redeem,
    reward_unavailable_reason,
)
from .tiers import (
    account_tier_review,
    tier_progress,
    tiers_review_due,
)

__all__ = [
    "DEAD",
    "STRIPE_KINDS",
    "ReferralRefused",
    "account_for_email",
    "account_tier_review",
    "birthday_correct",
    "birthday_next_bonus",
    "birthday_reward",
    "birthday_rule",
    "birthday_set",
    "birthdays_reward_due",
    "earning_catalogue",
    "ledger_check",
    "lot_expire",
    "lot_release",
    "member_claim_email",
    "member_join",
    "order_earnings",
    "order_points_award",
    "order_points_reverse",
    "orders_points_award",
    "points_adjust",
    "points_emails_off",
    "points_expire_due",
    "points_release_due",
    "points_spend",
    "program",
    "redemption_deactivate_remote",
    "redemption_fail",
    "redemption_issue",
    "redemption_void",
    "redemptions_issue_stuck",
    "redemptions_mark_used",
    "redemptions_mark_used_many",
    "referral_approve",
    "referral_cancel",
    "referral_claim",
    "referral_code_for",
    "referral_offer",
    "referral_order_record",
    "referral_reward",
    "referral_summary",
    "referrals_reward_due",
    "referrer_for_code",
    "reward_redeem",
    "reward_unavailable_reason",
    "store_credit_finish",
    "store_credit_issue",
    "store_credit_points",
    "tier_progress",
    "tiers_review_due",
]
