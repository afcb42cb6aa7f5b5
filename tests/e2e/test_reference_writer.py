"""The benchmark's yardstick: the numpy + h5py reference writer must record what the sheep
records, in the same format, or the benchmark's ratios mean nothing."""
import pathlib
import subprocess

import h5py
import numpy as np
import pytest

from conftest import REPO, SANITIZED
from shepherd_checks import assert_valid_recording
from simsignal import harvest_codes

REFERENCE = REPO / "bench" / "reference_writer.py"


@pytest.mark.parametrize("compression,shuffle", [("lzf", True), ("gzip1", False),
                                                 ("none", False)])
def test_reference_writer_records_the_same_format(sim, tmp_path, compression, shuffle):
    out = tmp_path / "ref.h5"
    cmd = ["/usr/bin/python3", str(REFERENCE), "--sysfs-root", str(sim.sysfs), "--mem-device",
           str(sim.mem), "--output", str(out), "--duration", "2", "--compression", compression]
    if not shuffle:
        cmd.append("--no-shuffle")
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert "lost 0" in res.stdout and "armed_mono=" in res.stdout
    assert assert_valid_recording(out, compression=compression, shuffle=shuffle) == 200000
    with h5py.File(out, "r") as f:
        t = f["data/time"][:]
        assert int(t[0]) % 1_000_000_000 == 0
        assert np.all(np.diff(t.astype(np.int64)) == 10000)
        v, i = harvest_codes(1, t)
        assert np.array_equal(f["data/voltage"][:], v)
        assert np.array_equal(f["data/current"][:], i)
        assert f["pru_util/values"].shape[1] == 3


@pytest.mark.skipif(SANITIZED, reason="valgrind cannot run AddressSanitizer builds")
def test_bench_quick_run(tmp_path):
    """make bench's script runs end to end and writes its table, profile and plot."""
    build = pathlib.Path(__import__("conftest").SHEEP).parent
    res = subprocess.run(
        ["/usr/bin/python3", str(REPO / "bench" / "bench.py"), "--quick", "--build", str(build),
         "--duration", "3", "--short", "1", "--results", str(tmp_path)],
        capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout + res.stderr
    table = (tmp_path / "latest.md").read_text()
    assert "shuffle+lzf" in table and "steady state" in table and "Targets" in table
    profile = (tmp_path / "profile.md").read_text()
    assert "lzf_encode_plane" in profile
    # the node's figures, when the armhf build is there (make test builds it first)
    if (REPO / "build-armhf" / "shepherd-sheep").exists():
        assert "ARM: default harvest" in table and "measured nothing" not in table, table
        assert "On the node's CPU" in profile and "lzf_encode_plane" in profile.split(
            "On the node's CPU")[1]
    else:
        assert "ARM figures: not measured" in table
    assert (tmp_path / "plot.png").stat().st_size > 10000
