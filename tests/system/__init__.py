"""Whole commands, browsers and the real recordings."""
