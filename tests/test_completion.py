"""Shell completion made from the parser, and global options after the command."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

CI = os.environ.get("CI") == "true"


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        if CI:
            pytest.fail(f"{tool} is not installed (.ci/run installs it)")
        pytest.skip(f"{tool} is not installed")
    return path


def script(cli, shell: str) -> str:
    r = cli("completion", shell, db=False)
    assert r.code == 0 and r.out
    return r.out


def bash_complete(tmp_path, text: str, words: list[str]) -> list[str]:
    path = tmp_path / "pmtui.bash"
    path.write_text(text)
    words_q = " ".join(f"'{w}'" for w in words)
    cmd = (f"source {path}; COMP_WORDS=({words_q}); COMP_CWORD={len(words) - 1}; _pmtui; "
           'printf "%s\\n" "${COMPREPLY[@]}"')
    out = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, check=True, cwd=tmp_path).stdout
    return [line for line in out.splitlines() if line]


def test_bash_completes_commands_options_and_choices(cli, tmp_path):
    text = script(cli, "bash")
    assert set(bash_complete(tmp_path, text, ["pmtui", "ex"])) == {"export"}
    assert {"import", "export", "schema", "completion", "list"} <= set(bash_complete(tmp_path, text, ["pmtui", ""]))
    assert set(bash_complete(tmp_path, text, ["pmtui", "export", "1", "--wiki", ""])) == {
        "portable", "github", "gitlab", "mkdocs", "hugo", "jekyll", "obsidian"}
    assert set(bash_complete(tmp_path, text, ["pmtui", "--db", "x.db", "export", "--for"])) == {"--format"}
    assert set(bash_complete(tmp_path, text, ["pmtui", "completion", ""])) == {"bash", "zsh", "fish"}
    assert set(bash_complete(tmp_path, text, ["pmtui", "open", "1", "--screen", "t"])) == {"timeline"}
    (tmp_path / "review.json").write_text("{}")
    assert "review.json" in bash_complete(tmp_path, text, ["pmtui", "import", "rev"])
    assert "--db" in bash_complete(tmp_path, text, ["pmtui", "list", "--d"])


def test_zsh_script_loads_and_names_every_command(cli, tmp_path):
    zsh = need("zsh")
    text = script(cli, "zsh")
    path = tmp_path / "_pmtui"
    path.write_text(text)
    assert subprocess.run([zsh, "-n", str(path)], capture_output=True).returncode == 0
    # installed on fpath, compinit registers it for pmtui from its #compdef line
    probe = f"fpath=({tmp_path} $fpath); autoload -Uz compinit && compinit -u -d {tmp_path}/zcd; print -r -- $_comps[pmtui]"
    r = subprocess.run([zsh, "-f", "-c", probe], capture_output=True, text=True, env={**os.environ, "HOME": str(tmp_path)})
    assert r.returncode == 0 and r.stdout.strip() == "_pmtui", r.stderr
    for cmd in ("export", "import", "schema", "completion"):
        assert f"'{cmd}:" in text


def test_fish_completes_commands_and_choices(cli, tmp_path):
    fish = need("fish")
    path = tmp_path / "pmtui.fish"
    path.write_text(script(cli, "fish"))
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path)}

    def complete(line: str) -> set[str]:
        r = subprocess.run([fish, "--no-config", "-c", f"source {path}; complete -C '{line}'"], capture_output=True,
                           text=True, env=env)
        assert r.returncode == 0, r.stderr
        return {row.split("\t")[0] for row in r.stdout.splitlines()}

    assert {"export", "import", "schema", "completion"} <= complete("pmtui ")
    assert complete("pmtui export 1 --wiki ") == {"portable", "github", "gitlab", "mkdocs", "hugo", "jekyll", "obsidian"}
    assert complete("pmtui completion ") == {"bash", "zsh", "fish"}


def test_completion_follows_the_parser(cli):
    """A command or option added to the parser completes with no edit to the scripts' code."""
    import argparse

    from pmtui.cli.completion import script as make
    from pmtui.cli.main import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    extra = sub.add_parser("frobnicate", help="a new command")
    extra.add_argument("--level", choices=("low", "high"))
    for shell in ("bash", "zsh", "fish"):
        text = make(parser, shell)
        assert "frobnicate" in text and "low high" in text


def test_global_options_after_the_command(cli, db_path, tmp_path, example_bytes):
    other = tmp_path / "other.db"
    (tmp_path / "r.json").write_bytes(example_bytes)
    assert cli("import", str(tmp_path / "r.json"), "--db", str(other), db=False).code == 0
    r = cli("list", "--format", "json", "--db", str(other), db=False)
    assert r.code == 0 and len(json.loads(r.out)) == 1
    # after the command wins over before it; before it still works alone
    r = cli("--db", str(db_path), "list", "--db", str(other), "--format", "json", db=False)
    assert len(json.loads(r.out)) == 1
    assert json.loads(cli("--db", str(other), "list", "--format", "json", db=False).out)[0]["title"]
    assert json.loads(cli("list", "--format", "json").out) == []  # the fixture's own store, untouched
    r = cli("check", "1", "--as", "Jonas Weber", "--db", str(other), db=False)
    assert r.code in (0, 1)
    from pmtui import config

    assert config.load().name == ""  # --as names this process's seat only; `pmtui config name` sets the default


def test_help_of_a_command_shows_the_global_options(cli):
    r = cli("export", "--help", db=False)
    assert "--db PATH" in r.out and "--as NAME" in r.out and "--wiki WIKI" in r.out


def test_completion_runs_without_a_store_or_sqlalchemy(tmp_path):
    code = ("import sys, pmtui.cli.main as m, io, contextlib\n"
            "buf = io.StringIO()\n"
            "with contextlib.redirect_stdout(buf):\n"
            "    m.main(['completion', 'bash'])\n"
            "assert 'sqlalchemy' not in sys.modules, 'sqlalchemy imported'\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env={**os.environ, "PMTUI_DB": str(tmp_path / "none" / "x.db")})
    assert r.returncode == 0, r.stderr
    assert not (tmp_path / "none").exists()


# ------------------------------------------------------- real shells, real completion
# zsh completes only inside its line editor: drive an interactive zsh in a pseudo-terminal
# (zsh/zpty), press Tab, and record what the completion system offers (every compadd).
ZSH_CAPTURE = r'''
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PROMPT=''"
zpty -w z "fpath=($1 \$fpath); autoload -Uz compinit; compinit -u -d $1/zcd"
zpty -w z 'compadd () {
  if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return $?; fi
  typeset -a __hits
  builtin compadd -A __hits "$@"
  local ret=$?
  for h in $__hits; do print -r -- "<M>$h</M>"; done
  builtin compadd "$@"
  return ret
}'
zpty -w z 'finish() { print "<EN""D>"; exit }; zle -N finish; bindkey "^X" finish'
zpty -w z "bindkey '^I' complete-word"
zpty -w z 'print "<START"">"'
zpty -n -w z "$2"$'\t'$'\C-x'
out=""
while zpty -r z line; do
  out+="$line"
  [[ $line == *"<END>"* ]] && break
done
print -r -- "$out"
zpty -d z
'''


@pytest.fixture
def completing(tmp_path):
    """A store with two reviews, a file to complete, and each shell's completion of a line
    (with the real `pmtui` on PATH, as the scripts call it for review slugs)."""
    import re

    from pmtui.cli.completion import script as make
    from pmtui.cli.main import build_parser
    from pmtui.domain.document import FORMAT, loads
    from pmtui.store import Store

    store = Store.open(str(tmp_path / "s.db"))
    store.import_documents([loads(json.dumps({"format": FORMAT, "title": t})) for t in ("Checkout latency", "Сбой оплаты")])
    store.close()
    (tmp_path / "backup-file.db").write_text("")
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path),
           "PATH": f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ.get('PATH', '')}",
           "PMTUI_DB": str(tmp_path / "none.db")}
    parser = build_parser()

    def complete(shell: str, line: str) -> set[str]:
        if shell == "bash":
            path = tmp_path / "pmtui.bash"
            path.write_text(make(parser, "bash"))
            words = line.split(" ")
            words_q = " ".join(f"'{w}'" for w in words)
            cmd = (f"source {path}; COMP_WORDS=({words_q}); COMP_CWORD={len(words) - 1}; _pmtui; "
                   'printf "%s\\n" "${COMPREPLY[@]}"')
            out = subprocess.run([need("bash"), "-c", cmd], capture_output=True, text=True, check=True, cwd=tmp_path,
                                 env=env).stdout
            return {w for w in out.splitlines() if w}
        if shell == "fish":
            path = tmp_path / "pmtui.fish"
            path.write_text(make(parser, "fish"))
            r = subprocess.run([need("fish"), "--no-config", "-c", f"source {path}; complete -C '{line}'"],
                               capture_output=True, text=True, env=env, cwd=tmp_path)
            assert r.returncode == 0, r.stderr
            return {row.split("\t")[0] for row in r.stdout.splitlines()}
        fpath = tmp_path / "zfunc"
        fpath.mkdir(exist_ok=True)
        (fpath / "_pmtui").write_text(make(parser, "zsh"))
        (tmp_path / "capture.zsh").write_text(ZSH_CAPTURE)
        r = subprocess.run([need("zsh"), "-f", str(tmp_path / "capture.zsh"), str(fpath), line], capture_output=True,
                           text=True, env=env, cwd=tmp_path, timeout=60)
        shown = r.stdout.replace("\r", "").split("<START>", 1)[-1]
        return set(re.findall(r"<M>([^<]*)</M>", shown))

    return complete


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_every_shell_completes_reviews_actions_paths_and_kinds(completing, shell):
    """In the real shell: review slugs from the store named by --db, `db` and `config`
    actions, paths after --db (the global one and a command's), --from's evidence kinds,
    and no hidden option."""
    from pmtui.evidence import KINDS

    slugs = {"checkout-latency", "sboy-oplaty"}
    assert completing(shell, "pmtui --db s.db open ") == slugs
    assert completing(shell, "pmtui --db s.db export ch") == {"checkout-latency"}
    assert completing(shell, "pmtui db ") == {"upgrade", "copy", "backup"}
    assert "name" in completing(shell, "pmtui config ")
    assert completing(shell, "pmtui evidence x --from ") == set(KINDS)
    assert completing(shell, "pmtui --db backup-f") == {"backup-file.db"}  # not swallowed by `*:--db) return`
    assert completing(shell, "pmtui list --db backup-f") == {"backup-file.db"}
    assert completing(shell, "pmtui db copy --to backup-f") == {"backup-file.db"}
    offered = completing(shell, "pmtui --")
    assert "--db" in offered and "--as" in offered and "--ask-name" not in offered


def test_completion_reviews_never_creates_a_store(cli, tmp_path):
    r = cli("--db", str(tmp_path / "new.db"), "completion", "--reviews", db=False)
    assert r.code == 0 and r.out == "" and not (tmp_path / "new.db").exists()
    r = cli("completion", db=False)
    assert r.code == 2 and "bash, zsh or fish" in r.err
