"""Learners, progress and work in a database (SQLite by default, PostgreSQL for a class)."""
