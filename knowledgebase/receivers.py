"""The help center's own reactions to Wagtail's signals.

- A new help center (any language, however it was made: the admin, a translation copy,
  the demo seeder) gets the "Help center review" workflow, so every category and article
  below it goes through moderation.
- Publishing, unpublishing, moving or deleting any page makes the help center's cached
  fragments stale once the change is committed (``selectors.help_forget``).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.models import Page, Workflow, WorkflowPage
from wagtail.signals import page_published, page_unpublished, post_page_move

from . import selectors
from .models import HelpCenterPage

# The name knowledgebase migration 0003 gives the workflow.
WORKFLOW_NAME = "Help center review"


@receiver(post_save, sender=HelpCenterPage, dispatch_uid="knowledgebase.workflow_for_new_center")
def assign_workflow(sender, instance: HelpCenterPage, created: bool, raw: bool = False, **kwargs):
    # Only a new page: an administrator who later picks another workflow for a help
    # center keeps their choice.
    if not created or raw:
        return
    workflow = Workflow.objects.filter(name=WORKFLOW_NAME, active=True).first()
    if workflow is not None:
        WorkflowPage.objects.get_or_create(page_id=instance.pk, defaults={"workflow": workflow})


def _forget(**kwargs) -> None:
    # Now, so this process's next read sees the change, and again after the commit, since
    # another request may have cached the old rows under the new version in between.
    selectors.help_forget()
    transaction.on_commit(selectors.help_forget)


def _page_deleted(sender, instance, **kwargs) -> None:
    if isinstance(instance, Page):
        _forget()


page_published.connect(_forget, dispatch_uid="knowledgebase.forget_on_publish")
page_unpublished.connect(_forget, dispatch_uid="knowledgebase.forget_on_unpublish")
post_page_move.connect(_forget, dispatch_uid="knowledgebase.forget_on_move")
post_delete.connect(_page_deleted, dispatch_uid="knowledgebase.forget_on_delete")
