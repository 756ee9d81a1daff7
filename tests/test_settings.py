"""Settings are declared once (portal/core/settings.py), read from the environment, checked,
documented from the declaration, and read by the code without defaults of its own."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from portal.config import SettingError, load_config, parse
from portal.core.settings import SETTINGS, Setting, committed_table, declared, markdown_table

ROOT = Path(__file__).resolve().parents[1]
DOCS = ("README.md", "docs/DEPLOYMENT.md")
# The only module that reads the environment: it builds the config from the declaration.
ENVIRONMENT_READER = "portal/config.py"
FROM_ENVIRONMENT = [s for s in SETTINGS if s.env]
# A value of each kind that differs from the default and fits the bounds.
SAMPLE_TEXT = {"str": "Contoh", "path": "/srv/contoh", "url": "https://data.contoh.go.id"}


def _sample(setting: Setting) -> tuple[str, object]:
    """An environment text for ``setting`` and the value it must give."""
    if setting.kind == "bool":
        return ("0", False) if setting.default else ("1", True)
    if setting.kind == "int":
        value = setting.maximum if setting.maximum is not None else (setting.minimum or 0) + 7
        return str(value), value
    if setting.pattern:
        return "52.01", "52.01"
    return SAMPLE_TEXT[setting.kind], SAMPLE_TEXT[setting.kind]


@pytest.mark.parametrize("doc", DOCS)
def test_committed_settings_table_matches_the_declaration(doc):
    text = (ROOT / doc).read_text(encoding="utf-8")
    assert committed_table(text) == markdown_table(), (
        f"{doc}: run `flask --app wsgi settings --write {doc}` after changing portal/core/settings.py")


def test_flask_settings_prints_and_rewrites_the_table(runner, tmp_path):
    printed = runner.invoke(args=["settings"])
    assert printed.exit_code == 0 and printed.output.strip() == markdown_table()
    doc = tmp_path / "doc.md"
    begin, end = markdown_table().splitlines()[0], markdown_table().splitlines()[-1]
    doc.write_text(f"Before.\n\n{begin}\n| stale |\n{end}\n\nAfter.\n")
    written = runner.invoke(args=["settings", "--write", str(doc)])
    assert written.exit_code == 0
    assert doc.read_text() == f"Before.\n\n{markdown_table()}\n\nAfter.\n"


def test_table_lists_every_environment_variable_once():
    table = markdown_table()
    for setting in FROM_ENVIRONMENT:
        assert table.count(f"| `{setting.env}` |") == 1, setting.env
    assert all(setting.meaning and setting.kind for setting in SETTINGS)
    assert len({s.key for s in SETTINGS}) == len(SETTINGS)


@pytest.mark.parametrize("setting", FROM_ENVIRONMENT, ids=lambda s: s.env)
def test_every_declared_variable_is_read_from_the_environment(setting, monkeypatch, tmp_path):
    text, expected = _sample(setting)
    monkeypatch.setenv(setting.env, text)
    config = load_config(str(tmp_path))
    if setting.key != "PORTAL_INSTANCE":  # the instance folder is the one the app was given
        assert config[setting.key] == expected


def test_defaults_apply_when_the_environment_is_silent(monkeypatch, tmp_path):
    for setting in FROM_ENVIRONMENT:
        monkeypatch.delenv(setting.env, raising=False)
    config = load_config(str(tmp_path))
    assert config["PROXY_FIX"] == 0 and config["PRIVACY_K_GENERAL"] == 5
    assert config["STORAGE_DIR"] == str(tmp_path / "storage")
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/portal.sqlite3"
    assert config["SECRET_KEY"] == (tmp_path / "secret_key").read_text().strip()
    assert config["SESSION_COOKIE_SECURE"] is False and config["REQUEST_LOG"] is True


@pytest.mark.parametrize(("env", "text", "message"), [
    ("PRIVACY_K_GENERAL", "2", "PRIVACY_K_GENERAL: must be at least 3"),
    ("PRIVACY_K_SPECIFIC", "lima", "PRIVACY_K_SPECIFIC: expected a whole number"),
    ("PROXY_FIX", "yes", "PROXY_FIX: expected a whole number"),
    ("PROXY_FIX", "-1", "PROXY_FIX: must be at least 0"),
    ("SESSION_COOKIE_SECURE", "maybe", "SESSION_COOKIE_SECURE: expected 1/0"),
    ("PORTAL_URL", "data.tabanankab.go.id", "PORTAL_URL: expected an absolute http"),
    ("DISTRICT_CODE", "Tabanan", "DISTRICT_CODE: must match"),
    ("DOWNLOAD_CACHE_SECONDS", "31536000", "DOWNLOAD_CACHE_SECONDS: must be at most 259200"),
])
def test_a_bad_value_stops_startup_naming_the_variable(env, text, message, monkeypatch, tmp_path):
    monkeypatch.setenv(env, text)
    with pytest.raises(SettingError, match=message) as raised:
        load_config(str(tmp_path))
    assert repr(text) in str(raised.value)  # not secret: the operator sees what was wrong


def test_a_secret_value_is_never_shown_in_the_error():
    secret = Setting("SOME_TOKEN", "SOME_TOKEN", "int", 1, "a secret number", secret=True)
    with pytest.raises(SettingError) as raised:
        parse(secret, "hunter2-password")
    assert "SOME_TOKEN" in str(raised.value) and "hunter2" not in str(raised.value)
    assert declared("SQLALCHEMY_DATABASE_URI").secret and declared("SECRET_KEY").secret


def test_privacy_k_is_never_below_three():
    for key in ("PRIVACY_K_GENERAL", "PRIVACY_K_SPECIFIC"):
        assert declared(key).minimum == 3 and declared(key).default >= 3


def test_every_key_app_config_holds_is_declared(monkeypatch, tmp_path):
    assert set(load_config(str(tmp_path))) == {s.key for s in SETTINGS}


# --- the code reads only declared settings, without inline defaults ----------------------

def _is_config(node: ast.AST) -> bool:
    """``app.config``, ``current_app.config`` or a local named ``config``."""
    return (isinstance(node, ast.Attribute) and node.attr == "config") or (
        isinstance(node, ast.Name) and node.id == "config")


def _setting_key(node: ast.AST) -> str | None:
    """The constant upper-case key in ``node`` (settings are named in capitals), else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.isupper():
        return node.value
    return None


def _is_environment(node: ast.AST) -> bool:
    """``os.environ`` or ``os.getenv``."""
    return (isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv")
            and isinstance(node.value, ast.Name) and node.value.id == "os")


def setting_reads(source: str, relative: str) -> list[str]:
    """Each way the module ``relative`` (its text: ``source``) breaks the rule, as 'line: what'."""
    found = []
    declared_keys = {s.key for s in SETTINGS}
    for node in ast.walk(ast.parse(source, relative)):
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) and _is_config(node.value):
            key = _setting_key(node.slice)
            if key and key not in declared_keys:
                found.append(f"{node.lineno}: {key} is not declared in portal/core/settings.py")
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
                and _is_config(node.func.value) and node.args and _setting_key(node.args[0])):
            found.append(f"{node.lineno}: config.get({node.args[0].value!r}, ...): read "
                         "config[KEY] and declare the default in portal/core/settings.py")
        if _is_environment(node) and relative != ENVIRONMENT_READER:
            found.append(f"{node.lineno}: reads the environment; declare a setting instead")
    return found


def test_modules_read_declared_settings_without_inline_defaults():
    problems = {}
    for path in sorted((ROOT / "portal").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if found := setting_reads(path.read_text(encoding="utf-8"), relative):
            problems[relative] = found
    assert problems == {}


def test_the_rule_checker_catches_what_it_should():
    sample = ("import os\nfrom flask import current_app\n"
              "a = current_app.config.get('PAGE_CACHE', True)\n"
              "b = current_app.config['NOT_A_SETTING']\n"
              "c = os.environ.get('PROXY_FIX')\n"
              "d = current_app.config['PAGE_CACHE']\n"
              "e = frame.config['kode_desa']\n")
    found = setting_reads(sample, "portal/sample.py")
    assert [line.split(":")[0] for line in found] == ["3", "4", "5"]
    assert setting_reads(sample, ENVIRONMENT_READER)[-1].startswith("4:")
