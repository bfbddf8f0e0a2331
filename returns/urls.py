from django.urls import path, register_converter

from .views import create, detail, policy, start


class ReturnNumber:
    """A return number as ``services`` draws them ("R-" and upper-case letters and digits).
    Anything else (a NUL byte, a 10 kB string) never reaches a view or the database: the
    path does not match and the visitor gets the site's 404."""

    regex = r"R-[0-9A-Z]{1,18}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class OrderNumber:
    """An order's lookup number, the form the returns URLs carry ("1001", "AB12")."""

    regex = r"[0-9A-Za-z]{1,50}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ReturnNumber, "return_number")
register_converter(OrderNumber, "order_number")

app_name = "returns"

# Mounted inside i18n_patterns: /returns/… and /tr/returns/….
urlpatterns = [
    path("returns/", start.start, name="start"),
    path("returns/verify/", start.verify, name="verify"),
    path("returns/policy/", policy.policy_page, name="policy"),
    path("returns/order/<order_number:number>/", create.new, name="new"),
    path("returns/order/<order_number:number>/review/", create.review, name="review"),
    path("returns/link/<str:token>/", detail.link, name="link"),
    path("returns/<return_number:number>/", detail.detail, name="detail"),
    path("returns/<return_number:number>/cancel/", detail.cancel, name="cancel"),
    path(
        "returns/<return_number:number>/authorization.pdf",
        detail.authorization,
        name="authorization",
    ),
    path("returns/<return_number:number>/photos/<int:photo_id>/", detail.photo, name="photo"),
]
