"""Node control against the simulator (node-control.md 1, 2, 7): fix, pru, target-power, blink,
rpc, and what run does to the node (module reload, timesyncd, firmware, cape pins)."""
import subprocess

import h5py
import numpy as np
import pytest
import yaml

from conftest import (SHEEP_CMD, harvest, load_firmware, read, run_sheep, sheep_env, state,
                      wait_for)
from emusupport import write_input

EMU = "am335x-pru0-shepherd-EMU-fw"
HRV = "am335x-pru0-shepherd-HRV-fw"
SWD = "am335x-pru0-programmer-SWD-fw"
SBW = "am335x-pru0-programmer-SBW-fw"
PRU1 = "am335x-pru1-shepherd-fw"
CAPE_PINS = (23, 50, 51, 30, 31, 60)
NO_TTY = "/nonexistent/tty"


def pin(sim, n):
    """The level of cape pin n in the simulator's GPIO tree (None: never exported)."""
    path = sim.root / "gpio" / f"gpio{n}" / "value"
    return int(path.read_text().strip()) if path.exists() else None


def pins(sim):
    return {n: pin(sim, n) for n in CAPE_PINS}


def gpio_writes(sim):
    """The (pin, level) writes of the sheep in the simulator's GPIO log ("<time> gpioN value
    L"), in order."""
    writes = []
    for line in (sim.root / "gpio.log").read_text().splitlines():
        fields = line.split()
        if len(fields) == 4 and fields[1].startswith("gpio") and fields[2] == "value":
            writes.append((int(fields[1][4:]), int(fields[3])))
    return writes


def sim_log(sim):
    """Everything the simulator said on stderr (it is stopped for that)."""
    assert sim.stop() == 0
    return sim.proc.stderr.read()


def module_requests(log):
    """The module requests the simulator carried out or refused, in order."""
    out = []
    for line in log.splitlines():
        if "shepherd-pru-sim: module: " in line:
            words = line.split("module: ", 1)[1].split()
            out.append(f"{words[0]} {words[1]}")  # e.g. "unload done", "load refused:"
    return out


# ---- fix ------------------------------------------------------------------------------------

def test_fix_unloads_thrice_then_loads_once(sim):
    res = run_sheep(sim, "fix")
    assert res.returncode == 0, res.stderr
    for text in ("Deactivated shepherd kernel module", "Deactivated remoteproc kernel module",
                 "Deactivated pruss kernel module", "Activated shepherd kernel module"):
        assert text in res.stderr
    assert module_requests(sim_log(sim)) == ["unload done,"] * 3 + ["load done,"]


def test_fix_retries_a_failing_module_command(sim_factory):
    sim = sim_factory("--module-fail", "2")
    res = run_sheep(sim, "fix")
    assert res.returncode == 0, res.stderr
    assert module_requests(sim_log(sim)) == (["unload refused:"] * 2 + ["unload done,"] * 3
                                             + ["load done,"])


def test_fix_gives_up_after_six_runs(sim_factory):
    sim = sim_factory("--module-fail", "6")
    res = run_sheep(sim, "fix")
    assert res.returncode == 1
    assert "Failed to unload shepherd kernel module." in res.stderr
    assert "exited 1" in res.stderr  # the last run's words come with it
    assert module_requests(sim_log(sim)) == ["unload refused:"] * 6


def test_fix_without_a_module_command(sim):
    res = run_sheep(sim, "fix", env={"SHEPHERD_MODPROBE": "/nonexistent/modprobe"})
    assert res.returncode == 1
    assert "/nonexistent/modprobe does not exist" in res.stderr


# ---- pru ------------------------------------------------------------------------------------

@pytest.mark.parametrize("choice, name", [("hrv", HRV), ("emu", EMU), ("swd", SWD),
                                          ("sbw", SBW), ("default", EMU), ("sync", EMU)])
def test_pru_loads_the_firmware_onto_pru0_only(sim, choice, name):
    load_firmware(sim, "sbw" if name != SBW else "hrv")  # something else first
    pru1 = read(sim, "pru1_firmware")
    res = run_sheep(sim, "pru", choice)
    assert res.returncode == 0, res.stderr
    assert read(sim, "pru0_firmware") == name
    assert read(sim, "pru1_firmware") == pru1 == PRU1
    assert f"PRU0 runs firmware {name}" in res.stderr
    assert "pru1_firmware" not in res.stderr


@pytest.mark.parametrize("args", [["bogus"], ["HRV"], ["emu", "hrv"]])
def test_pru_refuses_what_is_not_a_choice(sim, args):
    before = read(sim, "pru0_firmware")
    res = run_sheep(sim, "pru", *args)
    assert res.returncode == 2
    assert "pru:" in res.stderr
    assert read(sim, "pru0_firmware") == before


def test_pru_while_the_pru_runs_retries_six_times_then_gives_up(sim):
    load_firmware(sim, "hrv")
    (sim.sysfs / "mode").write_text("harvester")
    assert wait_for(lambda: read(sim, "mode") == "harvester" and read(sim, "state") == "idle")
    (sim.sysfs / "time_start").write_text("now")
    assert wait_for(lambda: read(sim, "state") == "running")
    # settles of 0.2 s: the simulator puts the refused name back before the read-back
    res = run_sheep(sim, "pru", "emu", env={"SHEPHERD_SETTLE_SCALE": "0.1"})
    assert res.returncode == 1
    for k in range(1, 7):
        assert (f"Requested PRU-FW ({EMU}) was not set (is '{HRV}'), retry-count={k}"
                in res.stderr), res.stderr
    assert "retry-count=7" not in res.stderr
    assert res.stderr.rstrip().splitlines()[-1].endswith(
        "PRU-Driver still locked up (during pru-fw change) -> consider restarting node")
    assert read(sim, "pru0_firmware") == HRV and read(sim, "state") == "running"
    (sim.sysfs / "time_stop").write_text("now")


def test_pru_reloads_an_unloaded_module_first(sim_factory):
    sim = sim_factory("--module", "unloaded")
    assert not (sim.sysfs / "mode").exists()
    res = run_sheep(sim, "pru", "hrv")
    assert res.returncode == 0, res.stderr
    assert "will try to activate shepherd kernel module (attempt 1/5)" in res.stderr
    assert read(sim, "pru0_firmware") == HRV


def test_pru_gives_up_when_the_tree_never_appears(tmp_path):
    res = run_sheep(None, "--sysfs-root", str(tmp_path / "nosys"), "pru", "hrv",
                    env={"SHEPHERD_MODPROBE": "/bin/true"})
    assert res.returncode == 1
    assert res.stderr.count("will try to activate shepherd kernel module (attempt") == 5
    assert "still missing after 5 reloads of the kernel module: ran out of retries" in res.stderr
    assert "PRU0 runs" not in res.stderr


def test_pru_without_a_module_command(tmp_path):
    res = run_sheep(None, "--sysfs-root", str(tmp_path / "nosys"), "pru",
                    env={"SHEPHERD_MODPROBE": "/nonexistent/modprobe"})
    assert res.returncode == 1
    assert "make sure shepherd kernel module is active!" in res.stderr


# ---- target-power ---------------------------------------------------------------------------

def test_target_power_on_port_b(sim):
    res = run_sheep(sim, "target-power", "--on", "-v", "3.3", "-p", "B")
    assert res.returncode == 0, res.stderr
    got = pins(sim)
    assert (got[23], got[31], got[30], got[60]) == (1, 1, 0, 1), got
    assert got[50] is None and got[51] is None  # the front-ends are not touched
    assert read(sim, "dac_auxiliary_voltage_raw") == "43253"
    assert read(sim, "mode") == "emulator" and read(sim, "state") == "idle"
    assert "Re-Initialized PRU to finalize settings" in res.stderr


def test_target_power_off(sim):
    assert run_sheep(sim, "target-power", "-v", "2.0", "-p", "B").returncode == 0
    assert read(sim, "dac_auxiliary_voltage_raw") == "26214"
    res = run_sheep(sim, "target-power", "--off", "--gpio-omit")
    assert res.returncode == 0, res.stderr
    got = pins(sim)
    assert (got[23], got[31], got[30], got[60]) == (0, 0, 1, 0), got
    assert read(sim, "dac_auxiliary_voltage_raw") == "0"
    assert read(sim, "mode") == "emulator"


def test_target_power_loads_the_emu_firmware_if_another_runs(sim):
    load_firmware(sim, "hrv")
    res = run_sheep(sim, "target-power", "-v", "1.8")
    assert res.returncode == 0, res.stderr
    assert read(sim, "pru0_firmware") == EMU
    assert read(sim, "dac_auxiliary_voltage_raw") == "23593"


@pytest.mark.parametrize("args, code, text", [
    (["-v", "5.5"], 1, "sending voltage above limit of 5V"),
    (["-v", "-0.1"], 1, "sending voltage with negative value"),
    (["-v", "three"], 2, "'three' is not a valid float"),
    (["-p", "C"], 2, "'C' is not one of 'A', 'B'"),
    (["--bogus"], 2, "Usage: shepherd-sheep target-power"),
])
def test_target_power_refuses_bad_input_before_any_pin_moves(sim, args, code, text):
    res = run_sheep(sim, "target-power", *args)
    assert res.returncode == code
    assert text in res.stderr
    assert all(level is None for level in pins(sim).values())
    assert read(sim, "dac_auxiliary_voltage_raw") == "0"


def test_the_gpio_tree_from_the_command_line(sim):
    res = run_sheep(sim, "target-power", "-v", "1.0", global_args=("--gpio-root", str(sim.gpio)),
                    env={"SHEPHERD_GPIO_ROOT": "/nonexistent/gpio"})
    assert res.returncode == 0, res.stderr
    assert pin(sim, 23) == 1 and read(sim, "dac_auxiliary_voltage_raw") == "13107"


def test_target_power_without_a_gpio_tree(sim):
    res = run_sheep(sim, "target-power", env={"SHEPHERD_GPIO_ROOT": "/nonexistent/gpio"})
    assert res.returncode == 1
    assert "no GPIO tree at /nonexistent/gpio" in res.stderr


# ---- blink, rpc -----------------------------------------------------------------------------

def test_blink_steps_through_the_port_leds(sim):
    # steps of 25 ms: the simulator sees each write of a pin before the next one (inotify)
    res = run_sheep(sim, "blink", "1", env={"SHEPHERD_SETTLE_SCALE": "0.2"})
    assert res.returncode == 0, res.stderr
    assert "Blinks LEDs IO & EMU next to Target-Ports for 1 s" in res.stderr
    writes = gpio_writes(sim)
    # the session's enter: the cape on, then the front-ends on
    first_on = writes.index((23, 1))
    blink_from = writes.index((60, 1), first_on)
    assert (51, 1) in writes[first_on:blink_from]
    period = [(30, 1), (31, 1), (31, 0), (30, 0)]
    assert writes[blink_from + 1:blink_from + 9] == period * 2
    # the session's exit
    assert writes[blink_from + 9:] == [(60, 0), (51, 0), (50, 0), (23, 0)]
    assert pins(sim) == {23: 0, 50: 0, 51: 0, 30: 0, 31: 0, 60: 0}
    assert read(sim, "mode") == "none" and read(sim, "dac_auxiliary_voltage_raw") == "0"


@pytest.mark.parametrize("args", [[], ["-p", "4242"]])
def test_rpc_is_not_rebuilt(args):
    res = run_sheep(None, "rpc", *args)
    assert res.returncode == 2
    assert "not rebuilt" in res.stderr and "target-power" in res.stderr


@pytest.mark.parametrize("command", ["fix", "pru", "target-power", "blink", "rpc"])
def test_every_node_command_has_help(command):
    res = run_sheep(None, command, "--help")
    assert res.returncode == 0
    assert res.stdout.startswith(f"Usage: shepherd-sheep {command}")


# ---- run ------------------------------------------------------------------------------------

def test_a_harvest_switches_the_firmware_first(sim, tmp_path):
    load_firmware(sim, "swd")
    res, path = harvest(sim, tmp_path, 1)
    assert res.returncode == 0, res.stderr
    assert read(sim, "pru0_firmware") == HRV
    err = res.stderr
    assert err.index("Activated shepherd kernel module") < err.index(
        f"PRU0 runs firmware {HRV}") < err.index(f"PRU1 runs firmware {PRU1}") < err.index(
        "recording to")
    with h5py.File(path, "r") as f:
        assert f["data"]["time"].shape[0] == 100000
    # the harvester's front-end was on during the run, and everything is off after it
    writes = gpio_writes(sim)
    assert (50, 1) in writes and (51, 1) not in writes
    assert pins(sim) == {23: 0, 50: 0, 51: 0, 30: 0, 31: 0, 60: 0}
    assert read(sim, "mode") == "none"


def test_run_stops_an_active_timesyncd(sim, tmp_path):
    units = tmp_path / "systemd"
    units.mkdir()
    (units / "systemd-timesyncd").write_text("active\n")
    res, _ = harvest(sim, tmp_path, 1, env={"FAKE_SYSTEMCTL_DIR": str(units)})
    assert res.returncode == 0, res.stderr
    calls = (units / "calls.log").read_text().splitlines()
    assert calls == ["is-active --quiet systemd-timesyncd.service",
                     "stop systemd-timesyncd.service"]
    assert (units / "systemd-timesyncd").read_text().strip() == "inactive"
    # inactive: asked, not stopped
    res, _ = harvest(sim, tmp_path, 1, env={"FAKE_SYSTEMCTL_DIR": str(units)})
    assert res.returncode == 0, res.stderr
    assert (units / "calls.log").read_text().splitlines()[2:] == [
        "is-active --quiet systemd-timesyncd.service"]


def test_run_goes_on_without_a_service_manager(sim, tmp_path):
    res, path = harvest(sim, tmp_path, 1, env={"SHEPHERD_SYSTEMCTL": "/nonexistent/systemctl"})
    assert res.returncode == 0, res.stderr
    assert "cannot ask /nonexistent/systemctl whether systemd-timesyncd.service is active" in \
        res.stderr
    assert path.exists()


def test_run_with_a_module_that_was_unloaded(sim_factory, tmp_path):
    sim = sim_factory("--module", "unloaded")
    res, path = harvest(sim, tmp_path, 1)
    assert res.returncode == 0, res.stderr
    assert path is not None and path.exists()


def test_an_emulation_routes_port_b_and_switches_all_off_after(sim_factory, tmp_path):
    sim = sim_factory("--emulation", "loopback")
    n = 4 * 100000
    ramp = (np.arange(n, dtype=np.uint32) % 1000) * 1000
    source = write_input(tmp_path / "input.h5", 2_000_000 + ramp, 1_000_000 + ramp)
    task = tmp_path / "emulation.yaml"
    task.write_text(yaml.safe_dump({"datatype": "EmulationTask", "parameters": {
        "input_path": str(source), "output_path": str(tmp_path / "emu.h5"), "duration": 4,
        "enable_io": True, "io_port": "B", "pwr_port": "A", "voltage_aux": 2.5,
        "uart_logging": None}}))
    proc = subprocess.Popen(
        [*SHEEP_CMD, "--sysfs-root", str(sim.sysfs), "--mem-device", str(sim.mem), "run",
         "--start-delay", "1", "--no-status", str(task)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=sheep_env(sim, {"SHEPHERD_UART_DEVICE": NO_TTY}))
    try:
        assert wait_for(lambda: state(sim) == "running" or proc.poll() is not None, 60)
        during = pins(sim)
        mode = read(sim, "mode")
    finally:
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert mode == "emulator"
    # IO and the emulated supply on port B, the level converter on, the emulator's front-end
    assert during == {23: 1, 50: 0, 51: 1, 30: 0, 31: 0, 60: 1}, during
    assert "pwr_port A is ignored" in err
    assert pins(sim) == {23: 0, 50: 0, 51: 0, 30: 0, 31: 0, 60: 0}
    assert read(sim, "mode") == "none" and read(sim, "dac_auxiliary_voltage_raw") == "0"
    writes = gpio_writes(sim)
    routed = len(writes) - 1 - writes[::-1].index((60, 1))  # the routing's level converter
    assert writes[routed:] == [(60, 1), (30, 0), (31, 0),  # IO and supply to port B
                               (60, 0),  # the end: the level converter off, 2 s
                               (60, 0), (51, 0), (50, 0), (23, 0)]  # the node at rest


def test_an_emulation_without_io(sim_factory, tmp_path):
    sim = sim_factory("--emulation", "loopback")
    n = 2 * 100000
    source = write_input(tmp_path / "input.h5", np.full(n, 2_000_000, np.uint32),
                         np.full(n, 1_000_000, np.uint32))
    task = tmp_path / "emulation.yaml"
    task.write_text(yaml.safe_dump({"datatype": "EmulationTask", "parameters": {
        "input_path": str(source), "output_path": str(tmp_path / "emu.h5"), "duration": 2,
        "enable_io": False, "io_port": "A", "uart_logging": None, "gpio_tracing": None}}))
    res = run_sheep(sim, "run", "--start-delay", "1", "--no-status", str(task),
                    env={"SHEPHERD_UART_DEVICE": NO_TTY})
    assert res.returncode == 0, res.stderr
    writes = gpio_writes(sim)
    routed = writes.index((51, 1)) + 1
    assert writes[routed:routed + 3] == [(60, 0), (30, 1), (31, 1)]
    assert "is ignored" not in res.stderr


def test_a_run_without_a_gpio_tree_names_it(sim, tmp_path):
    res, path = harvest(sim, tmp_path, 1, env={"SHEPHERD_GPIO_ROOT": str(tmp_path / "nogpio")})
    assert res.returncode == 1
    assert f"no GPIO tree at {tmp_path / 'nogpio'}" in res.stderr
    assert path is None and not (tmp_path / "rec.h5").exists()
