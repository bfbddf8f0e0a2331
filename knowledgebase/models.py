"""The help center: its pages (index, categories, articles) and what customers teach us.

Pages hold the content editors write. Everything customers do with it — searches and the
results they opened, "was this helpful?" votes, article views, contact requests and the
articles the contact form suggested — is a plain table, written by ``services`` and read by
the reports in Wagtail admin. Guests are never identified: a vote or a view is keyed by a
random visitor id from a cookie, never by an address or a name.
"""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.core.paginator import Paginator
from django.db import models
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, InlinePanel, PageChooserPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from .blocks import ArticleBodyBlock

# How long a guest's copy of a help center page is kept whole (``portal.pagecache``, which
# drops every copy as soon as any page is published, moved or deleted).
GUEST_CACHE_SECONDS = 300


class KeptForGuests:
    """Ask the portal's page cache to keep this page for guests.

    Only a guest's plain GET (no query string: search, pagination) is kept, never a
    preview; the page cache itself also refuses signed-in visitors and responses that set a
    cookie, so nothing per-visitor is ever served to another.
    """

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        if (
            request.method == "GET"
            and not request.GET
            and not getattr(request, "is_preview", False)
            and not request.user.is_authenticated
        ):
            response.portico_cache = GUEST_CACHE_SECONDS
        return response


class HelpCenterPage(KeptForGuests, RoutablePageMixin, Page):
    """The help center's front page: search, categories, popular articles. One per language.

    Its routes (``search/``) live in ``views``; the page only says where they are.
    """

    intro = models.CharField(_("introduction"), max_length=250, blank=True)

    parent_page_types = ["portal.HomePage"]
    subpage_types = ["knowledgebase.HelpCategoryPage"]
    max_count_per_parent = 1

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    class Meta:
        verbose_name = _("help center")

    def get_context(self, request, *args, **kwargs):
        from . import selectors

        context = super().get_context(request, *args, **kwargs)
        context.update(selectors.page_context(self, request))
        # Called by the templates only when they render them (a route may not).
        context["categories"] = partial(selectors.categories_with_counts, self, request)
        context["popular_articles"] = partial(selectors.popular_articles, self, request)
        return context

    @path("search/")
    def search_results(self, request):
        from .search_views import search_page

        return search_page(request, self)


class HelpCategoryPage(KeptForGuests, Page):
    """A shelf of articles (Shipping, Returns, …). Editors order them in the page tree."""

    class Icon(models.TextChoices):
        ORDER = "order", _("Shopping bag")
        SHIPPING = "shipping", _("Truck")
        RETURNS = "returns", _("Return arrow")
        PAYMENT = "payment", _("Card")
        REWARDS = "rewards", _("Star")
        ACCOUNT = "account", _("Person")
        PRODUCT = "product", _("Box")
        QUESTION = "question", _("Question mark")

    icon = models.CharField(_("icon"), max_length=20, choices=Icon.choices, default=Icon.QUESTION)
    summary = models.CharField(_("summary"), max_length=250, blank=True)

    parent_page_types = ["knowledgebase.HelpCenterPage"]
    subpage_types = ["knowledgebase.ArticlePage"]

    search_fields = [*Page.search_fields, index.SearchField("summary")]
    content_panels = [*Page.content_panels, FieldPanel("icon"), FieldPanel("summary")]

    ARTICLES_PER_PAGE = 30

    class Meta:
        verbose_name = _("help category")
        verbose_name_plural = _("help categories")

    def get_context(self, request, *args, **kwargs):
        from . import selectors

        context = super().get_context(request, *args, **kwargs)
        paginator = Paginator(selectors.category_articles(self), self.ARTICLES_PER_PAGE)
        # A bad or too large page number shows the nearest page, never an error.
        context["articles"] = paginator.get_page(request.GET.get("page"))
        context.update(selectors.page_context(self, request))
        preview = context["kb_preview"]
        context["breadcrumbs"] = partial(selectors.breadcrumbs, self, request, cached=not preview)
        context["structured_data"] = partial(self.structured_data, request)
        return context

    def structured_data(self, request) -> list[str]:
        """The JSON-LD documents of the page (its breadcrumb trail), serialised."""
        from . import selectors, seo

        trail = seo.breadcrumb_data(selectors.breadcrumbs(self, request))
        return [seo.to_json(trail)] if trail else []


class ArticleTag(TaggedItemBase):
    content_object = ParentalKey(
        "knowledgebase.ArticlePage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class ArticlePage(KeptForGuests, Page):
    """One answer: a title, a summary that search results and meta tags show, and a body."""

    summary = models.CharField(
        _("summary"),
        max_length=300,
        help_text=_("One or two sentences. Shown in search results and to search engines."),
    )
    body = StreamField(ArticleBodyBlock(), verbose_name=_("body"))
    tags = ClusterTaggableManager(through=ArticleTag, blank=True, verbose_name=_("tags"))

    parent_page_types = ["knowledgebase.HelpCategoryPage"]
    subpage_types: list[str] = []

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary", boost=1.5),
        index.SearchField("faq_questions", boost=1.5),
        index.SearchField("body"),
        index.RelatedFields("tags", [index.SearchField("name", boost=1.5)]),
        index.AutocompleteField("summary"),
    ]
    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("tags"),
        InlinePanel("related_links", label=_("Related articles"), max_num=5),
    ]

    class Meta:
        verbose_name = _("help article")
        verbose_name_plural = _("help articles")

    def faq_pairs(self) -> list[tuple[str, str]]:
        """Every question of the body's FAQ blocks with its answer as plain text."""
        pairs = []
        for block in self.body:
            if block.block_type == "faq":
                for item in block.value["questions"]:
                    pairs.append((item["question"], strip_tags(item["answer"].source).strip()))
        return pairs

    def faq_questions(self) -> str:
        return "\n".join(question for question, _ in self.faq_pairs())

    def get_context(self, request, *args, **kwargs):
        from . import selectors

        context = super().get_context(request, *args, **kwargs)
        # The body, tags, related articles, breadcrumbs and JSON-LD are kept in the cache
        # under kb_key (never for a preview, whose draft must not be kept).
        context.update(selectors.page_context(self, request))
        preview = context["kb_preview"]
        context["related_articles"] = partial(
            selectors.related_articles, self, request, cached=not preview
        )
        context["breadcrumbs"] = partial(selectors.breadcrumbs, self, request, cached=not preview)
        context["structured_data"] = partial(self.structured_data, request)
        return context

    def structured_data(self, request) -> list[str]:
        """The page's JSON-LD documents, serialised: Article, FAQPage when the body asks
        questions, BreadcrumbList."""
        from . import selectors, seo

        documents = [seo.article_data(page=self, request=request, **seo.owner(request))]
        faq = seo.faq_data(self.faq_pairs())
        if faq:
            documents.append(faq)
        trail = seo.breadcrumb_data(selectors.breadcrumbs(self, request))
        if trail:
            documents.append(trail)
        return [seo.to_json(document) for document in documents]


class RelatedArticle(Orderable):
    """An article an editor chose to show under another (else related ones are computed)."""

    source = ParentalKey(ArticlePage, on_delete=models.CASCADE, related_name="related_links")
    article = models.ForeignKey(
        ArticlePage, verbose_name=_("article"), on_delete=models.CASCADE, related_name="+"
    )

    panels = [PageChooserPanel("article", "knowledgebase.ArticlePage")]


class SearchEvent(models.Model):
    """One search a person ran (submitted, or left to settle in the suggestions box)."""

    class Source(models.TextChoices):
        PAGE = "page", _("Search page")
        SUGGEST = "suggest", _("Suggestions")
        CONTACT = "contact", _("Contact form")

    query = models.CharField(_("query"), max_length=200, db_index=True)
    language = models.CharField(_("language"), max_length=8)
    results = models.PositiveIntegerField(_("results"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    created_at = models.DateTimeField(_("searched at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("search")
        verbose_name_plural = _("searches")

    def __str__(self) -> str:
        return self.query


class SearchClick(models.Model):
    """A result of a search that the person opened: click-through per query."""

    search = models.ForeignKey(SearchEvent, on_delete=models.CASCADE, related_name="clicks")
    article = models.ForeignKey(ArticlePage, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(_("position"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["search", "article"], name="kb_click_once_per_search")
        ]

    def __str__(self) -> str:
        return f"{self.search_id} → {self.article_id}"


class ArticleVote(models.Model):
    """ "Was this helpful?" — one per visitor and article; a visitor may change their mind."""

    article = models.ForeignKey(ArticlePage, on_delete=models.CASCADE, related_name="votes")
    # A random id from the visitor's cookie, or "u<pk>" for a signed-in customer so that
    # their vote follows them between devices. Never an address, a name or an IP.
    visitor = models.CharField(max_length=64)
    helpful = models.BooleanField(_("helpful"))
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    language = models.CharField(_("language"), max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("article vote")
        constraints = [
            models.UniqueConstraint(fields=["article", "visitor"], name="kb_one_vote_per_visitor")
        ]

    def __str__(self) -> str:
        return f"{self.article_id}: {'yes' if self.helpful else 'no'}"


class ArticleViewDay(models.Model):
    """How many times an article was read on a day (a counter, not a log of visitors)."""

    article = models.ForeignKey(ArticlePage, on_delete=models.CASCADE, related_name="view_days")
    day = models.DateField()
    views = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "day"], name="kb_one_view_row_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} {self.day}: {self.views}"


class ContactRequest(models.Model):
    """A question self-service could not answer, as the customer sent it."""

    class Forward(models.TextChoices):
        OFF = "off", _("No helpdesk configured")
        PENDING = "pending", _("Waiting to be forwarded")
        SENT = "sent", _("Forwarded")
        FAILED = "failed", _("Forwarding failed")

    reference = models.CharField(_("reference"), max_length=12, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    email = models.EmailField(_("email"))
    subject = models.CharField(_("subject"), max_length=200)
    message = models.TextField(_("message"), max_length=5000)
    order = models.ForeignKey(
        "orders.Order",
        verbose_name=_("order"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    language = models.CharField(_("language"), max_length=8)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True, db_index=True)
    forward_status = models.CharField(
        _("helpdesk"), max_length=10, choices=Forward.choices, default=Forward.OFF
    )
    forward_attempts = models.PositiveSmallIntegerField(default=0)
    forward_error = models.TextField(blank=True)
    forwarded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("contact request")
        permissions = [("retry_contactrequest", "Can retry forwarding a contact request")]

    def __str__(self) -> str:
        return f"{self.reference} · {self.subject}"


class SuggestionOpen(models.Model):
    """An article the contact form suggested and the customer opened.

    ``visit`` is a random id the contact page was rendered with; a request sent from the
    same visit links back here, and an opened suggestion left without a request is a
    deflection.
    """

    visit = models.CharField(max_length=32, db_index=True)
    article = models.ForeignKey(ArticlePage, on_delete=models.CASCADE, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True, db_index=True)
    contact_request = models.ForeignKey(
        ContactRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["visit", "article"], name="kb_open_once_per_visit")
        ]

    def __str__(self) -> str:
        return f"{self.visit} → {self.article_id}"
