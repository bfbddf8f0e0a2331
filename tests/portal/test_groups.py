import pytest
from django.contrib.auth.models import Group, Permission

from portal import groups

pytestmark = pytest.mark.django_db


def _perms(name):
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name=name).permissions.select_related("content_type")
    }


def test_staff_groups_exist_after_migrate_with_their_permissions():
    for name, expected in groups.GROUP_PERMISSIONS.items():
        assert set(expected) <= _perms(name), name


def test_an_editor_can_open_the_admin_and_edit_pages_but_not_branding(client, user_factory):
    editor = user_factory(email="ed@example.com", is_staff=False)
    editor.groups.add(Group.objects.get(name=groups.EDITORS))
    client.force_login(editor)
    assert client.get("/admin/").status_code == 200
    assert editor.has_perm("wagtailadmin.access_admin")
    assert not editor.has_perm("portal.change_brandingsettings")


def test_a_marketer_can_change_branding(user_factory):
    marketer = user_factory(email="mk@example.com")
    marketer.groups.add(Group.objects.get(name=groups.MARKETERS))
    assert marketer.has_perm("portal.change_brandingsettings")


@pytest.mark.parametrize(
    "name, images, documents",
    [
        (groups.EDITORS, {"add", "change", "choose"}, {"add", "change", "choose"}),
        # "change" through ownership: the images they uploaded themselves.
        (groups.MARKETERS, {"add", "change", "choose"}, set()),
        (groups.HELP_CENTER_MANAGERS, {"add", "change", "choose"}, {"add", "change", "choose"}),
        (groups.SUPPORT_AGENTS, set(), set()),
    ],
)
def test_staff_can_upload_and_choose_images_and_documents_as_their_work_needs(
    user_factory, name, images, documents
):
    # Wagtail asks the collection permissions, not the model permissions: a marketer must
    # be able to upload the store's logo, a help center manager an article's screenshot.
    from wagtail.documents.permissions import permission_policy as document_policy
    from wagtail.images.permissions import permission_policy as image_policy

    user = user_factory(email="staff@example.com")
    user.groups.add(Group.objects.get(name=name))
    actions = {"add", "change", "choose"}
    assert {a for a in actions if image_policy.user_has_permission(user, a)} == images
    assert {a for a in actions if document_policy.user_has_permission(user, a)} == documents


def test_a_customer_cannot_open_the_admin(client, verified_user):
    client.force_login(verified_user)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_sync_is_idempotent_and_keeps_permissions_granted_by_hand():
    agents = Group.objects.get(name=groups.SUPPORT_AGENTS)
    extra = Permission.objects.get(codename="add_document")
    agents.permissions.add(extra)
    before = _perms(groups.SUPPORT_AGENTS)
    groups.sync()
    groups.sync()
    assert _perms(groups.SUPPORT_AGENTS) == before
    assert Group.objects.filter(name=groups.SUPPORT_AGENTS).count() == 1
