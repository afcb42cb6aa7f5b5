#!/usr/bin/env python3
"""Performance figures of the sheep against the simulator (shared/spec/benchmark.md).

First version: per compression variant the whole-process CPU load of shepherd-sheep at real
time, its peak private memory (the shared ring mapping excluded), the bytes per recorded second
and the losses; plus start-up time and headroom (largest --speed without loss). Prints a
markdown table and saves it under bench/results/.
"""
import argparse
import datetime
import os
import pathlib
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent

VARIANTS = {  # name: (output_compression, shuffle)
    "none": (None, False),
    "lzf": ("lzf", False),
    "gzip1": ("1", False),
    "shuffle+lzf": ("lzf", True),
    "shuffle+gzip1": ("1", True),
}


class Simulator:
    def __init__(self, sim_bin, *args):
        self.root = pathlib.Path(tempfile.mkdtemp(prefix="sheep-bench-", dir="/dev/shm"))
        self.root.rmdir()
        self.proc = subprocess.Popen([sim_bin, "--root", str(self.root), *args],
                                     stdout=subprocess.PIPE, text=True)
        for line in self.proc.stdout:
            if line.strip() == "ready":
                break

    def close(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=10)


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


def run_sheep(sheep, sim, task, extra=()):
    """Runs one recording; returns (returncode, cpu_s, wall_s, peak_private_kib, stdout)."""
    cmd = [sheep, "--sysfs-root", str(sim.root / "sysfs"), "--mem-device",
           str(sim.root / "mem"), "run", "--no-status", *extra, str(task)]
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            kib = private_kib(proc.pid, str(sim.root / "mem"))
            if kib:
                peak[0] = max(peak[0], kib)
            done.wait(0.1)

    sampler = threading.Thread(target=sample)
    sampler.start()
    out, err = proc.communicate()
    done.set()
    sampler.join()
    wall = time.monotonic() - t0
    return proc.returncode, out, err, wall, peak[0]


def write_task(path, output, duration, compression):
    lines = ["datatype: HarvestTask", "parameters:", f"  output_path: {output}",
             f"  duration: {duration}", "  force_overwrite: true",
             f"  output_compression: {'null' if compression is None else repr(compression)}"]
    path.write_text("\n".join(lines) + "\n")


def measure_variant(args, name, workdir):
    compression, shuffle = VARIANTS[name]
    sim = Simulator(args.sim, "--seed", "1")
    try:
        task = workdir / f"{name}.yaml"
        out = workdir / f"{name}.h5"
        write_task(task, out, args.duration, compression)
        extra = () if shuffle else ("--no-shuffle",)
        before = os.times()
        rc, stdout, stderr, wall, peak = run_sheep(args.sheep, sim, task, extra)
        after = os.times()
        cpu = (after.children_user - before.children_user) + \
              (after.children_system - before.children_system)
        lost = parse_lost(stdout)
        size = out.stat().st_size if out.exists() else 0
        return {
            "variant": name, "rc": rc, "cpu_s": cpu, "cpu_pct": 100 * cpu / args.duration,
            "peak_private_mib": peak / 1024, "bytes_per_s": size / args.duration,
            "lost": lost, "wall_s": wall,
        }
    finally:
        sim.close()


def parse_lost(stdout):
    for line in stdout.splitlines():
        if line.startswith("samples:") and "lost" in line:
            return int(line.split("lost")[1].split(",")[0])
    return None


def startup_ms(sheep, runs=50):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([sheep, "--version"], stdout=subprocess.DEVNULL, check=True)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), min(times)


def headroom(args, workdir, speeds=(10, 25, 50, 100, 200, 400)):
    """Largest speed factor recorded without any lost sample (default compression)."""
    best = 0
    for speed in speeds:
        sim = Simulator(args.sim, "--speed", str(speed))
        try:
            task = workdir / "headroom.yaml"
            duration = max(10, min(60, 2 * speed))
            write_task(task, workdir / "headroom.h5", duration, "lzf")
            rc, stdout, _, _, _ = run_sheep(args.sheep, sim, task)
            if rc != 0 or parse_lost(stdout) != 0:
                break
            best = speed
        finally:
            sim.close()
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--build", default=str(REPO / "build"))
    ap.add_argument("--duration", type=int, default=20, help="seconds per recording")
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--no-headroom", action="store_true")
    args = ap.parse_args()
    args.sheep = str(pathlib.Path(args.build) / "shepherd-sheep")
    args.sim = str(pathlib.Path(args.build) / "shepherd-pru-sim")

    workdir = pathlib.Path(tempfile.mkdtemp(prefix="sheep-bench-"))
    rows = [measure_variant(args, v, workdir) for v in args.variants.split(",")]
    med, best = startup_ms(args.sheep)
    room = None if args.no_headroom else headroom(args, workdir)

    stamp = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    cpu_model = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    lines = [f"Benchmark {stamp}, {platform.node()}, {cpu_model}, {os.cpu_count()} cores; "
             f"{args.duration} s recordings at real time from shepherd-pru-sim.", "",
             "| variant | CPU load (% of one core) | CPU s | peak private MiB | kB per recorded s "
             "| lost samples | exit |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['variant']} | {r['cpu_pct']:.2f} | {r['cpu_s']:.3f} | "
                     f"{r['peak_private_mib']:.1f} | {r['bytes_per_s'] / 1000:.1f} | {r['lost']} | "
                     f"{r['rc']} |")
    lines += ["", f"- `shepherd-sheep --version`: median {med:.2f} ms, best {best:.2f} ms "
                  f"(includes fork/exec from Python)"]
    if room is not None:
        lines.append(f"- headroom (shuffle+lzf, no lost sample): {room}x real time "
                     f"(largest speed tried that passed)")
    table = "\n".join(lines)
    print(table)
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    (results / "latest.md").write_text(table + "\n")
    subprocess.run(["rm", "-rf", str(workdir)])
    return 0 if all(r["rc"] == 0 and r["lost"] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
