"""PostgreSQL search machinery: unaccent + pg_trgm, the `french_unaccent` text search
configuration, a trigger keeping `search_vector` current on every write, and GIN indexes
(full text and trigrams). Nothing to do on SQLite (the fallback search works in Python)."""

from django.db import migrations

FORWARD = """
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'french_unaccent') THEN
    CREATE TEXT SEARCH CONFIGURATION french_unaccent ( COPY = french );
    ALTER TEXT SEARCH CONFIGURATION french_unaccent
      ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
  END IF;
END $$;
CREATE OR REPLACE FUNCTION faq_entry_search_vector() RETURNS trigger AS $$
DECLARE
  cfg regconfig := CASE WHEN NEW.language = 'en' THEN 'english'::regconfig
                        ELSE 'french_unaccent'::regconfig END;
BEGIN
  NEW.search_vector :=
    setweight(to_tsvector(cfg, coalesce(NEW.question, '')), 'A')
    || setweight(to_tsvector(cfg, coalesce(NEW.tags, '')), 'B')
    || setweight(to_tsvector(cfg, coalesce(NEW.answer, '')), 'C');
  RETURN NEW;
END $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS faq_entry_search_vector ON faq_entry;
CREATE TRIGGER faq_entry_search_vector
  BEFORE INSERT OR UPDATE OF question, answer, tags, language, search_vector ON faq_entry
  FOR EACH ROW EXECUTE FUNCTION faq_entry_search_vector();
CREATE INDEX IF NOT EXISTS faq_entry_search_vector_gin ON faq_entry USING gin (search_vector);
CREATE INDEX IF NOT EXISTS faq_entry_search_text_trgm
  ON faq_entry USING gin (search_text gin_trgm_ops);
UPDATE faq_entry SET question = question;
"""

BACKWARD = """
DROP INDEX IF EXISTS faq_entry_search_text_trgm;
DROP INDEX IF EXISTS faq_entry_search_vector_gin;
DROP TRIGGER IF EXISTS faq_entry_search_vector ON faq_entry;
DROP FUNCTION IF EXISTS faq_entry_search_vector();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("faq", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
