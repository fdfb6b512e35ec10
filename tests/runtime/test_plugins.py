"""Third-party plugins: a tiny package installed with pip (from local files only) adds a
source kind, a stage and a channel kind through the entry point groups ``yuqing.sources``,
``yuqing.stages`` and ``yuqing.channels``, and `yuqing` uses them (runtime/registries.py)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest

from yuqing.domain import BadInput
from yuqing.plugins import Registry

YUQING = str(Path(sys.executable).with_name("yuqing"))

#: what a plugin's ``[project.entry-points."yuqing.sources"]`` etc. become in its wheel
ENTRY_POINTS = """\
[yuqing.sources]
tiny = yuqing_tiny:TinySource

[yuqing.stages]
shout = yuqing_tiny:make_shout

[yuqing.channels]
drop = yuqing_tiny:DropChannel
"""

MODULE = '''\
"""A tiny Yuqing plugin: a source kind, a stage and a channel kind."""

from datetime import UTC, datetime
from pathlib import Path

from yuqing.alerts.channels.base import DeliveryResult
from yuqing.domain import RawItem
from yuqing.pipeline.base import BaseStage
from yuqing.sources.base import ConfiguredSource, FetchResult


class TinySource(ConfiguredSource):
    """Yields the ``texts`` option once."""

    supports_conditional_get = False
    is_finite = True
    is_remote = False

    def __init__(self, config):
        self._config = config

    def fetch(self, state):
        now = datetime.now(UTC)
        items = [RawItem(source=self.name, id=str(i), title=f"title {i}", text=text,
                         fetched_at=now, published_at=now)
                 for i, text in enumerate(self._config.option("texts", []))]
        return FetchResult(items=items, done=True)


class Shout(BaseStage):
    """Marks every title."""

    name = "shout"

    def process(self, items):
        for item in items:
            item.title = "SHOUT " + (item.title or "")


def make_shout(config):
    return Shout()


class DropChannel:
    """Writes each alert's title as one line to the file of the ``path`` option."""

    kind = "drop"

    def __init__(self, cfg):
        self.name = cfg.name
        self.path = Path(cfg.option("path"))

    def send(self, alerts):
        with self.path.open("a", encoding="utf-8") as f:
            for alert in alerts:
                f.write(alert.title + "\\n")
        return [DeliveryResult.success() for _ in alerts]
'''


def _wheel(folder: Path) -> Path:
    """Write the tiny plugin as a wheel (PEP 427) in ``folder``; return its path.

    Made with zipfile rather than a build backend: the test venv's setuptools cannot
    build wheels without the ``wheel`` package, and the test must not reach an index."""
    dist = "yuqing_tiny_plugin-0.1.dist-info"
    files = {
        "yuqing_tiny.py": MODULE,
        f"{dist}/METADATA": "Metadata-Version: 2.1\nName: yuqing-tiny-plugin\nVersion: 0.1\n",
        f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: yuqing-tests\nRoot-Is-Purelib: true\n"
                         "Tag: py3-none-any\n",
        f"{dist}/entry_points.txt": ENTRY_POINTS,
    }
    record = []
    for name, text in files.items():
        digest = hashlib.sha256(text.encode("utf-8")).digest()
        b64 = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
        record.append(f"{name},sha256={b64},{len(text.encode('utf-8'))}")
    files[f"{dist}/RECORD"] = "\n".join([*record, f"{dist}/RECORD,,"]) + "\n"
    path = folder / "yuqing_tiny_plugin-0.1-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as whl:
        for name, text in files.items():
            whl.writestr(name, text)
    return path


@pytest.fixture(scope="module")
def plugin_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny plugin, installed by pip from a local wheel into a folder of its own."""
    root = tmp_path_factory.mktemp("plugin")
    site = root / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                    "--disable-pip-version-check", "--target", str(site), str(_wheel(root))],
                   check=True, capture_output=True, timeout=300)
    assert (site / "yuqing_tiny_plugin-0.1.dist-info" / "entry_points.txt").is_file()
    return site


def _env(site: Path) -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(site), os.environ.get("PYTHONPATH", "")) if p)
    env = {k: v for k, v in os.environ.items() if not k.startswith("YUQING_")}
    return {**env, "PYTHONPATH": path}


def _yuqing(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([YUQING, *args], cwd=cwd, env=_env(site),
                          capture_output=True, text=True, timeout=300)


def _config(tmp_path: Path, drop: Path) -> Path:
    path = tmp_path / "yuqing.toml"
    path.write_text(textwrap.dedent(f"""\
        [[sources]]
        name = "tiny1"
        kind = "tiny"
        texts = ["学校食堂发生食物中毒，家长非常愤怒，要求严惩", "今天天气晴朗"]

        [[schemes]]
        name = "学校"
        subject_words = ["学校"]

        [pipeline]
        stages = {{ shout = 850 }}

        [[alerts.channels]]
        name = "dropbox"
        kind = "drop"
        path = "{drop.as_posix()}"

        [[alerts.rules]]
        name = "负面或敏感"
        channels = ["dropbox"]
        """), encoding="utf-8")
    return path


def test_a_plugin_source_stage_and_channel_run(plugin_site: Path, tmp_path: Path) -> None:
    drop = tmp_path / "alerts.txt"
    _config(tmp_path, drop)
    checked = _yuqing(plugin_site, tmp_path, "check", "--json")
    assert checked.returncode == 0, checked.stderr
    doc = json.loads(checked.stdout)
    assert doc["sources"] == ["tiny1"]
    assert doc["stages"][-2:] == ["shout", "events"]

    run = subprocess.Popen([YUQING, "run", "--no-serve", "--json"],
                           cwd=tmp_path, env=_env(plugin_site), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not (drop.exists() and drop.read_text(encoding="utf-8")):
            assert run.poll() is None, run.communicate()
            assert time.monotonic() < deadline, "the plugin channel wrote nothing"
            time.sleep(0.5)
    finally:
        run.send_signal(signal.SIGINT)
        out, err = run.communicate(timeout=120)
    assert run.returncode == 0, err
    assert json.loads(out)["stored"] == 2
    # the rule matched the plugin source's item, after the plugin's stage ran on it
    sent = drop.read_text(encoding="utf-8").splitlines()
    assert sent == ["【舆情预警】学校：负面/敏感 — SHOUT title 0"]

    listed = _yuqing(plugin_site, tmp_path, "items", "--json")
    assert listed.returncode == 0, listed.stderr
    titles = sorted(json.loads(line)["title"] for line in listed.stdout.splitlines())
    assert titles == ["SHOUT title 0", "SHOUT title 1"]


def test_without_the_plugin_its_kinds_are_config_errors(plugin_site: Path, tmp_path: Path) -> None:
    _config(tmp_path, tmp_path / "alerts.txt")
    refused = _yuqing(plugin_site.parent / "absent", tmp_path, "check")
    assert refused.returncode == 2
    message = " ".join(refused.stderr.split())
    assert "pipeline.stages: 'shout' is not a pipeline stage" in message
    assert "alert channel 'dropbox': unknown kind 'drop'" in message


def test_a_plugin_claiming_a_builtin_name_is_refused() -> None:
    reg: Registry[object] = Registry("channel kind")
    reg.register("console", object)
    with pytest.raises(ValueError, match="channel kind 'console' is already registered"):
        reg.register("console", object)
    with pytest.raises(BadInput, match=r"^unknown kind 'x'; known kinds: console$"):
        reg.get("x")
