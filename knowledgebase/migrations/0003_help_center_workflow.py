"""The help center's moderation workflow and the group that approves articles.

"Help center review" is one GroupApprovalTask for "Help center managers". It is assigned
here to every help center that already exists, and by ``knowledgebase.receivers`` to each
one created later (any language); Wagtail applies a page's workflow to its descendants, so
every category and article goes through it. Editors cannot publish (``portal.groups``).
"""

from django.db import migrations

WORKFLOW_NAME = "Help center review"
TASK_NAME = "Help center managers approval"
GROUP_NAME = "Help center managers"


def create_workflow(apps, schema_editor):
    # The group's permissions come from portal.groups, granted after every migrate.
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    HelpCenterPage = apps.get_model("knowledgebase", "HelpCenterPage")

    managers, _ = Group.objects.get_or_create(name=GROUP_NAME)
    task_type, _ = ContentType.objects.get_or_create(
        app_label="wagtailcore", model="groupapprovaltask"
    )
    task = GroupApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=TASK_NAME, content_type=task_type, active=True)
    task.groups.add(managers)
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    for page in HelpCenterPage.objects.all():
        WorkflowPage.objects.update_or_create(page_id=page.pk, defaults={"workflow": workflow})


def remove_workflow(apps, schema_editor):
    Workflow = apps.get_model("wagtailcore", "Workflow")
    Task = apps.get_model("wagtailcore", "Task")
    Workflow.objects.filter(name=WORKFLOW_NAME).delete()
    Task.objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("knowledgebase", "0002_search_extensions"),
        ("portal", "0003_staff_groups"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailsearchpromotions", "0008_query_verbose_name"),
    ]

    operations = [migrations.RunPython(create_workflow, remove_workflow)]
