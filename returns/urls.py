from django.urls import path

from .views import create, detail, policy, start

app_name = "returns"

# Mounted inside i18n_patterns: /returns/… and /tr/returns/….
urlpatterns = [
    path("returns/", start.start, name="start"),
    path("returns/verify/", start.verify, name="verify"),
    path("returns/policy/", policy.policy_page, name="policy"),
    path("returns/order/<str:number>/", create.new, name="new"),
    path("returns/order/<str:number>/review/", create.review, name="review"),
    path("returns/link/<str:token>/", detail.link, name="link"),
    path("returns/<str:number>/", detail.detail, name="detail"),
    path("returns/<str:number>/cancel/", detail.cancel, name="cancel"),
    path("returns/<str:number>/authorization.pdf", detail.authorization, name="authorization"),
    path("returns/<str:number>/photos/<int:photo_id>/", detail.photo, name="photo"),
]
