"""The portal shell: customers' accounts, the editable home page, the store's branding."""

from django import forms
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from . import colours


class CustomerManager(UserManager):
    """Users are found by email; there are no usernames."""

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractUser):
    """A customer or a staff member. Email is the login."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    language = models.CharField(
        _("preferred language"),
        max_length=8,
        blank=True,
        help_text=_("Emails are sent in this language."),
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = CustomerManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="portal_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class Heartbeat(models.Model):
    """When a periodic process last proved it was alive (beat writes one a minute)."""

    name = models.CharField(max_length=50, unique=True)
    last_seen = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_seen:%Y-%m-%d %H:%M:%S}"


hex_colour_validator = RegexValidator(
    colours.HEX_COLOUR, _("Enter a colour as # and six hex digits, e.g. #1d4ed8.")
)


@register_setting(icon="pick")
class BrandingSettings(BaseSiteSetting):
    """The store's identity as customers see it on every page and email."""

    store_name = models.CharField(_("store name"), max_length=100, default="Portico Demo Store")
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    brand_colour = models.CharField(
        _("brand colour"), max_length=7, default="#1d4ed8", validators=[hex_colour_validator]
    )
    support_email = models.EmailField(_("support email"), blank=True)
    return_address = models.TextField(
        _("return address"), blank=True, help_text=_("Where customers send returned items.")
    )

    select_related = ["logo"]

    panels = [
        FieldPanel("store_name"),
        FieldPanel("logo"),
        FieldPanel("brand_colour", widget=forms.TextInput(attrs={"type": "color"})),
        FieldPanel("support_email"),
        FieldPanel("return_address"),
    ]

    class Meta:
        verbose_name = _("branding")

    @property
    def accent_colour(self) -> str:
        """The brand colour as it may be used for text and links on white (WCAG AA)."""
        return colours.darken_until_readable(self.brand_colour)

    @property
    def on_accent_colour(self) -> str:
        """Text colour for buttons and bars filled with ``accent_colour``."""
        return colours.text_colour_on(self.accent_colour)


class HomePage(Page):
    """The site root: a hero and the quick links to what customers come for."""

    hero_title = models.CharField(_("hero title"), max_length=120)
    hero_text = models.TextField(_("hero text"), blank=True)
    body = RichTextField(_("body"), blank=True)

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["portal.StandardPage", "knowledgebase.HelpCenterPage"]
    max_count_per_parent = 1

    search_fields = [*Page.search_fields, index.SearchField("hero_text"), index.SearchField("body")]
    content_panels = [
        *Page.content_panels,
        MultiFieldPanel([FieldPanel("hero_title"), FieldPanel("hero_text")], heading=_("Hero")),
        InlinePanel("quick_links", label=_("Quick links"), max_num=8),
        FieldPanel("body"),
    ]

    class Meta:
        verbose_name = _("home page")


class QuickLink(Orderable):
    """A tile on the home page. A built-in destination lights up when its app is installed."""

    class Destination(models.TextChoices):
        TRACK_ORDER = "track_order", _("Track an order")
        START_RETURN = "start_return", _("Start a return")
        HELP_CENTER = "help_center", _("Help center")
        REWARDS = "rewards", _("Rewards")
        PAGE = "page", _("A page of this site")
        URL = "url", _("Another address")

    # The URL name each built-in destination resolves to; until the app that owns it is
    # installed, the tile says "coming soon" instead of linking nowhere.
    DESTINATION_URL_NAMES = {
        Destination.TRACK_ORDER: "orders:track",
        Destination.START_RETURN: "returns:start",
        Destination.HELP_CENTER: "knowledgebase:index",
        Destination.REWARDS: "loyalty:rewards",
    }

    page = ParentalKey(HomePage, on_delete=models.CASCADE, related_name="quick_links")
    destination = models.CharField(_("destination"), max_length=20, choices=Destination.choices)
    label = models.CharField(_("label"), max_length=60)
    description = models.CharField(_("description"), max_length=160, blank=True)
    link_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    link_url = models.URLField(_("address"), blank=True)

    panels = [
        FieldPanel("destination"),
        FieldPanel("label"),
        FieldPanel("description"),
        FieldPanel("link_page"),
        FieldPanel("link_url"),
    ]

    def __str__(self) -> str:
        return self.label

    @property
    def url(self) -> str | None:
        """Where the tile leads, or None while its destination is not built yet."""
        if self.destination == self.Destination.PAGE:
            return self.link_page.localized.url if self.link_page else None
        if self.destination == self.Destination.URL:
            return self.link_url or None
        try:
            return reverse(self.DESTINATION_URL_NAMES[self.destination])
        except (KeyError, NoReverseMatch):
            return None


class StandardPage(Page):
    """A plain content page: about us, shipping information, terms, privacy."""

    intro = models.TextField(_("introduction"), blank=True)
    body = RichTextField(_("body"), blank=True)

    parent_page_types = ["portal.HomePage", "portal.StandardPage"]
    subpage_types = ["portal.StandardPage"]

    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]

    class Meta:
        verbose_name = _("standard page")
