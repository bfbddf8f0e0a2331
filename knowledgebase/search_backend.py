"""Wagtail's database search backend, taught the help center's languages (PostgreSQL).

``WAGTAILSEARCH_BACKENDS["default"]["BACKEND"] = "knowledgebase.search_backend"``.

On PostgreSQL the backend is modelsearch's own with two changes to how a page is indexed:

* **Per-language text search config.** The index has one row per page, so the row's
  tsvectors are built with the config of the page's locale (``english``, ``turkish``,
  ``simple`` for others). Turkish rows also carry the words unstemmed (``simple``): the
  Snowball stemmer cuts "iade" to "ia" but "iadeler" to "iade", so a query must be able to
  meet a page either on the stem or on the plain word. Turkish text is lower-cased the
  Turkish way in Python first (capital I is a dotless i), which PostgreSQL's C collation
  does not do.
* **A lexicon** (``knowledgebase_searchword``: language, word, stem; a trigram index on the
  word; created by migration 0002). Every word an indexed page uses is added when it is
  indexed, so typo correction looks up a few thousand short words instead of comparing the
  query with every body text (see ``knowledgebase.search`` for why).

Elsewhere (SQLite in development and tests) this module hands over to modelsearch's own
database backend unchanged.
"""

from __future__ import annotations

import logging
import re

from django.db import DatabaseError, connection, transaction

logger = logging.getLogger(__name__)

# Text search configs (and their Snowball dictionaries) per language code.
CONFIGS = {"en": "english", "tr": "turkish"}
LEXICON_TABLE = "knowledgebase_searchword"
WORD_RE = re.compile(r"[^\W\d_]{2,40}")


def config_for(language: str | None) -> str:
    return CONFIGS.get((language or "").split("-")[0], "simple")


def dictionary_for(language: str | None) -> str:
    config = config_for(language)
    return "simple" if config == "simple" else f"{config}_stem"


def lower(text: str, language: str | None) -> str:
    """Lower-case ``text`` as ``language`` does (in Turkish, capital I is a dotless i)."""
    if (language or "").startswith(("tr", "az")):
        text = text.replace("İ", "i").replace("I", "ı")
    return text.lower()


def words_of(text: str, language: str | None) -> list[str]:
    return WORD_RE.findall(lower(text, language))


def SearchBackend(params):  # the name modelsearch's import_backend looks for
    if connection.vendor == "postgresql":
        return _postgres_backend_class()(params)
    from modelsearch.backends.database import SearchBackend as DatabaseSearchBackend

    return DatabaseSearchBackend(params)


def _postgres_backend_class():
    """Built on first use: the PostgreSQL module refuses to import its models elsewhere."""
    from django.contrib.postgres.search import SearchVector
    from django.db.models import TextField, Value
    from django.db.models.sql.subqueries import InsertQuery
    from modelsearch.backends.database.postgres import postgres as pg
    from modelsearch.utils import get_content_type_pk

    class LocaleObjectIndexer(pg.ObjectIndexer):
        def __init__(self, obj, backend):
            super().__init__(obj, backend)
            locale = getattr(obj, "locale", None)
            self.language = getattr(locale, "language_code", None)
            self.config = config_for(self.language)

        def as_vector(self, texts, for_autocomplete=False):
            # Lower-cased here, not in prepare_value: title_text/body_text keep the page's
            # own spelling for the snippets search results show.
            texts = [(lower(text, self.language), weight) for text, weight in texts]
            vector = super().as_vector(texts, for_autocomplete)
            if for_autocomplete or self.config != "turkish":
                return vector
            texts = [(text.strip(), weight) for text, weight in texts if text.strip()]
            plain = [
                SearchVector(Value(text, output_field=TextField()), weight=weight, config="simple")
                for text, weight in texts
            ]
            return pg.ADD([vector, *plain]) if plain else vector

    class LanguageIndex(pg.PostgresIndex):
        def add_items(self, model, objs):
            """modelsearch's upsert, with the indexer above (its own names it by module)."""
            if not model.get_search_fields():
                return
            indexers = [LocaleObjectIndexer(obj, self.backend) for obj in objs]
            if not indexers:
                return
            compiler = InsertQuery(pg.IndexEntry).get_compiler(connection=self.write_connection)
            rows, params = [], []
            content_type_pk = get_content_type_pk(model)
            for indexer in indexers:
                params.extend((content_type_pk, indexer.id))
                sql = []
                for name in ("title", "autocomplete", "body"):
                    value = compiler.prepare_value(
                        pg.IndexEntry._meta.get_field(name), getattr(indexer, name)
                    )
                    part, part_params = value.as_sql(compiler, self.write_connection)
                    sql.append(part)
                    params.extend(part_params)
                params.extend((indexer.title_text, indexer.body_text))
                rows.append(f"(%s, %s, {sql[0]}, {sql[1]}, {sql[2]}, 1.0, %s, %s)")
            with self.write_connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {pg.IndexEntry._meta.db_table} (content_type_id, object_id, "
                    "title, autocomplete, body, title_norm, title_text, body_text) "
                    f"(VALUES {', '.join(rows)}) ON CONFLICT (content_type_id, object_id) "
                    "DO UPDATE SET title = EXCLUDED.title, title_norm = 1.0, "
                    "autocomplete = EXCLUDED.autocomplete, body = EXCLUDED.body, "
                    "title_text = EXCLUDED.title_text, body_text = EXCLUDED.body_text",
                    params,
                )
            self._refresh_title_norms()
            lexicon_add(objs)

    class HelpPostgresSearchBackend(pg.PostgresSearchBackend):
        index_class = LanguageIndex

        def __init__(self, params):
            super().__init__(params)
            self.config = params.get("SEARCH_CONFIG") or "english"

    return HelpPostgresSearchBackend


def lexicon_add(objs) -> int:
    """Add the words of indexed pages to the lexicon (PostgreSQL); the number of words sent.

    Words are only ever added: a word no page uses any more can still be suggested as a
    correction, and then simply finds nothing.
    """
    by_language: dict[str, set[str]] = {}
    for obj in objs:
        locale = getattr(obj, "locale", None)
        language = getattr(locale, "language_code", None)
        if language is None:
            continue
        fields = obj.get_search_fields()
        found = by_language.setdefault(language, set())
        texts = [str(obj.title)]
        for field in fields:
            name = getattr(field, "field_name", "")
            if name in {"summary", "faq_questions"}:
                texts.append(str(field.get_value(obj) or ""))
        body = getattr(obj, "body", None)
        if body is not None and hasattr(body, "get_prep_value"):
            texts.append(_stream_text(body))
        for text in texts:
            found.update(w for w in words_of(text, language) if len(w) >= 3)
    sent = 0
    for language, words in by_language.items():
        if not words:
            continue
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {LEXICON_TABLE} (language, word, stem) "  # noqa: S608
                    "SELECT %s, w, (ts_lexize(%s::regdictionary, w))[1] "
                    "FROM unnest(%s::text[]) AS w ON CONFLICT DO NOTHING",
                    [language, dictionary_for(language), sorted(words)],
                )
        except DatabaseError:
            # A database migrated before the lexicon existed: search still works, without
            # typo correction; `migrate knowledgebase 0001 && migrate` brings it.
            logger.warning("help search: the lexicon table is missing", exc_info=True)
            return sent
        sent += len(words)
    return sent


def _stream_text(body) -> str:
    """Every string in a StreamField's raw value (rich text loses its tags)."""
    out: list[str] = []

    def walk(value):
        if isinstance(value, str):
            out.append(re.sub(r"<[^>]+>", " ", value))
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    walk(body.get_prep_value())
    return " ".join(out)


__all__ = ["SearchBackend", "config_for", "lower", "words_of"]
