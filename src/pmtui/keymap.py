"""The user's keymap: ``[keys]`` in config.toml, checked against every binding pmtui declares
(the app's, every screen's and every widget's), for Textual's ``App.set_keymap``."""

from __future__ import annotations

from textual.binding import Binding


def known_binding_ids() -> dict[str, Binding]:
    """Every binding pmtui declares, by id: the app's, every screen's and every widget's."""
    import importlib
    import pkgutil

    import pmtui.screens
    import pmtui.widgets
    from pmtui.app import PostmortemApp

    found: dict[str, Binding] = {}
    classes: list[type] = [PostmortemApp]
    for package in (pmtui.screens, pmtui.widgets):
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            classes += [c for c in vars(module).values() if isinstance(c, type) and c.__module__ == module.__name__]
    for cls in classes:
        for binding in getattr(cls, "BINDINGS", ()):
            if isinstance(binding, Binding) and binding.id:
                found.setdefault(binding.id, binding)
    return found


def user_keymap(keys: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The config file's ``[keys]`` as Textual's keymap, and the ids no binding has. A section's
    key is one id (``go.timeline``) though the app and the screens each declare it."""
    known = known_binding_ids()
    keymap: dict[str, str] = {}
    unknown = []
    for binding_id, key in keys.items():
        if binding_id not in known:
            unknown.append(binding_id)
            continue
        keymap[binding_id] = key
        if binding_id.startswith("go.") and f"app.{binding_id}" in known:
            keymap[f"app.{binding_id}"] = key
    return keymap, unknown
