"""Scorers and runners for public evaluation sets (the data itself is never bundled)."""
