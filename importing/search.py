"""Search-index entries for many records in one statement, on PostgreSQL.

modelsearch's ``add_items`` builds and compiles Django search-vector expressions
for every text of every record; for tens of thousands of records that dominates
an import. Here each *shape* of vector (how many texts, their weights) is
compiled once by modelsearch's own ``ObjectIndexer.as_vector`` and reused with
each record's texts, so every entry is the very SQL modelsearch would run.
Other backends get ``add_bulk`` unchanged."""

from django.db.models.sql.subqueries import InsertQuery

try:
    from modelsearch.backends.database.postgres.postgres import IndexEntry, ObjectIndexer, PostgresIndex
    from modelsearch.utils import get_content_type_pk
except ImportError:  # modelsearch without its PostgreSQL backend
    PostgresIndex = None

VECTORS = ("title", "autocomplete", "body")


if PostgresIndex is not None:

    class _Texts(ObjectIndexer):
        """An ObjectIndexer that hands back the texts of a vector instead of the vector,
        reading each field of the object once rather than once per vector."""

        def __init__(self, obj, backend):
            super().__init__(obj, backend)
            self._prepared = {}

        def prepare_field(self, obj, field):
            key = (id(obj), id(field))
            if key not in self._prepared:
                self._prepared[key] = list(super().prepare_field(obj, field))
            return self._prepared[key]

        def as_vector(self, texts, for_autocomplete=False):
            return texts, for_autocomplete


class _VectorTemplates:
    """Compiled SQL of each vector shape, reused with the texts of each record."""

    def __init__(self, backend, connection):
        self.backend, self.connection = backend, connection
        self.compiler = InsertQuery(IndexEntry).get_compiler(connection=connection)
        self.field = IndexEntry._meta.get_field("title")
        self.cache = {}

    def sql(self, texts, for_autocomplete):
        texts = [(text.strip(), weight) for text, weight in texts]
        texts = [(text, weight) for text, weight in texts if text]
        shape = (tuple(weight for _text, weight in texts), for_autocomplete)
        if shape not in self.cache:
            sentinels = {f"\x00modelsearch-text-{i}\x00": i for i in range(len(texts))}
            probe = ObjectIndexer.__new__(ObjectIndexer)
            probe.config, probe.autocomplete_config = self.backend.config, self.backend.autocomplete_config
            vector = probe.as_vector([(s, w) for s, (_t, w) in zip(sentinels, texts, strict=True)], for_autocomplete)
            value = self.compiler.prepare_value(self.field, vector)
            sql, params = value.as_sql(self.compiler, self.connection)
            slots = [sentinels.get(p) if isinstance(p, str) else None for p in params]
            self.cache[shape] = (sql, list(params), slots)
        sql, params, slots = self.cache[shape]
        return sql, [texts[slot][0] if slot is not None else param for param, slot in zip(params, slots, strict=True)]


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
    rows, params = [], []
    for obj in objs:
        texts = _Texts(obj, backend)
        params += [content_type_pk, texts.id]
        vectors = []
        for name in VECTORS:
            sql, vector_params = templates.sql(*getattr(texts, name))
            vectors.append(sql)
            params += vector_params
        params += [texts.title_text, texts.body_text]
        rows.append(f"(%s, %s, {vectors[0]}, {vectors[1]}, {vectors[2]}, 1.0, %s, %s)")
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {IndexEntry._meta.db_table} (content_type_id, object_id, title, autocomplete, body, title_norm, title_text, body_text)
            (VALUES {", ".join(rows)})
            ON CONFLICT (content_type_id, object_id)
            DO UPDATE SET title = EXCLUDED.title,
                          title_norm = 1.0,
                          autocomplete = EXCLUDED.autocomplete,
                          body = EXCLUDED.body,
                          title_text = EXCLUDED.title_text,
                          body_text = EXCLUDED.body_text
            """,
            params,
        )


def refresh(backend, model):
    """The housekeeping add_items does after each batch, once for the whole import."""
    index = backend.get_index_for_model(model)
    if PostgresIndex is not None and isinstance(index, PostgresIndex):
        index._refresh_title_norms()


__all__ = ["add_to_index", "refresh"]
