"""Prompt cards: the facilitator's questions for each stage of the meeting (pure).

The questions are package data; a team adds its own in ``prompts.toml`` in the pmtui
config folder (same layout: ``context = [...]``, ``analysis = [...]``, ``followups = [...]``).
"""

from __future__ import annotations

import tomllib
from importlib.resources import files
from pathlib import Path

from pmtui.config import read_toml
from pmtui.domain.vocab import Stage

STAGES = tuple(s.value for s in Stage)


def load_prompts(team_file: Path | None = None) -> tuple[dict[str, list[str]], list[str]]:
    """Questions by stage, and any problems with the team's file (file and line)."""
    data = tomllib.loads(files("pmtui").joinpath("data/prompts.toml").read_text(encoding="utf-8"))
    prompts = {stage: list(data.get(stage, [])) for stage in STAGES}
    problems: list[str] = []
    if team_file is not None:
        extra, text, problems = read_toml(team_file)
        for stage in STAGES:
            value = extra.get(stage, [])
            if isinstance(value, list) and all(isinstance(q, str) for q in value):
                prompts[stage].extend(q for q in value if q.strip() and q not in prompts[stage])
            else:
                from pmtui.config import line_of

                line = line_of(text, stage)
                problems.append(f"{team_file}{f', line {line}' if line else ''}: {stage} must be a list of questions; ignored")
    return prompts, problems
