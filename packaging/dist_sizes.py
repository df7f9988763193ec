"""Installed size of every distribution in this Python's environment, and what requires it.

    python packaging/dist_sizes.py            # table, largest first
    python packaging/dist_sizes.py --json

Run it with the interpreter of the venv to measure (e.g. ``.venv/bin/python packaging/dist_sizes.py``). Sizes are
the files each distribution's RECORD lists, as they lie on disk (bytes, not blocks).
"""

from __future__ import annotations

import json
import re
import sys
from importlib import metadata
from pathlib import Path


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def sizes() -> list[dict]:
    dists = {norm(d.metadata["Name"]): d for d in metadata.distributions()}
    required_by: dict[str, set[str]] = {name: set() for name in dists}
    for name, dist in dists.items():
        for req in dist.requires or []:
            if "extra ==" in req:
                continue
            dep = norm(re.split(r"[ ;<>=!~\[(]", req, maxsplit=1)[0])
            if dep in required_by:
                required_by[dep].add(name)
    rows = []
    for name, dist in dists.items():
        total = 0
        for file in dist.files or []:
            path = Path(str(dist.locate_file(file)))
            if path.is_file():
                total += path.stat().st_size
        rows.append(
            {
                "name": dist.metadata["Name"],
                "version": dist.version,
                "bytes": total,
                "required_by": sorted(required_by[name]),
            }
        )
    return sorted(rows, key=lambda r: -r["bytes"])


def main(argv: list[str]) -> int:
    rows = sizes()
    if "--json" in argv:
        print(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        required_by = ", ".join(row["required_by"]) or "-"
        print(f"{row['bytes'] / 2**20:8.1f} MiB  {row['name']} {row['version']}  <- {required_by}")
    print(f"{sum(r['bytes'] for r in rows) / 2**20:8.1f} MiB  total ({len(rows)} distributions)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
