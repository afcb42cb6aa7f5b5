"""Our HDF5 reader and LZF filter against h5py, in both directions."""
import subprocess

import h5py
import numpy as np
import pytest

from conftest import FIXTURES, H5CAT, H5GEN, harvest
from shepherd_checks import assert_valid_recording

REFERENCE_FILES = sorted(FIXTURES.glob("*.h5"))
DATASETS = ("/data/time", "/data/voltage", "/data/current")


def h5cat(path, dataset):
    res = subprocess.run([H5CAT, str(path), dataset], capture_output=True, timeout=60)
    assert res.returncode == 0, res.stderr.decode()
    return res.stdout


def test_fixtures_are_present():
    names = {p.name for p in REFERENCE_FILES}
    assert {"reference_hrv_2s_gzip1.h5", "reference_hrv_2s_lzf.h5",
            "reference_hrv_2s_none.h5"} <= names


@pytest.mark.parametrize("path", REFERENCE_FILES, ids=lambda p: p.name)
def test_reference_fixtures_decode_identically(path):
    with h5py.File(path, "r") as f:
        for name in DATASETS:
            ours = h5cat(path, name)
            theirs = f[name][:]
            assert len(theirs) == 200000
            assert ours == theirs.astype(theirs.dtype.newbyteorder("<")).tobytes(), name


@pytest.mark.parametrize("path", REFERENCE_FILES, ids=lambda p: p.name)
def test_reference_fixtures_pass_our_format_checks(path):
    """The checks the other tests apply to our files accept the reference writer's files."""
    compression = path.stem.rsplit("_", 1)[1]
    assert assert_valid_recording(path, compression=compression, shuffle=False,
                                  sheep_groups=False) == 200000


@pytest.mark.parametrize("compression", ["lzf", "gzip1", "none"])
@pytest.mark.parametrize("shuffle", ["shuffle", "plain"])
@pytest.mark.parametrize("content", ["ramp", "random"])
def test_our_files_decode_in_h5py(tmp_path, compression, shuffle, content):
    out = tmp_path / "gen.h5"
    res = subprocess.run([H5GEN, str(out), compression, shuffle, content],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    with h5py.File(out, "r") as f:
        for name in ("time", "voltage", "current"):
            ds = f["data"][name]
            want = (tmp_path / f"gen.h5.{name}").read_bytes()
            assert ds[:].tobytes() == want, name
            assert ds.compression == {"lzf": "lzf", "gzip1": "gzip", "none": None}[compression]
            assert ds.shuffle == (shuffle == "shuffle" and compression != "none")


@pytest.mark.parametrize("shuffle", [True, False])
def test_h5py_lzf_files_decode_in_ours(tmp_path, shuffle):
    """h5py's own LZF encoder, including chunks it could not compress (stored raw)."""
    path = tmp_path / "h5py.h5"
    rng = np.random.default_rng(3)
    data = {
        "/data/time": np.arange(30000, dtype=np.uint64) * 10000 + 1_700_000_000_000_000_000,
        "/data/voltage": rng.integers(0, 2**32, 30000, dtype=np.uint64).astype(np.uint32),
        "/data/current": (np.arange(30000) % 977).astype(np.uint32),
    }
    with h5py.File(path, "w") as f:
        for name, values in data.items():
            f.create_dataset(name, data=values, chunks=(10000,), maxshape=(None,),
                             compression="lzf", shuffle=shuffle)
    for name, values in data.items():
        assert h5cat(path, name) == values.tobytes(), name


def test_recorded_lzf_files_decode_identically(sim, tmp_path):
    for extra in ((), ("--no-shuffle",)):
        res, path = harvest(sim, tmp_path, 1, extra_args=extra, output_compression="lzf",
                            output_path=str(tmp_path / f"rec{len(extra)}.h5"))
        assert res.returncode == 0, res.stderr
        with h5py.File(path, "r") as f:
            for name in DATASETS:
                assert h5cat(path, name) == f[name][:].tobytes(), name
