"""Editors' workflow: an Editors member submits, a Help center managers member approves,
then the article is live; scheduled publishing; revisions compared and reverted."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import WorkflowPage, WorkflowState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from knowledgebase.models import ArticlePage
from portal import groups
from tests.knowledgebase.factories import article, category, help_center, translate

pytestmark = pytest.mark.django_db


def _staff(user_factory, email, group_name):
    user = user_factory(email=email)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def editor(user_factory):
    return _staff(user_factory, "editor@example.com", groups.EDITORS)


@pytest.fixture
def manager(user_factory):
    return _staff(user_factory, "manager@example.com", groups.HELP_CENTER_MANAGERS)


@pytest.fixture
def shipping():
    return category(help_center(), "Shipping", icon="shipping")


def _time_passes(revision) -> None:
    """Move the revision's scheduled time into the past, as the clock would (no
    time-travel library here): both the approved time and the content's go_live_at."""
    past = timezone.now() - timedelta(seconds=1)
    revision.refresh_from_db()
    revision.approved_go_live_at = past
    revision.content["go_live_at"] = past.isoformat()
    revision.save(update_fields=["approved_go_live_at", "content"])


def _edit_data(page, *, title, text, action):
    return nested_form_data(
        {
            "title": title,
            "slug": page.slug,
            "summary": page.summary,
            "body": streamfield([("text", rich_text(text))]),
            "tags": "",
            "related_links": inline_formset([]),
            "comments": inline_formset([]),
            action: "1",
        }
    )


def test_every_help_center_gets_the_review_workflow_in_any_language(shipping):
    center = help_center()
    center_tr = help_center("tr")
    for page in (center, center_tr):
        assert WorkflowPage.objects.get(page=page).workflow.name == "Help center review"
    draft = article(shipping, "Returns by post", live=False)
    workflow = draft.get_workflow()
    assert workflow.name == "Help center review"
    (task,) = workflow.tasks.specific()
    assert list(task.groups.values_list("name", flat=True)) == [groups.HELP_CENTER_MANAGERS]
    translated_category = translate(shipping, title="Kargo")
    assert translated_category.get_workflow().name == "Help center review"


def test_editors_cannot_publish_but_managers_can(editor, manager, shipping):
    page = article(shipping, "Returns by post", live=False)
    assert page.permissions_for_user(editor).can_edit()
    assert not page.permissions_for_user(editor).can_publish()
    assert page.permissions_for_user(manager).can_publish()


def test_an_article_goes_through_review_to_publication(client, editor, manager, shipping):
    page = article(shipping, "Returns by post", live=False)
    edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])

    # The editor's "Publish" is refused; "Submit for moderation" starts the workflow.
    client.force_login(editor)
    data = _edit_data(
        page, title="Returns by post", text="<p>Print the label.</p>", action="action-publish"
    )
    client.post(edit_url, data)
    page.refresh_from_db()
    assert not page.live
    data = _edit_data(
        page, title="Returns by post", text="<p>Print the label.</p>", action="action-submit"
    )
    response = client.post(edit_url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    state = WorkflowState.objects.get(
        object_id=str(page.pk), status=WorkflowState.STATUS_IN_PROGRESS
    )
    assert state.requested_by == editor
    assert state.current_task_state.task.name == "Help center managers approval"
    page.refresh_from_db()
    assert not page.live
    assert client.get(page.url).status_code == 404

    # Another editor cannot approve; a help center manager can.
    task_state = state.current_task_state
    approve_url = reverse(
        "wagtailadmin_pages:workflow_action", args=[page.pk, "approve", task_state.pk]
    )
    response = client.post(approve_url, {"comment": ""})
    page.refresh_from_db()
    assert not page.live

    client.force_login(manager)
    response = client.post(approve_url, {"comment": "Clear, thanks."})
    assert response.status_code in (200, 302)
    page.refresh_from_db()
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_APPROVED
    assert page.live
    client.logout()
    html = client.get(page.url).content.decode()
    assert "Print the label." in html


def test_a_scheduled_article_goes_live_after_publish_scheduled(client, shipping):
    page = article(shipping, "Holiday shipping", live=False, text="<p>Order by the 20th.</p>")
    page.go_live_at = timezone.now() + timedelta(hours=1)
    revision = page.save_revision()
    revision.publish()
    page.refresh_from_db()
    assert not page.live
    assert client.get(page.url).status_code == 404

    call_command("publish_scheduled")  # not due yet: nothing changes
    page.refresh_from_db()
    assert not page.live

    _time_passes(revision)
    call_command("publish_scheduled")
    page.refresh_from_db()
    assert page.live
    assert "Order by the 20th." in client.get(page.url).content.decode()


def test_beat_runs_scheduled_publishing_every_minute(settings, shipping):
    from portal.tasks import publish_scheduled

    entry = next(
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "portal.tasks.publish_scheduled"
    )
    assert entry["schedule"] == 60.0

    page = article(shipping, "Flash sale", live=False)
    page.go_live_at = timezone.now() + timedelta(minutes=5)
    revision = page.save_revision()
    revision.publish()
    assert not ArticlePage.objects.get(pk=page.pk).live
    _time_passes(revision)
    publish_scheduled.delay()
    assert ArticlePage.objects.get(pk=page.pk).live
    publish_scheduled.delay()  # a second run changes nothing
    assert ArticlePage.objects.get(pk=page.pk).live


def test_revisions_can_be_compared_and_reverted(client, manager, shipping):
    page = article(shipping, "Exchanges", text="<p>First words.</p>")
    first = page.latest_revision
    page.body = [("text", "<p>Second words.</p>")]
    page.save_revision().publish()
    second = ArticlePage.objects.get(pk=page.pk).latest_revision

    client.force_login(manager)
    compare = reverse("wagtailadmin_pages:revisions_compare", args=[page.pk, first.pk, second.pk])
    response = client.get(compare)
    assert response.status_code == 200
    assert "First words." in response.content.decode()

    revert = reverse("wagtailadmin_pages:revisions_revert", args=[page.pk, first.pk])
    assert client.get(revert).status_code == 200
    # Reverting is saving the old revision's content again, then publishing it.
    first.as_object().save_revision(user=manager, previous_revision=first).publish()
    client.logout()
    html = client.get(page.url).content.decode()
    assert "First words." in html and "Second words." not in html
