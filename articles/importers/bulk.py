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
