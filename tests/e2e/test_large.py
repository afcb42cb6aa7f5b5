"""32-bit limits with the real binaries (the armhf build runs the sheep under qemu): a time_start
after 2038 accepted and armed, and an input whose data lie beyond file offset 4 GiB checked and
replayed sample for sample.

The large inputs are sparse: HDF5 is made to place its data past 4 GiB without writing the space
in front of it, so each costs a few MB of a tmpfs or disk, not 4 GiB."""
import os
import pathlib
import shutil
import signal
import subprocess
import time
import uuid

import h5py
import numpy as np
import pytest
import yaml

from conftest import SHEEP_CMD, run_sheep, sheep_env, state
from emusupport import to_pru_units, write_input
from shepherd_checks import assert_valid_recording
from test_emulation import emulate

GIB = 2**30
START_2040 = 2222121600  # 2040-06-01T00:00:00Z


def start_sheep(sim, task, env):
    return subprocess.Popen(
        [*SHEEP_CMD, "--sysfs-root", str(sim.sysfs), "--mem-device", str(sim.mem), "run",
         "--start-delay", "2", "--no-status", str(task)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=sheep_env(sim, env))


def wait_for_state(sim, proc, wanted, timeout_s=300):
    """Waits until the simulator's state file says wanted; fails if the sheep ends first. The
    limit only keeps a broken run from hanging the suite (qemu on a slow machine is slow)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if state(sim) == wanted:
            return
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"the sheep ended ({proc.returncode}) before '{wanted}':\n{out}\n{err}")
        time.sleep(0.05)
    proc.kill()
    pytest.fail(f"the simulator never reached '{wanted}': {proc.communicate()}")


@pytest.mark.parametrize("time_start", ["2040-06-01T00:00:00Z", str(START_2040)])
def test_time_start_in_2040_is_accepted_and_armed(sim_factory, tmp_path, time_start):
    sim = sim_factory("--verbose")  # logs every sysfs write with its value
    out_dir = tmp_path / "recordings"
    task = tmp_path / "task.yaml"
    # written by hand, unquoted, as a user writes it (YAML 1.1 would read it as a timestamp)
    task.write_text("datatype: HarvestTask\nparameters:\n"
                    f"  output_path: {out_dir}/\n  time_start: {time_start}\n  duration: 10\n")
    proc = start_sheep(sim, task, {"TZ": "UTC"})
    wait_for_state(sim, proc, "armed")
    # while it waits for 2040: the file is there, named after the start
    names = [p.name for p in out_dir.glob("*.h5")]
    assert names == ["hrv_2040-06-01_00-00-00.h5"], names
    # its skeleton is on disk: the config holds the resolved start, as the task dump wrote it
    with h5py.File(out_dir / names[0], "r") as f:
        config = f.attrs["config"]
    assert "time_start: 2040-06-01 00:00:00+00:00\n" in config, config
    assert yaml.safe_load(config)["time_start"].timestamp() == START_2040
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 4, (proc.returncode, out, err)
    assert "start at 2040-06-01 00:00:00+00:00, duration 10.00 s" in err, err
    assert "Traceback" not in err and "runtime error" not in err
    assert (sim.sysfs / "state").read_text().strip() == "idle"  # the PRU was stopped
    assert not list(out_dir.glob("*.h5"))  # nothing recorded: no file left behind
    assert sim.stop() == 0
    sim_log = sim.proc.stderr.read()
    # the PRU was armed for exactly that second (the simulator refuses anything in the past)
    assert f"time_start <- '{START_2040}'" in sim_log, sim_log
    assert "rejected" not in sim_log, sim_log


def large_file_dir(need_bytes):
    """A directory for sparse files past 4 GiB: /dev/shm, else /tmp; skips if neither has room
    (sparse: need_bytes; a file system without holes would need the whole 4 GiB)."""
    for base in ("/dev/shm", "/tmp"):
        if not os.path.isdir(base):
            continue
        d = pathlib.Path(base) / f"sheep-large-{uuid.uuid4().hex[:10]}"
        d.mkdir()
        probe = d / "probe"
        with open(probe, "wb") as f:
            f.truncate(GIB)
        sparse = os.stat(probe).st_blocks * 512 < GIB // 2
        probe.unlink()
        free = shutil.disk_usage(d).free
        if free >= (need_bytes if sparse else 4 * GIB + need_bytes):
            return d
        d.rmdir()
    pytest.skip("neither /dev/shm nor /tmp has room for a sparse input past 4 GiB")


def write_far_input(path, layout, voltage_uv, current_na, t0_ns):
    """A harvest recording of the fixtures' layout whose data lie past file offset 4 GiB.

    hole: a 4 GiB contiguous dataset is allocated first (early, never filled: a hole) and
    deleted after the data were written, so the data's addresses in the file are past 4 GiB.
    userblock: a 4 GiB user block in front of the superblock; HDF5 addresses are relative to
    the superblock, so every read goes past 4 GiB in the file."""
    def allocate_pad(f):
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_layout(h5py.h5d.CONTIGUOUS)
        dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)
        dcpl.set_fill_time(h5py.h5d.FILL_TIME_NEVER)
        h5py.h5d.create(f.id, b"pad", h5py.h5t.NATIVE_UINT8,
                        h5py.h5s.create_simple((4 * GIB + 2**20,)), dcpl=dcpl)

    def free_pad(f):
        f.flush()  # the chunk cache's chunks get their addresses now, not in the freed pad
        del f["pad"]

    if layout == "hole":
        write_input(path, voltage_uv, current_na, t0=t0_ns, before=allocate_pad,
                    after=free_pad)
    else:
        write_input(path, voltage_uv, current_na, t0=t0_ns,
                    file_kwargs={"userblock_size": 4 * GIB})


def file_offsets(path, name):
    """The file offsets of every chunk of a dataset (HDF5 addresses plus the user block)."""
    with h5py.File(path, "r") as f:
        ds = f[name]
        base = f.userblock_size
        return [base + ds.id.get_chunk_info(k).byte_offset
                for k in range(ds.id.get_num_chunks())]


@pytest.mark.parametrize("layout", ["hole", "userblock"])
def test_input_past_4_gib_is_checked_and_replayed_exactly(sim_factory, tmp_path, layout):
    n = 150_000  # 1.5 s, 15 chunks per dataset
    rng = np.random.default_rng(4)
    v = rng.integers(0, 5_000_000, n, dtype=np.uint32)  # uV
    i = rng.integers(0, 50_000_000, n, dtype=np.uint32)  # nA
    t0_ns = 1_700_000_000 * 10**9
    d = large_file_dir(64 * 2**20)
    source = d / f"far_{layout}.h5"
    try:
        write_far_input(source, layout, v, i, t0_ns)
        st = os.stat(source)
        assert st.st_size > 4 * GIB
        for name in ("data/time", "data/voltage", "data/current"):
            offsets = file_offsets(source, name)
            assert len(offsets) == 15 and min(offsets) >= 4 * GIB, (name, offsets)

        res = run_sheep(None, "check", str(source), env={"TZ": "UTC"})
        assert res.returncode == 0, res.stderr
        assert f"{source}: ok" in res.stdout
        assert (f"{n} samples (1.5 s), first sample 2023-11-14 22:13:20+00:00"
                in res.stdout), res.stdout

        sim = sim_factory("--emulation", "loopback")
        res, path = emulate(sim, tmp_path, source)
        assert res.returncode == 0, res.stderr
        assert f"input:     {n} samples replayed, 0 stale" in res.stdout, res.stdout
    finally:
        source.unlink(missing_ok=True)
        d.rmdir()
    assert assert_valid_recording(path) == n
    with h5py.File(path, "r") as f:
        # loopback stores the input as PRU0 received it: the sheep's uV / nA conversion
        np.testing.assert_array_equal(f["data/voltage"][:], to_pru_units(v, 1e-6, 0.0, 1e6))
        np.testing.assert_array_equal(f["data/current"][:], to_pru_units(i, 1e-9, 0.0, 1e9))
        t = f["data/time"][:]
        assert len(t) == n and t[0] % 10**9 == 0 and np.all(np.diff(t) == 10000)
