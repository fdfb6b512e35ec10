"""Optional language-model help (``[llm]``): event summaries whose every sentence cites
stored items and is checked against them. Nothing else depends on this room."""
