"""The config file: remembered values, the team's word list, and clear messages for
a malformed file (which is then never overwritten)."""

from __future__ import annotations

from pmtui import config
from pmtui.domain.prompts import load_prompts


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


# ---------------------------------------------------------------- layout, odd values
USER_FILE = """\
# Amara's pmtui settings
name    = "Amara"      # shown on my notes

# the team's words
[language]
remove = [ "just",   # we say it a lot
           "simply" ]

[[language.phrase]]
words = ["the usual suspect"]   # points at a person
why = "points at a person"
"""


def test_saving_keeps_the_users_comments_and_layout(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(USER_FILE)
    cfg = config.load(path)
    assert config.save(cfg, presentation=True, theme="nord")
    text = path.read_text()
    assert text.startswith('# Amara\'s pmtui settings\nname    = "Amara"      # shown on my notes\n')
    for line in USER_FILE.splitlines():
        assert line in text.splitlines()
    again = config.load(path)
    assert (again.name, again.presentation, again.theme, again.remove_phrases) == ("Amara", True, "nord", ["just", "simply"])
    assert config.save(again, name="Amara O.")  # a changed value keeps its comment
    assert 'name    = "Amara O."      # shown on my notes' in path.read_text()


def test_a_new_file_says_what_it_is(tmp_path):
    path = tmp_path / "new" / "config.toml"
    assert config.save(config.load(path), name="Jo")
    assert path.read_text().startswith("# pmtui settings")
    assert config.load(path).name == "Jo"


def test_nothing_is_written_unless_it_reads_back_as_the_settings(tmp_path, monkeypatch):
    import tomlkit

    path = tmp_path / "config.toml"
    path.write_text(USER_FILE)
    monkeypatch.setattr(tomlkit, "dumps", lambda doc: 'name = "Amara"\npresentation = \n')  # unreadable
    assert config.save(config.load(path), presentation=True) is False
    monkeypatch.setattr(tomlkit, "dumps", lambda doc: 'name = "Someone else"\npresentation = true\n')  # readable, wrong
    assert config.save(config.load(path), presentation=True) is False
    assert path.read_text() == USER_FILE
    assert [p.name for p in tmp_path.iterdir()] == ["config.toml"]  # no temporary file left


def test_a_symlinked_config_is_written_through(tmp_path):
    real = tmp_path / "dotfiles" / "pmtui.toml"
    real.parent.mkdir()
    real.write_text(USER_FILE)
    link = tmp_path / "config.toml"
    link.symlink_to(real)
    assert config.save(config.load(link), presentation=True)
    assert link.is_symlink() and config.load(real).presentation is True


def test_odd_values_get_the_file_and_line_and_the_defaults(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(
        'name = 1979-05-27\n'                  # 1: a date where a string belongs
        'theme = ["nord"]\n'                   # 2
        'presentation = 2026-01-01T10:00:00Z\n'  # 3
        '\n'
        '[[language.phrase]]\n'                # 5
        'words = ["blame game"]\n'
        'why = 2026-03-10\n'                   # 7: a date in the first phrase
        '\n'
        '[[language.phrase]]\n'                # 9
        'words = ["finger pointing"]\n'
        'reframe = {text = "x"}\n'             # 11: a table where a string belongs
        '\n'
        '[[language.phrase]]\n'                # 13
        'words = [["nested"], "list"]\n'       # 14: an array where a string belongs
    )
    cfg = config.load(path)
    assert (cfg.name, cfg.theme, cfg.presentation) == ("", None, False)
    assert cfg.problems == [
        f"{path}, line 1: name must be a string; ignored",
        f"{path}, line 2: theme must be a string; ignored",
        f"{path}, line 3: presentation must be true or false; ignored",
        f"{path}, line 7: language.phrase[0].why must be a string; ignored",
        f"{path}, line 11: language.phrase[1].reframe must be a string; ignored",
        f"{path}, line 14: language.phrase[2].words must be a phrase or a list of phrases; ignored",
    ]
    assert [p["words"] for p in cfg.add_phrases] == [["blame game"], ["finger pointing"]]
    assert cfg.add_phrases[0]["why"] == ""


def test_arrays_where_tables_belong(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('name = "Jo"\nlanguage = ["just"]\n')
    cfg = config.load(path)
    assert cfg.name == "Jo" and cfg.remove_phrases == [] and cfg.add_phrases == []
    assert cfg.problems == [f"{path}, line 2: language must be a table ([language]); ignored"]
    path.write_text('[language]\nphrase = {words = "x"}\nremove = [1, 2]\n')
    cfg = config.load(path)
    assert cfg.problems == [f"{path}, line 3: language.remove must be a list of phrases; ignored",
                            f"{path}, line 2: language.phrase must be a list of [[language.phrase]] tables; ignored"]
    path.write_text('[language]\nphrase = ["x", 3]\n')
    cfg = config.load(path)
    assert cfg.problems == [f"{path}, line 2: language.phrase[0] must be a table ([[language.phrase]] with words, "
                            "why and reframe); ignored",
                            f"{path}, line 2: language.phrase[1] must be a table ([[language.phrase]] with words, "
                            "why and reframe); ignored"]


def test_deeply_nested_values_are_reported_not_a_crash(tmp_path):
    path = tmp_path / "config.toml"
    text = 'name = "Jo"\n\n' + "x = " + "[" * 5000 + "]" * 5000 + "\n"
    path.write_text(text)
    cfg = config.load(path)
    assert cfg.name == ""  # the defaults
    assert cfg.problems == [f"{path}, line 3: values are nested too deeply to be read; using the defaults"]
    assert config.save(cfg, presentation=True) is False
    assert path.read_text() == text


def test_the_app_starts_on_an_odd_config_and_says_what_is_wrong(tmp_path, monkeypatch):
    """pmtui itself (a process) warns with the file and line and goes on with the defaults."""
    import subprocess
    import sys

    path = tmp_path / "config.toml"
    path.write_text('name = 1979-05-27\n')
    env = {"PMTUI_CONFIG": str(path), "PATH": "/usr/bin:/bin"}
    db = str(tmp_path / "s.db")
    subprocess.run([sys.executable, "-m", "pmtui", "--db", db, "new", "Cache evictions"], env=env, check=True,
                   capture_output=True)
    proc = subprocess.run([sys.executable, "-m", "pmtui", "--db", db, "check", "1"], capture_output=True, text=True,
                          env=env)
    assert proc.returncode == 1 and "summary" in proc.stdout
    assert proc.stderr == f"pmtui: warning: {path}, line 1: name must be a string; ignored\n"


def test_a_phrase_without_a_word_is_refused(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[[language.phrase]]\nwords = ["…"]\n\n[[language.phrase]]\nwords = ["blame game"]\n')
    cfg = config.load(path)
    assert [p["words"] for p in cfg.add_phrases] == [["blame game"]]
    assert cfg.problems == [f"{path}, line 2: language.phrase[0].words must be a phrase or a list of phrases; ignored"]
