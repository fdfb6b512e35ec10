"""Hot lists: platform adapters (platforms.py), reading answers safely (shape.py),
snapshot comparison (changes.py), and the ``hotlist`` and ``newsnow`` source kinds
(source.py, newsnow.py)."""
