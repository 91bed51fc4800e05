"""The config file: remembered values, the team's word list, and clear messages for
a malformed file (which is then never overwritten)."""

from __future__ import annotations

from pmtui import config
from pmtui.prompts import load_prompts


def test_missing_file_gives_defaults(tmp_path):
    cfg = config.load(tmp_path / "config.toml")
    assert cfg.name == "" and cfg.presentation is False and cfg.problems == []


def test_save_and_load_round_trip(tmp_path):
    path = tmp_path / "cfg" / "config.toml"
    cfg = config.load(path)
    assert config.save(cfg, name='Jonas "JW" Weber', presentation=True, theme="nord")
    again = config.load(path)
    assert (again.name, again.presentation, again.theme) == ('Jonas "JW" Weber', True, "nord")


def test_save_keeps_the_teams_other_settings(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('name = "Amara"\n\n[language]\nremove = ["just"]\n\n[[language.phrase]]\nwords = ["the usual suspect"]\n'
                    'why = "points at a person"\n')
    cfg = config.load(path)
    assert cfg.remove_phrases == ["just"] and cfg.add_phrases[0]["words"] == ["the usual suspect"]
    config.save(cfg, presentation=True)
    again = config.load(path)
    assert again.presentation and again.name == "Amara" and again.remove_phrases == ["just"]
    assert again.add_phrases[0]["why"] == "points at a person"


def test_malformed_file_names_file_and_line_and_is_never_overwritten(tmp_path):
    path = tmp_path / "config.toml"
    text = 'name = "Amara"\npresentation = \n'
    path.write_text(text)
    cfg = config.load(path)
    assert cfg.problems and cfg.problems[0].startswith(f"{path}, line 2:") and "using the defaults" in cfg.problems[0]
    assert cfg.name == ""
    assert config.save(cfg, presentation=True) is False
    assert path.read_text() == text


def test_wrong_types_are_reported_with_their_line(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('name = "Amara"\npresentation = "yes"\n\n[language]\nremove = "just"\n')
    cfg = config.load(path)
    assert cfg.name == "Amara" and cfg.presentation is False
    assert f"{path}, line 2: presentation must be true or false; ignored" in cfg.problems
    assert f"{path}, line 5: language.remove must be a list of phrases; ignored" in cfg.problems


def test_team_prompts_extend_the_package_ones(tmp_path):
    team = tmp_path / "prompts.toml"
    team.write_text('analysis = ["Which alert would have told us first?"]\nfollowups = "not a list"\n')
    prompts, problems = load_prompts(team)
    assert prompts["analysis"][-1] == "Which alert would have told us first?"
    assert prompts["context"][0].startswith("What did you see first?")
    assert problems == [f"{team}, line 2: followups must be a list of questions; ignored"]
