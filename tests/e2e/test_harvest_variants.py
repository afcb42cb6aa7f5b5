"""Harvest recordings for every compression variant, at real time and at 10x, checked sample by
sample against the simulator's signal."""
import datetime

import h5py
import numpy as np
import pytest
import yaml

from conftest import harvest
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
