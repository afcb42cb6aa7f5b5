"""The check of the crash images of crash_images.py, and whole runs of them.

The check (one worker process for all images; a crash or a hang of libhdf5 on a damaged image
costs one worker, not the run): an optional repair command (`shepherd-sheep repair DIR...`, only
when `shepherd-sheep repair --help` succeeds) over each batch of image directories first, then
per image: NAME opens; every group with a `time` dataset (/data, /gpio, /pru_util, /sheep,
/sys_util, ...) reads completely and has equal lengths of `time` and its other datasets;
/data/time starts on a whole second and steps by exactly 10 000 ns; every dataset is a prefix of
the finished recording's; every table holds at least the rows it had at the last completed
commit (its IV samples, GPIO events, util rows and monitor rows, partial chunks included).
"""
import collections
import json
import os
import pathlib
import random
import select
import shutil
import subprocess
import sys
import tempfile

from crash_images import SAMPLE_NS


def _tables(f):
    import h5py
    return {name: g for name, g in f.items()
            if isinstance(g, h5py.Group) and isinstance(g.get("time"), h5py.Dataset)}


def load_reference(path):
    """Every dataset of every table group of the finished recording."""
    import h5py
    with h5py.File(path, "r") as f:
        return {(gname, dname): ds[()] for gname, g in _tables(f).items()
                for dname, ds in g.items() if isinstance(ds, h5py.Dataset)}


def check_image(path, expected, reference):
    """(reason or None, samples, readable, rows per table) of one image: see the module's text.
    expected: None (before the first commit: the file may be gone), else the rows per table
    (/data, /gpio, /pru_util, the monitors) of the last completed commit, which it must hold."""
    import h5py
    import numpy as np
    if not os.path.exists(path):
        return (None if expected is None else "gone"), None, False, {}
    try:
        f = h5py.File(path, "r")
    except Exception:  # noqa: BLE001 - whatever libhdf5 reports, the file does not open
        return "does not open", None, False, {}
    with f:
        try:
            tables = _tables(f)
            if "data" not in tables or not all(n in f["data"] for n in ("voltage", "current")):
                return "no /data datasets", None, False, {}
            values = {(g, d): ds[()] for g, grp in tables.items() for d, ds in grp.items()
                      if isinstance(ds, h5py.Dataset)}
        except Exception:  # noqa: BLE001
            return "data unreadable", None, False, {}
    n = len(values[("data", "time")])
    rows = {g: len(values[(g, "time")]) for g in tables}
    for g in tables:
        lengths = {d: len(v) for (gg, d), v in values.items() if gg == g}
        if len(set(lengths.values())) > 1:
            return f"unequal lengths in /{g}", n, True, rows
    t = values[("data", "time")].astype(np.int64)
    if n and (t[0] % 1_000_000_000 or np.any(np.diff(t) != SAMPLE_NS)):
        return "timestamps not 10 us apart", n, True, rows
    for key, v in values.items():
        ref = reference.get(key)
        if ref is None or len(v) > len(ref) or not np.array_equal(v, ref[:len(v)]):
            return f"/{key[0]}/{key[1]} differs from the recording", n, True, rows
    for g, want in sorted((expected or {}).items()):
        if rows.get(g, 0) < want:
            what = "samples" if g == "data" else f"rows of /{g}"
            return f"{what} of the last commit missing", n, True, rows
    return None, n, True, rows


def worker_main(reference_path):
    """Checks the images named on stdin (JSON lines: path, expected), one JSON line each."""
    reference = load_reference(reference_path)
    print("ready", flush=True)
    for line in sys.stdin:
        job = json.loads(line)
        try:
            reason, n, readable, rows = check_image(job["path"], job["expected"], reference)
        except Exception as e:  # noqa: BLE001 - a file odd enough to break the check
            reason, n, readable, rows = f"check failed: {type(e).__name__}", None, False, {}
        print(json.dumps({"reason": reason, "n": n, "readable": readable, "rows": rows}),
              flush=True)


class Checker:
    """A worker process; a crash or a hang costs one image and a restart."""

    def __init__(self, reference_path, timeout_s=30):
        self.reference, self.timeout = str(reference_path), timeout_s
        self.proc = None

    def _start(self):
        env = dict(os.environ, HDF5_USE_FILE_LOCKING="FALSE")
        self.proc = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--worker", self.reference],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
        if self._line(120) != "ready":
            raise RuntimeError("the checker did not start")

    def _line(self, timeout):
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        return self.proc.stdout.readline().strip() if ready else None

    def check(self, path, expected):
        if self.proc is None:
            self._start()
        self.proc.stdin.write(json.dumps({"path": str(path), "expected": expected}) + "\n")
        self.proc.stdin.flush()
        line = self._line(self.timeout)
        if line:
            res = json.loads(line)
            return res["reason"], res["n"], res["readable"], res["rows"]
        hung = self.proc.poll() is None
        self.close()
        return ("libhdf5 hangs" if hung else "libhdf5 crashes"), None, False, {}

    def close(self):
        if self.proc:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


def repair_command(sheep_cmd):
    """[sheep..., "repair"] when the sheep has a repair command, else None."""
    if not sheep_cmd:
        return None
    res = subprocess.run([*sheep_cmd, "repair", "--help"], capture_output=True)
    return [*sheep_cmd, "repair"] if res.returncode == 0 else None


# -- a whole run ---------------------------------------------------------------------------------
Image = collections.namedtuple("Image", "kind cut power")
Result = collections.namedtuple("Result", "kind cut reason n expected readable")


def choose_cuts(tl, rnd, random_n, torn_n, kill9_n, sync_n=None):
    """The images of a run: power cuts at random indices and torn flushes, exact prefixes after
    syncs and at write boundaries (n None: all of them)."""
    def some(cuts, n):
        return list(cuts) if n is None or n >= len(cuts) else sorted(rnd.sample(list(cuts), n))
    n_events = len(tl.events)
    images = [Image("random", rnd.randint(1, n_events), True) for _ in range(random_n)]
    images += [Image("torn", c, True) for c in some(tl.torn_cuts(), torn_n)]
    images += [Image("sync", c, False) for c in some(tl.sync_cuts(), sync_n)]
    images += [Image("kill9", c, False) for c in some(tl.write_cuts(), kill9_n)]
    return images


def run_images(tl, images, recording, seed=1, batch=40, repair=None, workdir=None,
               keep_failed=None, log=None):
    """Builds, repairs and checks every image; returns (results, reference sample counts per
    commit, repair exit codes). An image must hold every table's rows of its last commit."""
    name = pathlib.Path(recording).name
    work = pathlib.Path(tempfile.mkdtemp(
        prefix="crash-images-", dir=workdir or ("/dev/shm" if os.path.isdir("/dev/shm") else None)))
    checker = Checker(recording)
    repair_rcs = collections.Counter()

    def process(jobs):
        """jobs: (tag, cut, power rnd or None, expected rows or None)
        -> [(reason, n, readable, expected, rows)]"""
        dirs = []
        for k, (_, cut, rnd, _) in enumerate(jobs):
            d = work / f"img{k:04d}"
            tl.build(cut, d, rnd)
            dirs.append(d)
        if repair:
            res = subprocess.run([*repair, *map(str, dirs)], capture_output=True, timeout=600)
            repair_rcs[res.returncode] += 1
        out = []
        for d, (tag, cut, _, expected) in zip(dirs, jobs):
            reason, n, readable, rows = checker.check(d / name, expected)
            out.append((reason, n, readable, expected, rows))
            if reason and keep_failed and reason != "gone":
                dest = pathlib.Path(keep_failed) / f"{tag}-{cut}"
                shutil.rmtree(dest, ignore_errors=True)
                shutil.copytree(d, dest)
        for d in dirs:
            shutil.rmtree(d)
        return out

    try:
        # the reference counts: exact prefixes at the commits the images need, in order, each
        # checked against the one before (a commit never loses what the last one held)
        needed = sorted({tl.last_commit(im.cut) for im in images} - {None})
        refs, ref_rows, results, prev = {}, {}, [], None
        for k in range(0, len(needed), batch):
            part = needed[k:k + batch]
            # after a commit the file is there, holding at least the commit before
            jobs = [("commit", c, None, {}) for c in part]
            for c, (reason, n, readable, _, rows) in zip(part, process(jobs)):
                before = ref_rows.get(prev, {})
                if reason is None and any(rows.get(g, 0) < r for g, r in before.items()):
                    reason = "rows of the commit before missing"
                results.append(Result("commit", c, reason, n, before.get("data", 0), readable))
                if reason is None:
                    refs[c], ref_rows[c] = n, rows
                    prev = c
        rnd = random.Random(seed)
        for k in range(0, len(images), batch):
            part = images[k:k + batch]
            jobs = []
            for im in part:
                commit = tl.last_commit(im.cut)
                best = max((c for c in refs if commit is not None and c <= commit), default=None)
                exp = None if commit is None else ref_rows.get(best, {})
                jobs.append((im.kind, im.cut, random.Random(rnd.random()) if im.power else None,
                             exp))
            for im, (reason, n, readable, exp, _) in zip(part, process(jobs)):
                results.append(Result(im.kind, im.cut, reason, n,
                                      None if exp is None else exp.get("data", 0), readable))
            if log:
                log(f"{min(k + batch, len(images))}/{len(images)} images")
    finally:
        checker.close()
        shutil.rmtree(work, ignore_errors=True)
    return results, refs, dict(repair_rcs)


def summarize(results, kinds=None):
    """Figures per kind of image: tried, readable, usable, unusable by reason, worst loss."""
    lines = []
    kinds = kinds or sorted({r.kind for r in results})
    for kind in kinds:
        rs = [r for r in results if r.kind == kind]
        if not rs:
            continue
        bad = [r for r in rs if r.reason]
        readable = sum(r.readable for r in rs)
        gone_ok = sum(1 for r in rs if not r.readable and r.reason is None)
        lines.append(f"{kind}: {len(rs)} images, {readable} readable"
                     f"{f' ({gone_ok} gone before the first commit, fine)' if gone_ok else ''}"
                     f", {len(bad)} unusable ({100 * len(bad) / len(rs):.1f} %), "
                     f"{len(rs) - readable - gone_ok} unreadable "
                     f"({100 * (len(rs) - readable - gone_ok) / len(rs):.1f} %)")
        for reason, count in collections.Counter(r.reason for r in bad).most_common():
            lines.append(f"  {count:5d}  {reason}")
        losses = [(r.expected - (r.n or 0), r) for r in rs if r.expected]
        if losses:
            worst, r = max(losses, key=lambda x: x[0])
            lines.append(f"  worst loss against the last commit: {max(worst, 0)} samples "
                         f"({max(worst, 0) * SAMPLE_NS / 1e9:.2f} s), cut {r.cut}")
            readable_losses = [x for x in losses if x[1].readable]
            if readable_losses:
                worst, r = max(readable_losses, key=lambda x: x[0])
                lines.append(f"  worst among readable images: {max(worst, 0)} samples "
                             f"({max(worst, 0) * SAMPLE_NS / 1e9:.2f} s), cut {r.cut}")
    return "\n".join(lines)


# -- recording under the shim -------------------------------------------------------------------
def record(kind, workdir, seconds, shim, sim_args=(), input_seconds=None):
    """Records a harvest or an emulation (with GPIO) from the simulator under the I/O trace;
    returns (trace path, recording path, result of the run)."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import yaml
    from conftest import Sim, run_sheep
    workdir = pathlib.Path(workdir)
    out = workdir / "out"
    out.mkdir(parents=True)
    trace = workdir / "trace.bin"
    if kind == "harvest":
        params = {"output_path": str(out / "hrv.h5"), "duration": seconds}
        task = {"datatype": "HarvestTask", "parameters": params}
        sim = Sim(*sim_args)
    else:
        import numpy as np
        from emusupport import write_input
        n = (input_seconds or seconds) * 100000
        ramp = (np.arange(n, dtype=np.uint32) % 1000) * 1000
        source = write_input(workdir / "input.h5", 2_000_000 + ramp, 1_000_000 + ramp)
        params = {"output_path": str(out / "emu.h5"), "input_path": str(source),
                  "duration": seconds}
        task = {"datatype": "EmulationTask", "parameters": params}
        sim = Sim("--emulation", "loopback", *sim_args)
    task_path = workdir / "task.yaml"
    task_path.write_text(yaml.safe_dump(task))
    env = {"LD_PRELOAD": str(shim), "SHEEP_IO_TRACE": str(trace),
           "SHEEP_IO_TRACE_DIR": str(out), "SHEPHERD_UART_DEVICE": "/nonexistent/tty"}
    try:
        res = run_sheep(sim, "run", "--start-delay", "1", "--no-status", str(task_path),
                        env=env, timeout=seconds + 120)
    finally:
        sim.stop()
    return trace, pathlib.Path(params["output_path"]), res


if __name__ == "__main__" and len(sys.argv) == 3 and sys.argv[1] == "--worker":
    worker_main(sys.argv[2])
