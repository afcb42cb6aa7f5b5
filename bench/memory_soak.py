"""Private memory of the sheep against the hours it has recorded: one run against the simulator
at --speed max in lock-step, the sheep's memory sampled at a fixed interval all along.

Shared by bench.py (the short memory rows, results/memory.png) and scripts/soak.py (the soaks
past 2^32 samples). Two figures per sample:

- private memory: Private_Clean + Private_Dirty of /proc/PID/smaps without the mapping of the
  simulator's memory file (the rings, which the sheep maps but does not own);
- recorded seconds: the newest timestamp in PRU0's IV-out ring, read from the simulator's memory
  file, minus the start second the sheep logs ("start at ..."). In lock-step the simulator is at
  most half the ring (3 s of data) ahead of the sheep, so this is the sheep's position to within
  3 s; it needs no help from the sheep and works at any speed, unlike its progress lines (every
  10 s of wall time, none in a short run).

Plain Python (no numpy): bench.py runs under any interpreter.
"""
import csv
import datetime
import os
import pathlib
import re
import shlex
import signal
import struct
import subprocess
import tempfile
import threading
import time

# from src/pru/shepherd_abi.h: the IV-out ring starts with idx_pru (u32, the slot PRU0 wrote
# last), then the timestamps (u64 each)
IV_OUT_IDX_OFF = 0
IV_OUT_TS_OFF = 4
IV_OUT_SAMPLES_N = 600000
LIMIT_MIB = 16  # issue 11: peak private memory for any duration


def private_kib(pid, skip_path):
    """Private memory of pid in KiB, without the mapping of skip_path (the rings)."""
    total = 0
    skipping = False
    try:
        with open(f"/proc/{pid}/smaps") as f:
            for line in f:
                head = line.split(None, 1)[0]
                if not head.endswith(":") or "-" in head:
                    skipping = line.rstrip().endswith(skip_path)
                elif head in ("Private_Clean:", "Private_Dirty:") and not skipping:
                    total += int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        return None
    return total


class RingClock:
    """The newest IV-out timestamp PRU0 (the simulator) wrote, from its memory file."""

    def __init__(self, sysfs, mem):
        base = int(pathlib.Path(sysfs, "memory", "iv_out_address").read_text())
        self.idx_at = base + IV_OUT_IDX_OFF
        self.ts_at = base + IV_OUT_TS_OFF
        self.fd = os.open(mem, os.O_RDONLY)

    def newest_ns(self):
        (idx,) = struct.unpack("<I", os.pread(self.fd, 4, self.idx_at))
        if idx >= IV_OUT_SAMPLES_N:  # SHP_IDX_OUT_OF_BOUND: nothing written yet
            return None
        (ts,) = struct.unpack("<Q", os.pread(self.fd, 8, self.ts_at + 8 * idx))
        return ts

    def close(self):
        os.close(self.fd)


def read_env_file(path):
    """The variables a simulator's ROOT/env file exports: what points the sheep at it (sysfs,
    memory, EEPROM, GPIO tree, its module command, the settle scale)."""
    env = {}
    for line in pathlib.Path(path).read_text().splitlines():
        if line.startswith("export "):
            for word in shlex.split(line[len("export "):]):
                name, _, value = word.partition("=")
                env[name] = value
    return env


class Simulator:
    """shepherd-pru-sim in its own directory under /dev/shm, until close()."""

    def __init__(self, sim_bin, *args):
        self.root = pathlib.Path(tempfile.mkdtemp(prefix="sheep-bench-", dir="/dev/shm"))
        self.root.rmdir()
        self.proc = subprocess.Popen([sim_bin, "--root", str(self.root), *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True)
        for line in self.proc.stdout:
            if line.strip() == "ready":
                return
        raise RuntimeError("simulator did not start")

    @property
    def sysfs(self):
        return str(self.root / "sysfs")

    def env(self):
        """The sheep's environment for this simulator (its ROOT/env file)."""
        return read_env_file(self.root / "env")

    @property
    def mem(self):
        return str(self.root / "mem")

    def close(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=10)


START_RE = re.compile(r"start at (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[+-]\d\d:\d\d)")
COMMITS_RE = re.compile(r"commits: (\d+), syncs (\d+), ([\d.]+) s in fdatasync, "
                        r"journal (\d+) B, held at most (\d+) B")


def parse_commits(text):
    """The commit driver's figures from the sheep's debug log (-v), or None."""
    m = COMMITS_RE.search(text)
    if not m:
        return None
    return {"commits": int(m.group(1)), "syncs": int(m.group(2)),
            "sync_s": float(m.group(3)), "journal_bytes": int(m.group(4)),
            "held_peak_bytes": int(m.group(5))}


def write_task(path, output, seconds, input_path=None, gpio=False):
    """A HarvestTask, or an EmulationTask replaying input_path, shuffle + lzf out."""
    kind = "EmulationTask" if input_path else "HarvestTask"
    text = (f"datatype: {kind}\nparameters:\n  output_path: {output}\n"
            f"  duration: {seconds}\n  force_overwrite: true\n")
    if input_path:
        text += f"  input_path: {input_path}\n  uart_logging: null\n"
        if not gpio:
            text += "  gpio_tracing: null\n"
    path.write_text(text)


def run(sheep, sim_bin, workdir, name, seconds, input_path=None, gpio_rate=0, interval=2.0,
        verbose=True, progress=None, harvest="formula"):
    """Records seconds of data at --speed max in lock-step (an emulation of input_path in
    loopback if given, with GPIO at gpio_rate), sampling the sheep every interval seconds.

    Returns a dict: series (list of (wall s, recorded s, private KiB)), peak_kib, wall_s (launch
    to exit), rc, stdout, stderr, output (path), file_bytes, commits (parse_commits: the sheep
    runs with -v unless verbose is False). progress(sample) is called for every sample. harvest
    is the simulator's --harvest: the fast integer formula by default (the cell's twin is slower
    than the headroom at --speed max wants)."""
    sim_args = ["--seed", "1", "--speed", "max", "--no-overrun", "--harvest", harvest]
    if input_path:
        sim_args += ["--emulation", "loopback"]
    if gpio_rate:
        sim_args += ["--gpio-rate", str(gpio_rate)]
    sim = Simulator(sim_bin, *sim_args)
    tag = re.sub(r"[^a-z0-9]+", "_", name.lower())
    output = pathlib.Path(workdir) / f"memory_{tag}.h5"
    task = pathlib.Path(workdir) / f"memory_{tag}.yaml"
    write_task(task, output, seconds, input_path, gpio_rate > 0)
    clock = RingClock(sim.sysfs, sim.mem)
    try:
        cmd = [sheep, "--sysfs-root", sim.sysfs, "--mem-device", sim.mem]
        if verbose:
            cmd.append("-v")
        cmd += ["run", "--no-status", "--start-delay", "2", "--monitors", "sheep", str(task)]
        env = dict(os.environ, SHEPHERD_USAGE_LOG=str(pathlib.Path(workdir) / "usage.csv"),
                   **sim.env())
        # the input check reads the whole input: about 20 s for an hour of it here, 400 s for
        # three hours, past its default limit of 60 s
        env.setdefault("SHEPHERD_CHECK_TIMEOUT_S", "3600")
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=env)
        start_ns = [None]
        err_lines, out_chunks = [], []

        def read_stderr():
            for line in proc.stderr:
                err_lines.append(line)
                m = START_RE.search(line) if start_ns[0] is None else None
                if m:
                    start = datetime.datetime.fromisoformat(m.group(1))
                    start_ns[0] = int(start.timestamp()) * 10**9

        readers = [threading.Thread(target=read_stderr),
                   threading.Thread(target=lambda: out_chunks.append(proc.stdout.read()))]
        for r in readers:
            r.start()
        series = []
        while proc.poll() is None:
            kib = private_kib(proc.pid, sim.mem)
            newest = clock.newest_ns()
            recorded = 0.0
            if start_ns[0] is not None and newest is not None and newest >= start_ns[0]:
                recorded = min((newest - start_ns[0] + 10000) / 1e9, seconds)
            if kib:
                sample = (time.monotonic() - t0, recorded, kib)
                series.append(sample)
                if progress:
                    progress(sample)
            time.sleep(interval)
        wall_s = time.monotonic() - t0
        for r in readers:
            r.join()
        stderr = "".join(err_lines)
        return {"name": name, "series": series, "wall_s": wall_s, "rc": proc.returncode,
                "peak_kib": max((s[2] for s in series), default=0), "seconds": seconds,
                "stdout": "".join(out_chunks), "stderr": stderr, "output": output,
                "file_bytes": output.stat().st_size if output.exists() else 0,
                "commits": parse_commits(stderr)}
    finally:
        clock.close()
        sim.close()


def write_csv(path, results):
    """One row per sample: mode, wall s, recorded hours, private MiB."""
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["mode", "wall_s", "recorded_h", "private_mib"])
        for res in results:
            for wall, rec, kib in res["series"]:
                w.writerow([res["name"], f"{wall:.2f}", f"{rec / 3600:.5f}", f"{kib / 1024:.3f}"])


def shape(res, parts=4):
    """Peak private MiB in each of parts equal spans of recorded time (None: no sample there):
    flat memory shows the same figure in each."""
    span = max(res["seconds"], 1e-9) / parts
    peaks = [None] * parts
    for _, rec, kib in res["series"]:
        k = min(int(rec / span), parts - 1)
        peaks[k] = max(peaks[k] or 0.0, kib / 1024)
    return peaks


def shape_text(res, sep=" / "):
    return sep.join("–" if p is None else f"{p:.1f}" for p in shape(res))


def plot(results, path, title):
    """Private MiB against recorded hours, one line per run; False without matplotlib."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for res in results:
        hours = [s[1] / 3600 for s in res["series"]]
        mib = [s[2] / 1024 for s in res["series"]]
        ax.plot(hours, mib, marker=".", markersize=3, linewidth=1,
                label=f"{res['name']} (peak {res['peak_kib'] / 1024:.1f} MiB)")
    ax.axhline(LIMIT_MIB, color="red", linestyle="--", linewidth=1,
               label=f"limit {LIMIT_MIB} MiB (issue 11)")
    ax.set_xlabel("recorded hours")
    ax.set_ylabel("private memory [MiB] (ring mapping excluded)")
    top = max([LIMIT_MIB] + [res["peak_kib"] / 1024 for res in results])
    ax.set_ylim(0, top * 1.2)
    ax.set_xlim(left=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True
