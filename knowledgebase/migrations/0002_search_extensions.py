"""PostgreSQL: the extensions and trigram indexes modelsearch's Fuzzy queries use."""

from django.core.management import call_command
from django.db import migrations


def enable(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # unaccent first: the trigram command also indexes f_unaccent(text), which it defines.
    call_command("enable_unaccent", verbosity=0)
    call_command("enable_trigram", verbosity=0)


class Migration(migrations.Migration):
    dependencies = [
        ("knowledgebase", "0001_initial"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    operations = [migrations.RunPython(enable, migrations.RunPython.noop)]
