"""PostgreSQL: the extensions and trigram indexes search uses, and the search lexicon.

``knowledgebase_searchword`` holds every word the indexed help pages use, per language,
with its Snowball stem; ``knowledgebase.search_backend`` fills it as pages are indexed and
``knowledgebase.search`` corrects misspelt query words against it through the trigram
index. It has no Django model: nothing but those two modules reads or writes it.
"""

import io

from django.core.management import call_command
from django.db import migrations

LEXICON = """
CREATE TABLE IF NOT EXISTS knowledgebase_searchword (
    language varchar(8) NOT NULL,
    word varchar(40) NOT NULL,
    stem varchar(40),
    PRIMARY KEY (language, word)
);
CREATE INDEX IF NOT EXISTS knowledgebase_searchword_stem
    ON knowledgebase_searchword (language, stem);
CREATE INDEX IF NOT EXISTS knowledgebase_searchword_trgm
    ON knowledgebase_searchword USING gist (word gist_trgm_ops);
"""


def enable(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # unaccent first: the trigram command also indexes f_unaccent(text), which it defines.
    # Both commands print whatever the verbosity; a migration keeps quiet.
    call_command("enable_unaccent", stdout=io.StringIO())
    call_command("enable_trigram", stdout=io.StringIO())
    schema_editor.execute(LEXICON)


def disable(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TABLE IF EXISTS knowledgebase_searchword")


class Migration(migrations.Migration):
    dependencies = [
        ("knowledgebase", "0001_initial"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    operations = [migrations.RunPython(enable, disable)]
