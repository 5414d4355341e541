"""Alembic migrations of the schema (models/schema.py); `versions/` holds one per change."""

HEAD = "0005"
"""The newest revision in versions/. A new migration must raise it: a test compares it
with what Alembic reads, and start-up runs Alembic only when the database is behind it."""
