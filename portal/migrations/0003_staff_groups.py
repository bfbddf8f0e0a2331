"""The staff groups: Editors, Marketers, Support agents (see portal/groups.py)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_groups(apps, schema_editor):
    # Model permissions are normally created after migrate; make them now so the groups
    # can be granted them in this migration.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    from portal import groups

    groups.sync(apps)


def remove_groups(apps, schema_editor):
    from portal import groups

    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=[groups.MARKETERS, groups.SUPPORT_AGENTS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0002_pages_and_branding"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailimages", "0027_image_description"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
