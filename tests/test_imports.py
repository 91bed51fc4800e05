"""The domain never imports Textual, and the quick commands stay quick."""

from __future__ import annotations

import subprocess
import sys

import pytest

UI_FREE = ["pmtui", "pmtui.errors", "pmtui.document", "pmtui.models", "pmtui.store", "pmtui.metrics", "pmtui.__main__",
           "pmtui.report", "pmtui.wiki", "pmtui.entry", "pmtui.config", "pmtui.language", "pmtui.prompts",
           "pmtui.meeting", "pmtui.checks", "pmtui.tracker", "pmtui.patterns",
           "pmtui.store_followup", "pmtui.followup_report", "pmtui.followup_cli"]


@pytest.mark.parametrize("module", UI_FREE)
def test_ui_free_module_does_not_import_textual(module):
    code = f"import sys, {module}; print('textual' in sys.modules or any(m.startswith('textual.') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "False"


@pytest.mark.parametrize("flag", ["--help", "--version"])
def test_help_and_version_do_not_import_the_database_layer(flag):
    code = (
        "import sys\nfrom pmtui.__main__ import main\n"
        f"try:\n    main([{flag!r}])\nexcept SystemExit:\n    pass\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'sqlmodel', 'pydantic', 'textual'})\n"
        "print(heavy, file=sys.stderr)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stderr.strip() == "[]"
