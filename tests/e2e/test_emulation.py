"""Emulation runs against the simulator: loopback of real recordings sample for sample, the
twin's target browning out with BAT_OK on GPIO bit 9, GPIO tracing at MHz rates without loss,
UART logging from a pty, and bad inputs refused before anything runs."""
import os
import pathlib
import pty
import threading
import time

import h5py
import numpy as np
import pytest
import yaml

from conftest import FIXTURES, SANITIZED, run_sheep
from emusupport import bat_ok_edges, gpio_schedule, phases, to_pru_units, write_input
from shepherd_checks import assert_valid_recording

NO_TTY = "/nonexistent/tty"


def emulate(sim, tmp_path, input_path, extra_args=(), env=None, **params):
    """Runs an EmulationTask; returns (result, path of the recording or None)."""
    params.setdefault("output_path", str(tmp_path / "emu.h5"))
    params["input_path"] = str(input_path)
    task = tmp_path / "emulation.yaml"
    task.write_text(yaml.safe_dump({"datatype": "EmulationTask", "parameters": params}))
    full_env = {"SHEPHERD_UART_DEVICE": NO_TTY}
    full_env.update(env or {})
    res = run_sheep(sim, "run", "--start-delay", "1", "--no-status", *extra_args, str(task),
                    env=full_env)
    path = None
    for line in res.stdout.splitlines():
        if line.startswith("recording:") and "none" not in line:
            path = pathlib.Path(line.split(":", 1)[1].strip())
    return res, path


def converted_input(path):
    with h5py.File(path, "r") as f:
        d = f["data"]
        v = to_pru_units(d["voltage"][:], float(d["voltage"].attrs["gain"]),
                         float(d["voltage"].attrs["offset"]), 1e6)
        i = to_pru_units(d["current"][:], float(d["current"].attrs["gain"]),
                         float(d["current"].attrs["offset"]), 1e9)
    return v, i


@pytest.mark.parametrize("fixture", ["reference_hrv_2s_none.h5", "reference_hrv_2s_lzf.h5",
                                     "reference_hrv_2s_gzip1.h5"])
def test_loopback_replays_each_reference_recording_exactly(sim_factory, tmp_path, fixture):
    sim = sim_factory("--emulation", "loopback")
    res, path = emulate(sim, tmp_path, FIXTURES / fixture)
    assert res.returncode == 0, res.stderr
    n = assert_valid_recording(path)
    v_in, i_in = converted_input(FIXTURES / fixture)
    assert n == len(v_in)  # no duration: the whole input
    with h5py.File(path, "r") as f:
        assert f.attrs["mode"] == "emulator"
        assert f["data"].attrs["datatype"] == "ivtrace"
        assert float(f["data/voltage"].attrs["gain"]) == pytest.approx(1 / 13107)
        assert float(f["data/current"].attrs["gain"]) == pytest.approx(1 / 4915200)
        np.testing.assert_array_equal(f["data/voltage"][:], v_in)
        np.testing.assert_array_equal(f["data/current"][:], i_in)
        t = f["data/time"][:]
        assert np.all(np.diff(t) == 10000)
        assert t[0] % 1_000_000_000 == 0
        config = yaml.safe_load(f.attrs["config"])
        assert config["input_path"] == str(FIXTURES / fixture)
    # the default source as it ran: neutral, every field, its harvester mppt_opt
    source = config["virtual_source"]
    assert source["name"] == "neutral" and source["C_intermediate_uF"] == 0.0
    assert source["LUT_input_efficiency"] == [[1.0] * 12] * 12
    assert source["harvester"]["name"] == "mppt_opt"
    assert source["harvester"]["algorithm"] == "mppt_opt"
    assert "0 stale" in res.stdout


def test_duration_is_capped_by_the_input_and_can_shorten_it(sim_factory, tmp_path):
    sim = sim_factory("--emulation", "loopback")
    source = FIXTURES / "reference_hrv_2s_lzf.h5"
    res, path = emulate(sim, tmp_path, source, duration=1)
    assert res.returncode == 0, res.stderr
    v_in, _ = converted_input(source)
    with h5py.File(path, "r") as f:
        assert len(f["data/voltage"]) == 100000
        np.testing.assert_array_equal(f["data/voltage"][:], v_in[:100000])
    res, path = emulate(sim, tmp_path, source, duration=30,
                        output_path=str(tmp_path / "long.h5"))
    assert res.returncode == 0, res.stderr
    assert "less than the task's duration" in res.stderr
    with h5py.File(path, "r") as f:
        assert len(f["data/voltage"]) == 200000


def test_directory_output_is_named_emu(sim_factory, tmp_path):
    sim = sim_factory("--emulation", "loopback")
    out = tmp_path / "recordings"
    out.mkdir()
    res, path = emulate(sim, tmp_path, FIXTURES / "reference_hrv_2s_none.h5",
                        output_path=str(out), duration=1)
    assert res.returncode == 0, res.stderr
    assert path.parent == out and path.name.startswith("emu_") and path.suffix == ".h5"


def test_without_output_path_nothing_is_written(sim_factory, tmp_path):
    sim = sim_factory("--emulation", "loopback")
    res, path = emulate(sim, tmp_path, FIXTURES / "reference_hrv_2s_none.h5",
                        output_path=None, duration=1)
    assert res.returncode == 0, res.stderr
    assert path is None
    assert "recording: none" in res.stdout
    assert not list(tmp_path.glob("*.h5"))


# BQ25504 (pru-settings.md 4.4): the output is V_mid itself (no buck, never disabled),
# power-good falls at a threshold check (every 6400 samples) at V_mid <= 2.34 V and rises at one
# at V_mid >= 2.8 V; GPIO logging pauses below 1.4 V. Strong input, then one below the boost
# threshold (nothing in), then strong again. The 1 mA target takes 94 ms from 2.34 V to 1.4 V:
# power-good falls at a check before the pause would hide it.
BROWN_OUT = ((0.4, 3.0, 0.010), (1.2, 0.1, 0.010), (0.6, 3.0, 0.010))


def test_model_target_browns_out_and_recovers_with_power_good_on_bit_9(sim_factory, tmp_path):
    v, i = phases(*BROWN_OUT)
    source = write_input(tmp_path / "input.h5", v, i)
    sim = sim_factory("--emulation", "model", "--target", "current:0.001",
                      "--gpio-rate", "1000")
    res, path = emulate(sim, tmp_path, source, virtual_source={"name": "BQ25504"})
    assert res.returncode == 0, res.stderr
    with h5py.File(path, "r") as f:
        t0 = int(f["data/time"][0])
        code = f["data/voltage"][:].astype(np.int64)
        gain = float(f["data/voltage"].attrs["gain"])
        offset = float(f["data/voltage"].attrs["offset"])
        gpio_t, gpio_v = f["gpio/time"][:], f["gpio/value"][:]
    volts = code * gain + offset
    lsb = gain * 1.5  # the calibration's rounding, either way
    dead = (np.arange(len(code)) >= 40000) & (np.arange(len(code)) < 160000)
    # browns out: the output reaches DAC code 0 and stays there for a while, then recovers
    zero = np.flatnonzero(code == 0)
    assert len(zero) > 20000 and np.all(dead[zero]), zero
    assert np.all(code[:40000] > 0) and np.all(code[-50000:] > 0)
    assert volts[-1] > 2.8
    # BAT_OK on bit 9: high from the start, one falling edge while the output sinks, one rising
    # edge while it climbs again, each at a threshold check where it passed its threshold
    edges = bat_ok_edges(t0, gpio_t, gpio_v)
    assert [level for _, level in edges] == [0, 1], edges
    (fall, _), (rise, _) = edges
    assert dead[fall] and fall < zero[0] and rise > zero[-1]
    assert (rise - fall) % 6400 == 0
    assert volts[fall] <= 2.34 + lsb and volts[fall - 6400] > 2.34 - lsb
    assert volts[rise] >= 2.8 - lsb and volts[rise - 6400] < 2.8 + lsb
    # every recorded event carries power-good of its sample
    sample = (gpio_t.astype(np.int64) - t0) // 10000
    pg = (sample < fall) | (sample >= rise)
    np.testing.assert_array_equal((gpio_v >> 9) & 1, pg.astype(np.uint16))


def check_gpio(path, rate, mask, burst=None):
    with h5py.File(path, "r") as f:
        t0 = int(f["data/time"][0])
        t_end = int(f["data/time"][-1]) + 10000
        t, value = gpio_schedule(t0, t_end, rate, mask, burst)
        got_t = f["gpio/time"][:]
        got_v = f["gpio/value"][:]
        assert "losses" not in f
        assert f["gpio/value"].dtype == np.uint16 and f["gpio/time"].dtype == np.uint64
        assert "tgt_gpio0" in f["gpio/value"].attrs["description"]
    assert len(got_t) == len(t), (len(got_t), len(t))
    np.testing.assert_array_equal(got_t, t)
    np.testing.assert_array_equal(got_v, value)
    return len(t)


def long_input(tmp_path, seconds):
    n = seconds * 100000
    ramp = (np.arange(n, dtype=np.uint32) % 1000) * 1000
    return write_input(tmp_path / "long.h5", 2_000_000 + ramp, 1_000_000 + ramp)


def test_gpio_at_1_mhz_for_10_s_loses_nothing(sim_factory, tmp_path):
    sim = sim_factory("--emulation", "loopback", "--gpio-rate", "1000000")
    res, path = emulate(sim, tmp_path, long_input(tmp_path, 10), duration=10)
    assert res.returncode == 0, res.stderr
    assert check_gpio(path, 1e6, 0x3FF) == 10_000_000
    assert "gpio:      10000000 events, lost 0" in res.stdout


def test_gpio_bursts_at_1_5_mhz_lose_nothing(sim_factory, tmp_path):
    # one second of 1.5 MHz in every two: 1.5 M events per burst, the ring holds 3 M
    sim = sim_factory("--emulation", "loopback", "--gpio-rate", "1500000",
                      "--gpio-burst", "1000:2000")
    res, path = emulate(sim, tmp_path, long_input(tmp_path, 6), duration=6)
    assert res.returncode == 0, res.stderr
    n = check_gpio(path, 1.5e6, 0x3FF, burst=(1000, 2000))
    assert n > 4_000_000


def test_gpio_mask_and_window_follow_the_task(sim_factory, tmp_path):
    sim = sim_factory("--emulation", "loopback", "--gpio-rate", "10000")
    # target GPIO 0 -> bit 8, 1 -> bit 7, 7 -> bit 0
    res, path = emulate(sim, tmp_path, FIXTURES / "reference_hrv_2s_lzf.h5",
                        gpio_tracing={"gpios": [0, 1, 7], "delay": 0.5, "duration": 1})
    assert res.returncode == 0, res.stderr
    with h5py.File(path, "r") as f:
        t0 = int(f["data/time"][0])
        t, value = gpio_schedule(t0, t0 + 2 * 10**9, 1e4, 0x181)
        keep = (t >= t0 + 5 * 10**8) & (t < t0 + 15 * 10**8)
        np.testing.assert_array_equal(f["gpio/time"][:], t[keep])
        np.testing.assert_array_equal(f["gpio/value"][:], value[keep])
        assert not np.any(f["gpio/value"][:] & ~np.uint16(0x181))


def test_gpio_tracing_null_records_no_gpio_but_keeps_the_datasets(sim_factory, tmp_path):
    sim = sim_factory("--emulation", "loopback", "--gpio-rate", "10000")
    res, path = emulate(sim, tmp_path, FIXTURES / "reference_hrv_2s_lzf.h5", duration=1,
                        gpio_tracing=None)
    assert res.returncode == 0, res.stderr
    assert (sim.sysfs / "gpio_tracer_mask").read_text().strip() == "0"
    with h5py.File(path, "r") as f:
        # empty, but there: the shepherd-data tools read both when /gpio exists
        assert set(f["gpio"].keys()) == {"time", "value"}
        assert f["gpio/time"].shape == (0,) and f["gpio/time"].dtype == np.uint64
        assert f["gpio/value"].shape == (0,) and f["gpio/value"].dtype == np.uint16
        assert f["gpio/time"].attrs["unit"] == "s"


def test_uart_bytes_from_a_pty_are_recorded_in_order(sim_factory, tmp_path):
    sim = sim_factory("--emulation", "loopback")
    master, slave = pty.openpty()
    sent = []

    def talk():
        time.sleep(2.5)  # set-up and the start second
        for k in range(20):
            line = f"line {k} \x00from the target\n".encode()
            os.write(master, line)
            sent.append((time.time_ns(), line.replace(b"\x00", b"")))
            time.sleep(0.05)

    writer = threading.Thread(target=talk)
    writer.start()
    try:
        res, path = emulate(sim, tmp_path, long_input(tmp_path, 4), duration=4,
                            env={"SHEPHERD_UART_DEVICE": os.ttyname(slave)},
                            uart_logging={"baudrate": 115200})
    finally:
        writer.join()
        os.close(master)
        os.close(slave)
    assert res.returncode == 0, res.stderr
    with h5py.File(path, "r") as f:
        messages = [bytes(m) for m in f["uart/message"][:]]
        times = f["uart/time"][:]
        assert f["uart/message"].attrs["description"] == "raw ascii-bytes"
    assert b"".join(messages) == b"".join(line for _, line in sent)
    assert np.all(np.diff(times.astype(np.int64)) > 0)
    # each row is stamped when read: after its first byte was sent, within a poll or two
    assert times[0] >= sent[0][0] - 10**6 and times[0] <= sent[0][0] + 500 * 10**6
    assert "uart:      " in res.stdout and "uart:      0 bytes" not in res.stdout


def test_missing_uart_device_is_only_a_warning(sim_factory, tmp_path):
    sim = sim_factory("--emulation", "loopback")
    res, path = emulate(sim, tmp_path, FIXTURES / "reference_hrv_2s_none.h5", duration=1)
    assert res.returncode == 0, res.stderr
    assert "UART logging off" in res.stderr and NO_TTY in res.stderr
    with h5py.File(path, "r") as f:
        assert "uart" in f and len(f["uart"]) == 0


def damage(kind, tmp_path):
    path = tmp_path / "input.h5"
    if kind == "missing":
        return tmp_path / "does-not-exist.h5", "does-not-exist.h5"
    if kind == "not hdf5":
        path.write_bytes(b"just some text, not a recording\n" * 100)
        return path, "not an HDF5 file"
    write_input(path, np.full(30000, 3_000_000), np.full(30000, 1_000_000))
    with h5py.File(path, "r+") as f:
        if kind == "wrong mode":
            f.attrs["mode"] = "emulator"
            expect = "mode"
        elif kind == "missing dataset":
            del f["data/current"]
            expect = "current"
        elif kind == "gain 0":
            f["data/voltage"].attrs["gain"] = 0.0
            expect = "gain"
    if kind == "truncated":
        raw = path.read_bytes()
        path.write_bytes(raw[: len(raw) * 6 // 10])
        expect = "input.h5"
    return path, expect


@pytest.mark.parametrize("kind", ["missing", "not hdf5", "wrong mode", "missing dataset",
                                  "gain 0", "truncated"])
def test_bad_inputs_are_refused_before_the_run(sim_factory, tmp_path, kind):
    sim = sim_factory("--emulation", "loopback")
    source, expect = damage(kind, tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    res, path = emulate(sim, tmp_path, source, output_path=str(out))
    assert res.returncode == 1, (res.returncode, res.stderr)
    assert expect in res.stderr, res.stderr
    assert path is None and not list(out.iterdir())
    # refused before any PRU was touched
    assert (sim.sysfs / "state").read_text().strip() == "idle"
    assert (sim.sysfs / "mode").read_text().strip() == "none"


def test_gpio_overrun_is_counted_recorded_and_fails_the_run(sim_factory, tmp_path):
    """A sheep frozen for longer than the GPIO ring lasts (2 s at 1.5 MHz) loses events: how
    many and where must be in the log and in /losses, and the exit code says so."""
    import signal
    import subprocess
    from conftest import SHEEP_CMD
    sim = sim_factory("--emulation", "loopback", "--gpio-rate", "1500000")
    source = long_input(tmp_path, 8)
    task = tmp_path / "emulation.yaml"
    task.write_text(yaml.safe_dump({"datatype": "EmulationTask", "parameters": {
        "input_path": str(source), "output_path": str(tmp_path / "emu.h5"), "duration": 8,
        "uart_logging": None}}))
    proc = subprocess.Popen(
        [*SHEEP_CMD, "--sysfs-root", str(sim.sysfs), "--mem-device", str(sim.mem), "run",
         "--start-delay", "1", "--no-status", str(task)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while (sim.sysfs / "state").read_text().strip() != "running":
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.05)
    time.sleep(1.0)
    proc.send_signal(signal.SIGSTOP)
    time.sleep(3.0)  # 4.5 M events: the 3 M ring is lapped
    proc.send_signal(signal.SIGCONT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 3, err
    assert "GPIO events lost" in err
    with h5py.File(tmp_path / "emu.h5", "r") as f:
        gpio_rows = [k for k, s in enumerate(f["losses/stream"][:]) if s == b"gpio"]
        lost = np.stack([f["losses/time"][:], f["losses/until"][:],
                         f["losses/count"][:]], axis=1)[gpio_rows]
        assert len(lost) >= 1 and not f["losses/exact"][gpio_rows[0]]  # a lap: lower bound
        got_t = f["gpio/time"][:]
        got_v = f["gpio/value"][:]
        t0 = int(f["data/time"][0])
        n_iv = len(f["data/time"])
    assert n_iv == 800000  # the IV ring (6 s) survived the freeze
    t, value = gpio_schedule(t0, t0 + 8 * 10**9, 1.5e6, 0x3FF)
    # what was delivered is exactly the schedule minus the gaps, in order, nothing twice
    assert np.all(np.diff(got_t.astype(np.int64)) > 0)
    idx = np.searchsorted(t, got_t)
    np.testing.assert_array_equal(t[idx], got_t)
    np.testing.assert_array_equal(value[idx], got_v)
    missing = len(t) - len(got_t)
    assert missing > 1_000_000
    assert 0 < int(lost[:, 2].sum()) <= missing  # a lap is reported as a lower bound
    # each gap lies where events are really missing
    for after, before, count in lost:
        k = np.searchsorted(t, after)
        assert t[k] == after and got_t[np.searchsorted(got_t, after)] == after
        if before:
            assert np.searchsorted(t, before) - k - 1 >= count
