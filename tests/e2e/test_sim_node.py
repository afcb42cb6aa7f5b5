"""The simulator as the node's kernel module, PRU firmware loader and GPIO tree
(node-control.md 1.1 - 1.5, 2.1 - 2.4, 3.7): firmware per PRU, the module's load and unload
through sim-modprobe, the sysfs GPIO tree and its log, ROOT/env."""
import os
import re
import signal
import subprocess
import time

import numpy as np
import pytest

from conftest import (PRU0_FIRMWARE, SIM_MODPROBE, gpio_log_lines, gpio_value, load_firmware,
                      pop_messages, press_button, read, wait_for)

EMU, HRV, SWD, SBW = (PRU0_FIRMWARE[k] for k in ("emu", "hrv", "swd", "sbw"))
PRU1 = "am335x-pru1-shepherd-fw"
CAL = "calibration_settings"
CAL_PATTERN = "255 -1 \n254 -2 \n253 -3 \n"
RING_OFFSETS = [0, 8388620, 8388620 + 9600008, 8388620 + 9600008 + 30000008]
RING_BYTES = 8388620 + 9600008 + 30000008 + 9608


def write(sim, name, text):
    (sim.sysfs / name).write_text(text)


def log_of(sim):
    assert sim.stop() == 0
    return sim.proc.stderr.read()


def idx_pru(sim):
    """The first word (idx_pru) of each of the four rings."""
    base = int(read(sim, "memory/iv_inp_address"))
    mem = np.memmap(sim.mem, dtype=np.uint8, mode="r", offset=base, shape=(RING_BYTES,))
    words = [int(mem[o:o + 4].view(np.uint32)[0]) for o in RING_OFFSETS]
    del mem
    return words


def write_pru0_firmware(sim, text):
    """Writes text to pru0_firmware and waits for the boot; the name it then reads."""
    pop_messages(sim)
    write(sim, "pru0_firmware", text)
    assert wait_for(lambda: 0xF0 in pop_messages(sim), 5), text
    assert wait_for(lambda: read(sim, "state") == "idle", 2)
    return read(sim, "pru0_firmware")


def start_now(sim):
    write(sim, "time_start", "now")
    assert wait_for(lambda: read(sim, "state") == "running", 3)


def stop_now(sim):
    write(sim, "time_stop", "now")
    assert wait_for(lambda: read(sim, "state") == "idle", 3)


# ---- firmware per PRU --------------------------------------------------------------------------

@pytest.mark.parametrize("text, loaded", [
    (EMU, EMU), (HRV, HRV), (SWD, SWD), (SBW, SBW),
    ("emu", EMU), ("hrv", HRV), ("swd", SWD), ("sbw", SBW),
    ("hrv\n", HRV), ("swd-anything", SWD), (HRV + "-extra", HRV),
    ("HRV", EMU), ("xhrv", EMU), ("am335x-pru0-shepherd", EMU), ("sync", EMU), ("junk", EMU),
])
def test_pru0_firmware_is_picked_as_the_kernel_picks_it(sim, text, loaded):
    if loaded == EMU:  # from another firmware, so that the swap shows
        load_firmware(sim, "sbw")
    assert write_pru0_firmware(sim, text) == loaded
    assert read(sim, "mode") == "none" and read(sim, "pru1_firmware") == PRU1
    log = log_of(sim)
    assert f"PRU0 firmware {loaded} loaded ('{text.strip()}' written)" in log, log


def test_the_simulator_starts_as_the_module_loads(sim):
    assert read(sim, "pru0_firmware") == EMU and read(sim, "pru1_firmware") == PRU1
    assert read(sim, "mode") == "none" and read(sim, "state") == "idle"
    assert read(sim, "dac_auxiliary_voltage_raw") == "0"
    assert read(sim, CAL) == CAL_PATTERN
    assert pop_messages(sim) == [0xF0]
    assert idx_pru(sim) == [0xFFFFFFFF] * 4
    assert (sim.sysfs / "sim_module").read_text() == "loaded"
    assert any(line.startswith("module loaded") for line in sim.banner)


def test_a_swap_boots_the_firmware_afresh(sim):
    load_firmware(sim, "hrv")
    write(sim, "mode", "harvester")
    assert wait_for(lambda: read(sim, "mode") == "harvester")
    start_now(sim)
    time.sleep(0.2)
    stop_now(sim)
    assert idx_pru(sim)[1] != 0xFFFFFFFF  # the run moved the IV-out index
    write(sim, CAL, "1 2 3 4 5 6")
    assert wait_for(lambda: read(sim, CAL) == "1 2 \n3 4 \n5 6 \n")
    write(sim, "dac_auxiliary_voltage_raw", "43253")
    assert wait_for(lambda: 0xF0 in pop_messages(sim))  # the aux word's reset
    assert read(sim, "dac_auxiliary_voltage_raw") == "43253"
    assert write_pru0_firmware(sim, "emu") == EMU
    assert read(sim, CAL) == CAL_PATTERN
    assert read(sim, "dac_auxiliary_voltage_raw") == "0"
    assert read(sim, "mode") == "none"
    assert idx_pru(sim) == [0xFFFFFFFF] * 4


def test_pru1_firmware_sync_changes_nothing_and_anything_else_reloads(sim):
    write(sim, CAL, "1 2 3 4 5 6")
    write(sim, "mode", "emulator")
    assert wait_for(lambda: read(sim, CAL) == "1 2 \n3 4 \n5 6 \n"
                    and read(sim, "mode") == "emulator")
    pop_messages(sim)
    write(sim, "pru1_firmware", "sync")
    time.sleep(0.2)
    assert read(sim, "pru1_firmware") == PRU1 and read(sim, CAL) == "1 2 \n3 4 \n5 6 \n"
    write(sim, "pru1_firmware", "whatever")
    assert wait_for(lambda: read(sim, CAL) == CAL_PATTERN)
    assert read(sim, "pru1_firmware") == PRU1
    # PRU0 did not reboot: its mode stays, no 0xF0
    assert read(sim, "mode") == "emulator" and read(sim, "pru0_firmware") == EMU
    assert pop_messages(sim) == []
    log = log_of(sim)
    assert "pru1_firmware 'sync': sync-fw was removed, nothing changes" in log, log
    assert f"PRU1 firmware {PRU1} reloaded ('whatever' written)" in log


@pytest.mark.parametrize("fw, takes, lacks", [
    ("emu", ["emulator", "emu_adc_read", "emu_loopback", "debug", "none"],
     ["harvester", "hrv_adc_read"]),
    ("hrv", ["harvester", "hrv_adc_read", "debug", "none"],
     ["emulator", "emu_adc_read", "emu_loopback"]),
])
def test_a_firmware_takes_only_its_own_modes(sim, fw, takes, lacks):
    load_firmware(sim, fw)
    for mode in takes:
        write(sim, "mode", mode)
        assert wait_for(lambda: read(sim, "mode") == mode), mode
        assert wait_for(lambda: pop_messages(sim) == [0xF0]), mode
    for mode in lacks:
        write(sim, "mode", mode)
        assert wait_for(lambda: pop_messages(sim) == [0xE0]), mode
        assert read(sim, "mode") == "none"  # the last one taken
    log = log_of(sim)
    for mode in lacks:
        assert (f"written to mode: the loaded PRU0 firmware {PRU0_FIRMWARE[fw]} has no mode "
                f"{mode}") in log, log


@pytest.mark.parametrize("fw", ["swd", "sbw"])
def test_a_programmer_firmware_ignores_the_mode_and_never_samples(sim, fw):
    load_firmware(sim, fw)
    for mode in ("emulator", "harvester", "none"):
        write(sim, "mode", mode)
        assert wait_for(lambda: read(sim, "mode") == mode)
        assert wait_for(lambda: pop_messages(sim) == [0xF0])
    write(sim, "time_start", "now")
    assert wait_for(lambda: pop_messages(sim) == [0xE0])
    assert read(sim, "state") == "idle"
    write(sim, "time_start", str(int(time.time()) + 3))
    assert wait_for(lambda: pop_messages(sim) == [0xE0])
    assert read(sim, "state") == "idle"
    log = log_of(sim)
    assert (f"written to time_start: PRU0 runs the programmer firmware {PRU0_FIRMWARE[fw]}, "
            "which never samples") in log, log


def test_firmware_writes_while_running_are_refused(sim):
    load_firmware(sim, "hrv")
    start_now(sim)
    pop_messages(sim)
    write(sim, "pru0_firmware", "emu")
    assert wait_for(lambda: pop_messages(sim) == [0xE0])
    write(sim, "pru1_firmware", "pru1")
    assert wait_for(lambda: pop_messages(sim) == [0xE0])
    assert read(sim, "pru0_firmware") == HRV and read(sim, "state") == "running"
    stop_now(sim)
    log = log_of(sim)
    assert "written to pru0_firmware: -EBUSY: state is not idle" in log, log
    assert "written to pru1_firmware: -EBUSY: state is not idle" in log


# ---- the module: sim-modprobe ------------------------------------------------------------------

def modprobe(sim, *args, env=None):
    full = dict(os.environ)
    full.pop("SHEPHERD_SYSFS_ROOT", None)
    if sim is not None:
        full["SHEPHERD_SYSFS_ROOT"] = str(sim.sysfs)
    full.update(env or {})
    return subprocess.run([SIM_MODPROBE, *args], capture_output=True, text=True, timeout=30,
                          env=full)


def tree(sim):
    return sorted(p.name for p in sim.sysfs.iterdir())


def test_unload_and_load(sim):
    load_firmware(sim, "hrv")
    write(sim, CAL, "1 2 3 4 5 6")
    write(sim, "mode", "harvester")
    assert wait_for(lambda: read(sim, "mode") == "harvester")
    start_now(sim)
    res = modprobe(sim, "-rf", "shepherd")
    assert res.returncode == 0, res.stderr
    assert tree(sim) == ["sim_module"]
    assert (sim.sysfs / "sim_module").read_text().split()[0] == "unloaded"
    # writes while unloaded change nothing; unloading twice is fine (kmod)
    write(sim, "mode", "emulator")
    assert modprobe(sim, "-rf", "shepherd").returncode == 0
    res = modprobe(sim, "-a", "shepherd")
    assert res.returncode == 0, res.stderr
    assert "memory" in tree(sim) and "pru_msg_box" in tree(sim)
    assert read(sim, "state") == "idle" and read(sim, "mode") == "none"
    assert read(sim, "pru0_firmware") == EMU and read(sim, "pru1_firmware") == PRU1
    assert read(sim, CAL) == CAL_PATTERN and read(sim, "dac_auxiliary_voltage_raw") == "0"
    assert read(sim, "time_start") == "None"
    assert int(read(sim, "memory/iv_out_size")) == 9600008
    assert pop_messages(sim) == [0xF0]
    assert idx_pru(sim) == [0xFFFFFFFF] * 4
    assert modprobe(sim, "-a", "shepherd").returncode == 0  # loading twice, too
    assert read(sim, "mode") == "none"
    log = log_of(sim)
    assert "module: unload done, the module is unloaded" in log
    assert "module: load done, the module is loaded" in log


def test_unload_keeps_the_lock_step_file(sim_factory):
    sim = sim_factory("--no-overrun")
    assert modprobe(sim, "-rf", "shepherd").returncode == 0
    assert tree(sim) == ["sim_lockstep", "sim_module"]
    assert modprobe(sim, "-a", "shepherd").returncode == 0
    assert read(sim, "sim_lockstep") == "1"


def test_the_module_can_start_unloaded(sim_factory):
    sim = sim_factory("--module", "unloaded")
    assert tree(sim) == ["sim_module"]
    assert (sim.sysfs / "sim_module").read_text() == "unloaded"
    assert any(line.startswith("module unloaded") for line in sim.banner)
    assert modprobe(sim, "-a", "shepherd").returncode == 0
    assert read(sim, "state") == "idle" and read(sim, "pru0_firmware") == EMU


def test_injected_module_failures(sim_factory):
    sim = sim_factory("--module-fail", "2")
    for args in (["-rf", "shepherd"], ["-a", "shepherd"]):
        res = modprobe(sim, *args)
        assert res.returncode == 1
        assert "injected failure (--module-fail)" in res.stderr, res.stderr
    assert read(sim, "state") == "idle"  # nothing changed
    assert modprobe(sim, "-rf", "shepherd").returncode == 0
    assert tree(sim) == ["sim_module"]
    log = log_of(sim)
    assert log.count("refused: injected failure (--module-fail)") == 2, log


@pytest.mark.parametrize("bad", ["", "bogus 1", "load"])
def test_a_bad_request_is_answered(sim, bad):
    write(sim, "sim_module", bad or "\n")
    if bad:
        assert wait_for(lambda: "failed: bad request" in
                        (sim.sysfs / "sim_module").read_text())
    else:  # empty: taken for a write still in progress
        time.sleep(0.1)
    assert read(sim, "state") == "idle"


def test_modprobe_arguments_and_environment(sim, tmp_path):
    res = modprobe(sim)
    assert res.returncode == 1 and "missing module name" in res.stderr
    assert "Usage: sim-modprobe" in res.stderr
    res = modprobe(sim, "-a", "pruss")
    assert res.returncode == 1 and "Module pruss not found" in res.stderr
    res = modprobe(sim, "--bogus", "shepherd")
    assert res.returncode == 1 and "Usage: sim-modprobe" in res.stderr
    res = modprobe(None, "-a", "shepherd")
    assert res.returncode == 1 and "SHEPHERD_SYSFS_ROOT is not set" in res.stderr
    res = modprobe(None, "-a", "shepherd", env={"SHEPHERD_SYSFS_ROOT": str(tmp_path)})
    assert res.returncode == 1 and f"no simulator at {tmp_path}" in res.stderr
    res = subprocess.run([SIM_MODPROBE, "--help"], capture_output=True, text=True, timeout=10)
    assert res.returncode == 0 and "Usage: sim-modprobe" in res.stdout
    assert read(sim, "state") == "idle"


def test_modprobe_without_a_simulator_answering(sim_factory):
    gone = sim_factory("--keep")
    assert gone.stop() == 0
    try:
        res = modprobe(gone, "-rf", "shepherd")
        assert res.returncode == 1
        assert f"no simulator runs for {gone.sysfs}" in res.stderr, res.stderr
    finally:
        subprocess.run(["rm", "-rf", str(gone.root)], check=True)
    frozen = sim_factory()
    frozen.proc.send_signal(signal.SIGSTOP)
    try:
        res = modprobe(frozen, "-a", "shepherd")
    finally:
        frozen.proc.send_signal(signal.SIGCONT)
    assert res.returncode == 1
    assert f"no answer from the simulator at {frozen.sysfs} within 10 s" in res.stderr


# ---- the GPIO tree -----------------------------------------------------------------------------

def gpio_write(sim, name, text):
    """Writes text to a file of the GPIO tree and waits for the simulator to log it."""
    n = len(sim.gpio_log.read_text().splitlines())
    (sim.gpio / name).write_text(text)
    assert wait_for(lambda: len(sim.gpio_log.read_text().splitlines()) > n, 5), (name, text)


def export(sim, n):
    gpio_write(sim, "export", str(n))
    assert (sim.gpio / f"gpio{n}").is_dir()


def test_export_direction_value_and_the_log(sim):
    assert sorted(p.name for p in sim.gpio.iterdir()) == ["export", "unexport"]
    export(sim, 60)
    pin = sim.gpio / "gpio60"
    assert sorted(p.name for p in pin.iterdir()) == ["active_low", "direction", "edge", "value"]
    assert (pin / "direction").read_text() == "in\n" and gpio_value(sim, 60) == 0
    assert (pin / "edge").read_text() == "none\n"
    gpio_write(sim, "gpio60/direction", "high")
    assert (pin / "direction").read_text().strip() == "out" and gpio_value(sim, 60) == 1
    gpio_write(sim, "gpio60/direction", "out")  # out drives low, also from high
    assert gpio_value(sim, 60) == 0
    gpio_write(sim, "gpio60/value", "1\n")
    assert gpio_value(sim, 60) == 1
    gpio_write(sim, "gpio60/value", "0")
    gpio_write(sim, "gpio60/direction", "low")
    gpio_write(sim, "gpio60/active_low", "1")
    assert gpio_value(sim, 60) == 1  # the line is low, active low reads 1
    gpio_write(sim, "gpio60/edge", "falling")
    assert (pin / "edge").read_text().strip() == "falling"
    gpio_write(sim, "unexport", "60")
    assert not pin.exists()
    assert gpio_log_lines(sim) == [
        "export 60", "gpio60 direction high", "gpio60 direction out", "gpio60 value 1",
        "gpio60 value 0", "gpio60 direction low", "gpio60 active_low 1", "gpio60 edge falling",
        "unexport 60"]
    stamps = [float(line.split()[0]) for line in sim.gpio_log.read_text().splitlines()]
    assert all(re.fullmatch(r"\d+\.\d{6} .+", line)
               for line in sim.gpio_log.read_text().splitlines())
    assert stamps == sorted(stamps) and abs(stamps[-1] - time.time()) < 60


def test_refused_gpio_writes_are_put_back_and_logged(sim):
    export(sim, 23)
    gpio_write(sim, "export", "23")
    gpio_write(sim, "export", "128")
    gpio_write(sim, "export", "pin")
    gpio_write(sim, "unexport", "24")
    gpio_write(sim, "gpio23/direction", "sideways")
    assert (sim.gpio / "gpio23" / "direction").read_text() == "in\n"
    gpio_write(sim, "gpio23/value", "x")
    assert gpio_value(sim, 23) == 0
    gpio_write(sim, "gpio23/edge", "sometimes")
    assert (sim.gpio / "gpio23" / "edge").read_text() == "none\n"
    assert gpio_log_lines(sim) == [
        "export 23",
        "export 23 (refused: busy: already exported)",
        "export 128 (refused: invalid: no such GPIO (0 to 127))",
        "export pin (refused: invalid: no such GPIO (0 to 127))",
        "unexport 24 (refused: not exported)",
        "gpio23 direction sideways (refused: not in, out, high or low)",
        "gpio23 value x (refused: not a number)",
        "gpio23 edge sometimes (refused: not none, rising, falling or both)"]


def test_inputs_read_the_outside_world_and_the_button_is_pulled_up(sim):
    export(sim, 65)
    export(sim, 22)
    assert gpio_value(sim, 65) == 1 and gpio_value(sim, 22) == 0
    gpio_write(sim, "gpio65/edge", "falling")
    n = len(gpio_log_lines(sim))
    press_button(sim, hold=0.1)
    assert wait_for(lambda: len(gpio_log_lines(sim)) == n + 2)
    assert gpio_log_lines(sim)[n:] == ["gpio65 value 0 (external)", "gpio65 value 1 (external)"]
    gpio_write(sim, "gpio22/value", "1")  # an input: the outside world's level
    assert gpio_log_lines(sim)[-1] == "gpio22 value 1 (external)"
    # an output drives its own level; back to an input, the outside world's level shows again
    gpio_write(sim, "gpio22/direction", "out")
    assert gpio_value(sim, 22) == 0
    gpio_write(sim, "gpio22/direction", "in")
    assert gpio_value(sim, 22) == 1
    # unexported and exported again: a fresh input that still reads the outside world
    gpio_write(sim, "unexport", "65")
    export(sim, 65)
    assert gpio_value(sim, 65) == 1
    assert (sim.gpio / "gpio65" / "edge").read_text() == "none\n"


def test_the_cape_state_line(sim_factory):
    sim = sim_factory("-v")
    for n in (23, 31, 30, 60):
        export(sim, n)
    write(sim, "dac_auxiliary_voltage_raw", "43253")
    assert wait_for(lambda: read(sim, "dac_auxiliary_voltage_raw") == "43253")
    # target-power --on -v 3.3 -p B: supply on, pwr_sel high, io_sel low, level converter on
    gpio_write(sim, "gpio23/direction", "high")
    gpio_write(sim, "gpio31/direction", "high")
    gpio_write(sim, "gpio30/direction", "low")
    gpio_write(sim, "gpio60/direction", "high")
    time.sleep(0.1)
    gpio_write(sim, "gpio31/value", "0")  # the aux rail to A, main to B
    gpio_write(sim, "gpio30/value", "1")
    gpio_write(sim, "gpio23/value", "0")
    time.sleep(0.1)
    log = log_of(sim)
    assert ("cape: on, port B powered from aux at 3.30 V, port A from main, IO to B, level "
            "converter on") in log, log
    assert "cape: on, port A powered from aux at 3.30 V, port B from main, IO to B" in log
    assert "cape: on, port A powered from aux at 3.30 V, port B from main, IO to A" in log
    assert "cape: off, IO to A, level converter on" in log


# ---- ROOT/env ----------------------------------------------------------------------------------

def sourced(sim, names):
    script = f". '{sim.env_file}'; " + "; ".join(f'echo "{n}=${{{n}-unset}}"' for n in names)
    res = subprocess.run(["/bin/sh", "-c", script], capture_output=True, text=True, timeout=10,
                         env={"PATH": "/usr/bin:/bin"})
    assert res.returncode == 0, res.stderr
    return dict(line.split("=", 1) for line in res.stdout.splitlines())


VARS = ["SHEPHERD_SYSFS_ROOT", "SHEPHERD_MEM_DEVICE", "SHEPHERD_EEPROM", "SHEPHERD_GPIO_ROOT",
        "SHEPHERD_MODPROBE", "SHEPHERD_SETTLE_SCALE", "SHEPHERD_SYSTEMCTL"]


def test_the_env_file_points_a_shell_at_the_simulator(sim):
    assert any(str(sim.env_file) in line for line in sim.banner)
    got = sourced(sim, VARS)
    assert got == {
        "SHEPHERD_SYSFS_ROOT": str(sim.sysfs), "SHEPHERD_MEM_DEVICE": str(sim.mem),
        "SHEPHERD_EEPROM": str(sim.root / "eeprom"), "SHEPHERD_GPIO_ROOT": str(sim.gpio),
        "SHEPHERD_MODPROBE": os.path.realpath(SIM_MODPROBE), "SHEPHERD_SETTLE_SCALE": "0.01",
        "SHEPHERD_SYSTEMCTL": "/bin/true"}
    assert "no service manager is stood in for" in sim.env_file.read_text()
    # the module command it names works with the environment it sets up
    script = f". '{sim.env_file}'; \"$SHEPHERD_MODPROBE\" -rf shepherd"
    assert subprocess.run(["/bin/sh", "-c", script], timeout=30).returncode == 0
    assert tree(sim) == ["sim_module"]


def test_the_env_file_without_an_eeprom(sim_factory):
    sim = sim_factory("--eeprom", "none")
    got = sourced(sim, VARS)
    assert got["SHEPHERD_EEPROM"] == "unset" and got["SHEPHERD_GPIO_ROOT"] == str(sim.gpio)
