"""Input recordings for emulation: every usable file accepted, every damaged or foreign one
refused with a message that names the problem (`shepherd-sheep check`)."""
import shutil
import subprocess

import h5py
import numpy as np
import pytest

from conftest import FIXTURES, SHEEP_CMD, run_sheep

REFERENCE = FIXTURES / "reference_hrv_2s_lzf.h5"


def check(*paths):
    return run_sheep(None, "check", *[str(p) for p in paths])


def broken_copy(tmp_path, change, source=REFERENCE):
    path = tmp_path / "input.h5"
    shutil.copy(source, path)
    path.chmod(0o644)
    with h5py.File(path, "r+") as f:
        change(f)
    return path


def test_reference_recordings_are_accepted():
    res = check(*sorted(FIXTURES.glob("*.h5")))
    assert res.returncode == 0, res.stderr
    assert res.stdout.count(": ok") == 3
    assert "200000 samples (2.0 s)" in res.stdout
    assert "raw * 3e-09" in res.stdout  # the file's own calibration


def set_attr(obj, name, value):
    def change(f):
        f[obj].attrs[name] = value
    return change


def delete(name):
    def change(f):
        del f[name]
    return change


def delete_attr(obj, name):
    def change(f):
        del f[obj].attrs[name]
    return change


def shorten(name, n):
    def change(f):
        f[name].resize((n,))
    return change


def replace_float(name):
    def change(f):
        data = f[name][:].astype(np.float64)
        attrs = dict(f[name].attrs)
        del f[name]
        ds = f.create_dataset(name, data=data)
        ds.attrs.update(attrs)
    return change


@pytest.mark.parametrize("change,message", [
    (set_attr("/", "mode", "emulator"), "mode is 'emulator'"),
    (delete_attr("/", "mode"), "'mode' is missing"),
    (delete("/data/current"), "/data/current is missing"),
    (delete("/data"), "group /data is missing"),
    (set_attr("/data", "datatype", "ivsurface"), "datatype 'ivsurface'"),
    (delete_attr("/data", "datatype"), "no 'datatype'"),
    (set_attr("/data/voltage", "gain", 0.0), "gain must be > 0"),
    (set_attr("/data/current", "gain", -1e-9), "gain must be > 0"),
    (set_attr("/data/voltage", "offset", float("nan")), "offset finite"),
    (set_attr("/data/voltage", "gain", float("inf")), "gain must be > 0"),
    (delete_attr("/data/current", "gain"), "no numeric gain/offset"),
    (set_attr("/data/current", "gain", "big"), "no numeric gain/offset"),
    (shorten("/data/current", 150000), "differ in length"),
    (shorten("/data/time", 0), "differ in length"),
    (replace_float("/data/voltage"), "1-D integer dataset"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_bad_inputs_are_refused(tmp_path, change, message):
    path = broken_copy(tmp_path, change)
    res = check(path)
    assert res.returncode == 1
    assert message in res.stderr, res.stderr
    assert str(path) in res.stderr


def test_empty_recording_is_refused(tmp_path):
    def empty(f):
        for name in ("time", "voltage", "current"):
            f["data"][name].resize((0,))
    res = check(broken_copy(tmp_path, empty))
    assert res.returncode == 1 and "no samples" in res.stderr


def test_recording_longer_than_366_days_is_refused(tmp_path):
    """Its replay would be a run longer than the longest duration; the datasets grow sparsely
    (no chunk written), so the file stays small."""
    def grow(f):
        for name in ("time", "voltage", "current"):
            f["data"][name].resize((366 * 86400 * 100_000 + 1,))
    res = check(broken_copy(tmp_path, grow))
    assert res.returncode == 1
    assert "more than 366 days of samples" in res.stderr, res.stderr


@pytest.mark.parametrize("keep", [0.05, 0.3, 0.6, 0.9, 0.99])
def test_truncated_files_are_refused(tmp_path, keep):
    path = tmp_path / "cut.h5"
    data = REFERENCE.read_bytes()
    path.write_bytes(data[:int(len(data) * keep)])
    res = check(path)
    assert res.returncode == 1, res.stdout
    assert "damaged or truncated" in res.stderr or "not an HDF5 file" in res.stderr


def test_foreign_and_missing_files(tmp_path):
    (tmp_path / "text.h5").write_text("just text\n")
    with h5py.File(tmp_path / "other.h5", "w") as f:
        f["x"] = np.arange(10)
    res = check(tmp_path / "text.h5", tmp_path / "other.h5", tmp_path / "missing.h5")
    assert res.returncode == 1
    assert "not an HDF5 file" in res.stderr
    assert "'mode' is missing" in res.stderr
    assert "cannot be opened" in res.stderr


def test_check_usage():
    assert subprocess.run([*SHEEP_CMD, "check"], capture_output=True).returncode == 2
    res = subprocess.run([*SHEEP_CMD, "check", "--help"], capture_output=True, text=True)
    assert res.returncode == 0 and "emulation" in res.stdout
