"""Start-up: `aftersales --help` wall time vs the bare interpreter, and the slowest imports.

    python benchmarks/startup.py [--repeat 10] [--top 10]

Both commands run as subprocesses of the same interpreter (the `aftersales` console script of its
environment), median wall time of --repeat interleaved runs after one untimed run each. Below the
table, `python -X importtime` of `aftersales --help`: its --top imports by cumulative time.
Target (../shared/spec/quality.md): `aftersales --help` under 0.3 s.
"""
from __future__ import annotations

import sys

import _common as c


def main(argv: list[str] | None = None) -> int:
    p = c.parser(__doc__.splitlines()[0], repeat=10)
    p.add_argument("--top", type=int, default=10, help="imports to list")
    args = p.parse_args(argv)

    help_cmd = [*c.aftersales_cmd(), "--help"]
    print(c.machine_line())
    print(f"wall time of whole processes, median of {args.repeat} interleaved runs after one untimed run each")
    times = c.median_walls({"python -c pass": [sys.executable, "-c", "pass"], "aftersales --help": help_cmd},
                           args.repeat)
    base, ours = times["python -c pass"], times["aftersales --help"]
    c.print_table("startup", ["command", "seconds (median)", "ratio to python -c pass"],
                  [[name, c.fmt_s(t), c.fmt_x(t / base)] for name, t in times.items()],
                  [f"aftersales --help = {ours:.3f} s   (target < 0.3 s)"])
    script = help_cmd[0] if len(help_cmd) == 2 else None
    cmd = ([sys.executable, "-X", "importtime", script, "--help"] if script
           else [sys.executable, "-X", "importtime", "-m", "aftersales_cli", "--help"])
    c.print_importtime(c.importtime(cmd), args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
