"""Tone: each party's own baseline, the detectors, the streaming core, call sessions and alert policy."""
