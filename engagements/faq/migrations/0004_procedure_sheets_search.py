"""PostgreSQL search machinery of the procedure sheets: the FAQ's (0002: unaccent, pg_trgm,
`french_unaccent`), with a trigger keeping `search_vector` current and GIN indexes."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION faq_sheet_search_vector() RETURNS trigger AS $$
BEGIN
  NEW.search_vector :=
    setweight(to_tsvector('french_unaccent', coalesce(NEW.title, '')), 'A')
    || setweight(to_tsvector('french_unaccent', coalesce(NEW.tags, '')), 'B')
    || setweight(to_tsvector('french_unaccent', coalesce(NEW.body, '')), 'C');
  RETURN NEW;
END $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS faq_sheet_search_vector ON faq_proceduresheet;
CREATE TRIGGER faq_sheet_search_vector
  BEFORE INSERT OR UPDATE OF title, body, tags, search_vector ON faq_proceduresheet
  FOR EACH ROW EXECUTE FUNCTION faq_sheet_search_vector();
CREATE INDEX IF NOT EXISTS faq_sheet_search_vector_gin
  ON faq_proceduresheet USING gin (search_vector);
CREATE INDEX IF NOT EXISTS faq_sheet_search_text_trgm
  ON faq_proceduresheet USING gin (search_text gin_trgm_ops);
"""

BACKWARD = """
DROP INDEX IF EXISTS faq_sheet_search_text_trgm;
DROP INDEX IF EXISTS faq_sheet_search_vector_gin;
DROP TRIGGER IF EXISTS faq_sheet_search_vector ON faq_proceduresheet;
DROP FUNCTION IF EXISTS faq_sheet_search_vector();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("faq", "0003_procedure_sheets")]

    operations = [migrations.RunPython(forward, backward)]
