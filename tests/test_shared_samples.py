"""Tests that need ../shared (the real evidence files, the example reviews) skip with a reason
outside CI and fail under CI, through one helper (conftest.shared): no test decides it alone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import shared

TESTS = Path(__file__).resolve().parent


def test_no_test_finds_or_skips_the_shared_folder_on_its_own():
    own = re.compile(r"""pytest\.skip\([^)]*shared|["']shared["']\s*/|/work/shared""")
    offenders = [f"{p.relative_to(TESTS)}:{n}" for p in TESTS.rglob("*.py") if p.name not in ("conftest.py", Path(__file__).name)
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if own.search(line)]
    assert offenders == []


def test_a_missing_sample_skips_outside_ci_and_fails_under_ci(tmp_path, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="the shared example reviews are not here"):
        shared("examples", "example reviews", root=tmp_path)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI needs the shared example reviews"):
        shared("examples", "example reviews", root=tmp_path)
    (tmp_path / "examples").mkdir()
    assert shared("examples", "example reviews", root=tmp_path) == tmp_path / "examples"
