"""Microseconds per rule match for 10 to 10,000 rules: the trie stays flat, a regex loop does not.

Run: ``.venv/bin/python benchmarks/rules_scaling.py [--number N] [--repeat R]``. The rule mix is
literal pages, ``*`` segments, ``**`` subtrees and a few method-limited rules; hits are drawn from
the whole list (early and late rules), misses share prefixes with real rules but match nothing.
The naive matcher compiles each pattern to a regex and tries them in order, as a framework
without a trie would.
"""

from __future__ import annotations

import argparse
import random
import re
import timeit
from collections.abc import Callable

from authmw.rules import Rule, RuleMatcher, normalize_path, rule

SIZES = (10, 100, 1_000, 10_000)


def make_rules(count: int) -> list[Rule]:
    rules: list[Rule] = []
    for i in range(count):
        kind = i % 5
        if kind == 0:
            rules.append(rule(f"/docs/section{i}/page", public=True))
        elif kind == 1:
            rules.append(rule(f"/teams/team{i}/*/settings", roles=["admin"]))
        elif kind == 2:
            rules.append(rule(f"/app{i}/**"))
        elif kind == 3:
            rules.append(rule(f"/api/v1/resource{i}/*", methods=["POST", "DELETE"], api=True))
        else:
            rules.append(rule(f"/files{i}/**/raw", public=True))
    return rules


Request = tuple[str, str]  # (path, method)


def make_requests(rules: list[Rule], rng: random.Random) -> tuple[list[Request], list[Request]]:
    """Requests that hit rules spread over the list, and requests that miss."""
    hits = []
    for item in rng.sample(rules, min(len(rules), 50)):
        path = item.pattern.replace("/**", "/deep/er").replace("*", "x")
        hits.append((path, "POST" if item.methods else "GET"))
    n = len(rules)
    misses = [
        ("/nowhere/at/all", "GET"),
        (f"/docs/section{n + 1}/page", "GET"),
        ("/teams/team1/x/profile", "GET"),
        ("/api/v1/resource3/x", "GET"),  # the rule is for POST and DELETE only
        (f"/app{n * 3 + 1}/x", "GET"),
        ("/", "GET"),
    ]
    return hits, misses


def naive_matcher(rules: list[Rule]) -> Callable[[str, str], Rule | None]:
    compiled = []
    for item in rules:
        body = re.escape(item.pattern.rstrip("/") or "/")
        body = body.replace(r"/\*\*", "(?:/.*)?").replace(r"\*", "[^/]+")
        compiled.append((re.compile(body + r"/?\Z"), item.methods, item))

    def match(path: str, method: str) -> Rule | None:
        normalized = normalize_path(path)
        if normalized is None:
            return None
        for pattern, methods, item in compiled:
            if (methods is None or method in methods) and pattern.match(normalized):
                return item
        return None

    return match


def per_match_us(
    match: Callable[[str, str], object], requests: list[Request], repeat: int, number: int
) -> float:
    def run() -> None:
        for path, method in requests:
            match(path, method)

    best = min(timeit.repeat(run, number=number, repeat=repeat))
    return best / (number * len(requests)) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--number", type=int, default=200, help="loops per timing (200)")
    parser.add_argument("--repeat", type=int, default=5, help="timings, best kept (5)")
    args = parser.parse_args()
    rng = random.Random(42)

    print(f"{'rules':>7} {'trie hit':>10} {'trie miss':>10} {'regex hit':>10} {'regex miss':>11}")
    results: dict[int, tuple[float, float]] = {}
    for size in SIZES:
        rules = make_rules(size)
        hits, misses = make_requests(rules, rng)
        trie = RuleMatcher(rules)
        naive = naive_matcher(rules)
        for path, method in hits + misses:  # both matchers must agree before we time them
            expected = naive(path, method)
            assert trie.match(path, method) is expected, path
            assert (expected is not None) == ((path, method) in hits), path
        trie_hit = per_match_us(trie.match, hits, args.repeat, args.number)
        trie_miss = per_match_us(trie.match, misses, args.repeat, args.number)
        # The naive loop is O(rules): scale its loops down so the run stays short.
        naive_number = max(1, args.number * 10 // size)
        naive_hit = per_match_us(naive, hits, args.repeat, naive_number)
        naive_miss = per_match_us(naive, misses, args.repeat, naive_number)
        results[size] = (trie_hit, trie_miss)
        print(
            f"{size:>7} {trie_hit:>8.2f}µs {trie_miss:>8.2f}µs "
            f"{naive_hit:>8.1f}µs {naive_miss:>9.1f}µs"
        )
    small, large = results[SIZES[0]], results[SIZES[-1]]
    print(
        f"trie 10,000/10 ratio: hits {large[0] / small[0]:.2f}x, "
        f"misses {large[1] / small[1]:.2f}x (flat is ~1x)"
    )


if __name__ == "__main__":
    main()
