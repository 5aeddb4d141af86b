"""Scoring: the trainer's rubric and the scorecard of a recorded call against it."""
