"""Article feedback: the vote form and the view beacon (inside i18n_patterns)."""

from django.urls import path

from . import feedback_views

urlpatterns = [
    path(
        "help-center/articles/<int:article_id>/vote/",
        feedback_views.article_vote,
        name="article_vote",
    ),
    path(
        "help-center/articles/<int:article_id>/viewed/",
        feedback_views.article_view,
        name="article_view",
    ),
]
