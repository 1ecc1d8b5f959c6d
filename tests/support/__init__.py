"""Helpers shared by tests that drive the real command line (``python -m sim``)."""
