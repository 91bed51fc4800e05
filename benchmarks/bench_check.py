"""The readiness check on a long timeline stays linear and quick: one compiled matcher
for the blame phrases, however many the team adds.

Side by side in the same run, each with its goal (the script exits 1 when one is missed):
- the check of a 10-event review, scaled to 100,000 events (x 10,000), against the
  check of a 100,000-event review (7 typed events, the rest imported evidence, as a
  long timeline is: a review holds at most 10,000 typed events); goal: within 1.5x the
  scaled time, i.e. linear;
- the compiled matcher against a plain alternation of every phrase (the matcher
  before it was made fast), on the same texts (the first --texts of the timeline: the
  plain alternation takes about a millisecond a text); goal: no slower (ratio <= 1);
- the package list against a team list of 2,000 extra phrases, on the same texts;
  goal: within 2x the package list (one matcher, however many phrases).

    python benchmarks/bench_check.py [--events 100000] [--texts 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import re
import sys
import time

from _common import review
from pmtui.domain.checks import check
from pmtui.domain.document import validate_document
from pmtui.domain.language import _pattern, make_checker


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--texts", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    small = validate_document(review(0, events=10))
    big = validate_document(review(1, events=args.events, typed=7))
    checker = make_checker()
    long_list = make_checker(add=[{"words": [f"term{i} word{i % 7}"]} for i in range(2000)])
    texts = [e.text for e in big.timeline][:args.texts]
    plain = re.compile("|".join(f"(?P<p{i}>{_pattern(p.words)})" for i, p in enumerate(checker.phrases)), re.IGNORECASE)

    t_small = best(lambda: check(small, checker), max(args.repeat, 20))
    t_big = best(lambda: check(big, checker), args.repeat)
    scale = args.events / 10
    linear = t_big / (t_small * scale)
    print(f"pmtui check (readiness), best of {args.repeat}")
    print(f"  baseline: 10 events                      {t_small * 1000:9.1f} ms  x {scale:,.0f} = {t_small * scale:7.2f} s")
    print(f"  {args.events:,} events                        {t_big * 1000:9.1f} ms  ratio {linear:.2f}"
          " (goal <= 1.5: linear)")
    t_plain = best(lambda: [list(plain.finditer(t)) for t in texts], args.repeat)
    t_compiled = best(lambda: [checker.find(t) for t in texts], args.repeat)
    compiled = t_compiled / t_plain
    print(f"  baseline: plain alternation, {len(texts):,} texts {t_plain * 1000:9.1f} ms")
    print(f"  compiled matcher, same texts             {t_compiled * 1000:9.1f} ms  ratio {compiled:.2f} (goal <= 1)")
    t_long = best(lambda: [long_list.find(t) for t in texts], args.repeat)
    team = t_long / t_compiled
    print(f"  team list of +2,000 phrases, same texts  {t_long * 1000:9.1f} ms  ratio {team:.2f}"
          " to the package list (goal <= 2)")
    missed = [name for name, ratio, goal in (("linear", linear, 1.5), ("compiled matcher", compiled, 1.0),
                                             ("team list", team, 2.0)) if ratio > goal]
    if missed:
        print(f"  MISSED: {', '.join(missed)}")
        sys.exit(1)

if __name__ == "__main__":
    main()
