"""The domain never imports Textual, and the quick commands stay quick."""

from __future__ import annotations

import subprocess
import sys

import pytest

UI_FREE = ["pmtui", "pmtui.errors", "pmtui.document", "pmtui.models", "pmtui.store", "pmtui.metrics", "pmtui.__main__",
           "pmtui.report", "pmtui.wiki", "pmtui.entry", "pmtui.config", "pmtui.language", "pmtui.prompts",
           "pmtui.meeting", "pmtui.checks", "pmtui.tracker", "pmtui.patterns",
           "pmtui.store.followup", "pmtui.followup_report", "pmtui.followup_cli",
           "pmtui.evidence", "pmtui.evidence.statuspage", "pmtui.evidence.instatus", "pmtui.evidence.pagerduty",
           "pmtui.evidence.opsgenie", "pmtui.evidence.oncall", "pmtui.evidence.slack", "pmtui.evidence.jsonl",
           "pmtui.evidence.logfmt", "pmtui.evidence.csvlog"]


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


def _store_modules() -> list[str]:
    from pathlib import Path

    import pmtui.store

    folder = Path(pmtui.store.__file__).parent
    return sorted(f"pmtui.store.{p.stem}" for p in folder.glob("*.py") if p.stem != "__init__")


@pytest.mark.parametrize("module", ["pmtui.store", *_store_modules()])
def test_store_modules_import_no_database_layer_at_top_level(module):
    """SQLAlchemy, Alembic and the drivers load only inside the functions that use them."""
    code = (f"import sys, {module}\n"
            "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'sqlmodel', 'alembic', 'psycopg', "
            "'pydantic', 'textual'})\nprint(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


def test_home_screen_list_on_sqlite_imports_no_database_layer(tmp_path):
    """The home screen's first frame lists reviews with the standard library."""
    from pmtui.store import Store

    Store.open(tmp_path / "s.db").create_review("Queue backlog")
    code = ("import sys\nfrom pmtui.store import Store\n"
            f"print(len(Store.open({str(tmp_path / 's.db')!r}).list_reviews()))\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'sqlmodel', 'alembic', 'psycopg'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[:2] == ["1", "[]"]
