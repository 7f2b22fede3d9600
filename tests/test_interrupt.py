"""Ctrl-C during a batch (aftersales_cli/workers.py, batch._in_pool; "nothing crashes"): only the
main process reacts to it, it stops the workers and exits 130 with no traceback, and no process of
the batch stays behind. Before session 9 a Ctrl-C that reached the pool's workers, or came twice,
printed tracebacks of the fork server and the workers, and one run in twenty hung for good
(README "Issue 16 — session 9").

POSIX only (signal masks, process groups); the batch's workers are spawned elsewhere.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aftersales_cli.sample import generate
from aftersales_cli.report.atomic import output_folder
from aftersales_cli.workers import interrupts_held

pytestmark = pytest.mark.skipif(not hasattr(os, "killpg"), reason="POSIX signals and process groups")

ROOT_DIR = Path(__file__).resolve().parent.parent


def _in_fresh_python(code: str) -> str:
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT_DIR, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_workers_never_see_ctrl_c_and_write_to_the_null_device():
    # a worker of the batch's pool reports its signal mask and what its stdout/stderr are
    out = _in_fresh_python(
        "import os, signal\n"
        "from concurrent.futures import ProcessPoolExecutor\n"
        "from aftersales_cli.workers import start_fork_server, worker_context\n"
        "start_fork_server()\n"
        "null = os.stat(os.devnull)\n"
        "with ProcessPoolExecutor(1, mp_context=worker_context()) as pool:\n"
        "    mask = pool.submit(signal.pthread_sigmask, signal.SIG_BLOCK, []).result()\n"
        "    fds = [pool.submit(os.fstat, fd).result() for fd in (1, 2)]\n"
        "print(signal.SIGINT in mask, all((s.st_dev, s.st_ino) == (null.st_dev, null.st_ino) for s in fds),\n"
        "      signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, []), os.fstat(1).st_ino != null.st_ino)\n")
    # worker: SIGINT blocked, stdout and stderr the null device; this process: SIGINT not blocked,
    # its own stdout (the pipe of subprocess.run) given back
    assert out == "True True False True"


@pytest.fixture
def ctrl_c_answered():
    """Python's own SIGINT handler in this process for the test (a test run started as `cmd &` by a
    non-interactive shell has SIGINT ignored, which interrupts_held rightly leaves alone)."""
    inherited = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, inherited)


def test_a_ctrl_c_inside_interrupts_held_is_raised_at_its_end(ctrl_c_answered):
    before = signal.getsignal(signal.SIGINT)
    reached_end_of_block = False
    with pytest.raises(KeyboardInterrupt), interrupts_held() as interrupted:
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(1000):            # the handler runs between bytecodes, soon after the kill
            if interrupted:
                break
            time.sleep(0.001)
        assert interrupted == [signal.SIGINT]
        reached_end_of_block = True
    assert reached_end_of_block
    assert signal.getsignal(signal.SIGINT) is before


def test_interrupts_held_without_ctrl_c_changes_nothing(ctrl_c_answered):
    before = signal.getsignal(signal.SIGINT)
    with interrupts_held() as interrupted:
        pass
    assert interrupted == [] and signal.getsignal(signal.SIGINT) is before


@pytest.fixture(scope="module")
def many_cities(tmp_path_factory) -> Path:
    """200 small cities (4 generated, each copied 50 times): a batch of them runs for seconds."""
    base = tmp_path_factory.mktemp("interrupt")
    made = base / "made"
    generate(made, cities=4, orders=300, period="2026-11", seed=5)
    root = base / "root"
    for city in sorted(made.iterdir()):
        for k in range(50):
            shutil.copytree(city, root / f"{city.name}{k:02d}")
    return root


def _session(pid: int) -> list[str]:
    out = subprocess.run(["ps", "-o", "pid=", "-s", str(pid)], capture_output=True, text=True).stdout
    return out.split()


def _interactive() -> None:
    """In the batch's process before it starts: SIGINT as a terminal gives it, whatever this test
    run inherited (pytest started as `cmd &` by a non-interactive shell has SIGINT ignored, and a
    child keeps an ignored signal: test_a_batch_started_with_ctrl_c_ignored_ignores_it)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _batch_stopped(root: Path, tmp_path: Path, send, preexec=_interactive) -> tuple[int, str, Path, int]:
    """Run `aftersales batch ROOT --jobs 2` in a session of its own; once a worker has begun a city
    (the pool is running), call `send(pid)`; return (exit code, stderr, --out folder, cities begun)
    after checking that no process of the session outlives the batch."""
    log = tmp_path / "scored.log"
    env = {**os.environ, "AFTERSALES_CACHE": str(tmp_path / "cache"), "AFTERSALES_CACHE_LOG": str(log),
           "PYTHONIOENCODING": "utf-8"}
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "aftersales_cli", "batch", str(root), "--jobs", "2",
                             "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            start_new_session=True, preexec_fn=preexec)
    try:
        for _ in range(600):             # until a worker has begun a city: the pool is running
            if log.exists() and log.stat().st_size > 0:
                break
            time.sleep(0.05)
        assert log.exists(), "no worker began a city"
        send(proc.pid)
        _, stderr = proc.communicate(timeout=120)        # a hang fails here
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    for _ in range(100):                                # the fork server and the tracker end with it
        left = _session(proc.pid)
        if not left:
            break
        time.sleep(0.1)
    for pid in left:                                    # none left behind by a failing test either
        try:
            os.kill(int(pid), signal.SIGKILL)
        except OSError:
            pass
    assert left == []
    return proc.returncode, stderr.decode("utf-8", "replace"), out, len(log.read_text("utf-8").splitlines())


def _no_traceback(text: str) -> None:
    assert "Traceback" not in text and "Error" not in text and "Exception" not in text, text


@pytest.mark.parametrize("presses", [1, 2])
def test_ctrl_c_during_the_pool_stops_the_batch_cleanly(many_cities, tmp_path, presses):
    def press(pid):                      # Ctrl-C reaches the whole foreground process group
        for _ in range(presses):
            os.killpg(pid, signal.SIGINT)
            time.sleep(0.05)
    code, text, out, begun = _batch_stopped(many_cities, tmp_path, press)
    assert code == 130, text
    _no_traceback(text)
    assert text.rstrip().endswith("已中断（Ctrl-C）"), text     # said in one line (nothing before session 11)
    assert not out.exists()              # interrupted before the end: no output folder at all
    assert 0 < begun < 200               # it stopped part-way


def test_kill_of_the_main_process_ends_its_workers_too(many_cities, tmp_path):
    """`kill PID` (SIGTERM to the batch alone, not its group): the workers must not stay behind,
    blocked on a queue nobody writes to any more (they did before session 9)."""
    code, text, out, begun = _batch_stopped(many_cities, tmp_path, lambda pid: os.kill(pid, signal.SIGTERM))
    assert code == 128 + signal.SIGTERM, text           # 143, as a process ended by SIGTERM
    _no_traceback(text)
    assert not out.exists() and 0 < begun < 200


def test_a_batch_killed_outright_leaves_no_worker_behind(many_cities, tmp_path):
    """`kill -9 PID` (or the OOM killer, or Task Manager's End task): the batch cannot stop its
    workers, and they used to stay blocked on the pool's queues for good (sessions 8–10). Each
    worker now ends once the batch process has ended (`workers.end_with_the_batch`); the fork
    server and the resource tracker end by themselves. `_batch_stopped` waits up to 10 s for the
    whole session to be gone."""
    code, text, out, begun = _batch_stopped(many_cities, tmp_path, lambda pid: os.kill(pid, signal.SIGKILL))
    assert code == -signal.SIGKILL, text
    assert not out.exists() and 0 < begun < 200


def test_a_batch_started_with_ctrl_c_ignored_ignores_it(many_cities, tmp_path):
    """`nohup aftersales batch … &` or `cmd &` in a script: SIGINT is ignored from the start, and
    the batch must not become interruptible while its workers run."""
    def press(pid):
        os.killpg(pid, signal.SIGINT)
    code, text, out, begun = _batch_stopped(many_cities, tmp_path, press,
                                            preexec=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    assert code == 0, text
    assert (out / "summary.json").exists() and begun == 200


def test_an_interrupted_write_removes_the_output_folder_it_made(tmp_path):
    made, kept, partial = tmp_path / "made", tmp_path / "kept", tmp_path / "partial"
    kept.mkdir()
    for folder, write_first in ((made, False), (kept, False), (partial, True)):
        with pytest.raises(KeyboardInterrupt), output_folder(folder):
            if write_first:
                (folder / "汇总.xlsx").write_bytes(b"whole")
            raise KeyboardInterrupt
    assert not made.exists()                            # made by the block, left empty: removed
    assert kept.is_dir()                                # there before: kept
    assert (partial / "汇总.xlsx").read_bytes() == b"whole"   # a whole file written: kept with its folder


SLOW_WRITE = """
import sys, time
from aftersales_cli.report import summary
real = summary.write_workbook
def slow(result, path, lang, sheets=None):
    path.write_bytes(b"half a workbook")          # the temporary file, part-written
    print("writing", flush=True)
    time.sleep(60)
    real(result, path, lang, sheets)
summary.write_workbook = slow
sys.argv = ["aftersales", *sys.argv[1:]]
from aftersales_cli.launch import main
main()
"""


def test_kill_while_the_outputs_are_written_leaves_nothing_half_written(tmp_path):
    """`kill PID` while 汇总.xlsx is being written (the workbook writer made slow and told to say so,
    its temporary file already part-written): exit 143 like a process ended by SIGTERM, no
    temporary file left, no 汇总.xlsx, and the output folder the batch made removed — as Ctrl-C
    there does. Before: killed outright (-15), `.汇总.….xlsx.tmp` left in the output folder."""
    root = tmp_path / "root"
    generate(root, cities=2, orders=50, period="2026-11", seed=3)
    out = tmp_path / "out"
    env = {**os.environ, "AFTERSALES_CACHE": str(tmp_path / "cache"), "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.Popen([sys.executable, "-c", SLOW_WRITE, "batch", str(root), "--jobs", "1", "--out", str(out),
                             "--no-cache"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT_DIR,
                            start_new_session=True, preexec_fn=_interactive)
    try:
        for line in proc.stdout:
            if line.strip() == b"writing":
                break
        assert list(out.glob(".*.tmp")), "no temporary file while writing"
        proc.terminate()                                 # SIGTERM to the batch alone
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 128 + signal.SIGTERM, stderr.decode("utf-8", "replace")
    _no_traceback(stderr.decode("utf-8", "replace"))
    assert not out.exists()                              # nothing written before 汇总.xlsx: the folder goes too
