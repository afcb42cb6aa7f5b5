"""Harvest recordings from the simulator, read back with h5py."""
import datetime
import hashlib
import os
import pty
import subprocess
import time

import h5py
import numpy as np
import pytest
import yaml

from conftest import SHEEP, harvest, run_sheep, write_task
from shepherd_checks import assert_valid_recording
from simsignal import harvest_codes, util_rows

# (task output_compression, shuffle on?) -> expected h5py compression name
VARIANTS = {
    "none": (None, False),
    "lzf": ("lzf", False),
    "gzip1": ("1", False),
    "shuffle-lzf": ("lzf", True),
    "shuffle-gzip1": ("1", True),
}
SEED = 7


def check_recording(path, duration, seed, variant):
    compression, shuffle = VARIANTS[variant]
    name = {None: "none", "lzf": "lzf", "1": "gzip1"}[compression]
    n = assert_valid_recording(path, compression=name, shuffle=shuffle)
    assert n == round(duration * 100000)
    with h5py.File(path, "r") as f:
        t = f["data/time"][:]
        start_ns = int(t[0])
        assert start_ns % 1_000_000_000 == 0, "first sample must be at the start second"
        expected_t = np.uint64(start_ns) + np.arange(n, dtype=np.uint64) * np.uint64(10000)
        assert np.array_equal(t, expected_t)
        v, i = harvest_codes(seed, t)
        assert np.array_equal(f["data/voltage"][:], v)
        assert np.array_equal(f["data/current"][:], i)
        config = yaml.safe_load(f.attrs["config"])
        assert config["duration"] == duration
        cfg_start = config["time_start"]
        if isinstance(cfg_start, str):
            cfg_start = datetime.datetime.fromisoformat(cfg_start)
        assert int(cfg_start.timestamp()) * 1_000_000_000 == start_ns
        assert f["data"].attrs["datatype"] == "ivtrace"
        assert f["data"].attrs["window_samples"] == 0
        assert f.attrs["mode"] == "harvester"
        # one PRU utilisation row per 100 ms window, exactly what the simulator reported
        ut = f["pru_util/time"][:].astype(np.int64)
        uv = f["pru_util/values"][:]
        assert uv.shape[1] == 3 and len(ut) == len(uv)
        assert duration * 10 - 2 <= len(ut) <= duration * 10
        assert np.all(np.diff(ut) == 100_000_000)
        windows = (ut - start_ns) // 100_000_000 - 1
        assert np.array_equal(uv, util_rows(seed, windows))


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_harvest_3s_real_time(sim_factory, tmp_path, variant):
    sim = sim_factory("--seed", str(SEED))
    compression, shuffle = VARIANTS[variant]
    extra = () if shuffle else ("--no-shuffle",)
    res, path = harvest(sim, tmp_path, 3, extra_args=extra, output_compression=compression)
    assert res.returncode == 0, res.stderr
    assert "lost 0" in res.stdout
    check_recording(path, 3, SEED, variant)


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_harvest_30s_at_speed_10(sim_factory, tmp_path, variant):
    sim = sim_factory("--seed", str(SEED + 1), "--speed", "10")
    compression, shuffle = VARIANTS[variant]
    extra = () if shuffle else ("--no-shuffle",)
    res, path = harvest(sim, tmp_path, 30, extra_args=extra, output_compression=compression)
    assert res.returncode == 0, res.stderr
    check_recording(path, 30, SEED + 1, variant)


def test_default_compression_is_shuffle_lzf(sim, tmp_path):
    res, path = harvest(sim, tmp_path, 1)
    assert res.returncode == 0, res.stderr
    with h5py.File(path, "r") as f:
        assert f["data/voltage"].compression == "lzf"
        assert f["data/voltage"].shuffle


def test_shuffle_env_switch(sim, tmp_path):
    task = write_task(tmp_path / "t.yaml", output_path=str(tmp_path / "x.h5"), duration=1)
    res = run_sheep(sim, "run", "--start-delay", "1", str(task), env={"SHEPHERD_SHUFFLE": "0"})
    assert res.returncode == 0, res.stderr
    with h5py.File(tmp_path / "x.h5", "r") as f:
        assert not f["data/current"].shuffle


def test_directory_output_gets_start_time_name(sim, tmp_path):
    out = tmp_path / "recordings"
    out.mkdir()
    res, path = harvest(sim, tmp_path, 1, output_path=str(out))
    assert res.returncode == 0, res.stderr
    assert path.parent == out
    with h5py.File(path, "r") as f:
        start = int(f["data/time"][0]) // 1_000_000_000
    stamp = datetime.datetime.fromtimestamp(start).strftime("%Y-%m-%d_%H-%M-%S")
    assert path.name == f"hrv_{stamp}.h5"


def test_existing_recording_is_kept(sim, tmp_path):
    target = tmp_path / "rec.h5"
    res, first = harvest(sim, tmp_path, 1, output_path=str(target))
    assert res.returncode == 0 and first == target
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    res, second = harvest(sim, tmp_path, 1, output_path=str(target))
    assert res.returncode == 0, res.stderr
    assert second == tmp_path / "rec.0.h5"
    assert hashlib.sha256(target.read_bytes()).hexdigest() == digest
    res, third = harvest(sim, tmp_path, 1, output_path=str(target), force_overwrite=True)
    assert res.returncode == 0 and third == target
    assert hashlib.sha256(target.read_bytes()).hexdigest() != digest


def test_power_tracing_window(sim, tmp_path):
    res, path = harvest(sim, tmp_path, 2, power_tracing={"delay": 0.5, "duration": 1.0})
    assert res.returncode == 0, res.stderr
    with h5py.File(path, "r") as f:
        t = f["data/time"][:]
        config = yaml.safe_load(f.attrs["config"])
    start = config["time_start"]
    start_ns = int(start.timestamp()) * 1_000_000_000
    assert len(t) == 100000
    assert int(t[0]) == start_ns + 500_000_000
    assert int(t[-1]) == start_ns + 1_500_000_000 - 10000


def test_explicit_time_start(sim, tmp_path):
    start = int(time.time()) + 3
    res, path = harvest(sim, tmp_path, 1, time_start=start)
    assert res.returncode == 0, res.stderr
    with h5py.File(path, "r") as f:
        assert int(f["data/time"][0]) == start * 1_000_000_000


def test_environment_selects_the_node(sim, tmp_path):
    task = write_task(tmp_path / "t.yaml", output_path=str(tmp_path / "e.h5"), duration=1)
    res = run_sheep(None, "run", "--start-delay", "1", str(task),
                    env={"SHEPHERD_SYSFS_ROOT": str(sim.sysfs),
                         "SHEPHERD_MEM_DEVICE": str(sim.mem)})
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "e.h5").exists()


def test_plain_log_lines_off_a_terminal(sim, tmp_path):
    res, _ = harvest(sim, tmp_path, 1)
    assert res.returncode == 0
    assert "\r" not in res.stderr
    assert "recording to" in res.stderr
    assert "samples:" in res.stdout and "file size:" in res.stdout


def test_live_status_line_on_a_terminal(sim, tmp_path):
    task = write_task(tmp_path / "t.yaml", output_path=str(tmp_path / "tty.h5"), duration=2)
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [SHEEP, "--sysfs-root", str(sim.sysfs), "--mem-device", str(sim.mem), "run",
         "--start-delay", "1", str(task)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(master)
    screen = b"".join(chunks).decode(errors="replace")
    assert proc.returncode == 0, screen
    assert "\r" in screen
    assert "elapsed" in screen and "ring" in screen and "lost 0" in screen


def test_version_and_help():
    res = run_sheep(None, "--version")
    assert res.returncode == 0
    assert res.stdout.startswith("shepherd-sheep ")
    res = run_sheep(None, "--help")
    assert res.returncode == 0 and "run [CONFIG]" in res.stdout and "Exit codes" in res.stdout
    res = run_sheep(None, "run", "--help")
    assert res.returncode == 0 and "--no-shuffle" in res.stdout
