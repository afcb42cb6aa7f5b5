#!/usr/bin/python3
"""Soak test (not part of CI): long recordings from the simulator at full speed, the sheep's
private memory sampled all along, then a check of each whole file.

  scripts/soak.py [--build build] [--dir /var/tmp/sheep-soak] [--mode harvest|emulation|both]
                  [--samples N] [--emulation-seconds S] [--interval S] [--keep]

- harvest: until the file is past 4 GiB and the sample counter past 2^32 (--samples); the check
  reads the file back in blocks: every timestamp follows the previous one by 10 us, the count
  is exact, and sampled blocks carry exactly the simulator's signal;
- emulation: an input of --emulation-seconds (default 1 h, written with h5py in blocks) replayed
  in loopback with GPIO events at 100 kHz; the check: IV and GPIO datasets of the input's
  length, every timestamp 10 us after the previous one, sampled blocks equal to the converted
  input, every GPIO event where and what PRU1 made it.

The simulator runs with --speed max --no-overrun (lock-step), so the sheep is pushed as fast as
it can write and nothing may be lost. Every --interval seconds the sheep's private memory (the
ring mapping excluded) is sampled with the hours recorded so far (bench/memory_soak.py); the
samples go to DIR/soak_memory.csv and a plot to DIR/soak_memory.png. Prints, per mode, the peak
private memory, the peak in each quarter of the run (flat memory: the same in each), file size,
samples, wall time and the sheep's summary; exits 1 if a check fails or the peak passes 16 MiB.
"""
import argparse
import pathlib
import re
import shutil
import sys
import time

import h5py
import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "e2e"))
sys.path.insert(0, str(HERE.parent / "bench"))
from emusupport import to_pru_units  # noqa: E402
from simsignal import harvest_codes  # noqa: E402
import bench  # noqa: E402  (bench/bench.py: the same input as the bench's emulation rows)
import memory_soak  # noqa: E402

BLOCK = 10_000_000


def check_recording(path, samples, share):
    """Opens a recording of the simulator's signal (seed 1): the exact sample count, the first
    sample on a whole second, every timestamp 10 us after the previous one, and the first, the
    last and about share of the other blocks equal to the signal. Returns (samples compared,
    samples in the file)."""
    with h5py.File(path, "r") as f:
        t = f["data/time"]
        n = len(t)
        assert n == samples, (n, samples)
        assert len(f["data/voltage"]) == n and len(f["data/current"]) == n
        rng = np.random.default_rng(1)
        prev, compared = None, 0
        for start in range(0, n, BLOCK):
            block = t[start:start + BLOCK]
            if prev is None:
                assert block[0] % 10**9 == 0, block[0]
            else:
                assert block[0] == prev + 10000, start
            assert np.all(np.diff(block) == 10000), start
            prev = block[-1]
            if start == 0 or start + BLOCK >= n or rng.random() < share:
                v, i = harvest_codes(1, block)
                assert np.array_equal(f["data/voltage"][start:start + len(block)], v), start
                assert np.array_equal(f["data/current"][start:start + len(block)], i), start
                compared += len(block)
    return compared, n


def check_emulation(path, input_path, samples, gpio_rate, share):
    """Opens the recording of a loopback emulation of input_path with GPIO events at gpio_rate
    (one every 1e9 / gpio_rate ns, a whole number): IV and GPIO datasets of the expected
    lengths, the first sample on a whole second, every timestamp 10 us after the previous one,
    the first, the last and about share of the other blocks equal to the input converted to
    uV / nA, and every GPIO event at t0 + k / rate carrying the count of events in the traced
    bits (mask 0x3FF, the task's default). Returns (samples compared, events)."""
    dt = round(1e9 / gpio_rate)
    events = samples * 10000 // dt
    with h5py.File(path, "r") as f, h5py.File(input_path, "r") as src:
        t = f["data/time"]
        n = len(t)
        assert n == samples, (n, samples)
        assert len(f["data/voltage"]) == n and len(f["data/current"]) == n
        assert "losses" not in f
        gains = {k: (float(src["data"][k].attrs["gain"]), float(src["data"][k].attrs["offset"]),
                     scale) for k, scale in (("voltage", 1e6), ("current", 1e9))}
        rng = np.random.default_rng(1)
        prev, compared, t0 = None, 0, int(t[0])
        assert t0 % 10**9 == 0, t0
        for start in range(0, n, BLOCK):
            block = t[start:start + BLOCK]
            assert block[0] == (t0 if prev is None else prev + 10000), start
            assert np.all(np.diff(block) == 10000), start
            prev = block[-1]
            if start == 0 or start + BLOCK >= n or rng.random() < share:
                for k, (gain, offset, scale) in gains.items():
                    want = to_pru_units(src["data"][k][start:start + len(block)], gain, offset,
                                        scale)
                    assert np.array_equal(f["data"][k][start:start + len(block)], want), (k,
                                                                                         start)
                compared += len(block)
        gt, gv = f["gpio/time"], f["gpio/value"]
        assert len(gt) == events and len(gv) == events, (len(gt), len(gv), events)
        for start in range(0, events, BLOCK):
            k = np.arange(start, min(start + BLOCK, events), dtype=np.uint64)
            assert np.array_equal(gt[start:start + len(k)], np.uint64(t0) + k * np.uint64(dt)), \
                start
            want = ((k + np.uint64(1)) & np.uint64(0x3FF)).astype(np.uint16)
            assert np.array_equal(gv[start:start + len(k)], want), start
    return compared, events


def report(res, extra=""):
    q = memory_soak.shape_text(res, ", ")
    hours = res["seconds"] / 3600
    c = res["commits"]
    syncs = (f"; {c['commits']} commits, {c['syncs']} syncs, {c['sync_s']:.1f} s in fdatasync"
             if c else "")
    # from the last sample before the start second (the set-up and the start delay before it)
    begun = max((s[0] for s in res["series"] if s[1] == 0), default=0.0)
    took = res["wall_s"] - begun
    print(f"soak {res['name']}: {res['seconds'] * 100000:,.0f} samples ({hours:.2f} h of data), "
          f"recorded in {took:.0f} s ({res['seconds'] / took:.0f} x real time; "
          f"{res['wall_s']:.0f} s from launch to exit), "
          f"file {res['file_bytes'] / 2**30:.2f} GiB; peak private memory "
          f"{res['peak_kib'] / 1024:.1f} MiB, peak per quarter of the run [{q}] MiB, "
          f"{len(res['series'])} samples{syncs}{extra}", flush=True)


def failed(res):
    """None if the sheep recorded everything, else why not."""
    if res["rc"] != 0:
        return f"the sheep exited {res['rc']}:\n{res['stderr'][-4000:]}"
    lost = re.findall(r"lost (\d+)|(\d+) stale", res["stdout"])
    if not lost or any(int(a or b) for a, b in lost):
        return f"losses:\n{res['stdout']}"
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=str(HERE.parent / "build"))
    ap.add_argument("--dir", default="/var/tmp/sheep-soak")
    ap.add_argument("--mode", choices=("harvest", "emulation", "both"), default="both")
    ap.add_argument("--samples", type=int, default=2**32 + 10_000_000,
                    help="harvest samples to record (default: 2^32 + 10 M, a multiple of 10 000)")
    ap.add_argument("--emulation-seconds", type=int, default=3610,
                    help="length of the emulation input (default 3610: over 1 h of data)")
    ap.add_argument("--gpio-rate", type=int, default=100000, help="GPIO events per second")
    ap.add_argument("--interval", type=float, default=0.25,
                    help="seconds between two memory samples (default 0.25)")
    ap.add_argument("--keep", action="store_true", help="keep the recordings and the input")
    args = ap.parse_args()
    build = pathlib.Path(args.build)
    sheep, sim = str(build / "shepherd-sheep"), str(build / "shepherd-pru-sim")
    out_dir = pathlib.Path(args.dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    modes = ("harvest", "emulation") if args.mode == "both" else (args.mode,)
    # bytes per sample: shuffle + lzf of the signal 3.7, the emulation input (lzf) 12.9, its
    # output 1.6 and 4 per GPIO event; with some margin
    need = (args.samples * 4.2 if "harvest" in modes else 0) + \
        (args.emulation_seconds * 100000 * 16 if "emulation" in modes else 0)
    free = shutil.disk_usage(out_dir).free
    if free < need:
        sys.exit(f"soak: {out_dir} has {free / 2**30:.1f} GiB free, needs ~{need / 2**30:.1f}")

    def progress(sample):
        wall, rec, kib = sample
        if int(wall / 30) != int((wall - args.interval) / 30):  # one line every 30 s
            print(f"  {wall:6.0f} s: {rec / 3600:6.2f} h recorded, {kib / 1024:5.1f} MiB",
                  flush=True)

    results, problems = [], []
    for mode in modes:
        source = out_dir / "soak_input.h5" if mode == "emulation" else None
        res = None
        try:
            if source:
                t0 = time.monotonic()
                bench.make_input(source, args.emulation_seconds)
                print(f"soak: input of {args.emulation_seconds} s written in "
                      f"{time.monotonic() - t0:.0f} s ({source.stat().st_size / 2**30:.2f} GiB)",
                      flush=True)
                res = memory_soak.run(sheep, sim, out_dir,
                                      f"emulation + GPIO {args.gpio_rate} Hz",
                                      args.emulation_seconds, input_path=source,
                                      gpio_rate=args.gpio_rate, interval=args.interval,
                                      progress=progress)
            else:
                # the fast integer formula: a soak at --speed max measures the sheep, not the
                # cell's twin
                res = memory_soak.run(sheep, sim, out_dir, "harvest", args.samples / 100000,
                                      interval=args.interval, progress=progress,
                                      harvest="formula")
            results.append(res)
            print(res["stdout"])
            why = failed(res)
            if why:
                problems.append(f"{res['name']}: {why}")
                report(res)
                continue
            t1 = time.monotonic()
            samples = round(res["seconds"] * 100000)
            if source:
                checked, events = check_emulation(res["output"], source, samples,
                                                  args.gpio_rate, 0.05)
                extra = f"; checked in {time.monotonic() - t1:.0f} s ({checked:,} samples " \
                    f"compared with the input, every timestamp and all {events:,} GPIO " \
                    "events checked): OK"
            else:
                checked, _ = check_recording(res["output"], samples, 0.05)
                extra = f"; checked in {time.monotonic() - t1:.0f} s ({checked:,} samples " \
                    "compared with the signal, every timestamp checked): OK"
            if res["peak_kib"] > memory_soak.LIMIT_MIB * 1024:
                problems.append(f"{res['name']}: peak private memory "
                                f"{res['peak_kib'] / 1024:.1f} MiB > {memory_soak.LIMIT_MIB} MiB")
            report(res, extra)
        finally:
            if not args.keep:
                for path in (source, res and res["output"]):
                    if path:
                        path.unlink(missing_ok=True)
    memory_soak.write_csv(out_dir / "soak_memory.csv", results)
    if memory_soak.plot(results, out_dir / "soak_memory.png",
                        "shepherd-sheep, private memory while recording at --speed max"):
        print(f"soak: {out_dir / 'soak_memory.csv'}, plot {out_dir / 'soak_memory.png'}")
    for p in problems:
        print(f"soak: FAILED: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
