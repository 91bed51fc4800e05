"""Shell completion scripts (bash, zsh, fish), made from pmtui's argparse parser.

Read from the parser itself, so a new command or option completes without edits
here: commands and their actions (``db upgrade``, ``config name``), each command's
options, the choices of an option or argument, file names where an option or
argument takes a path (metavar ``PATH``, ``FILE``, ``DIR``, ``PATH|URL``), the
review ids and slugs of the store where an argument is a ``REVIEW`` (asked of
``pmtui completion --reviews`` as the user types), and the evidence kinds of
``--from``. An option hidden from ``--help`` is not offered. No library does all
three shells from argparse (shtab has no fish), and the walk is short.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass, field

_PATH_METAVARS = {"PATH", "FILE", "DIR"}
REVIEW = "REVIEW"  # an argument or option with this metavar takes a review's id or slug


@dataclass
class Opt:
    flags: list[str]
    help: str
    takes_value: bool
    choices: list[str] = field(default_factory=list)
    files: bool = False
    reviews: bool = False
    many: bool = False  # a positional that takes several words


@dataclass
class Cmd:
    name: str  # "export", or "db upgrade" for an action of a command
    help: str
    options: list[Opt]
    positionals: list[Opt]  # choices or files for its arguments
    subs: list[Cmd] = field(default_factory=list)

    @property
    def words(self) -> list[str]:
        return self.name.split()


def _evidence_kinds() -> list[str]:
    from pmtui.evidence import KINDS

    return list(KINDS)


# choices argparse does not know (the value is checked later, with a better message)
_KNOWN_CHOICES = {("evidence", "--from"): _evidence_kinds}


def _opt(action: argparse.Action, scope: str) -> Opt:
    takes = action.nargs != 0
    metavar = action.metavar if isinstance(action.metavar, str) else ""
    choices = [str(c) for c in action.choices] if action.choices else []
    for flag in action.option_strings:
        if (scope, flag) in _KNOWN_CHOICES:
            choices = _KNOWN_CHOICES[scope, flag]()
    help_text = "" if action.help in (None, argparse.SUPPRESS) else str(action.help)
    files = takes and not choices and (bool(set(metavar.split("|")) & _PATH_METAVARS) or (
        not action.option_strings and metavar != REVIEW and "file" in help_text.lower()))
    return Opt(list(action.option_strings), help_text, takes, choices, files, metavar == REVIEW,
               action.nargs in ("+", "*"))


def _hidden(action: argparse.Action) -> bool:
    return action.help == argparse.SUPPRESS


def _command(name: str, help_text: str, parser: argparse.ArgumentParser) -> Cmd:
    opts, pos, subs = [], [], []
    for a in parser._actions:
        if isinstance(a, argparse._SubParsersAction):
            helps = {c.dest: c.help or "" for c in a._choices_actions}
            subs = [_command(f"{name} {n}".strip(), helps.get(n, ""), p) for n, p in a.choices.items()]
        elif _hidden(a):
            continue
        elif a.option_strings:
            opts.append(_opt(a, name.split(" ")[0]))
        else:
            pos.append(_opt(a, name.split(" ")[0]))
    return Cmd(name, help_text, opts, pos, subs)


def commands(parser: argparse.ArgumentParser) -> tuple[list[Opt], list[Cmd]]:
    """The global options and the commands (each with its actions in ``subs``)."""
    root = _command("", "", parser)
    return root.options, root.subs


def _all(cmds: list[Cmd]) -> list[Cmd]:
    return [x for c in cmds for x in (c, *_all(c.subs))]


def _short(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text[:70]


def review_words(db: str | None) -> list[str]:
    """``slug<TAB>title`` of every review of the store (for ``completion --reviews``);
    nothing when the store does not exist yet (completing never creates one)."""
    from pmtui.store import Store, resolve

    location = resolve(db)
    if location.kind == "sqlite" and (location.path is None or not location.path.is_file()):
        return []
    store = Store.open(location)
    try:
        return [f"{s.slug}\t{_short(s.title.replace(chr(9), ' '))}" for s in store.list_reviews()]
    finally:
        store.close()


# --------------------------------------------------------------------------- bash
def _bash_words(words: list[str]) -> str:
    return f"COMPREPLY=($(compgen -W \"{' '.join(words)}\" -- \"$cur\"))"


_BASH_FILES = "COMPREPLY=($(compgen -f -- \"$cur\")); compopt -o filenames 2>/dev/null"
_BASH_REVIEWS = "_pmtui_reviews"


def _bash_value(o: Opt) -> str:
    if o.choices:
        return _bash_words(o.choices)
    if o.files:
        return _BASH_FILES
    if o.reviews:
        return _BASH_REVIEWS
    return ":"


def bash(parser: argparse.ArgumentParser) -> str:
    top, cmds = commands(parser)
    prog = parser.prog
    every = _all(cmds)
    valued = sorted({f for c in every for o in c.options if o.takes_value for f in o.flags}
                    | {f for o in top if o.takes_value for f in o.flags})
    nested = [c.name for c in every if c.subs]
    lines = [
        f"# bash completion for {prog}; generated by `{prog} completion bash`",
        f"_{prog}_reviews() {{  # the store's review slugs (with --db when the line names one)",
        "    local args=()",
        '    [[ -n $db ]] && args=(--db "$db")',
        f"    COMPREPLY=($(compgen -W \"$({prog} \"${{args[@]}}\" completion --reviews 2>/dev/null | cut -f1)\" -- \"$cur\"))",
        "}",
        f"_{prog}() {{",
        '    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" cmd="" db="" npos=0 i w',
        "    COMPREPLY=()",
        "    for ((i = 1; i < COMP_CWORD; i++)); do",
        '        w="${COMP_WORDS[i]}"',
        '        case "$w" in',
        '            --db) db="${COMP_WORDS[i+1]}"; ((i++)) ;;',
        f"            {'|'.join(f for f in valued if f != '--db')}) ((i++)) ;;",
        "            -*) ;;",
        '            *) if [[ -z $cmd ]]; then cmd="$w"',
        f"               elif ((npos == 0)) && [[ \" {' | '.join(nested)} \" == *\" $cmd \"* ]]; then cmd=\"$cmd $w\"",
        "               else ((npos++)); fi ;;",
        "        esac",
        "    done",
        '    case "$cmd:$prev" in',
    ]
    for c in every:  # a command's own options first: `*:--db` would swallow them
        for o in c.options:
            if o.takes_value:
                pattern = "|".join(f'"{c.name}:{f}"' for f in o.flags)
                lines.append(f"        {pattern}) {_bash_value(o)}; return ;;")
    for o in top:
        if o.takes_value:
            lines.append(f"        {'|'.join(f'*:{f}' for f in o.flags)}) {_bash_value(o)}; return ;;")
    lines += ["    esac", '    case "$cmd" in']
    lines.append(f"        \"\") {_bash_words([c.name for c in cmds] + [f for o in top for f in o.flags])} ;;")
    for c in every:
        words = [f for o in c.options for f in o.flags if f != "-h"]
        opts = _bash_words(words)
        if c.subs:
            body = f"if [[ $cur == -* ]]; then {opts}; else {_bash_words([s.words[-1] for s in c.subs])}; fi"
        elif c.positionals:
            arms = []
            for i, p in enumerate(c.positionals):
                last = i == len(c.positionals) - 1
                arms.append(f"{'*' if last and p.many else i}) {_bash_value(p)} ;;")
            body = f"if [[ $cur == -* ]]; then {opts}; else case $npos in {' '.join(arms)} esac; fi"
        else:
            body = opts
        lines.append(f"        \"{c.name}\") {body} ;;")
    lines += ["    esac", "}", f"complete -F _{prog} {prog}", ""]
    return "\n".join(lines)


# ---------------------------------------------------------------------------- zsh
def _zq(text: str) -> str:
    """Text for inside a single-quoted _arguments spec: no brackets or colons."""
    return _short(text).replace("'", "").replace("[", "(").replace("]", ")").replace(":", " -").replace("\\", "")


def _zsh_action(o: Opt, prog: str) -> str:
    if o.choices:
        return f"({' '.join(o.choices)})"
    if o.files:
        return "_files"
    if o.reviews:
        return f"_{prog}_reviews"
    return " "


def _zsh_spec(o: Opt, prog: str) -> list[str]:
    action = f":value:{_zsh_action(o, prog)}" if o.takes_value else ""
    flags = list(o.flags)
    if len(flags) > 1:
        excl = "(" + " ".join(flags) + ")"
        return [f"'{excl}'{{{','.join(flags)}}}'[{_zq(o.help)}]{action}'"]
    return [f"'{flags[0]}[{_zq(o.help)}]{action}'"]


def _zsh_command(c: Cmd, prog: str, out: list[str]) -> str:
    """The _arguments call for a command; a command with actions gets a function of its own."""
    specs = [s for o in c.options if o.flags != ["-h", "--help"] for s in _zsh_spec(o, prog)]
    if c.subs:
        fn = f"_{prog}_" + "_".join(c.words)
        out += [f"{fn}() {{", "    local curcontext=\"$curcontext\" state line", "    typeset -A opt_args",
                f"    _arguments -C {' '.join(specs)} '1: :->action' '*:: :->args'", "    case $state in",
                "        action)", "            local -a actions", "            actions=("]
        out += [f"                '{s.words[-1]}:{_zq(s.help)}'" for s in c.subs]
        out += ["            )", f"            _describe -t actions '{c.name} action' actions ;;", "        args)",
                "            case $line[1] in"]
        inner: list[str] = []
        arms = [f"                {s.words[-1]}) {_zsh_command(s, prog, inner)} ;;" for s in c.subs]
        out += [*arms, "            esac ;;", "    esac", "}", ""]
        out += inner
        return fn
    for i, p in enumerate(c.positionals):
        star = "*" if i == len(c.positionals) - 1 and p.many else ""
        specs.append(f"'{star or i + 1}:{_zq(p.help) or 'value'}:{_zsh_action(p, prog)}'")
    return "_arguments " + (" ".join(specs) if specs else "'*: :'")


def zsh(parser: argparse.ArgumentParser) -> str:
    top, cmds = commands(parser)
    prog = parser.prog
    out = [f"#compdef {prog}", f"# zsh completion for {prog}; generated by `{prog} completion zsh`", "",
           f"_{prog}_reviews() {{  # the store's review slugs, each with its title",
           "    local -a reviews args",
           f"    [[ -n $_{prog}_db ]] && args=(--db $_{prog}_db)",
           f"    reviews=(${{(f)\"$({prog} $args completion --reviews 2>/dev/null)\"}})",
           "    reviews=(${reviews//:/\\\\:})",
           "    reviews=(${reviews/$'\\t'/:})",
           "    _describe -t reviews 'review' reviews",
           "}", ""]
    helpers: list[str] = []
    arms = [f"                {c.name}) {_zsh_command(c, prog, helpers)} ;;" for c in cmds]
    out += helpers
    out += [f"_{prog}() {{", "    local curcontext=\"$curcontext\" state line", "    typeset -A opt_args",
            "    _arguments -C \\"]
    for o in top:
        if o.flags == ["-h", "--help"]:
            continue
        for spec in _zsh_spec(o, prog):
            out.append(f"        {spec} \\")
    out += ["        '1: :->command' \\", "        '*:: :->args'", f"    local _{prog}_db=${{opt_args[--db]}}",
            "    case $state in", "        command)", "            local -a cmds", "            cmds=("]
    for c in cmds:
        out.append(f"                '{c.name}:{_zq(c.help)}'")
    out += ["            )", f"            _describe -t commands '{prog} command' cmds ;;", "        args)",
            "            case $line[1] in", *arms, "            esac ;;", "    esac", "}", "", f'_{prog} "$@"', ""]
    return "\n".join(out)


# --------------------------------------------------------------------------- fish
def _fq(text: str, cut: bool = True) -> str:
    text = _short(text) if cut else text
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _fish_value(prog: str, o: Opt) -> str:
    if o.choices:
        return f"-x -a {_fq(' '.join(o.choices), False)}"
    if o.files:
        return "-r -F"
    if o.reviews:
        return f"-x -a '(__{prog}_reviews)'"
    return "-x"


def _fish_opt(prog: str, condition: str, o: Opt) -> str:
    parts = [f"complete -c {prog}"]
    if condition:
        parts.append(f"-n {condition}")
    for f in o.flags:
        parts.append(f"-l {f[2:]}" if f.startswith("--") else f"-s {f[1:]}")
    if o.takes_value:
        parts.append(_fish_value(prog, o))
    if o.help:
        parts.append(f"-d {_fq(o.help)}")
    return " ".join(parts)


def fish(parser: argparse.ArgumentParser) -> str:
    top, cmds = commands(parser)
    prog = parser.prog
    names = " ".join(c.name for c in cmds)
    out = [f"# fish completion for {prog}; generated by `{prog} completion fish`",
           f"function __{prog}_reviews  # the store's review slugs, each with its title",
           "    set -l tokens (commandline -opc)",
           "    set -l i (contains -i -- --db $tokens)",
           "    if test -n \"$i\"; and test (count $tokens) -gt $i",
           f"        {prog} --db $tokens[(math $i + 1)] completion --reviews 2>/dev/null",
           "    else",
           f"        {prog} completion --reviews 2>/dev/null",
           "    end",
           "end",
           f"complete -c {prog} -f"]
    for o in top:
        out.append(_fish_opt(prog, "", o))
    for c in cmds:
        out.append(f"complete -c {prog} -n {_fq('not __fish_seen_subcommand_from ' + names, False)} -a {c.name} -d {_fq(c.help)}")
    for c in _all(cmds):
        cond_text = "; and ".join(f"__fish_seen_subcommand_from {w}" for w in c.words)
        if c.subs:
            actions = " ".join(s.words[-1] for s in c.subs)
            for s in c.subs:
                sub_cond = _fq(f"{cond_text}; and not __fish_seen_subcommand_from {actions}", False)
                out.append(f"complete -c {prog} -n {sub_cond} -a {s.words[-1]} -d {_fq(s.help)}")
        cond = _fq(cond_text, False)
        for o in c.options:
            if o.flags == ["-h", "--help"]:
                continue
            out.append(_fish_opt(prog, cond, o))
        for p in c.positionals:
            if p.choices:
                out.append(f"complete -c {prog} -n {cond} -x -a {_fq(' '.join(p.choices), False)}")
            elif p.reviews:
                out.append(f"complete -c {prog} -n {cond} -x -a '(__{prog}_reviews)'")
            elif p.files or "file" in p.help.lower():
                out.append(f"complete -c {prog} -n {cond} -F")
    return "\n".join(out) + "\n"


def script(parser: argparse.ArgumentParser, shell: str) -> str:
    return {"bash": bash, "zsh": zsh, "fish": fish}[shell](parser)
