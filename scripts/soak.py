#!/usr/bin/python3
"""Soak test (not part of CI): one harvest from the simulator at full speed until the file is
past 4 GiB and the sample counter past 2^32, then a check of the whole file.

  scripts/soak.py [--build build] [--dir /var/tmp/sheep-soak] [--samples N] [--keep]

The simulator runs with --speed max --no-overrun (lock-step), so the sheep is pushed as fast as
it can write and nothing may be lost. The check reads the file back in blocks: every timestamp
follows the previous one by 10 us, the count is exact, and sampled blocks carry exactly the
simulator's signal. Prints file size, samples, time taken and the sheep's summary.
"""
import argparse
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import time

import h5py
import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "e2e"))
from simsignal import harvest_codes  # noqa: E402

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


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=str(HERE.parent / "build"))
    ap.add_argument("--dir", default="/var/tmp/sheep-soak")
    ap.add_argument("--samples", type=int, default=2**32 + 10_000_000,
                    help="samples to record (default: 2^32 + 10 M, a multiple of 10 000)")
    ap.add_argument("--keep", action="store_true", help="keep the recording")
    args = ap.parse_args()
    build = pathlib.Path(args.build)
    out_dir = pathlib.Path(args.dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / "soak.h5"
    if out.exists():
        out.unlink()
    need = args.samples * 4.2  # bytes per sample with shuffle + lzf, and some margin
    free = shutil.disk_usage(out_dir).free
    if free < need:
        sys.exit(f"soak: {out_dir} has {free / 2**30:.1f} GiB free, needs ~{need / 2**30:.1f}")

    root = pathlib.Path("/dev/shm/sheep-soak-sim")
    sim = subprocess.Popen([str(build / "shepherd-pru-sim"), "--root", str(root), "--speed",
                            "max", "--no-overrun"], stdout=subprocess.PIPE, text=True)
    for line in sim.stdout:
        if line.strip() == "ready":
            break
    task = out_dir / "soak.yaml"
    duration = args.samples / 100_000
    task.write_text(f"datatype: HarvestTask\nparameters:\n  output_path: {out}\n"
                    f"  duration: {duration}\n  force_overwrite: true\n")
    t0 = time.monotonic()
    try:
        res = subprocess.run([str(build / "shepherd-sheep"), "--sysfs-root", str(root / "sysfs"),
                              "--mem-device", str(root / "mem"), "run", "--no-status",
                              "--monitors", "sheep", str(task)],
                             capture_output=True, text=True,
                             env=dict(os.environ, SHEPHERD_USAGE_LOG=str(out_dir / "u.csv")))
    finally:
        sim.send_signal(signal.SIGTERM)
        sim.wait()
    recorded_s = time.monotonic() - t0
    print(res.stdout)
    if res.returncode != 0:
        print(res.stderr[-4000:])
        sys.exit(f"soak: the sheep exited {res.returncode}")

    t1 = time.monotonic()
    checked, n = check_recording(out, args.samples, 0.05)
    size = out.stat().st_size
    print(f"soak: {n:,} samples (2^32 = {2**32:,}), file {size / 2**30:.2f} GiB, "
          f"recorded in {recorded_s:.0f} s ({n / recorded_s / 1e6:.1f} M samples/s), "
          f"checked in {time.monotonic() - t1:.0f} s ({checked:,} samples compared with the "
          f"signal, every timestamp checked): OK")
    if not args.keep:
        out.unlink()


if __name__ == "__main__":
    main()
