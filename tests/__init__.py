"""Tests: unit/<package>, service (a real server), system (the CLI, browsers, real data)."""
