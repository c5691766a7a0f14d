"""Pattern coverage of the CAMEO codebook: which codes have patterns of their own.

    python bench/coverage.py [--list]

Prints, per CAMEO root, how many of its codes have at least one pattern (verb or noun) coding
them directly (a pattern's ``code`` or a ``source_sector_codes`` value), then the totals and the
roots covered. ``--list`` also names the codes. ``--gated`` lists the trigger lemmas whose every
pattern needs a gate (an object word, a neighbouring word, a preposition, a light verb, word
order): such a lemma codes nothing in its plain sense ("accepted the framework") and wants a
default pattern, tried last, for its most common political sense. Figures only; not a test.
"""

from __future__ import annotations

import argparse
from collections import defaultdict

from detente.knowledge.codes import load_codebook
from detente.knowledge.patterns import load_patterns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="name the codes per root")
    parser.add_argument("--gated", action="store_true", help="lemmas with only gated patterns")
    args = parser.parse_args()
    codebook = load_codebook()
    patterns = load_patterns(codebook)
    own: dict[str, set[str]] = defaultdict(set)  # code -> pattern ids
    for p in patterns.patterns:
        for code in (p.code, *p.source_sector_codes.values()):
            if code is not None:  # a null-code pattern stops others and codes nothing
                own[code].add(p.id)
    per_root: dict[str, list[str]] = defaultdict(list)
    for code in codebook.codes():
        per_root[codebook.root_of(code)].append(code)
    print(f"{'root':<5}{'name':<42}{'with patterns':>14}{'codes':>7}")
    for root, codes in per_root.items():
        have = [c for c in codes if c in own]
        name = codebook.entry(root).name[:40]
        print(f"{root:<5}{name:<42}{len(have):>14}{len(codes):>7}")
        if args.list:
            print("     " + " ".join(have))
    covered = [r for r, codes in per_root.items() if any(c in own for c in codes)]
    total = len(own)
    print()
    print(f"patterns: {len(patterns.patterns)} ({len(patterns.lemmas)} trigger lemmas)")
    print(f"distinct CAMEO codes with patterns of their own: {total} of {len(codebook.codes())}")
    print(f"  of which below root level: {sum(1 for c in own if len(c) > 2)}")
    print(f"roots covered: {len(covered)} of {len(per_root)}")
    missing = [r for r in per_root if r not in covered]
    if missing:
        print(f"roots without patterns: {' '.join(missing)}")
    if args.gated:
        gated = gated_lemmas(patterns.index)
        print(f"\ntrigger lemmas with only gated patterns: {len(gated)}")
        for (lemma, pos), codes in sorted(gated.items()):
            print(f"  {lemma:<18}{pos:<6}{' '.join(sorted(codes))}")


def _gated(p) -> bool:
    """Does pattern ``p`` need something beyond its lemma and roles to match?"""
    return bool(
        p.object or p.with_word or p.requires_prep or p.requires_light or p.before or p.after
    )


def gated_lemmas(index: dict) -> dict[tuple[str, str], set[str]]:
    """(lemma, pos) → codes of its patterns, for lemmas none of whose coding patterns is
    gate-less (patterns with code null only stop others and do not count)."""
    out: dict[tuple[str, str], set[str]] = {}
    for key, pats in index.items():
        coding = [p for p in pats if p.code is not None]
        if coding and all(_gated(p) for p in coding):
            out[key] = {p.code for p in coding}
    return out


if __name__ == "__main__":
    main()
