"""Coverage-guided fuzzing with atheris (libFuzzer) over the same targets.

    python tests/reliability/atheris_fuzz.py pei -runs=20000
    python tests/reliability/atheris_fuzz.py station -max_total_time=600

Targets: pei, sds, station, drill (see ``fuzz_targets``).  Exit status 0 = no crash;
on a crash libFuzzer writes the input to ``crash-*`` and exits non-zero.

Run it as a script from an environment where the project is installed (``pip install -e
.``): Python puts this file's folder first on the module path, which is how
``fuzz_targets`` is found; nothing here edits ``sys.path``.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["drivers", "console", "fuzz_targets"]):
    import fuzz_targets


def main() -> None:
    name = sys.argv.pop(1)
    target = fuzz_targets.TARGETS[name][0]
    text = name in ("station", "drill")

    def one(data: bytes) -> None:
        if text:
            fdp = atheris.FuzzedDataProvider(data)
            target(fdp.ConsumeUnicodeNoSurrogates(len(data)))
        else:
            target(data)

    atheris.Setup(sys.argv, one)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
