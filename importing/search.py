"""Search-index entries for many records in one statement, on PostgreSQL.

modelsearch's ``add_items`` builds and compiles Django search-vector expressions
for every text of every record; for tens of thousands of records that dominates
an import. Here each *shape* of vector (how many texts, their weights) is
compiled once by modelsearch's own ``ObjectIndexer.as_vector`` and reused with
each record's texts, so every entry is the very SQL modelsearch would run.
The records of one shape go in one statement whose texts are arrays
(``unnest``): a statement with a placeholder per text cost psycopg more to
parse than PostgreSQL to run. Other backends get ``add_bulk`` unchanged."""

from django.db.models.sql.subqueries import InsertQuery
from modelsearch.index import AutocompleteField, SearchField

try:
    from modelsearch.backends.database.postgres.postgres import (
        IndexEntry,
        ObjectIndexer,
        PostgresIndex,
    )
    from modelsearch.utils import get_content_type_pk
except ImportError:  # modelsearch without its PostgreSQL backend
    PostgresIndex = None


def _texts(obj, search_fields, indexer):
    """The texts of one object's entry, as modelsearch's ``ObjectIndexer`` gives them:
    (title, autocomplete, body) as (texts with weights, for autocomplete), then
    title_text and body_text. One pass over the search fields, reading each once
    (the indexer's cached properties walk them five times)."""
    title, body, autocomplete = [], [], []
    for search_field in search_fields:
        for field, weight, value in indexer.prepare_field(obj, search_field):
            if isinstance(field, SearchField):
                (title if field.field_name == "title" else body).append((value, weight))
            elif isinstance(field, AutocompleteField):
                autocomplete.append((value, weight))
    return (
        ((title, False), (autocomplete, True), (body, False)),
        _plain(title),
        _plain(body),
    )


def _plain(texts):
    return " ".join(text for text in (value.strip() for value, _weight in texts) if text)


class _VectorTemplates:
    """Compiled SQL of each vector shape, reused with the texts of each record."""

    def __init__(self, backend, connection):
        self.backend, self.connection = backend, connection
        self.compiler = InsertQuery(IndexEntry).get_compiler(connection=connection)
        self.field = IndexEntry._meta.get_field("title")
        self.cache = {}

    def shape(self, texts, for_autocomplete):
        """(shape, its texts): the non-empty texts and what compiles their vector."""
        texts = [(text.strip(), weight) for text, weight in texts]
        texts = [(text, weight) for text, weight in texts if text]
        return (tuple(weight for _text, weight in texts), for_autocomplete), [text for text, _weight in texts]

    def sql(self, shape, columns):
        """The vector's SQL and its parameters, its texts read from the SQL ``columns``."""
        if shape not in self.cache:
            weights, for_autocomplete = shape
            sentinels = {f"\x00modelsearch-text-{i}\x00": i for i in range(len(weights))}
            probe = ObjectIndexer.__new__(ObjectIndexer)
            probe.config, probe.autocomplete_config = self.backend.config, self.backend.autocomplete_config
            vector = probe.as_vector(list(zip(sentinels, weights, strict=True)), for_autocomplete)
            value = self.compiler.prepare_value(self.field, vector)
            sql, params = value.as_sql(self.compiler, self.connection)
            slots = [sentinels.get(p) if isinstance(p, str) else None for p in params]
            self.cache[shape] = (sql.split("%s"), list(params), slots)
        pieces, params, slots = self.cache[shape]
        out, kept = [pieces[0]], []
        for piece, param, slot in zip(pieces[1:], params, slots, strict=True):
            if slot is None:
                out.append("%s")
                kept.append(param)
            else:
                out.append(columns[slot])
            out.append(piece)
        return "".join(out), kept


def add_to_index(backend, model, objs):
    """Index ``objs`` in ``backend`` as ``backend.add_bulk`` would."""
    index = backend.get_index_for_model(model)
    if PostgresIndex is None or not isinstance(index, PostgresIndex) or not model.get_search_fields():
        backend.add_bulk(model, objs)
        return
    if not objs:
        return
    connection = index.write_connection
    templates = _VectorTemplates(backend, connection)
    content_type_pk = get_content_type_pk(model)
    search_fields = model.get_search_fields()
    indexer = ObjectIndexer.__new__(ObjectIndexer)  # only its prepare_field, which reads no state
    groups = {}  # shapes of the three vectors -> [[object id, title text, body text, texts...]]
    for obj in objs:
        vectors, title_text, body_text = _texts(obj, search_fields, indexer)
        shapes, row = [], [str(obj.pk), title_text, body_text]
        for texts, for_autocomplete in vectors:
            shape, vector_texts = templates.shape(texts, for_autocomplete)
            shapes.append(shape)
            row += vector_texts
        groups.setdefault(tuple(shapes), []).append(row)
    for shapes, rows in groups.items():
        _insert(connection, templates, content_type_pk, shapes, rows)


def _insert(connection, templates, content_type_pk, shapes, rows):
    vectors, params, column = [], [], 3
    for shape in shapes:
        count = len(shape[0])
        sql, vector_params = templates.sql(shape, [f"u.t{i}" for i in range(column, column + count)])
        vectors.append(sql)
        params += vector_params
        column += count
    names = ["object_id", "title_text", "body_text"] + [f"t{i}" for i in range(3, column)]
    arrays = [[row[i] for row in rows] for i in range(column)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {IndexEntry._meta.db_table} (content_type_id, object_id, title, autocomplete, body, title_norm, title_text, body_text)
            SELECT %s, u.object_id, {vectors[0]}, {vectors[1]}, {vectors[2]}, 1.0, u.title_text, u.body_text
            FROM unnest({", ".join(["%s::text[]"] * column)}) AS u({", ".join(names)})
            ON CONFLICT (content_type_id, object_id)
            DO UPDATE SET title = EXCLUDED.title,
                          title_norm = 1.0,
                          autocomplete = EXCLUDED.autocomplete,
                          body = EXCLUDED.body,
                          title_text = EXCLUDED.title_text,
                          body_text = EXCLUDED.body_text
            """,
            [content_type_pk, *params, *arrays],
        )


def refresh(backend, model):
    """The housekeeping add_items does after each batch, once for the whole import."""
    index = backend.get_index_for_model(model)
    if PostgresIndex is not None and isinstance(index, PostgresIndex):
        index._refresh_title_norms()


__all__ = ["add_to_index", "refresh"]
