"""Fast inserts for the join rows of an import (tags, bylines, attributions).

An import of 10,000 stories writes some 50,000 of these rows. Building a model
instance for each and letting bulk_create() prepare every value costs more than
the database takes to store them; these rows have no defaults, signals or
computed values, so they go in directly: with COPY on PostgreSQL, as multi-row
INSERTs elsewhere.
"""

from django.db import connection

ROWS_PER_STATEMENT = 500


def insert_rows(model, columns, rows):
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(model._meta.get_field(column).column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        row_placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
        for start in range(0, len(rows), ROWS_PER_STATEMENT):
            batch = rows[start : start + ROWS_PER_STATEMENT]
            values = ", ".join([row_placeholder] * len(batch))
            params = [value for row in batch for value in row]
            cursor.execute(f"INSERT INTO {table} ({names}) VALUES {values}", params)  # noqa: S608


def create_objects(model, objects):
    """bulk_create() with primary keys set; on PostgreSQL the rows go in with COPY after reserving their ids."""
    if connection.vendor != "postgresql" or not objects:
        return model.objects.bulk_create(objects, batch_size=ROWS_PER_STATEMENT)
    table = model._meta.db_table
    fields = list(model._meta.concrete_fields)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, model._meta.pk.column, len(objects)],
        )
        for obj, (pk,) in zip(objects, cursor.fetchall(), strict=True):
            obj.pk = pk
        quote = connection.ops.quote_name
        names = ", ".join(quote(field.column) for field in fields)
        with cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
            for obj in objects:
                copy.write_row([field.get_db_prep_save(getattr(obj, field.attname), connection) for field in fields])
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias
    return objects
