"""The staff side of the points program in Wagtail admin: members, their ledger, manual
adjustments, the ledger export, the rewards catalog and the codes members bought.

Access follows Django's model permissions through Wagtail's permission policies: viewing
members needs ``loyalty.view_account``, their ledger ``loyalty.view_entry``, and an
adjustment ``loyalty.adjust_account`` (created by migration ``0003``); rewards need the
usual add/change/view; redemptions ``loyalty.view_redemption``, and voiding a code
``loyalty.void_redemption`` (migration ``0005``). The viewsets that route these views live
in ``wagtail_hooks.py``.
"""

from __future__ import annotations

import csv
from datetime import UTC

from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, ExpressionWrapper, F, IntegerField, Q
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import DeleteView, IndexView, InspectView
from wagtail.admin.widgets.button import HeaderButton, MenuItem
from wagtail.permissions import policy_registry

from orders import stripe_api

from . import services
from .admin_forms import PointsAdjustForm, RedemptionVoidForm
from .exceptions import InsufficientPoints, NotAMember, RewardUnavailable
from .forms import BirthdayForm
from .models import Account, Entry, Redemption
from .services.birthdays import NOTICE_DAYS

# loyalty.adjust_account: staff who may add or remove a member's points by hand.
ADJUST_ACTION = "adjust"
# loyalty.void_redemption: staff who may void an unused code, giving its points back.
VOID_ACTION = "void"
# Only a code ready to use is offered for voiding: one being issued may be on its way to
# Stripe this moment, and a used, failed or voided one has nothing to give back.
VOIDABLE = (Redemption.Status.ISSUED,)
ENTRIES_PER_PAGE = 50
LOTS_PER_PAGE = 25
MEMBER_REDEMPTIONS = 20


def can_view_entries(user) -> bool:
    return policy_registry.get_by_type(Entry).user_has_permission(user, "view")


def can_adjust(user) -> bool:
    return policy_registry.get_by_type(Account).user_has_permission(user, ADJUST_ACTION)


def can_view_redemptions(user) -> bool:
    return policy_registry.get_by_type(Redemption).user_has_permission(user, "view")


def can_void(user) -> bool:
    return policy_registry.get_by_type(Redemption).user_has_permission(user, VOID_ACTION)


# --- Members ------------------------------------------------------------------------


class AccountIndexView(IndexView):
    export_url_name = None

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        return queryset.filter(email__icontains=self.search_query.strip())

    @cached_property
    def header_buttons(self):
        buttons = super().header_buttons
        if self.export_url_name and can_view_entries(self.request.user):
            buttons.append(
                HeaderButton(
                    gettext_lazy("Export ledger (CSV)"),
                    url=reverse(self.export_url_name),
                    icon_name="download",
                )
            )
        return buttons


class MemberInspectView(InspectView):
    """A member's balances, lots and ledger entries (both paginated), their latest reward
    codes, and the adjustment form for staff allowed to adjust."""

    template_name = "loyalty/admin/account_inspect.html"
    adjust_url_name = None
    birthday_url_name = None
    export_url_name = None
    redemption_index_url_name = None
    redemption_inspect_url_name = None
    form = None
    birthday_form = None

    def _redemptions(self, account):
        if not (self.redemption_index_url_name and can_view_redemptions(self.request.user)):
            return None
        rows = list(
            account.redemptions.select_related("reward", "used_order").order_by(
                "-created_at", "-pk"
            )[: MEMBER_REDEMPTIONS + 1]
        )
        for redemption in rows:
            redemption.admin_url = reverse(
                self.redemption_inspect_url_name, args=(quote(redemption.pk),)
            )
        return {
            "rows": rows[:MEMBER_REDEMPTIONS],
            "more": len(rows) > MEMBER_REDEMPTIONS,
            "all_url": reverse(self.redemption_index_url_name)
            + "?"
            + urlencode({"q": account.email}),
        }

    def get_page_title(self):
        return gettext_lazy("Member")

    def _page(self, queryset, param, per_page):
        paginator = Paginator(queryset, per_page)
        page = paginator.get_page(self.request.GET.get(param))
        query = self.request.GET.copy()
        for number_name in ("previous", "next"):
            has = getattr(page, f"has_{number_name}")()
            if has:
                query[param] = getattr(page, f"{number_name}_page_number")()
                setattr(page, f"{number_name}_url", f"?{query.urlencode()}")
            else:
                setattr(page, f"{number_name}_url", None)
        return page

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        account = self.object
        user = self.request.user
        show_entries = can_view_entries(user)
        adjust_url = birthday_url = None
        if self.adjust_url_name and can_adjust(user):
            adjust_url = reverse(self.adjust_url_name, args=(quote(account.pk),))
        if self.birthday_url_name and can_adjust(user) and account.joined_at:
            birthday_url = reverse(self.birthday_url_name, args=(quote(account.pk),))
        context.update(
            account=account,
            lots=self._page(
                account.lots.select_related("rule").order_by("-created_at", "-pk"),
                "lots",
                LOTS_PER_PAGE,
            ),
            entries=(
                self._page(
                    account.entries.select_related("order", "staff").order_by("-created_at", "-pk"),
                    "page",
                    ENTRIES_PER_PAGE,
                )
                if show_entries
                else None
            ),
            redemptions=self._redemptions(account),
            adjust_url=adjust_url,
            form=(self.form or PointsAdjustForm()) if adjust_url else None,
            birthday_url=birthday_url,
            birthday_notice_days=NOTICE_DAYS,
            birthday_form=(
                (self.birthday_form or BirthdayForm(initial=_birthday_initial(account)))
                if birthday_url
                else None
            ),
            export_url=(
                reverse(self.export_url_name, args=(quote(account.pk),))
                if self.export_url_name and show_entries
                else None
            ),
        )
        return context


class PointsAdjustView(MemberInspectView):
    """POST only: adjust a member's points through ``services.points_adjust``.

    The form's hidden key makes the ledger key, so the same form submitted twice adjusts
    once. A removal larger than the balance is a form error, shown on the member page.
    """

    permission_required = ADJUST_ACTION
    any_permission_required = None
    http_method_names = ["post"]
    inspect_url_name = None

    def post(self, request, *args, **kwargs):
        account = self.object
        self.form = PointsAdjustForm(request.POST)
        if self.form.is_valid():
            data = self.form.cleaned_data
            try:
                entry = services.points_adjust(
                    account_id=account.pk,
                    points=data["points"],
                    staff=request.user,
                    reason=data["reason"],
                    key=f"adjust:{account.pk}:{data['key']}",
                )
            except InsufficientPoints as error:
                self.form.add_error(
                    "points",
                    _("Only %(available)s points are available to remove.")
                    % {"available": error.available},
                )
            else:
                if entry is None:
                    messages.warning(request, _("This adjustment was already made."))
                else:
                    messages.success(
                        request,
                        _("%(points)+d points for %(email)s.")
                        % {"points": data["points"], "email": account.email},
                    )
                return redirect(self.inspect_url_name, quote(account.pk))
        self.object = get_object_or_404(Account, pk=account.pk)
        return self.render_to_response(self.get_context_data(), status=400)


def _birthday_initial(account) -> dict:
    if account.birthday is None:
        return {}
    return {"month": account.birthday.month, "day": account.birthday.day}


class BirthdayCorrectView(MemberInspectView):
    """POST only: staff allowed to adjust points correct a member's birthday
    (``services.birthday_correct``); an impossible date is a form error on the page."""

    permission_required = ADJUST_ACTION
    any_permission_required = None
    http_method_names = ["post"]
    inspect_url_name = None

    def post(self, request, *args, **kwargs):
        account = self.object
        self.birthday_form = BirthdayForm(request.POST)
        if self.birthday_form.is_valid():
            data = self.birthday_form.cleaned_data
            try:
                services.birthday_correct(
                    account_id=account.pk, month=data["month"], day=data["day"]
                )
            except NotAMember:
                self.birthday_form.add_error(None, _("Only members have a birthday bonus."))
            else:
                messages.success(
                    request, _("Birthday saved for %(email)s.") % {"email": account.email}
                )
                return redirect(self.inspect_url_name, quote(account.pk))
        self.object = get_object_or_404(Account, pk=account.pk)
        return self.render_to_response(self.get_context_data(), status=400)


# --- Rewards ------------------------------------------------------------------------


class StockLeftColumn(Column):
    """What is left of a limited reward (its stock less the live codes), or "No limit"."""

    def get_value(self, instance):
        if instance.stock is None:
            return gettext_lazy("No limit")
        return max(instance.stock_left, 0)


class RewardIndexView(IndexView):
    """The catalog, each reward with how many live codes it has sold (used, ready or being
    issued: failed and voided codes gave their points back and their stock with them)."""

    def get_base_queryset(self):
        live = Count("redemptions", filter=~Q(redemptions__status__in=services.DEAD))
        return (
            super()
            .get_base_queryset()
            .annotate(redeemed=live)
            .annotate(
                stock_left=ExpressionWrapper(
                    F("stock") - F("redeemed"), output_field=IntegerField()
                )
            )
        )


class RewardDeleteView(DeleteView):
    """A reward members bought is kept (their codes point at it): deleting one says so and
    suggests making it inactive, where the database would refuse with a 500."""

    def form_valid(self, form):
        if self.object.redemptions.exists():
            messages.error(
                self.request,
                _(
                    "“%(name)s” has codes members bought, so it cannot be deleted; "
                    "make it inactive instead."
                )
                % {"name": self.object.name},
            )
            return redirect(self.get_success_url())
        return super().form_valid(form)


# --- Redemptions --------------------------------------------------------------------


def void_menu_item(url: str) -> MenuItem:
    # A link to the code's page, where the void form asks for a reason: voiding gives
    # points back and cannot be undone, so it is never one click from a listing.
    return MenuItem(
        gettext_lazy("Void"),
        url=url + "#panel-redemption-void-section",
        icon_name="bin",
        priority=15,
    )


class RedemptionIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("account", "reward", "used_order")

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        query = self.search_query.strip()
        return queryset.filter(Q(code__icontains=query) | Q(account__email__icontains=query))

    @cached_property
    def can_void(self) -> bool:
        return self.user_has_permission(VOID_ACTION)

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if self.can_void and instance.status in VOIDABLE:
            buttons.append(void_menu_item(self.get_inspect_url(instance)))
        return buttons


class RedemptionInspectView(InspectView):
    """A code: who bought it, with what, and what became of it; the void form for staff
    who may void, while the code is ready to use."""

    template_name = "loyalty/admin/redemption_inspect.html"
    void_url_name = None
    member_url_name = None
    form = None

    def get_object(self, queryset=None):
        return get_object_or_404(
            Redemption.objects.select_related("account", "reward", "used_order"),
            pk=self.pk,
        )

    def get_page_title(self):
        return gettext_lazy("Reward code")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        redemption = self.object
        void_url = None
        if (
            self.void_url_name
            and redemption.status in VOIDABLE
            and self.user_has_permission(VOID_ACTION)
        ):
            void_url = reverse(self.void_url_name, args=(quote(redemption.pk),))
        member_url = None
        if self.member_url_name and policy_registry.get_by_type(Account).user_has_permission(
            self.request.user, "view"
        ):
            member_url = reverse(self.member_url_name, args=(quote(redemption.account_id),))
        context.update(
            redemption=redemption,
            member_url=member_url,
            void_url=void_url,
            form=(self.form or RedemptionVoidForm()) if void_url else None,
        )
        return context


class RedemptionVoidView(RedemptionInspectView):
    """POST only: void an unused code through ``services.redemption_void`` (its points go
    back to the member). A code the service refuses (used meanwhile) is a message."""

    permission_required = VOID_ACTION
    any_permission_required = None
    http_method_names = ["post"]
    inspect_url_name = None

    def post(self, request, *args, **kwargs):
        redemption = self.object
        back = redirect(self.inspect_url_name, quote(redemption.pk))
        if redemption.status in services.DEAD:
            messages.warning(request, _("This code was already voided or never issued."))
            return back
        if redemption.status == Redemption.Status.ISSUING:
            messages.error(request, _("This code is still being issued; try again shortly."))
            return back
        self.form = RedemptionVoidForm(request.POST)
        if not self.form.is_valid():
            return self.render_to_response(self.get_context_data(), status=400)
        try:
            services.redemption_void(
                redemption_id=redemption.pk, reason=self.form.cleaned_data["reason"]
            )
        except RewardUnavailable:
            messages.error(
                request,
                _("Code %(code)s was used, so it cannot be voided.") % {"code": redemption.code},
            )
        except stripe_api.StripeApiError:
            messages.error(
                request,
                _(
                    "Stripe could not switch code %(code)s off, so it was not voided. "
                    "Please try again in a few minutes."
                )
                % {"code": redemption.code},
            )
        else:
            messages.success(
                request,
                _("Code %(code)s voided: %(points)s points went back to %(email)s.")
                % {
                    "code": redemption.code,
                    "points": redemption.points,
                    "email": redemption.account.email,
                },
            )
        return back


# --- Ledger export ------------------------------------------------------------------

# Column names are identifiers for spreadsheets and scripts, the same in every language.
CSV_COLUMNS = (
    "created_at",
    "account_email",
    "kind",
    "pending_delta",
    "available_delta",
    "lifetime_delta",
    "forgiven",
    "key",
    "order_number",
    "note",
    "staff_email",
)
_VALUES = (
    "created_at",
    "account__email",
    "kind",
    "pending_delta",
    "available_delta",
    "lifetime_delta",
    "forgiven",
    "key",
    "order__number",
    "note",
    "staff__email",
)
# A spreadsheet runs a text cell starting with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    """A file-like object whose write returns the line, for csv.writer to stream."""

    def write(self, value):
        return value


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.startswith(_FORMULA_START) else value
    if hasattr(value, "isoformat"):
        return value.astimezone(UTC).isoformat()
    return value


def ledger_rows(queryset):
    """The CSV lines of ``queryset``'s entries, oldest first, read in chunks."""
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    rows = queryset.order_by("created_at", "pk").values_list(*_VALUES)
    for row in rows.iterator(chunk_size=2000):
        yield writer.writerow([_cell(value) for value in row])


class LedgerExportView(View):
    """The ledger as CSV, streamed: the whole ledger, or one member's (``pk``)."""

    http_method_names = ["get"]

    def get(self, request, pk=None):
        if not can_view_entries(request.user):
            raise PermissionDenied
        entries = Entry.objects.all()
        filename = "ledger.csv"
        if pk is not None:
            account = get_object_or_404(Account, pk=pk)
            entries = entries.filter(account=account)
            filename = f"ledger-{account.pk}.csv"
        response = StreamingHttpResponse(ledger_rows(entries), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
