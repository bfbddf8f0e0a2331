"""The help center's search pages: results (a HelpCenterPage route), suggestions, clicks.

Thin: every decision is in ``knowledgebase.search``.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from . import search
from .models import SearchEvent

PER_PAGE = 10
MAX_PAGE = 50


def _language(request: HttpRequest) -> str:
    return (translation.get_language() or "en").split("-")[0]


def _contact_url() -> str | None:
    try:
        return reverse("knowledgebase:contact")
    except NoReverseMatch:
        return None


def _page_number(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), MAX_PAGE))
    except ValueError:
        return 1


def search_page(request: HttpRequest, help_center) -> HttpResponse:
    """``<help center>/search/?q=…&page=N``: promotions, then results with snippets."""
    language = help_center.locale.language_code
    raw = request.GET.get("q", "")
    number = _page_number(request.GET.get("page"))
    context = {
        "page": help_center,
        "help_center": help_center,
        "query": raw.strip(),
        "contact_url": _contact_url(),
        "error": None,
        "results": None,
        "promotions": [],
        "search_event": None,
    }
    try:
        query = search.normalise(raw, language=language)
    except search.QueryTooLong:
        context["error"] = _("Your search is too long. Use at most %(max)d characters.") % {
            "max": search.MAX_QUERY_LENGTH
        }
        return TemplateResponse(request, "knowledgebase/search_results.html", context, status=400)
    if query:
        promotions = search.promotions_for(query=query, language=language)
        promoted = tuple(p.page_id for p in promotions if p.page_id)
        results = search.search_articles(
            query=query,
            language=language,
            offset=(number - 1) * PER_PAGE,
            limit=PER_PAGE,
            exclude=promoted,
        )
        pages = max(1, -(-results.total // PER_PAGE))
        event = None
        if number == 1:
            event = search.search_record(
                query=query,
                language=language,
                results=results.total + len(promotions),
                source=SearchEvent.Source.PAGE,
            )
        context.update(
            results=results,
            promotions=promotions if number == 1 else [],
            search_event=event.pk if event else request.GET.get("e", ""),
            page_number=number,
            num_pages=pages,
            first_position=(number - 1) * PER_PAGE + 1,
            previous_page=number - 1 if number > 1 else None,
            next_page=number + 1 if number < min(pages, MAX_PAGE) else None,
        )
    return TemplateResponse(request, "knowledgebase/search_results.html", context)


@require_GET
def suggest(request: HttpRequest) -> JsonResponse:
    """``/help-center/suggest/?q=…[&source=contact][&log=1]`` → at most five articles.

    ``log=1`` (sent once the box has settled on a query) records the search.
    """
    language = _language(request)
    raw = request.GET.get("q", "")
    try:
        query = search.normalise(raw, language=language)
    except search.QueryTooLong:
        message = _("Use at most %(max)d characters.") % {"max": search.MAX_QUERY_LENGTH}
        return JsonResponse({"errors": {"q": [message]}}, status=400)
    if not query:
        return JsonResponse({"query": "", "results": []})
    pages = search.suggest(query=query, language=language)
    if request.GET.get("log") == "1":
        source = (
            SearchEvent.Source.CONTACT
            if request.GET.get("source") == "contact"
            else SearchEvent.Source.SUGGEST
        )
        search.search_record(query=query, language=language, results=len(pages), source=source)
    return JsonResponse(
        {
            "query": query,
            "results": [
                {"id": p.pk, "title": p.title, "summary": p.summary, "url": p.get_url(request)}
                for p in pages
            ],
        }
    )


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# A beacon from our own pages that only adds a click to analytics: no account, no data of
# anyone's is touched, and navigator.sendBeacon cannot carry a CSRF header.
@csrf_exempt
@require_POST
def click(request: HttpRequest) -> JsonResponse:
    """Record an opened result: ``e`` (a logged search) or ``q`` (+ ``source``), ``a``, ``p``."""
    article, position = _int(request.POST.get("a")), _int(request.POST.get("p")) or 0
    if article is None:
        return JsonResponse({"errors": {"a": [_("Give the article's id.")]}}, status=400)
    event = _int(request.POST.get("e"))
    if event is not None:
        recorded = search.search_click_record(
            search_id=event, article_id=article, position=position
        )
        return JsonResponse({"recorded": recorded})
    source = request.POST.get("source")
    if source not in {SearchEvent.Source.SUGGEST, SearchEvent.Source.CONTACT}:
        source = SearchEvent.Source.SUGGEST
    try:
        recorded = search.suggestion_open_record(
            query=request.POST.get("q", ""),
            language=_language(request),
            source=source,
            article_id=article,
            position=position,
        )
    except search.QueryTooLong:
        return JsonResponse({"errors": {"q": [_("The search is too long.")]}}, status=400)
    return JsonResponse({"recorded": recorded})
