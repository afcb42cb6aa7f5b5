"""Harvest runs from the simulator: naming, windows, start times, status output, signals."""
import datetime
import hashlib
import os
import pty
import subprocess
import time

import h5py
import numpy as np
import yaml

from conftest import FIXTURES, SHEEP_CMD, harvest, node_env, run_sheep, sheep_env, write_task
from simsignal import harvest_codes

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


def test_config_holds_the_resolved_harvester(sim, tmp_path):
    """The recording's config holds every field of the harvester that ran; an IV-curve
    harvester names its datatype and window (pru-settings.md 3.4, 3.5)."""
    res, path = harvest(sim, tmp_path, 1, virtual_harvester={"name": "ivcurve"})
    assert res.returncode == 0, res.stderr
    with h5py.File(path, "r") as f:
        assert f["data"].attrs["datatype"] == "ivcurve"
        assert f["data"].attrs["window_samples"] == 909
        hrv = yaml.safe_load(f.attrs["config"])["virtual_harvester"]
    assert hrv["name"] == "ivcurve" and hrv["algorithm"] == "ivcurve"
    assert hrv["samples_n"] == 909 and hrv["wait_cycles"] == 0 and hrv["rising"] is False
    assert hrv["voltage_step_mV"] == 5000 / 908
    assert hrv["current_limit_uA"] == 50000.0 and isinstance(hrv["current_limit_uA"], float)
    assert set(hrv) == {"name", "algorithm", "samples_n", "voltage_mV", "voltage_min_mV",
                        "voltage_max_mV", "current_limit_uA", "voltage_step_mV", "setpoint_n",
                        "interval_ms", "duration_ms", "rising", "enable_linear_extrapolation",
                        "wait_cycles"}


def test_herds_expanded_harvester_is_accepted(sim, tmp_path):
    """herd sends a named harvester expanded, with the fixture's metadata."""
    task = yaml.safe_load((FIXTURES / "herd_tasks" / "herd_harvest_cv20.yaml").read_text())
    task["parameters"].update(output_path=str(tmp_path / "cv20.h5"), duration=1)
    (tmp_path / "cv20.yaml").write_text(yaml.safe_dump(task))
    res = run_sheep(sim, "run", "--start-delay", "1", str(tmp_path / "cv20.yaml"))
    assert res.returncode == 0, res.stderr
    with h5py.File(tmp_path / "cv20.h5", "r") as f:
        assert f["data"].attrs["datatype"] == "ivtrace"
        assert f["data"].attrs["window_samples"] == 0
        hrv = yaml.safe_load(f.attrs["config"])["virtual_harvester"]
    assert (hrv["name"], hrv["algorithm"], hrv["voltage_mV"]) == ("cv20", "cv", 2000.0)


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
                         "SHEPHERD_MEM_DEVICE": str(sim.mem), **node_env(sim)})
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
        [*SHEEP_CMD, "--sysfs-root", str(sim.sysfs), "--mem-device", str(sim.mem), "run",
         "--start-delay", "1", str(task)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave, env=sheep_env(sim))
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


def test_sigint_keeps_a_valid_file(sim, tmp_path):
    task = write_task(tmp_path / "t.yaml", output_path=str(tmp_path / "int.h5"), duration=30)
    proc = subprocess.Popen(
        [*SHEEP_CMD, "--sysfs-root", str(sim.sysfs), "--mem-device", str(sim.mem), "run",
         "--start-delay", "1", str(task)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=sheep_env(sim))
    time.sleep(4.5)  # start within ~2 s, then a few seconds of recording
    proc.send_signal(2)
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 4, err
    assert "stop requested" in err
    with h5py.File(tmp_path / "int.h5", "r") as f:
        t = f["data/time"][:]
        n = len(t)
        assert 10000 <= n < 3000000
        assert np.all(np.diff(t.astype(np.int64)) == 10000)
        assert len(f["data/voltage"]) == n and len(f["data/current"]) == n
        v, i = harvest_codes(1, t)
        assert np.array_equal(f["data/voltage"][:], v)
    assert "samples:" in out


def test_sigint_before_the_start_leaves_no_file(sim, tmp_path):
    task = write_task(tmp_path / "t.yaml", output_path=str(tmp_path / "early.h5"), duration=5,
                      time_start=int(time.time()) + 20)
    proc = subprocess.Popen(
        [*SHEEP_CMD, "--sysfs-root", str(sim.sysfs), "--mem-device", str(sim.mem), "run", str(task)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=sheep_env(sim))
    time.sleep(1.0)
    proc.send_signal(15)
    _, err = proc.communicate(timeout=10)
    assert proc.returncode == 4, err
    assert not (tmp_path / "early.h5").exists()
    assert (sim.sysfs / "state").read_text() == "idle"


def ring_mark_slots(sim, count):
    """Timestamps of IV-out slots 0, 1000, 2000, ... as they are in the simulator's memory."""
    address = int((sim.sysfs / "memory" / "iv_out_address").read_text())
    data = np.memmap(sim.mem, dtype=np.uint8, mode="r", offset=address + 4,
                     shape=(count * 1000 * 8,))
    return data.view(np.uint64)[::1000].copy()


def test_consumer_marks_only_in_lockstep(sim_factory, tmp_path):
    # On a node (no sysfs/sim_lockstep) the sheep never writes into PRU0's ring; only the
    # simulator's lock-step asks for marks, and then every consumed mark slot is cleared.
    for lockstep in (False, True):
        sim = sim_factory(*(["--no-overrun"] if lockstep else []))
        assert (sim.sysfs / "sim_lockstep").exists() == lockstep
        res, path = harvest(sim, tmp_path, 2, output_path=str(tmp_path / f"m{lockstep}.h5"))
        assert res.returncode == 0, res.stderr
        assert ("lock-step" in res.stderr) == lockstep, res.stderr
        with h5py.File(path, "r") as f:
            assert len(f["data/time"]) == 200_000
        marks = ring_mark_slots(sim, 190)  # all consumed: the run took 200 000 samples
        if lockstep:
            assert (marks == 0).all(), marks
        else:
            assert (marks != 0).all(), marks
