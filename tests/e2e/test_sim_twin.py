"""shepherd-pru-sim with the PRU's twin: --target parsing, harvests from the solar cell through
the recording harvesters, the GPIO pause and BAT_OK, a controlled target's sleep current (the
formulas of `shepherd-pru-sim --help`)."""
import subprocess
import time

import h5py
import numpy as np
import pytest

from conftest import SIM, harvest, load_firmware, pop_messages, read, wait_for
from emusupport import (bat_ok_edges, gpio_schedule, phases, target_adc, target_voltage_uv,
                        write_input)
from test_emulation import emulate

# BQ25504: power-good off at V_mid <= 2.34 V, on at >= 2.8 V, GPIO logging paused below 1.4 V
# (its output is V_mid); strong input, one below its boost threshold (nothing in), strong again.
# A 1 mA target takes 94 ms from 2.34 V to 1.4 V: power-good falls at a threshold check (every
# 64 ms) before the pause could hide the edge.
BROWN_OUT = ((0.4, 3.0, 0.010), (1.2, 0.1, 0.010), (0.6, 3.0, 0.010))


@pytest.mark.parametrize("spec", ["", "bogus", "resistor", "resistor:", "resistor:-5",
                                  "resistor:0", "resistor:1.0001", "current:abc",
                                  "current:0.001:x", "power:1:2:3", "resistor:100:controled"])
def test_a_bad_target_is_refused_with_a_message(spec):
    res = subprocess.run([SIM, "--root", "/nonexistent/never-made", "--target", spec],
                         capture_output=True, text=True, timeout=10)
    assert res.returncode == 2, res
    assert "--target" in res.stderr and res.stderr.count("\n") >= 1


def test_the_old_option_and_a_bad_harvest_are_refused():
    for args in (["--target-ohm", "1000"], ["--harvest", "solar"]):
        res = subprocess.run([SIM, "--root", "/nonexistent/never-made", *args],
                             capture_output=True, text=True, timeout=10)
        assert res.returncode == 2, (args, res)
        assert res.stderr


def test_a_good_target_is_taken():
    res = subprocess.run([SIM, "--target", "power:0.01:0.001:controlled", "--help"],
                         capture_output=True, text=True, timeout=10)
    assert res.returncode == 0, res.stderr
    assert "--target SPEC" in res.stdout and "4915200" in res.stdout


def recording(path):
    with h5py.File(path, "r") as f:
        d = f["data"]
        out = {name: d[name][:].astype(np.int64) for name in ("time", "voltage", "current")}
        for name in ("voltage", "current"):
            out[name + "_gain"] = float(d[name].attrs["gain"])
            out[name + "_offset"] = float(d[name].attrs["offset"])
        out["window_samples"] = int(d.attrs["window_samples"])
        out["datatype"] = d.attrs["datatype"]
        if "gpio" in f:
            out["gpio_t"] = f["gpio/time"][:].astype(np.int64)
            out["gpio_v"] = f["gpio/value"][:]
    return out


def test_a_cv_harvest_of_the_cell_holds_its_voltage(sim_factory, tmp_path):
    sim = sim_factory("--harvest", "cell", "--seed", "7")
    res, path = harvest(sim, tmp_path, 2, virtual_harvester={"name": "cv20"})
    assert res.returncode == 0, res.stderr
    rec = recording(path)
    assert len(rec["voltage"]) == 200000
    volts = rec["voltage"] * rec["voltage_gain"] + rec["voltage_offset"]
    amps = rec["current"] * rec["current_gain"] + rec["current_offset"]
    # 2.0 V set through the DAC, read back through the voltage ADC: noise of a few codes; the
    # first sample is read before the harvester set it, at the open circuit the firmware's
    # sample_init leaves (DAC 0xFFFF): the cell's V_oc in a quarter of the light, no current
    assert 2.2 < volts[0] < 2.45 and abs(amps[0]) < 1e-4
    assert np.abs(np.median(volts) - 2.0) < 0.002
    assert np.all(np.abs(volts[1:] - 2.0) < 0.005), (volts[1:].min(), volts[1:].max())
    # the cell delivers at that voltage, and its light changes over the run
    assert np.median(amps) > 1e-4
    assert amps[-10000:].mean() != pytest.approx(amps[:10000].mean(), rel=0.01)


def test_the_formula_is_still_there_and_differs_from_the_cell(sim_factory, tmp_path):
    runs = {}
    for kind in ("formula", "cell"):
        sim = sim_factory("--harvest", kind)
        out = tmp_path / kind
        out.mkdir()
        res, path = harvest(sim, out, 1, virtual_harvester={"name": "cv20"},
                            output_path=str(out / "rec.h5"))
        assert res.returncode == 0, res.stderr
        runs[kind] = recording(path)
    # the formula ignores the harvester: 98000 + 0..8000 codes whatever it set
    assert 98000 - 64 <= np.median(runs["formula"]["voltage"]) <= 106000 + 64
    assert not np.array_equal(runs["formula"]["voltage"], runs["cell"]["voltage"])


def test_an_ivcurve_harvest_of_the_cell_sweeps(sim_factory, tmp_path):
    sim = sim_factory("--harvest", "cell")
    res, path = harvest(sim, tmp_path, 1, virtual_harvester={"name": "ivcurve"})
    assert res.returncode == 0, res.stderr
    rec = recording(path)
    window = rec["window_samples"]
    assert rec["datatype"] == "ivcurve" and window == 909
    code = rec["voltage"]
    span = code.max() - code.min()
    # a falling sawtooth: the voltage restarts at the top once every window, and only then
    jumps = np.flatnonzero(np.diff(code) > span // 2) + 1
    assert len(jumps) >= len(code) // window - 2
    assert np.all(np.diff(jumps) == window), np.unique(np.diff(jumps))
    # each window: the harvester's 5 cut-out samples (0x3FFFF), then steps down from the cell's
    # open-circuit voltage (its set point is above it) to 0, noise aside
    for start in jumps[:-1]:
        np.testing.assert_array_equal(code[start:start + 5], 2**18 - 1)
        sweep = code[start + 5:start + window]
        assert np.all(np.diff(sweep) < 200)
        assert sweep[:20].mean() > 50000 and sweep[-5:].mean() < 2000


def brown_out(sim_factory, tmp_path, target, gpio_rate):
    v, i = phases(*BROWN_OUT)
    source = write_input(tmp_path / "input.h5", v, i)
    sim = sim_factory("--target", target, "--gpio-rate", str(gpio_rate))
    res, path = emulate(sim, tmp_path, source, virtual_source={"name": "BQ25504"})
    assert res.returncode == 0, res.stderr
    return recording(path)


def test_no_gpio_events_are_recorded_while_logging_is_paused(sim_factory, tmp_path):
    rec = brown_out(sim_factory, tmp_path, "current:0.001", 10000)
    t0 = int(rec["time"][0])
    t_end = int(rec["time"][-1]) + 10000
    volts = rec["voltage"] * rec["voltage_gain"] + rec["voltage_offset"]
    lsb = 2 * rec["voltage_gain"]
    paused = volts < 1.4 - lsb
    running = volts >= 1.4 + lsb
    assert np.count_nonzero(paused) > 20000
    # the schedule's counter spread over the traced pins but BAT_OK
    sched_t, sched_v = gpio_schedule(t0, t_end, 1e4, 0x1FF)
    sched_n = (sched_t.astype(np.int64) - t0) // 10000
    got_t, got_v = rec["gpio_t"], rec["gpio_v"]
    got_n = (got_t - t0) // 10000
    assert not np.any(paused[got_n]), "events recorded while paused"
    want = running[sched_n]
    assert np.count_nonzero(~want & paused[sched_n]) > 2000  # events the pause swallowed
    recorded = np.isin(sched_t, got_t)
    np.testing.assert_array_equal(recorded[want], True)
    # what was recorded of the schedule carries its pins; the rest are BAT_OK's own edges
    k = np.searchsorted(got_t, sched_t[recorded])
    np.testing.assert_array_equal(got_v[k] & 0x1FF, sched_v[recorded])
    extra = ~np.isin(got_t, sched_t)
    edges = bat_ok_edges(t0, got_t, got_v)
    assert sorted((got_t[extra] - t0) // 10000) == \
        sorted(n for n, _ in edges if (t0 + n * 10000) not in set(sched_t.tolist()))
    assert [level for _, level in edges] == [0, 1]


def test_a_controlled_current_target_draws_its_sleep_current_while_power_is_not_good(
        sim_factory, tmp_path):
    active, sleep = 1_000_000, 500_000  # nA
    rec = brown_out(sim_factory, tmp_path, "current:0.001:0.0005:controlled", 1000)
    t0 = int(rec["time"][0])
    n = len(rec["voltage"])
    edges = bat_ok_edges(t0, rec["gpio_t"], rec["gpio_v"])
    assert [level for _, level in edges] == [0, 1], edges
    (fall, _), (rise, _) = edges
    good = np.ones(n, bool)
    good[fall:rise] = False
    # sample n draws from the DAC code and power-good of sample n - 1
    v_uv = target_voltage_uv(rec["voltage"])
    good_before = np.concatenate([[True], good[:-1]])
    want = np.where(v_uv == 0, 0, target_adc(np.where(good_before, active, sleep)))
    np.testing.assert_array_equal(rec["current"], want)
    asleep = (want == target_adc(sleep)) & (v_uv > 0)
    assert np.count_nonzero(asleep) > 10000  # it ran on its sleep current for a while
    assert np.count_nonzero(rec["voltage"] == 0) > 1000  # and still browned out
    assert rec["current"][-1] == target_adc(active)


def run_now(sim):
    """A run started now and stopped after a moment; the messages it posted, then the stop's."""
    (sim.sysfs / "time_start").write_text("now")
    assert wait_for(lambda: read(sim, "state") == "running", 2)
    time.sleep(0.2)
    during = pop_messages(sim)
    (sim.sysfs / "time_stop").write_text("now")
    assert wait_for(lambda: read(sim, "state") == "idle", 2)
    return during, pop_messages(sim)


def test_settings_apply_at_the_next_reset_and_a_rejected_algorithm_posts_0xe8(sim_factory):
    sim = sim_factory("--harvest", "cell")
    load_firmware(sim, "hrv")
    (sim.sysfs / "mode").write_text("harvester")
    assert wait_for(lambda: read(sim, "mode") == "harvester", 2)
    assert pop_messages(sim) == [0xF0]
    # a cv harvester written while idle, but no reset since the mode's: the run starts with
    # the kernel's test pattern, algorithm 0, which the HRV firmware rejects
    cv = [256, 6, 8, 2000000, 0, 5000000, 714286, 50000000, 179, 10000, 10, 1]
    (sim.sysfs / "virtual_harvester_settings").write_text(" ".join(map(str, cv)))
    time.sleep(0.1)
    assert [int(t) for t in read(sim, "virtual_harvester_settings").split()] == cv
    assert run_now(sim) == ([0xE8], [0xF0])
    # the stop's reset re-read the settings: the next run has its cv harvester
    assert run_now(sim) == ([], [0xF0])
    # a firmware write brings back the test patterns (and the mode none)
    load_firmware(sim, "hrv")
    (sim.sysfs / "mode").write_text("harvester")
    assert wait_for(lambda: read(sim, "mode") == "harvester", 2)
    assert pop_messages(sim) == [0xF0]
    assert run_now(sim) == ([0xE8], [0xF0])
