#!/usr/bin/python3
"""Crash-state measurement at note scale (not part of CI; tests/e2e/test_crash_state.py is the
CI-sized version): records from the simulator under the I/O trace, rebuilds thousands of the
file images a power cut or a kill -9 can leave (model: tests/e2e/crash_images.py) and checks
each with h5py.

  scripts/crash_images.py [--build build] [--kind harvest|emulation|both] [--seconds 12]
                          [--random 2000] [--torn all] [--kill9 all] [--sync all] [--seed 1]
                          [--repair auto|none|CMD] [--durable-names] [--keep-failed DIR]
                          [--keep]
  scripts/crash_images.py --trace T.bin --recording DIR/NAME.h5 ...   (an existing trace)

Prints per kind of image (random and torn power cuts, exact prefixes after syncs and at every
write boundary, the commit references): images tried, readable, unusable by reason, and the
worst loss in samples and seconds against the last completed commit.
"""
import argparse
import atexit
import os
import pathlib
import random
import shlex
import shutil
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
E2E = HERE.parent / "tests" / "e2e"


def count(text):
    return None if text == "all" else int(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=str(HERE.parent / "build"))
    ap.add_argument("--kind", choices=["harvest", "emulation", "both"], default="both")
    ap.add_argument("--seconds", type=int, default=12)
    ap.add_argument("--gpio-rate", default="20000", help="simulated GPIO edges per second")
    ap.add_argument("--random", type=int, default=2000, help="power cuts at random indices")
    ap.add_argument("--torn", type=count, default=None,
                    help="power cuts between two writes of a burst (number or all)")
    ap.add_argument("--kill9", type=count, default=None,
                    help="exact prefixes at write boundaries (number or all)")
    ap.add_argument("--sync", type=count, default=None,
                    help="exact prefixes after syncs (number or all)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repair", default="auto",
                    help="auto (the sheep's `repair` if it has one), none, or a command")
    ap.add_argument("--durable-names", action="store_true",
                    help="take every create/rename/unlink as durable at once (ext4's journal "
                         "commits them within seconds) instead of after a directory fsync")
    ap.add_argument("--burst-gap-ms", type=float, default=5.0,
                    help="writes closer than this form one burst (commits without a journal)")
    ap.add_argument("--trace", help="an existing trace instead of a new recording")
    ap.add_argument("--recording", help="the finished recording of --trace")
    ap.add_argument("--keep-failed", help="copy the images that fail into this directory")
    ap.add_argument("--keep", action="store_true",
                    help="keep the recordings and their traces (under /var/tmp)")
    args = ap.parse_args()

    build = pathlib.Path(args.build).resolve()
    os.environ.setdefault("SHEEP_BIN", str(build / "shepherd-sheep"))
    os.environ.setdefault("SIM_BIN", str(build / "shepherd-pru-sim"))
    sys.path.insert(0, str(E2E))
    import crash_check as cc  # noqa: E402 - after the environment conftest reads
    import crash_images as ci  # noqa: E402
    from conftest import SHEEP_CMD  # noqa: E402

    if args.repair == "auto":
        repair = cc.repair_command(SHEEP_CMD)
    else:
        repair = None if args.repair == "none" else shlex.split(args.repair)
    print(f"repair: {' '.join(repair) if repair else 'none'}")

    if args.trace:
        runs = [(pathlib.Path(args.trace), pathlib.Path(args.recording))]
    else:
        shim = build / "io_trace.so"
        kinds = ["harvest", "emulation"] if args.kind == "both" else [args.kind]
        runs = []
        for kind in kinds:
            work = pathlib.Path(tempfile.mkdtemp(prefix=f"crash-{kind}-", dir="/var/tmp"))
            if not args.keep:
                atexit.register(shutil.rmtree, work, True)
            sim_args = ("--gpio-rate", args.gpio_rate) if kind == "emulation" else ()
            trace, rec, res = cc.record(kind, work, args.seconds, shim, sim_args=sim_args)
            if res.returncode != 0:
                sys.exit(f"{kind}: the recording failed: {res.stderr}")
            print(f"{kind}: {rec} ({rec.stat().st_size / 1e6:.2f} MB), trace {trace}")
            runs.append((trace, rec))

    for trace, rec in runs:
        records = ci.read_trace(trace)
        tl = ci.Timeline(records, rec.parent, burst_gap_ns=int(args.burst_gap_ms * 1e6))
        if args.durable_names:
            tl.name_syncs = sorted(set(tl.name_syncs) | set(tl.namespace))
        print(f"\n{rec.name}: calls {ci.trace_summary(records)}")
        mode = "journal" if tl.journal_mode else "ends of write bursts (no journal)"
        print(f"{len(tl.events)} events, {len(tl.commits)} commits: {mode}; "
              f"{len(tl.torn_cuts())} torn boundaries, {len(tl.write_cuts())} writes, "
              f"{len(tl.sync_cuts())} syncs")
        images = cc.choose_cuts(tl, random.Random(args.seed), args.random, args.torn,
                                args.kill9, args.sync)
        started = time.monotonic()
        results, refs, repair_rcs = cc.run_images(
            tl, images, rec, seed=args.seed, repair=repair, keep_failed=args.keep_failed,
            log=lambda m: print(m, file=sys.stderr))
        took = time.monotonic() - started
        print(f"{len(results)} images in {took:.1f} s"
              f"{f', repair exit codes {repair_rcs}' if repair else ''}")
        print(cc.summarize(results, ["commit", "random", "torn", "sync", "kill9"]))


if __name__ == "__main__":
    main()
