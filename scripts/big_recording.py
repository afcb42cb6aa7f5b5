#!/usr/bin/python3
"""A harvest recording past 2 GiB with the armhf sheep under qemu (not part of CI): what a 32-bit
long or off_t gets wrong shows past 2^31 bytes.

  scripts/big_recording.py [--build-armhf build-armhf] [--build build] [--seconds 1400]
                           [--dir /var/tmp/sheep-big] [--emulator "qemu-arm -cpu cortex-a8"]
                           [--keep]

As scripts/soak.py, it records from the native simulator at full speed in lock-step
(--speed max --no-overrun: nothing may be lost), here uncompressed (16 bytes a sample: 1400 s are
2.24 GB), with the sheep of the cross build under user-mode qemu (--emulator "" runs it
natively). Then it checks that the summary's "file size" is the file's size (os.stat), that the
free-space reserve was given back (no blocks allocated past the end), and that the file opens in
h5py with the exact sample count, every timestamp 10 us after the previous one, and sampled
blocks carrying exactly the simulator's signal. Prints the times taken, the size and the sheep's
summary; the recording is deleted unless --keep.
"""
import argparse
import os
import pathlib
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time


HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from soak import check_recording  # noqa: E402
from memory_soak import read_env_file  # noqa: E402  (bench/, which soak puts on the path)

BYTES_PER_SAMPLE = 16  # time u8 + voltage u4 + current u4, uncompressed


def start_simulator(sim_bin, root):
    # the integer formula, whose file size per second the --seconds default was sized for
    sim = subprocess.Popen([str(sim_bin), "--root", str(root), "--speed", "max",
                            "--no-overrun", "--harvest", "formula"], stdout=subprocess.PIPE,
                           text=True)
    for line in sim.stdout:
        if line.strip() == "ready":
            return sim
    sys.exit(f"big_recording: the simulator did not start (exit {sim.wait()})")


def record(args, out, samples):
    """Runs the sheep against a fresh simulator; returns (result, seconds taken)."""
    root = pathlib.Path(f"/dev/shm/sheep-big-sim-{os.getpid()}")
    sim = start_simulator(pathlib.Path(args.build) / "shepherd-pru-sim", root)
    task = out.with_suffix(".yaml")
    task.write_text(f"datatype: HarvestTask\nparameters:\n  output_path: {out}\n"
                    f"  duration: {samples / 100_000}\n  output_compression: null\n"
                    f"  force_overwrite: true\n")
    cmd = [*shlex.split(args.emulator), str(pathlib.Path(args.build_armhf) / "shepherd-sheep"),
           "--sysfs-root", str(root / "sysfs"), "--mem-device", str(root / "mem"), "run",
           "--no-status", "--start-delay", "2", "--monitors", "sheep", str(task)]
    t0 = time.monotonic()
    try:
        env = dict(os.environ, **read_env_file(root / "env"))  # the simulator's variables
        env["SHEPHERD_USAGE_LOG"] = str(out.parent / "u.csv")
        res = subprocess.run(cmd, capture_output=True, text=True, env=env)
    finally:
        sim.send_signal(signal.SIGTERM)
        sim.wait()
        task.unlink(missing_ok=True)
    return res, time.monotonic() - t0


def check_summary(stdout, size, samples):
    """The summary's file size (MB with two decimals) and sample count against the file."""
    m = re.search(r"^file size: ([0-9.]+) MB", stdout, re.M)
    assert m, stdout
    summary_bytes = float(m.group(1)) * 1e6
    assert abs(summary_bytes - size) <= 5000, (m.group(0), size)  # 0.005 MB: the rounding
    assert f"samples:   {samples} (" in stdout and "lost 0, dropped 0" in stdout, stdout
    return m.group(0)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build-armhf", default=str(HERE.parent / "build-armhf"),
                    help="the cross build holding shepherd-sheep")
    ap.add_argument("--build", default=str(HERE.parent / "build"),
                    help="the native build holding shepherd-pru-sim")
    ap.add_argument("--emulator", default="qemu-arm -cpu cortex-a8",
                    help='how to run the sheep ("" = directly)')
    ap.add_argument("--seconds", type=int, default=1400,
                    help="recorded seconds (default 1400: 2.24 GB, past 2^31 bytes)")
    ap.add_argument("--dir", default="/var/tmp/sheep-big")
    ap.add_argument("--keep", action="store_true", help="keep the recording")
    args = ap.parse_args()
    samples = args.seconds * 100_000
    out_dir = pathlib.Path(args.dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / "big.h5"
    out.unlink(missing_ok=True)
    need = samples * BYTES_PER_SAMPLE * 1.05
    free = shutil.disk_usage(out_dir).free
    if free < need:
        sys.exit(f"big_recording: {out_dir} has {free / 2**30:.1f} GiB free, needs "
                 f"~{need / 2**30:.1f}")

    try:
        res, recorded_s = record(args, out, samples)
        print(res.stdout, end="")
        if res.returncode != 0:
            print(res.stderr[-4000:])
            sys.exit(f"big_recording: the sheep exited {res.returncode}")
        size = os.stat(out).st_size
        if size <= 2**31:
            print(f"big_recording: only {size:,} bytes, not past 2 GiB: use --seconds 1400")
        summary = check_summary(res.stdout, size, samples)
        # the free-space reserve beyond the end (fallocate) was given back at close
        allocated = os.stat(out).st_blocks * 512
        assert allocated <= size + 2**20, f"{allocated - size:,} bytes still allocated past the end"
        t1 = time.monotonic()
        compared, _ = check_recording(out, samples, 0.1)
        print(f"big_recording: {samples:,} samples, file {size:,} bytes ({size / 2**30:.2f} GiB, "
              f"2^31 = {2**31:,}, {allocated:,} allocated: no reserve left); summary '{summary}' "
              f"matches os.stat; recorded in "
              f"{recorded_s:.0f} s ({samples / recorded_s / 1e6:.2f} M samples/s, "
              f"{args.seconds / recorded_s:.0f} x real time), checked in "
              f"{time.monotonic() - t1:.0f} s ({compared:,} samples compared with the signal, "
              f"every timestamp checked): OK")
    finally:
        if not args.keep:
            out.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
