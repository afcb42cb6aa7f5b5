"""Monitors and the sheep's own log in the recording, the inventory, the usage log and the CPU
governor option, with the real binaries."""
import os
import re
import subprocess
import threading
import time

import h5py
import numpy as np
import pytest
import yaml

from conftest import SHEEP, harvest, run_sheep

LOG_LINE = re.compile(r"^\d\d:\d\d:\d\d\.\d{3} (DEBUG|INFO|WARNING|ERROR|CRITICAL) +(.*)$")
LEVELS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40, "CRITICAL": 50}
MONITOR_GROUPS = ("sys_util", "kernel", "sheep", "ptp", "phc2sys", "ntp")


def kmsg_writable():
    try:
        with open("/dev/kmsg", "w"):
            return True
    except OSError:
        return False


def test_all_monitors_record_during_a_harvest(sim, tmp_path):
    res, path = harvest(sim, tmp_path, 5, global_args=("-v",))
    assert res.returncode == 0, res.stderr
    with h5py.File(path, "r") as f:
        # sys_util: about one row a second, plausible values
        t = f["sys_util/time"][:].astype(np.int64)
        assert 4 <= len(t) <= 8, len(t)
        steps = np.diff(t) / 1e9
        assert np.all((steps > 0.8) & (steps < 1.5)), steps
        cpu = f["sys_util/cpu"][:]
        ram = f["sys_util/ram"][:].astype(int)
        assert cpu.dtype == np.uint8 and np.all(cpu <= 100)
        assert np.all(ram.sum(axis=1) == 100) and np.all(ram[:, 0] > 0)
        assert f["sys_util/io"].shape == (len(t), 4) and f["sys_util/io"].dtype == np.uint64
        assert f["sys_util/net"].shape == (len(t), 2)
        start, end = int(f["data/time"][0]), int(f["data/time"][-1])
        assert t[0] >= start - 3 * 10**9 and t[-1] <= end + 3 * 10**9
        # the sheep's own log, with numeric levels
        messages = [m.decode() for m in f["sheep/message"][:]]
        levels = f["sheep/level"][:]
        assert f["sheep/level"].attrs["description"].startswith("from [0..+10..50]")
        assert "kernel" in f
    assert set(levels) <= {10, 20, 30, 40, 50} and 10 in levels and 20 in levels
    # every record the console showed (-v: all levels) until the monitors stopped is in /sheep
    shown = []
    for line in res.stderr.splitlines():
        m = LOG_LINE.match(line)
        if m:
            shown.append((LEVELS[m.group(1)], m.group(2)))
    cut = next(k for k, (_, msg) in enumerate(shown) if msg.startswith("monitors:"))
    recorded = list(zip(levels.tolist(), messages))
    for rec in shown[:cut]:
        assert rec in recorded, rec
    assert any(msg.startswith("recording to ") for msg in messages)


def test_kernel_monitor_records_lines_of_the_run(sim, tmp_path):
    """Lines written to /dev/kmsg while the sheep runs (one a second, whatever the CPU's pace)
    are in /kernel. Its own CTest entry: without write access to /dev/kmsg it skips."""
    if not kmsg_writable():
        pytest.skip("/dev/kmsg is not writable here: the kernel monitor is not checked")
    marker = f"sheep-monitor-test {os.getpid()} {time.time_ns()}"
    done = threading.Event()

    def poke_kernel():
        k = 0
        while not done.wait(1.0):
            with open("/dev/kmsg", "w") as f:
                f.write(f"{marker} {k}\n")
            k += 1

    poker = threading.Thread(target=poke_kernel)
    launched = time.time_ns()
    poker.start()
    try:
        res, path = harvest(sim, tmp_path, 4, extra_args=("--monitors", "kernel"))
    finally:
        done.set()
        poker.join()
    finished = time.time_ns()
    assert res.returncode == 0, res.stderr
    with h5py.File(path, "r") as f:
        kernel = [m.decode() for m in f["kernel/message"][:]] if "message" in f["kernel"] else []
        t = f["kernel/time"][:].astype(np.int64) if "time" in f["kernel"] else []
    ours = [k for k, m in enumerate(kernel) if m.startswith(marker)]
    assert ours, kernel
    for k in ours:  # stamped on the wall clock: while the sheep ran (kernel time is in us)
        assert launched - 10**9 <= t[k] <= finished + 10**9, (kernel[k], t[k], launched)


@pytest.mark.parametrize("how", ["task", "cli"])
def test_monitors_off_leave_their_groups_empty(sim, tmp_path, how):
    if how == "task":
        res, path = harvest(sim, tmp_path, 2, sys_logging=None)
    else:
        res, path = harvest(sim, tmp_path, 2, extra_args=("--monitors", "none"))
    assert res.returncode == 0, res.stderr
    with h5py.File(path, "r") as f:
        for group in MONITOR_GROUPS:
            assert group in f and len(f[group]) == 0, group
    assert "stays empty" not in res.stderr  # no journal was even looked at


def test_cli_selects_single_monitors(sim, tmp_path):
    res, path = harvest(sim, tmp_path, 2, extra_args=("--monitors", "sys_util,sheep"))
    assert res.returncode == 0, res.stderr
    with h5py.File(path, "r") as f:
        assert len(f["sys_util/time"]) >= 1 and len(f["sheep/time"]) >= 1
        for group in ("kernel", "ptp", "phc2sys", "ntp"):
            assert len(f[group]) == 0, group
    bad = run_sheep(sim, "run", "--monitors", "kernel,bogus", "x.yaml")
    assert bad.returncode == 2 and "--monitors" in bad.stderr


def test_absent_time_sync_units_are_one_warning_each(sim, tmp_path):
    installed = any(os.path.exists(os.path.join(d, "ptp4l@.service"))
                    for d in ("/etc/systemd/system", "/lib/systemd/system",
                              "/usr/lib/systemd/system"))
    if installed:
        pytest.skip("ptp4l is installed here")
    res, path = harvest(sim, tmp_path, 1, extra_args=("--monitors", "time_sync"))
    assert res.returncode == 0, res.stderr
    assert res.stderr.count("ptp4l@eth0.service is not installed: /ptp stays empty") == 1
    with h5py.File(path, "r") as f:
        assert len(f["ptp"]) == 0 and len(f["phc2sys"]) == 0


def test_inventorize_writes_every_field(tmp_path):
    out = tmp_path / "inv" / "inventory.yaml"
    res = run_sheep(None, "inventorize", "--output-path", str(out))
    assert res.returncode == 0, res.stderr
    inv = yaml.safe_load(out.read_text())
    for key in ("created", "hostname", "os", "kernel", "cpu", "memory", "disk", "uptime_s",
                "time_sync", "software"):
        assert key in inv, key
    assert inv["hostname"] == os.uname().nodename
    assert inv["kernel"]["release"] == os.uname().release
    assert inv["cpu"]["cores"] == os.cpu_count()
    for key in ("model", "frequency_mhz", "governor"):
        assert key in inv["cpu"]
    assert inv["memory"]["total_mib"] > inv["memory"]["available_mib"] > 0
    assert inv["disk"]["total_mib"] >= inv["disk"]["free_mib"] >= 0
    assert inv["uptime_s"] > 0
    assert isinstance(inv["time_sync"]["synchronized"], bool)
    for lib in ("shepherd-sheep", "hdf5", "liblzf_api", "libyaml", "zlib"):
        assert inv["software"][lib]
    stdout = run_sheep(None, "inventorize", "-o", "-")
    assert stdout.returncode == 0 and yaml.safe_load(stdout.stdout)["os"] == inv["os"]
    bad = run_sheep(None, "inventorize", "--bogus")
    assert bad.returncode == 2
    denied = run_sheep(None, "inventorize", "-o", str(tmp_path / "inv" / "inventory.yaml" / "x"))
    assert denied.returncode == 1 and "cannot write the inventory" in denied.stderr


def test_usage_log_has_a_row_per_invocation_and_usage_shows_the_last(tmp_path):
    log = tmp_path / "var" / "log.csv"
    env = {"SHEPHERD_USAGE_LOG": str(log)}
    missing = run_sheep(None, "usage", env=env)
    assert missing.returncode == 1 and "no usage log" in missing.stderr
    run_sheep(None, "inventorize", "-o", str(tmp_path / "a.yaml"), env=env)
    run_sheep(None, "check", "/nonexistent.h5", env=env)
    rows = log.read_text().splitlines()
    assert rows[0] == "time_start, time_stop, runtime [s], command"
    assert len(rows) == 3
    assert rows[1].endswith("inventorize -o " + str(tmp_path / "a.yaml"))
    assert rows[2].endswith("check /nonexistent.h5")
    fields = rows[2].split(", ")
    assert float(fields[2]) >= 0
    shown = run_sheep(None, "usage", env=env)
    assert shown.returncode == 0
    assert shown.stdout.splitlines() == [rows[0], rows[2]]
    assert len(log.read_text().splitlines()) == 3  # usage itself is not logged
    # a log that cannot be written changes nothing
    res = run_sheep(None, "--usage-log", "/proc/nope/log.csv", "inventorize", "-o", "-")
    assert res.returncode == 0


def fake_cpufreq(root, governor="ondemand", offered="ondemand performance powersave"):
    for cpu in (0, 1):
        d = root / f"cpu{cpu}" / "cpufreq"
        d.mkdir(parents=True)
        (d / "scaling_governor").write_text(governor + "\n")
        (d / "scaling_available_governors").write_text(offered + "\n")
    return root


def test_cpu_governor_is_set_for_the_run_and_restored(sim, tmp_path):
    cpus = fake_cpufreq(tmp_path / "cpu")
    seen = []

    def watch():
        for _ in range(60):
            seen.append((cpus / "cpu1/cpufreq/scaling_governor").read_text().strip())
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    task = tmp_path / "t.yaml"
    task.write_text(yaml.safe_dump({"datatype": "HarvestTask", "parameters": {
        "output_path": str(tmp_path / "g.h5"), "duration": 1}}))
    res = run_sheep(sim, "run", "--start-delay", "1", "--cpu-governor", "performance",
                    str(task), env={"SHEPHERD_CPU_SYSFS": str(cpus)})
    watcher.join()
    assert res.returncode == 0, res.stderr
    assert "performance" in seen
    for cpu in (0, 1):
        assert (cpus / f"cpu{cpu}/cpufreq/scaling_governor").read_text().strip() == "ondemand"
    assert "cpu1: governor performance (was ondemand)" in res.stderr
    # a governor the kernel does not offer: a warning, the run goes on
    res = run_sheep(sim, "run", "--start-delay", "1", "--cpu-governor", "turbo", str(task),
                    env={"SHEPHERD_CPU_SYSFS": str(cpus)})
    assert res.returncode == 0, res.stderr
    assert "'turbo' is not offered" in res.stderr
    # no cpufreq at all
    res = run_sheep(sim, "run", "--start-delay", "1", "--cpu-governor", "performance",
                    str(task), env={"SHEPHERD_CPU_SYSFS": str(tmp_path / "none")})
    assert res.returncode == 0, res.stderr
    assert "cpufreq) is not available" in res.stderr
