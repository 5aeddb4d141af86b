"""Recorded calls: a file decoded, streamed through the core and transcribed, as one document."""
