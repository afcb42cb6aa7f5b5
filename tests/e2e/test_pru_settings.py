"""The PRU settings files: the simulator takes them as the kernel module does (pru-settings.md
1.1, 1.2), and the sheep's pru_settings_apply() writes, re-initialises and checks them end to end
(through tests/tools/settings_apply.c)."""
import functools
import os
import pathlib
import shutil
import subprocess
import time

import conftest
from conftest import SHEEP, load_firmware, pop_messages, read

wait_for = functools.partial(conftest.wait_for, timeout=5.0)  # these files answer quickly

APPLY = os.environ.get("SETTINGS_APPLY_BIN", str(pathlib.Path(SHEEP).with_name("settings_apply")))

CAL = "calibration_settings"
CONV = "virtual_converter_settings"
HRV = "virtual_harvester_settings"

# the kernel's test patterns (mem_interface_reset), in its read format
CAL_PATTERN = "255 -1 \n254 -2 \n253 -3 \n"
HRV_PATTERN = "".join(f"{v} \n" for v in [0, *range(200, 211)])
CONV_PATTERN = ("".join(f"{v} \n" for v in range(100, 124))
                + "".join(f"{v} " for v in range(144)) + "\n"
                + "".join(f"{v} " for v in range(12)) + "\n")


def write(sim, name, text):
    (sim.sysfs / name).write_text(text)


def kernel_converter(scalars, lut_in, lut_out):
    return ("".join(f"{v} \n" for v in scalars) + "".join(f"{v} " for v in lut_in) + "\n"
            + "".join(f"{v} " for v in lut_out) + "\n")


def start_running(sim):
    pop_messages(sim)
    write(sim, "time_start", "now")
    assert wait_for(lambda: read(sim, "state") == "running")


def sim_log(sim):
    assert sim.stop() == 0
    return sim.proc.stderr.read()


def apply(sim, mode, cal=None, conv=None, hrv=None, debug=False):
    cmd = [APPLY]
    for flag, vec in (("-c", cal), ("-k", conv), ("-H", hrv)):
        if vec is not None:
            cmd += [flag, " ".join(str(v) for v in vec)]
    if debug:
        cmd.append("-d")
    res = subprocess.run([*cmd, str(sim.sysfs), mode], capture_output=True, text=True,
                         timeout=60)
    for marker in ("AddressSanitizer", "runtime error:", "LeakSanitizer"):
        assert marker not in res.stderr, res.stderr
    return res


# ---- the simulator as the kernel module -------------------------------------------------------

def test_files_hold_the_test_patterns_at_start(sim):
    assert read(sim, CAL) == CAL_PATTERN
    assert read(sim, HRV) == HRV_PATTERN
    assert read(sim, CONV) == CONV_PATTERN


def test_valid_writes_are_republished_in_the_read_format(sim):
    pop_messages(sim)
    write(sim, CAL, "52083 0 \n5000 0 \n13744 0")
    assert wait_for(lambda: read(sim, CAL) == "52083 0 \n5000 0 \n13744 0 \n")
    # any white space separates tokens; extra trailing tokens are ignored
    write(sim, HRV, " ".join(str(v) for v in range(1, 13)) + "  99 98\n")
    assert wait_for(lambda: read(sim, HRV) == "".join(f"{v} \n" for v in range(1, 13)))
    scalars = list(range(5000, 5024))
    lut_in = [(7 * k) % 256 for k in range(144)]
    lut_out = list(range(16, 28))
    write(sim, CONV, "\t".join(str(v) for v in scalars + lut_in + lut_out))
    assert wait_for(lambda: read(sim, CONV) == kernel_converter(scalars, lut_in, lut_out))
    assert pop_messages(sim) == []


def test_write_while_running_is_refused_and_undone(sim):
    write(sim, CAL, "1 2 3 4 5 6")
    assert wait_for(lambda: read(sim, CAL) == "1 2 \n3 4 \n5 6 \n")
    start_running(sim)
    write(sim, CAL, "7 8 9 10 11 12")
    write(sim, HRV, " ".join(["5"] * 12))
    time.sleep(0.2)
    assert read(sim, CAL) == "1 2 \n3 4 \n5 6 \n"
    assert read(sim, HRV) == HRV_PATTERN
    assert read(sim, "state") == "running"
    assert pop_messages(sim) == [0xE0, 0xE0]
    log = sim_log(sim)
    assert f"written to {CAL}: -EBUSY: state is not idle" in log, log


def test_incomplete_or_bad_token_lists_are_refused(sim):
    pop_messages(sim)
    bad = [
        (CAL, "1 2 3 4 5", "6 numbers needed, found 5"),
        (CAL, "1 2 x 4 5 6", "token 2 (adc_voltage_gain) 'x' is not a decimal number"),
        (CAL, "-1 2 3 4 5 6", "token 0 (adc_current_gain) -1 is out of range"),
        (CAL, "1 2147483648 3 4 5 6", "token 1 (adc_current_offset) 2147483648 is out of range"),
        (CAL, "4294967296 0 3 4 5 6", "out of range"),
        (HRV, " ".join(["1"] * 11), "12 numbers needed, found 11"),
        (CONV, " ".join(["1"] * 179), "180 numbers needed, found 179"),
    ]
    for name, text, _ in bad:
        write(sim, name, text)
        time.sleep(0.05)
    time.sleep(0.1)
    assert read(sim, CAL) == CAL_PATTERN
    assert read(sim, HRV) == HRV_PATTERN
    assert read(sim, CONV) == CONV_PATTERN
    assert pop_messages(sim) == [0xE0] * len(bad)
    assert read(sim, "state") == "idle"
    # the extremes of each range are taken
    write(sim, CAL, "4294967295 -2147483648 0 2147483647 0 0")
    assert wait_for(lambda: read(sim, CAL) == "4294967295 -2147483648 \n0 2147483647 \n0 0 \n")
    log = sim_log(sim)
    for _, _, why in bad:
        assert why in log, (why, log)


def test_input_lut_bytes_above_255_are_truncated(sim):
    pop_messages(sim)
    scalars = [0] * 24
    lut_in = [300, 255, 256, 4294967295] + [1] * 140
    write(sim, CONV, " ".join(str(v) for v in scalars + lut_in + [70000] * 12))
    stored = [44, 255, 0, 255] + [1] * 140
    assert wait_for(lambda: read(sim, CONV) == kernel_converter(scalars, stored, [70000] * 12))
    assert pop_messages(sim) == []
    log = sim_log(sim)
    assert "token 24 (LUT_inp_efficiency_n8[0][0]) is 300, more than a byte: stored as 44" in log
    assert log.count("more than a byte") == 3


def test_firmware_write_restores_the_test_patterns(sim):
    write(sim, CAL, "1 2 3 4 5 6")
    write(sim, HRV, " ".join(["5"] * 12))
    assert wait_for(lambda: read(sim, CAL) == "1 2 \n3 4 \n5 6 \n"
                    and read(sim, HRV) != HRV_PATTERN)
    pop_messages(sim)
    write(sim, "pru0_firmware", "am335x-pru0-shepherd-HRV-fw\n")
    assert wait_for(lambda: read(sim, CAL) == CAL_PATTERN)
    assert read(sim, HRV) == HRV_PATTERN and read(sim, CONV) == CONV_PATTERN
    assert read(sim, "pru0_firmware") == "am335x-pru0-shepherd-HRV-fw"
    assert pop_messages(sim) == [0xF0]
    # PRU1's firmware as well; and not while running
    write(sim, CAL, "1 2 3 4 5 6")
    assert wait_for(lambda: read(sim, CAL) == "1 2 \n3 4 \n5 6 \n")
    write(sim, "pru1_firmware", "am335x-pru1-shepherd-fw")
    assert wait_for(lambda: read(sim, CAL) == CAL_PATTERN)
    write(sim, CAL, "1 2 3 4 5 6")
    assert wait_for(lambda: read(sim, CAL) == "1 2 \n3 4 \n5 6 \n")
    start_running(sim)
    write(sim, "pru0_firmware", "am335x-pru0-shepherd-EMU-fw")
    time.sleep(0.2)
    assert read(sim, "pru0_firmware") == "am335x-pru0-shepherd-HRV-fw"
    assert read(sim, CAL) == "1 2 \n3 4 \n5 6 \n"
    assert read(sim, "state") == "running"
    assert pop_messages(sim) == [0xE0]


# ---- pru_settings_apply() end to end -----------------------------------------------------------

HRV_VEC = [4096, 6, 8, 2500000, 0, 5000000, 714286, 5000, 195, 10000, 120, 1]
CAL_HRV = [57055, -2624115, 4997, 78, 13745, 281]
CAL_EMU = [57103, -2622240, 256000000, 0, 13750, 795]
CONV_SCALARS = [23, 0, 10000000, 4200000000, 0, 0, 57114, 3000000, 0, 2400000, 2300000, 1,
                0, 2800000, 2200000, 1, 1400000, 0, 10000000, 2400000, 0, 17, 12, 9]
CONV_LUT_IN = [(k * 37) % 256 for k in range(144)]
CONV_LUT_OUT = [16 + k for k in range(12)]


def test_apply_for_a_harvest(sim):
    load_firmware(sim, "hrv")  # the EMU firmware, loaded at start, has no harvester mode
    res = apply(sim, "harvester", cal=CAL_HRV, hrv=HRV_VEC, debug=True)
    assert res.returncode == 0, res.stderr
    assert read(sim, CAL) == "57055 -2624115 \n4997 78 \n13745 281 \n"
    assert read(sim, HRV) == "".join(f"{v} \n" for v in HRV_VEC)
    assert read(sim, CONV) == CONV_PATTERN  # not given, not written
    assert read(sim, "mode") == "harvester" and read(sim, "state") == "idle"
    # the vectors at debug, the order of the predecessor, then the proof of the re-init
    err = res.stderr
    assert f"{HRV} <- {' '.join(str(v) for v in HRV_VEC)}" in err, err
    assert err.index(f"sysfs: {HRV} <-") < err.index(f"sysfs: {CAL} <-") < err.index(
        "sysfs: mode <- harvester") < err.index("PRU message 0xF0")
    assert "read back (2 of 3 files, mode harvester)" in err
    assert pop_messages(sim) == []


def test_apply_for_an_emulation(sim):
    conv = CONV_SCALARS + CONV_LUT_IN + CONV_LUT_OUT
    res = apply(sim, "emulator", cal=CAL_EMU, conv=conv, hrv=HRV_VEC, debug=True)
    assert res.returncode == 0, res.stderr
    assert read(sim, CAL) == "57103 -2622240 \n256000000 0 \n13750 795 \n"
    assert read(sim, CONV) == kernel_converter(CONV_SCALARS, CONV_LUT_IN, CONV_LUT_OUT)
    assert read(sim, HRV) == "".join(f"{v} \n" for v in HRV_VEC)
    assert read(sim, "mode") == "emulator"
    err = res.stderr
    assert err.index(f"sysfs: {CAL} <-") < err.index(f"sysfs: {CONV} <-") < err.index(
        f"sysfs: {HRV} <-") < err.index("sysfs: mode <- emulator")
    # a second apply over the first one: the same path, other values
    res = apply(sim, "emulator", cal=CAL_HRV)
    assert res.returncode == 0, res.stderr
    assert read(sim, CAL) == "57055 -2624115 \n4997 78 \n13745 281 \n"


def test_apply_stops_a_running_pru_first(sim):
    load_firmware(sim, "hrv")
    start_running(sim)
    res = apply(sim, "harvester", hrv=HRV_VEC)
    assert res.returncode == 0, res.stderr
    assert "PRU state is 'running': stopping it to write its settings" in res.stderr
    assert read(sim, HRV) == "".join(f"{v} \n" for v in HRV_VEC)
    assert read(sim, "state") == "idle"


def test_apply_reports_a_refused_mode(sim):
    res = apply(sim, "warp_drive", cal=CAL_HRV)
    assert res.returncode == 1
    assert "PRU reports 0xE0 (invalid command)" in res.stderr, res.stderr
    assert ("PRU did not re-initialise after mode 'warp_drive' was written: no message 0xF0"
            in res.stderr)
    assert "the PRU reported 1 error(s) while taking them (0xE0: it refused a write)" in res.stderr


def test_apply_reports_a_write_that_fails(sim):
    path = sim.sysfs / HRV
    path.unlink()
    path.mkdir()  # the write fails with EISDIR, also as root
    try:
        res = apply(sim, "harvester", cal=CAL_HRV, hrv=HRV_VEC)
    finally:
        path.rmdir()
    assert res.returncode == 1
    assert "cannot write '4096 \\n6 \\n8 \\n2500000 \\n" in res.stderr, res.stderr
    assert f"to {path}: Is a directory" in res.stderr
    assert read(sim, CAL) == CAL_PATTERN  # nothing after the failed write


def test_apply_against_a_missing_simulator(tmp_path):
    res = subprocess.run([APPLY, "-c", "1 2 3 4 5 6", str(tmp_path / "none"), "harvester"],
                         capture_output=True, text=True, timeout=30)
    assert res.returncode == 1 and "not found" in res.stderr
    shutil.rmtree(tmp_path, ignore_errors=True)
