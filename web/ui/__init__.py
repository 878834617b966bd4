"""Presentation: rendering pages, charts, score-card feedback and the API reference."""
