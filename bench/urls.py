"""The portal's URLs plus the baseline every page is compared with."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from portal.urls import handler500
from portal.urls import urlpatterns as portal_urlpatterns

BASELINE_HTML = (
    b"<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>baseline</title></head>"
    b"<body><p>baseline</p></body></html>"
)


def baseline_view(request: HttpRequest) -> HttpResponse:
    """A constant page: the full middleware stack, no database, no template.

    What is left is the cost of gunicorn, WSGI and middleware, so a page's ratio to it
    shows what the page itself adds.
    """
    return HttpResponse(BASELINE_HTML)


urlpatterns = [path("bench/baseline", baseline_view, name="bench_baseline"), *portal_urlpatterns]

__all__ = ["handler500", "urlpatterns"]
