"""Alembic revisions of the store schema, numbered and named (versions/NNNN_name.py).

They run without an alembic.ini: :mod:`pmtui.store.schema` hands Alembic this folder
and an open connection. Each revision's ``revision`` is the schema number it leads to.
"""
