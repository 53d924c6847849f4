"""Every text the portal shows has German, and the language follows Accept-Language (or the switch)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import payapp.portal
from payapp.portal import i18n
from payapp.portal.app import STATUS_LABELS

PORTAL = Path(payapp.portal.__file__).parent


def template_texts() -> set[str]:
    found: set[str] = set()
    for path in (PORTAL / "templates").glob("*.html"):
        found |= set(re.findall(r"_\('((?:[^'\\]|\\.)*)'", path.read_text(encoding="utf-8")))
    return found


def code_texts() -> set[str]:
    found: set[str] = set()
    trees = [ast.parse(path.read_text(encoding="utf-8")) for path in PORTAL.glob("*.py")]
    for node in (node for tree in trees for node in ast.walk(tree)):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) and \
                isinstance(node.args[0].value, str):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name == "_":
                found.add(node.args[0].value)
    return found | set(STATUS_LABELS.values())


def test_every_portal_text_has_german() -> None:
    texts = template_texts() | code_texts()
    assert len(texts) > 60
    missing = sorted(t for t in texts if t not in i18n.GERMAN)
    assert missing == []
    # placeholders survive the translation
    for english, german in i18n.GERMAN.items():
        assert set(re.findall(r"{\w+}", english)) == set(re.findall(r"{\w+}", german)), english


@pytest.mark.parametrize(("header", "chosen", "expected"), [
    ("de-DE,de;q=0.9,en;q=0.8", "", "de"), ("en-US,en;q=0.9,de;q=0.8", "", "en"), ("fr-FR,de;q=0.5", "", "de"),
    ("fr-FR", "", "en"), ("", "", "en"), ("de;q=0, en", "", "en"), ("de-AT", "en", "en"), ("en", "de", "de"),
    ("de;q=abc,en;q=0.1", "", "en"), ("x" * 5000, "", "en"), ("de", "xx", "de")])
def test_language_follows_the_browser_and_the_switch(header: str, chosen: str, expected: str) -> None:
    assert i18n.pick_language(header, chosen) == expected
