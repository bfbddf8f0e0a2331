"""The permission to adjust a member's points by hand (``loyalty.adjust_account``).

Created here rather than in ``Account.Meta.permissions`` so the staff side could land
without touching the models; moving it into Meta later is harmless (Django finds the row
already there).
"""

from django.db import migrations

CODENAME = "adjust_account"
NAME = "Can adjust the points of a loyalty account"


def create(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label="loyalty", model="account")
    Permission.objects.get_or_create(
        content_type=content_type, codename=CODENAME, defaults={"name": NAME}
    )


def remove(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="loyalty", codename=CODENAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("loyalty", "0002_programsettings_how_it_works"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create, remove)]
