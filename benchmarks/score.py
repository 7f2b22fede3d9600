"""`aftersales score` on one city, whole process: wall time with process start included.

    python benchmarks/score.py [--orders 1000] [--repeat 5] [--data DIR] [--profile]

A generated city (repair report of --orders rows and the other seven datasets at their natural
size) is scored by `aftersales score <city> --format json --no-cache` as a subprocess (cold: without
--no-cache every run after the first would be answered from the result cache); the baseline is the
start-up of the same interpreter doing nothing (`python -c pass`). Both are the median wall time
of --repeat runs, interleaved, after one untimed run each (files and bytecode in the OS cache).
Target (../shared/spec/quality.md): under 1 s.
"""
from __future__ import annotations

import json
import subprocess
import sys

import _common as c


def profile(city: str, top: int = 30) -> None:
    """cProfile of a whole `score` process (imports, CLI parsing, reading, checks, rubric, JSON)."""
    import os
    import pstats
    import tempfile

    fd, out = tempfile.mkstemp(suffix=".prof")
    os.close(fd)
    try:
        subprocess.run([sys.executable, "-m", "cProfile", "-o", out, "-m", "aftersales_cli", "score", city,
                        "--format", "json"], stdout=subprocess.DEVNULL, check=False, env=c.subprocess_env())
        stats = pstats.Stats(out, stream=sys.stdout)
        print(f"\nprofile of one whole `aftersales score` process (top {top} by cumulative time):")
        stats.sort_stats("cumulative").print_stats(top)
        print(f"profile (top {top} by own time):")
        stats.sort_stats("tottime").print_stats(top)
    finally:
        os.unlink(out)
    print("slowest imports of that process (python -X importtime):")
    c.print_importtime(c.importtime([sys.executable, "-X", "importtime", "-m", "aftersales_cli", "score", city,
                                     "--format", "json"]), 15)


def main(argv: list[str] | None = None) -> int:
    p = c.parser(__doc__.splitlines()[0])
    p.add_argument("--orders", type=int, default=1000, help="repair report rows of the city")
    p.add_argument("--profile", action="store_true", help="print a cProfile and the slowest imports of one score process")
    args = p.parse_args(argv)

    city = str(c.city_month(args.data, args.orders, args.seed).parent)
    cmd = [*c.aftersales_cmd(), "score", city, "--format", "json", "--no-cache"]   # cold: the result cache would answer
    out = subprocess.run(cmd, capture_output=True, env=c.subprocess_env())   # check it scores, warm the caches
    if out.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed (exit {out.returncode}):\n{out.stderr.decode('utf-8', 'replace')}")
    card = json.loads(out.stdout)
    print(c.machine_line())
    print(f"wall time of whole processes, median of {args.repeat} interleaved runs after one untimed run each")
    times = c.median_walls({"python -c pass": [sys.executable, "-c", "pass"],
                            "aftersales score --format json --no-cache": cmd}, args.repeat, ok=(0, 1))
    base = times["python -c pass"]
    ours = times["aftersales score --format json --no-cache"]
    rows = [[name, c.fmt_s(t), c.fmt_x(t / base)] for name, t in times.items()]
    total = card.get("total") if isinstance(card, dict) else None
    c.print_table(f"score: one city, {args.orders:,} orders, all eight datasets (score {total})",
                  ["method", "seconds (median)", "ratio to python -c pass"], rows,
                  [f"aftersales score = {ours:.3f} s   (target < 1 s, process start included)",
                   f"of which interpreter start-up {base:.3f} s"])
    if args.profile:
        profile(city)
    return 0


if __name__ == "__main__":
    sys.exit(main())
