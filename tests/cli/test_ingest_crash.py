"""`kill -9` during `yuqing ingest`, then the same ingest again: every row is stored exactly
once (SQLite and PostgreSQL).

6,000 rows rather than 100,000: the property comes from how ingest stores (batches of
1,000 items, each upserted by its identity key in one transaction), not from the file's
size; 6 batches are enough for the kill to land mid-file with a batch committed and more
to come, and keep the test short (20,000 rows took 4 minutes per backend on a loaded
machine and showed the same). The analysis stages are switched off for speed;
they do not write.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, func, select

from yuqing.store.tables import items

ROWS = 6_000


def stored(url: str) -> tuple[int, int]:
    """Return (rows, distinct keys) of the items table."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return (int(conn.scalar(select(func.count()).select_from(items)) or 0),
                    int(conn.scalar(select(func.count(items.c.key.distinct()))) or 0))
    except Exception:  # noqa: BLE001 - the table may not exist yet
        return 0, 0
    finally:
        engine.dispose()


def test_ingest_killed_then_rerun_stores_each_row_once(store_url: str, tmp_path: Path) -> None:
    data = tmp_path / "rows.jsonl"
    with data.open("w", encoding="utf-8") as out:
        for i in range(ROWS):
            out.write(json.dumps({"id": str(i), "source": "weibo",
                                  "text": f"第{i}条 市区道路施工，出行请绕行 {i * 7919 % 100003}",
                                  "published_at": "2024-03-05T08:15:00+08:00"},
                                 ensure_ascii=False) + "\n")
    config = tmp_path / "yuqing.toml"
    config.write_text('timezone = "Asia/Shanghai"\n[pipeline]\nstages = { segment = 0, '
                      'sentiment = 0, sensitive = 0, incidents = 0, places = 0, keywords = 0, '
                      'handling = 0, events = 0 }\n', encoding="utf-8")
    cmd = [str(Path(sys.executable).parent / "yuqing"), "ingest", str(data),
           "--config", str(config), "--db", store_url, "--json"]
    env = {**os.environ, "YUQING_DATABASE_URL": store_url}
    first = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    deadline = time.monotonic() + 120
    while stored(store_url)[0] < 1000:  # a batch committed, more to come
        assert first.poll() is None, "ingest finished before it could be killed"
        assert time.monotonic() < deadline, "ingest stored nothing in 120 s"
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait()
    partial = stored(store_url)[0]
    assert 0 < partial < ROWS
    again = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600,
                           check=False)
    assert again.returncode == 0, again.stderr[-2000:]
    assert stored(store_url) == (ROWS, ROWS)
    print(f"killed after {partial} of {ROWS} rows; after the rerun {ROWS} stored once each")
