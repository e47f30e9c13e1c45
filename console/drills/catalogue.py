"""Which drill files the drill screen offers: the examples beside the working folder and
beside the installed package, each file once.

Why here and not in the screen: where drills are found is the drill package's business
(a future drills folder in the station's data directory belongs here too); the screen only
lists what this returns.
"""

from __future__ import annotations

from pathlib import Path

import console

EXAMPLES = Path("examples") / "drills"
PACKAGE_EXAMPLES = Path(console.__file__).resolve().parent.parent / EXAMPLES
"""``examples/drills`` of the source tree the ``console`` package was installed from."""


def drill_files(extra: tuple[Path, ...] = ()) -> list[Path]:
    """``*.toml`` drill files in ``./examples/drills``, the package's examples and
    ``extra`` folders, sorted per folder, each real file once."""
    seen: set[Path] = set()
    out: list[Path] = []
    for root in (Path.cwd() / EXAMPLES, PACKAGE_EXAMPLES, *extra):
        if not root.is_dir():
            continue
        for path in sorted(root.glob("*.toml")):
            real = path.resolve()
            if real not in seen:
                seen.add(real)
                out.append(path)
    return out
