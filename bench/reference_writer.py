#!/usr/bin/python3
"""The user's alternative to the sheep, as the benchmark's yardstick: numpy + h5py.

Records a harvest exactly as shepherd-sheep does (same sysfs protocol, same ring, same checks
of every timestamp, same datasets, chunking and filters), the way a Python user would write it:
numpy views of the ring, h5py datasets resized and sliced per 10 000-sample chunk. Runs on
Debian's python3-h5py. Prints the same summary lines as the sheep, so the benchmark reads both
the same way. Not a product: no task files, harvest only, fails loudly.
"""
import argparse
import logging
import math
import mmap
import os
import sys
import time

import h5py  # the imports are part of the cost, as they were for the predecessor
import numpy as np

N_OUT = 600000
CHUNK = 10000
N_UTIL = 400
IV_OUT, GPIO, UTIL = 8388620, 8388620 + 9600008, 8388620 + 9600008 + 30000008
SIZE = 47998244
CANARY = 0xDEBAC1E5
CANARIES = (8388616, IV_OUT + 9600004, GPIO + 30000004, UTIL + 9604)
TIME_DESC = "system time [s] = value * gain + (offset)"

log = logging.getLogger("reference")


class Sysfs:
    def __init__(self, root):
        self.root = root

    def read(self, name):
        fd = os.open(os.path.join(self.root, name), os.O_RDONLY | os.O_NONBLOCK)
        try:
            return os.read(fd, 4096).decode().strip()
        except BlockingIOError:
            return ""
        finally:
            os.close(fd)

    def write(self, name, text):
        with open(os.path.join(self.root, name), "w") as f:
            f.write(text)

    def wait_state(self, wanted, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.read("state") in wanted:
                return
            time.sleep(0.01)
        raise RuntimeError(f"state {self.read('state')} instead of {wanted}")

    def drain(self):
        empty = 0
        while empty < 2:
            if len(self.read("pru_msg_box").split()) < 2:
                empty += 1
                time.sleep(0.02)


def create_file(path, compression, shuffle):
    comp = {"none": None, "lzf": "lzf", "gzip1": "gzip"}[compression]
    opts = {"compression": comp, "shuffle": shuffle and comp is not None}
    if comp == "gzip":
        opts["compression_opts"] = 1
    f = h5py.File(path, "w")
    f.attrs["mode"] = "harvester"
    f.attrs["hostname"] = os.uname().nodename
    f.attrs["config"] = f"reference writer\ncompression: {compression}\n"
    data = f.create_group("data")
    data.attrs["datatype"] = "ivtrace"
    data.attrs["window_samples"] = 0
    sets = {}
    for name, dtype, unit, desc, gain in (
            ("time", "u8", "s", TIME_DESC, 1e-9),
            ("current", "u4", "A", "current [A] = value * gain + offset", 1 / 4915200),
            ("voltage", "u4", "V", "voltage [V] = value * gain + offset", 1 / 51200)):
        ds = data.create_dataset(name, (0,), dtype=dtype, maxshape=(None,), chunks=(CHUNK,),
                                 **opts)
        ds.attrs.update({"unit": unit, "description": desc, "gain": gain, "offset": 0.0})
        sets[name] = ds
    util = f.create_group("pru_util")
    ut = util.create_dataset("time", (0,), dtype="u8", maxshape=(None,), chunks=(100,), **opts)
    ut.attrs.update({"unit": "s", "description": TIME_DESC, "gain": 1e-9, "offset": 0.0})
    uv = util.create_dataset("values", (0, 3), dtype="u2", maxshape=(None, 3), chunks=(100, 3),
                             **opts)
    for group in ("gpio", "sheep", "uart", "sys_util", "kernel", "ptp", "phc2sys", "ntp"):
        f.create_group(group)
    return f, sets, ut, uv


def append(ds, values):
    n = ds.shape[0]
    ds.resize((n + len(values),) + ds.shape[1:])
    ds[n:] = values


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sysfs-root", required=True)
    ap.add_argument("--mem-device", required=True)
    ap.add_argument("--output", required=True)
    ap.add_argument("--duration", type=float, required=True)
    ap.add_argument("--compression", choices=("none", "lzf", "gzip1"), default="lzf")
    ap.add_argument("--no-shuffle", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)-8s %(message)s")

    sysfs = Sysfs(args.sysfs_root)
    base = int(sysfs.read("memory/iv_inp_address"))
    page = mmap.PAGESIZE
    fd = os.open(args.mem_device, os.O_RDWR | os.O_SYNC)
    mem = mmap.mmap(fd, SIZE + base % page, offset=base - base % page)
    os.close(fd)
    buf = np.frombuffer(mem, dtype=np.uint8)[base % page:]
    idx = buf[IV_OUT:IV_OUT + 4].view(np.uint32)
    ts_ring = buf[IV_OUT + 4:IV_OUT + 4 + 8 * N_OUT].view(np.uint64)
    v_ring = buf[IV_OUT + 4800004:IV_OUT + 4800004 + 4 * N_OUT].view(np.uint32)
    i_ring = buf[IV_OUT + 7200004:IV_OUT + 7200004 + 4 * N_OUT].view(np.uint32)
    util_idx = buf[UTIL:UTIL + 4].view(np.uint32)
    util_ts = buf[UTIL + 4:UTIL + 4 + 8 * N_UTIL].view(np.uint64)
    util_cols = [buf[UTIL + off:UTIL + off + 4 * N_UTIL].view(np.uint32)
                 for off in (3204, 4804, 6404, 8004)]

    if sysfs.read("state") != "idle":
        sysfs.write("time_stop", "now")
        sysfs.wait_state(("idle",), 5)
    # a harvest needs PRU0's HRV firmware (the predecessor loads it for every harvest)
    if sysfs.read("pru0_firmware") != "am335x-pru0-shepherd-HRV-fw":
        sysfs.write("pru0_firmware", "am335x-pru0-shepherd-HRV-fw")
        time.sleep(0.3)
        sysfs.wait_state(("idle",), 5)
    sysfs.write("mode", "harvester")
    time.sleep(0.02)
    sysfs.wait_state(("idle",), 5)
    sysfs.write("gpio_tracer_mask", "0")
    sysfs.drain()
    buf[IV_OUT:IV_OUT + 9600004] = 0
    buf[UTIL:UTIL + 9604] = 0
    buf[GPIO:GPIO + 4] = 0
    for off in CANARIES:
        buf[off:off + 4].view(np.uint32)[0] = CANARY

    f, sets, ut, uv = create_file(args.output, args.compression, not args.no_shuffle)
    start = math.ceil(time.time() + 1.5)
    start_ns = start * 1_000_000_000
    end_ns = start_ns + round(args.duration * 100000) * 10000
    sysfs.write("time_start", str(start))
    sysfs.wait_state(("armed", "starting", "running"), 2)
    armed_mono = time.monotonic()
    sysfs.write("time_stop", str(math.ceil(end_ns / 1e9)))
    # running, or already data in the ring (a fast simulator can finish a short run quickly)
    deadline = time.monotonic() + start - time.time() + 15
    while sysfs.read("state") != "running" and int(idx[0]) == 0:
        if time.monotonic() > deadline:
            raise RuntimeError(f"PRU did not start: state {sysfs.read('state')}")
        time.sleep(0.01)

    expected = start_ns
    nxt = 0
    lost = written = 0
    first_latency = None
    marks = np.arange(0, CHUNK, 1000)
    util_next = 0
    while expected < end_ns:
        avail = (int(idx[0]) - nxt) % N_OUT
        if avail < CHUNK and not (avail and expected + avail * 10000 >= end_ns):
            time.sleep(0.05)
            continue
        n = min(avail, CHUNK)
        ts = ts_ring[nxt:nxt + n].copy()
        v = v_ring[nxt:nxt + n].copy()
        i = i_ring[nxt:nxt + n].copy()
        if first_latency is None:
            first_latency = (time.time() * 1e9 - start_ns) / 1e6
        if int(ts[0]) != expected or (n > 1 and not np.all(np.diff(ts) == 10000)):
            gap = int(ts[0]) - expected
            lost += max(gap // 10000, 0)
            log.error("timestamps do not continue: expected %d, found %d", expected, ts[0])
        keep = ts < end_ns
        if not keep.all():
            ts, v, i = ts[keep], v[keep], i[keep]
        append(sets["time"], ts)
        append(sets["voltage"], v)
        append(sets["current"], i)
        written += len(ts)
        ts_ring[nxt + marks[marks < n]] = 0  # consumer marks, as the sheep clears them
        expected = int(ts[-1]) + 10000
        nxt = (nxt + n) % N_OUT
        log.debug("chunk of %d samples written, %d in total", n, written)
        u_avail = (int(util_idx[0]) - util_next) % N_UTIL
        if u_avail:
            k = (util_next + np.arange(u_avail)) % N_UTIL
            rows = np.stack([util_cols[1][k] // np.maximum(util_cols[2][k], 1),
                             util_cols[0][k], util_cols[3][k]], axis=1).astype(np.uint16)
            sel = (util_ts[k] > start_ns) & (util_ts[k] <= end_ns)
            append(ut, util_ts[k][sel])
            append(uv, rows[sel])
            util_next = int((k[-1] + 1) % N_UTIL)
    if sysfs.read("state") != "idle":
        sysfs.write("time_stop", "now")
    f.close()
    ok = all(buf[off:off + 4].view(np.uint32)[0] == CANARY for off in CANARIES)
    size = os.path.getsize(args.output)
    print(f"recording: {args.output}")
    print(f"samples:   {written} ({written / 1e5:.1f} s), lost {lost}, dropped 0")
    print(f"file size: {size / 1e6:.2f} MB ({size / (written / 1e5) / 1e3:.1f} kB per recorded "
          f"second)")
    print(f"timing: armed_mono={armed_mono:.6f} first_sample_ms={first_latency:.3f}")
    return 0 if ok and lost == 0 else 3


if __name__ == "__main__":
    sys.exit(main())
