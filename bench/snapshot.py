"""Print (or check) a digest of ``detente code --format jsonl`` on the bundled samples and,
when ``../shared`` is present, the seed article: a refactoring must leave it byte-identical.

    python bench/snapshot.py            # print one sha256 per input
    python bench/snapshot.py --save F   # write the digests to F
    python bench/snapshot.py --check F  # exit 1 if any digest differs from F
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "seed" / "000_535072f1729582a0.txt"
DETENTE = [sys.executable, "-m", "detente.cli", "code", "--format", "jsonl", "--all-modalities"]


def digests() -> dict[str, str]:
    runs = {"samples": ["--samples"]}
    if SEED.is_file():
        runs["seed"] = ["--published", "2023-11-16", str(SEED)]
    out = {}
    for name, args in runs.items():
        result = subprocess.run([*DETENTE, *args], capture_output=True, check=True)
        out[name] = hashlib.sha256(result.stdout).hexdigest()
    return out


def main(argv: list[str]) -> int:
    now = digests()
    if argv[:1] == ["--save"]:
        Path(argv[1]).write_text(json.dumps(now, indent=1) + "\n")
    elif argv[:1] == ["--check"]:
        before = json.loads(Path(argv[1]).read_text())
        changed = [k for k in now if before.get(k) != now[k]]
        for name in now:
            print(f"{name}: {'CHANGED' if name in changed else 'identical'}")
        return 1 if changed else 0
    else:
        for name, digest in now.items():
            print(f"{name}  {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
