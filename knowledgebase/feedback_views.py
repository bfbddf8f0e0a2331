"""The article feedback endpoints: a "was this helpful?" vote and the view-count beacon.

The vote works as a plain form (POST, then back to the article with a thank-you message)
and as JSON for ``static/knowledgebase/feedback.js``. The article page itself carries no
per-visitor state, so guests are served a kept copy of it: the beacon counts the view and
tells the script the visitor's earlier vote.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import feedback
from .forms import VoteForm


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _set_visitor_cookie(response: HttpResponse, visitor: str) -> None:
    response.set_cookie(
        feedback.VISITOR_COOKIE,
        visitor,
        max_age=feedback.VISITOR_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


# No CSRF token: the article page is kept whole for guests (portal.pagecache), so it cannot
# carry a per-visitor token, and the vote must work without JavaScript. A forged cross-site
# vote gains nothing: the session and visitor cookies are SameSite=Lax, so a browser never
# sends them with another site's POST, and the vote lands as a new anonymous visitor's —
# what the forger could cast themselves.
@csrf_exempt
@never_cache
@require_POST
def article_vote(request: HttpRequest, article_id: int) -> HttpResponse:
    """Record the visitor's vote; a repeat changes it."""
    article = feedback.live_articles(article_id).first()
    form = VoteForm(request.POST)
    if article is None or not form.is_valid():
        if _wants_json(request):
            errors = (
                {"article": [_("This article is not available.")]}
                if article is None
                else {name: list(errs) for name, errs in form.errors.items()}
            )
            return JsonResponse({"ok": False, "errors": errors}, status=400)
        if article is None:
            return HttpResponse(_("This article is not available."), status=404)
        messages.error(request, _("Please choose Yes or No."))
        return redirect(article.get_url(request) + "#article-feedback")

    cookie = request.COOKIES.get(feedback.VISITOR_COOKIE)
    new_cookie = None
    visitor = feedback.visitor_key(user=request.user, cookie=cookie)
    if visitor is None:
        visitor = new_cookie = feedback.visitor_new()
    try:
        vote = feedback.vote_record(
            article_id=article.pk,
            visitor=visitor,
            helpful=form.is_helpful,
            comment=form.cleaned_data["comment"],
            language=translation.get_language() or "",
        )
    except feedback.ArticleUnavailable:  # unpublished between the two reads
        return JsonResponse({"ok": False, "errors": {"article": ["unavailable"]}}, status=400)

    thanks = _("Thank you for your feedback.")
    if _wants_json(request):
        response = JsonResponse(
            {"ok": True, "helpful": vote.helpful, "comment": bool(vote.comment), "message": thanks}
        )
    else:
        messages.success(request, thanks)
        response = redirect(article.get_url(request) + "#article-feedback")
    if new_cookie:
        _set_visitor_cookie(response, new_cookie)
    return response


# The beacon only raises an anonymous counter (see article_vote for why no token), and
# tells the script the visitor's earlier vote, which a kept page cannot show.
@csrf_exempt
@never_cache
@require_POST
def article_view(request: HttpRequest, article_id: int) -> HttpResponse:
    try:
        feedback.view_record(article_id=article_id)
    except feedback.ArticleUnavailable:
        return JsonResponse({"ok": False, "errors": {"article": ["unavailable"]}}, status=404)
    visitor = feedback.visitor_key(
        user=request.user, cookie=request.COOKIES.get(feedback.VISITOR_COOKIE)
    )
    vote = feedback.vote_for(article_id=article_id, visitor=visitor)
    return JsonResponse(
        {
            "ok": True,
            "vote": None if vote is None else ("yes" if vote.helpful else "no"),
        }
    )
