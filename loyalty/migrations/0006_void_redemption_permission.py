"""The permission to void an unused reward code (``loyalty.void_redemption``), giving its
points back to the member.

Created here rather than in ``Redemption.Meta.permissions`` so the staff side could land
without touching the models (as ``0003`` did for adjustments); moving it into Meta later
is harmless (Django finds the row already there).
"""

from django.db import migrations

CODENAME = "void_redemption"
NAME = "Can void an unused reward code"


def create(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label="loyalty", model="redemption")
    Permission.objects.get_or_create(
        content_type=content_type, codename=CODENAME, defaults={"name": NAME}
    )


def remove(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="loyalty", codename=CODENAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("loyalty", "0005_tiers_and_campaigns"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create, remove)]
