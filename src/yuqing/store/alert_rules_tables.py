"""The table of alert rules (migration branch ``alert_rules``, 0009_alert_rules.py).

``alert_rules`` holds every alert rule the running processes use: the rules
of the TOML config (``origin`` ``config``, written at start-up) and the
rules created or edited on the web (``origin`` ``web``). ``body`` is the
rule as JSON, validated by the config's own model (config.RuleConfig);
``scheme`` is the first scheme of the body (NULL: every scheme), for
grouping on the page; ``version`` starts at 1 and grows by one with every
change, so readers notice edits cheaply (alerts/rulebook.py).
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Integer, String, Table

from yuqing.store.tables import UTCDateTime, json_type, metadata

alert_rules = Table(
    "alert_rules",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String, nullable=False, unique=True),
    Column("scheme", String),
    Column("body", json_type(), nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("origin", String, nullable=False),        # config, web
    Column("updated_at", UTCDateTime, nullable=False),
    Column("updated_by", String, nullable=False),
    Column("version", Integer, nullable=False),
    sqlite_autoincrement=True,
)

TABLES = (alert_rules,)
