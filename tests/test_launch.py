"""The `aftersales` entry point (aftersales_cli/launch.py, issue 16): a batch that will use more than
one worker gets its fork server started before the command line is imported, and nothing else
changes — the same exit codes and messages, the same outputs (tests/test_batch.py runs its
`--jobs 2` batch through `python -m aftersales_cli`, i.e. through this entry point).

Expected answers come from the batch's option as cli.md and `aftersales batch --help` state it:
`--jobs N` / `-j N` (click also takes `--jobs=N` and `-jN`; the last one given wins), default one
worker per CPU, and one worker means no pool.
"""
from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from aftersales_cli import launch

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("args, expected", [
    (["batch", "root", "--jobs", "2"], True),
    (["batch", "root", "--jobs", "1"], False),
    (["batch", "root", "-j", "3"], True),
    (["batch", "root", "-j1"], False),
    (["batch", "root", "-j4"], True),
    (["batch", "--jobs=2", "root"], True),
    (["batch", "--jobs=1", "root"], False),
    (["batch", "root", "--jobs", "1", "-j", "2"], True),        # the last one wins, as in click
    (["batch", "root", "-j", "2", "--jobs", "1"], False),
    (["batch", "root", "--jobs", "two"], False),                # Typer refuses it; no server for that
    (["batch", "root", "--jobs"], False),
    (["batch", "root", "--jobs", "2", "--help"], False),        # help only
    (["batch", "-h"], False),
    (["score", "root", "--jobs", "2"], False),                  # not a batch
    (["validate", "batch"], False),
    ([], False),
    (["--version"], False),
])
def test_wants_workers_reads_the_jobs_option(args, expected, monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 8)
    assert launch.wants_workers(args) is expected


@pytest.mark.parametrize("cpus, expected", [(1, False), (2, True), (None, False)])
def test_without_jobs_a_batch_has_one_worker_per_cpu(cpus, expected, monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: cpus)
    assert launch.wants_workers(["batch", "root", "--format", "json"]) is expected
    assert launch.wants_workers(["batch", "root", "--", "--jobs", "1"]) is expected   # after --: an argument


def test_the_installed_command_is_the_launcher():
    (script,) = entry_points(group="console_scripts", name="aftersales")
    assert script.value == "aftersales_cli.launch:main"


def _launch(code: str, *args: str) -> subprocess.CompletedProcess:
    """`launch.main()` in a fresh interpreter with sys.argv = ["aftersales", *args], after CODE."""
    program = f"import sys\nsys.argv = ['aftersales', *{list(args)!r}]\n{code}\nfrom aftersales_cli import launch\nlaunch.main()\n"
    return subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, encoding="utf-8",
                          cwd=ROOT, env={**os.environ, "PYTHONIOENCODING": "utf-8"})


SPY = """
import aftersales_cli.workers as w
def spy():
    print("server", "typer" in sys.modules, "rich" in sys.modules, "pandas" in sys.modules, flush=True)
w.start_fork_server = spy
"""


def test_the_server_starts_before_the_command_line_is_imported(tmp_path):
    proc = _launch(SPY, "batch", str(tmp_path / "没有这个文件夹"), "--jobs", "2")
    assert proc.stdout.splitlines()[0] == "server False False False"   # nothing heavy imported yet
    assert proc.returncode == 2                                        # then the batch as always:
    assert "没有这个文件夹" in proc.stderr and "Traceback" not in proc.stderr   # one line, exit 2


def test_no_server_for_one_worker_or_another_command(tmp_path):
    for args in (("batch", str(tmp_path), "--jobs", "1"), ("score", str(tmp_path))):
        proc = _launch(SPY, *args)
        assert "server" not in proc.stdout, args


def test_a_server_that_cannot_start_changes_nothing(tmp_path):
    # the launcher's early start fails; the batch's own start later (batch.start_workers) is the real one
    broken = ("import aftersales_cli.workers as w\nreal = w.start_fork_server\n"
              "def boom():\n    w.start_fork_server = real\n    raise OSError('no fork server here')\n"
              "w.start_fork_server = boom\n")
    missing = str(tmp_path / "没有这个文件夹")
    plain = _launch("", "batch", missing, "--jobs", "1")
    failed = _launch(broken, "batch", missing, "--jobs", "2")
    assert plain.returncode == failed.returncode == 2
    assert failed.stderr == plain.stderr and "no fork server" not in failed.stderr


def test_once_the_command_is_over_what_it_left_is_frozen(tmp_path):
    """The interpreter's collections at shutdown would walk every object the command left and free
    nothing the OS does not take back: `launch.main` freezes them when the command is over, whatever
    its exit (here a refused root, exit 2, and a successful `--help`, exit 0). An atexit handler
    registered before `launch.main` runs after it returns and reads the freeze count (0 without it:
    nothing else in the package freezes in this process)."""
    probe = ("import atexit, gc\n"
             "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 10_000, gc.isenabled(), flush=True))\n")
    for args, code in (((("score", str(tmp_path / "没有这个文件夹"))), 2), (("--help",), 0)):
        proc = _launch(probe, *args)
        assert proc.returncode == code, proc.stderr
        assert proc.stdout.splitlines()[-1] == "frozen True True", args


def _blas_probe(env_value: str | None) -> list[str]:
    """A `score` of a missing folder (exit 2) through `launch.main`, the BLAS variable as given
    (None: not set); an atexit handler prints the variable, then imports numpy and prints this
    process's thread count (Linux's /proc/self/task)."""
    probe = ("import atexit, os\n"
             "def show():\n"
             "    print(os.environ.get('OPENBLAS_NUM_THREADS'), flush=True)\n"
             "    import numpy  # noqa: F401\n"
             "    print(len(os.listdir('/proc/self/task')), flush=True)\n"
             "atexit.register(show)\n")
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if env_value is not None:
        env["OPENBLAS_NUM_THREADS"] = env_value
    program = f"import sys\nsys.argv = ['aftersales', 'score', '没有这个文件夹']\n{probe}\nfrom aftersales_cli import launch\nlaunch.main()\n"
    proc = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, encoding="utf-8",
                          cwd=ROOT, env={**env, "PYTHONIOENCODING": "utf-8"})
    assert proc.returncode == 2, proc.stderr
    return proc.stdout.split()


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="counts threads through Linux's /proc")
def test_numpy_starts_no_blas_thread_unless_the_user_sized_it():
    """launch.main sets OPENBLAS_NUM_THREADS=1 before anything imports numpy: the process then has
    one thread after numpy's import. A value the user set is left as it is (here 2: the main
    thread and one pool thread)."""
    assert _blas_probe(None) == ["1", "1"]
    assert _blas_probe("2") == ["2", "2"]
