"""The kinds of evidence: every module of this package that declares ``KIND``, ``LABEL``,
``SHAPE`` and ``ORDER`` is one, found when the package is imported. A new source is one
new module; nothing else is edited.

``SHAPE`` says how it is read:

- ``"json"``: one JSON document (an API response). The module has ``sniff(doc) -> bool``
  (does this parsed document look like mine?) and ``parse(doc: J, opts: Options) -> Parsed``.
- ``"lines"``: a log read one line at a time, with bounded memory. The module has
  ``parse(lines, name, opts, min_level) -> Parsed`` where ``lines`` yields
  ``(number, text, ended_with_newline)``; detection is in ``pmtui.evidence`` (first lines).
- ``"export"``: a folder or zip (Slack).
- ``"live"`` (or ``LIVE = True``): a service's API (slack_api, pagerduty_api,
  statuspage_url). The module has ``fetch(sources, opts, since, until) -> (name, Parsed)``,
  reads its token and base URL from the environment, and adds events through
  ``Parsed.add`` like every other kind, so the same checks, dedupe and all-or-nothing hold.

``ORDER`` places the kind in lists and help texts.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

SHAPES = ("json", "lines", "export", "live")


def shape_of(module: ModuleType) -> str:
    """``SHAPE``, or ``"live"`` for a module that says ``LIVE = True``."""
    return "live" if getattr(module, "LIVE", False) is True else str(getattr(module, "SHAPE", ""))


def discover(package: str, path: list[str]) -> list[ModuleType]:
    """The kind modules of the package, in ``ORDER`` (live sources last, by name)."""
    found: list[ModuleType] = []
    for info in pkgutil.iter_modules(path):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package}.{info.name}")
        if hasattr(module, "KIND") and hasattr(module, "LABEL") and shape_of(module):
            if shape_of(module) not in SHAPES:
                raise ValueError(f"{module.__name__}: SHAPE must be one of {', '.join(SHAPES)}")
            found.append(module)
    return sorted(found, key=lambda m: (getattr(m, "ORDER", 1000), m.KIND))


def of_shape(modules: list[ModuleType], shape: str) -> dict[str, ModuleType]:
    return {m.KIND: m for m in modules if shape_of(m) == shape}
