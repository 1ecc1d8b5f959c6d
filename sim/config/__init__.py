"""Scenario files: the schema and the loader."""
