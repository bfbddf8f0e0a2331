"""The "Loyalty" menu in Wagtail admin: earning rules, members, rewards, reward codes and
the program settings.

Earning rules are edited through ``admin_forms.EarningRuleForm``, whose save goes through
``rules.rule_save`` (a change to what a rule pays is a new version). Members are read-only
apart from the manual adjustment, which needs ``loyalty.adjust_account``; the ledger, on
a member's page and as CSV, needs ``loyalty.view_entry``. Rewards are edited through
``admin_forms.RewardForm``, which asks for what each kind needs. Reward codes
(redemptions) are read-only apart from voiding, which needs ``loyalty.void_redemption``.
Tiers and campaigns, with the campaign preview, are in ``admin_campaigns``.
"""

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import path
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import ObjectList
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn, StatusTagColumn
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.contrib.settings.registry import SettingMenuItem

from orders.wagtail_hooks import ReadOnlyModelViewSet

from . import admin_views, dashboard
from .admin_campaigns import CampaignViewSet, TierViewSet
from .admin_forms import AccountFilterSet, EarningRuleForm, RedemptionFilterSet, RewardForm
from .admin_referrals import ReferralViewSet
from .models import Account, EarningRule, Entry, ProgramSettings, Redemption, Reward


class EarningRuleViewSet(ModelViewSet):
    model = EarningRule
    name = "loyalty_earningrule"
    url_prefix = "loyalty/rules"
    icon = "pick"
    menu_label = _("Earning rules")
    edit_handler = ObjectList(EarningRule.panels, base_form_class=EarningRuleForm)
    copy_view_enabled = False
    list_display = [
        "name",
        Column("kind", accessor="get_kind_display", label=_("Kind"), sort_key="kind"),
        Column("points", label=_("Points"), sort_key="points"),
        Column("per_amount", label=_("Per amount spent")),
        Column("currency", label=_("Currency")),
        BooleanColumn("active", label=_("Active")),
        Column("version", label=_("Version")),
    ]
    list_filter = ["kind", "active"]
    search_fields = ["name"]
    ordering = ["kind", "name"]


class AccountViewSet(ReadOnlyModelViewSet):
    model = Account
    name = "loyalty_account"
    url_prefix = "loyalty/members"
    icon = "group"
    menu_label = _("Members")
    permission_actions = ("view", admin_views.ADJUST_ACTION)
    index_view_class = admin_views.AccountIndexView
    inspect_view_class = admin_views.MemberInspectView
    list_display = [
        "email",
        DateColumn("joined_at", label=_("Member since"), sort_key="joined_at"),
        Column("pending", label=_("Pending"), sort_key="pending"),
        Column("available", label=_("Available"), sort_key="available"),
        Column("lifetime_earned", label=_("Lifetime"), sort_key="lifetime_earned"),
    ]
    filterset_class = AccountFilterSet
    search_fields = ["email"]
    ordering = "email"
    list_per_page = 50

    @cached_property
    def export_url_name(self):
        return self.get_url_name("export")

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(export_url_name=self.export_url_name, **kwargs)

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(
            adjust_url_name=self.get_url_name("adjust"),
            birthday_url_name=self.get_url_name("birthday"),
            export_url_name=self.get_url_name("export_member"),
            redemption_index_url_name=RedemptionViewSet.name + ":index",
            redemption_inspect_url_name=RedemptionViewSet.name + ":inspect",
            **kwargs,
        )

    @property
    def adjust_view(self):
        return self.construct_view(
            admin_views.PointsAdjustView,
            **self.get_inspect_view_kwargs(inspect_url_name=self.get_url_name("inspect")),
        )

    @property
    def birthday_view(self):
        return self.construct_view(
            admin_views.BirthdayCorrectView,
            **self.get_inspect_view_kwargs(inspect_url_name=self.get_url_name("inspect")),
        )

    def get_urlpatterns(self):
        conv = self.pk_path_converter
        export = admin_views.LedgerExportView.as_view()
        return [
            *super().get_urlpatterns(),
            path(f"adjust/<{conv}:pk>/", self.adjust_view, name="adjust"),
            path(f"birthday/<{conv}:pk>/", self.birthday_view, name="birthday"),
            path("export/", export, name="export"),
            path(f"export/<{conv}:pk>/", export, name="export_member"),
        ]


class RewardViewSet(ModelViewSet):
    model = Reward
    name = "loyalty_reward"
    url_prefix = "loyalty/rewards"
    icon = "tag"
    menu_label = _("Rewards")
    edit_handler = ObjectList(Reward.panels, base_form_class=RewardForm)
    index_view_class = admin_views.RewardIndexView
    delete_view_class = admin_views.RewardDeleteView
    copy_view_enabled = False
    list_display = [
        "name",
        Column("kind", accessor="get_kind_display", label=_("Kind"), sort_key="kind"),
        Column("points_cost", label=_("Points"), sort_key="points_cost"),
        BooleanColumn("active", label=_("Active")),
        DateColumn("starts_at", label=_("From"), sort_key="starts_at"),
        DateColumn("ends_at", label=_("Until"), sort_key="ends_at"),
        admin_views.StockLeftColumn("stock_left", label=_("Stock left"), sort_key="stock_left"),
        Column("redeemed", label=_("Redeemed"), sort_key="redeemed"),
    ]
    list_filter = ["kind", "active"]
    search_fields = ["name", "product_sku"]
    ordering = ["points_cost", "name"]


class RedemptionViewSet(ReadOnlyModelViewSet):
    model = Redemption
    name = "loyalty_redemption"
    url_prefix = "loyalty/codes"
    icon = "key"
    menu_label = _("Reward codes")
    permission_actions = ("view", admin_views.VOID_ACTION)
    index_view_class = admin_views.RedemptionIndexView
    inspect_view_class = admin_views.RedemptionInspectView
    list_display = [
        Column("code", label=_("Code"), sort_key="code"),
        Column("account", accessor="account.email", label=_("Member email")),
        Column("reward", accessor="reward.name", label=_("Reward")),
        Column("points", label=_("Points"), sort_key="points"),
        StatusTagColumn(
            "status",
            accessor="get_status_display",
            label=_("Status"),
            sort_key="status",
            primary=lambda r: r.status == Redemption.Status.ISSUED,
        ),
        DateColumn("created_at", label=_("Created"), sort_key="created_at"),
        Column(
            "used_order",
            accessor=lambda r: r.used_order.number if r.used_order else "",
            label=_("Used on order"),
        ),
    ]
    filterset_class = RedemptionFilterSet
    search_fields = ["code", "account__email"]
    ordering = "-created_at"
    list_per_page = 50

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(
            void_url_name=self.get_url_name("void"),
            member_url_name=AccountViewSet.name + ":inspect",
            **kwargs,
        )

    @property
    def void_view(self):
        return self.construct_view(
            admin_views.RedemptionVoidView,
            **self.get_inspect_view_kwargs(inspect_url_name=self.get_url_name("inspect")),
        )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path(f"void/<{self.pk_path_converter}:pk>/", self.void_view, name="void"),
        ]


class LoyaltyViewSetGroup(ViewSetGroup):
    menu_label = _("Loyalty")
    menu_icon = "pick"
    menu_order = 260
    items = (
        EarningRuleViewSet,
        TierViewSet,
        CampaignViewSet,
        AccountViewSet,
        RewardViewSet,
        RedemptionViewSet,
        ReferralViewSet,
    )
    # The program settings join the group's menu through this hook (below).
    submenu_hook = "register_loyalty_menu_item"


@hooks.register("register_admin_viewset")
def register_loyalty_viewsets():
    return LoyaltyViewSetGroup()


@hooks.register("register_loyalty_menu_item")
def program_settings_menu_item():
    # Shown to whoever may change the settings; they stay in "Settings" too.
    return SettingMenuItem(ProgramSettings, icon="cog", order=100)


@hooks.register("register_loyalty_menu_item")
def dashboard_menu_item():
    # The charts and the liability roll-forward, for whoever may read the ledger.
    return dashboard.menu_item()


@hooks.register("register_admin_urls")
def register_dashboard_urls():
    return dashboard.urlpatterns


@hooks.register("register_permissions")
def register_ledger_permissions():
    # Entries have no viewset of their own; their "view" guards the ledger and its export.
    return Permission.objects.filter(
        content_type=ContentType.objects.get_for_model(Entry), codename="view_entry"
    )
