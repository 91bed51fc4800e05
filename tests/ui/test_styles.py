"""Styles: the home screen's first frame reads only pmtui.tcss; every other screen reads
screens.tcss when it opens, so a screen that forgets it would open unstyled."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from textual.screen import Screen

import pmtui.screens
from pmtui.screens import SCREENS_CSS


def _screen_classes() -> list[type[Screen]]:
    found = []
    for info in pkgutil.iter_modules(pmtui.screens.__path__):
        module = importlib.import_module(f"pmtui.screens.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Screen) and cls.__module__ == module.__name__:
                found.append(cls)
    return found


def test_every_screen_but_home_reads_the_screens_styles() -> None:
    classes = _screen_classes()
    assert len(classes) > 10
    for cls in classes:
        if cls.__name__ == "HomeScreen":
            assert cls.CSS_PATH is None, "the home screen's first frame reads pmtui.tcss only"
        else:
            assert cls.CSS_PATH == SCREENS_CSS, f"{cls.__name__} opens without screens.tcss"


def test_the_screens_styles_ship_with_the_package() -> None:
    assert SCREENS_CSS.is_file()
    assert "#timeline-table" in SCREENS_CSS.read_text()
