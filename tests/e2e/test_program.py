"""`program FIRMWARE_FILE` against the simulator (node-control.md 3): the simulated target's
memory equals the realigned image byte for byte, the retries with their rates, each injected
fault with the predecessor's messages, bad input named clearly, the cape pins during and after,
and after every case PRU0 back on the EMU firmware with the programmer idle.

The images are made here from the description of the predecessor's test files (3.5), and the
realigned image is recomputed independently of srec_cat: every contiguous range widened to
4-byte boundaries with 0xFF."""
import os
import re
import signal
import subprocess

import pytest

from conftest import (SHEEP_CMD, SIM_MODPROBE, load_firmware, read, run_sheep, sheep_env,
                      wait_for)

EMU = "am335x-pru0-shepherd-EMU-fw"
MEM_SIZE = 1 << 20


def record(addr, rtype, data):
    body = bytes([len(data), (addr >> 8) & 0xFF, addr & 0xFF, rtype]) + bytes(data)
    return ":" + (body + bytes([(-sum(body)) & 0xFF])).hex().upper() + "\n"


def hex_text(chunks, start=None, extended=True):
    """Intel HEX of (address, bytes) chunks in records of 16 bytes."""
    out, base = [], None
    for addr, data in chunks:
        for k in range(0, len(data), 16):
            a = addr + k
            if extended and a >> 16 != base:
                base = a >> 16
                out.append(record(0, 4, [base >> 8, base & 0xFF]))
            out.append(record(a & 0xFFFF, 0, data[k:k + 16]))
    if start is not None:
        out.append(record(0, 5, list(start.to_bytes(4, "big"))))
    out.append(record(0, 1, []))
    return "".join(out)


# firmware_nrf52_sleep.hex: code 0x0000-0x010C, realigned 0x0000-0x010F (272 bytes)
NRF52 = [(0x0000, bytes((7 * i + 3) & 0xFF for i in range(0x10D)))]
# firmware_msp430_sleep.hex: code 0x4000-0x413A and the reset vector at 0xFFFE (-> 0x4000);
# realigned 0x4000-0x413B and 0xFFFC-0xFFFF (320 bytes)
MSP430 = [(0x4000, bytes((5 * i + 1) & 0xFF for i in range(0x13B))), (0xFFFE, b"\x00\x40")]


def realigned(chunks):
    """{address: byte} of the image as the programmer gets it, and its ranges (end exclusive)."""
    image = {}
    for addr, data in chunks:
        for k, b in enumerate(data):
            image[addr + k] = b
    ranges, addrs = [], sorted(image)
    start = prev = addrs[0]
    for a in addrs[1:] + [None]:
        if a is None or a != prev + 1:
            ranges.append((start // 4 * 4, (prev // 4 + 1) * 4))
            start = a
        prev = a
    for lo, hi in ranges:
        for a in range(lo, hi):
            image.setdefault(a, 0xFF)
    return image, ranges


@pytest.fixture
def node(sim_factory):
    """A factory of simulators as fast as they go (their GPIO tree at ROOT/gpio)."""

    def start(*args):
        return sim_factory("--speed", "max", *args)

    return start


def program(sim, *args):
    return run_sheep(sim, "program", *args, timeout=300)


def write_image(tmp_path, chunks, name="image.hex", **kw):
    path = tmp_path / name
    path.write_text(hex_text(chunks, **kw))
    return path


def level(sim, pin):
    return (sim.root / "gpio" / f"gpio{pin}" / "value").read_text().strip()


def gpio_writes(sim):
    """The (pin, level) writes of the simulator's GPIO log, in order."""
    writes = []
    for line in (sim.root / "gpio.log").read_text().splitlines():
        m = re.fullmatch(r"\S+ gpio(\d+) value (\d)", line)
        if m:
            writes.append((int(m.group(1)), int(m.group(2))))
    return writes


def in_order(wanted, seen):
    it = iter(seen)
    return all(w in it for w in wanted)


def assert_restored(sim):
    """No PRU left in a programmer state: EMU on PRU0, the programmer idle, the cape off."""
    assert read(sim, "pru0_firmware") == EMU
    assert read(sim, "programmer/state") == "idle"
    assert read(sim, "state") == "idle"
    for pin in (60, 51, 50, 23):  # io_en, en_emulator, en_harvester, en_shepherd
        assert level(sim, pin) == "0", pin


def sim_log(sim):
    sim.stop()
    return sim.proc.stderr.read()


def rates(res):
    return [int(r) for r in re.findall(r"will start now \(data-rate = (\d+) bit/s\)", res.stderr)]


def assert_target_holds(sim, port, mcu, chunks):
    image, ranges = realigned(chunks)
    dump = (sim.root / f"target_{port}_{mcu}.bin").read_bytes()
    assert len(dump) == MEM_SIZE
    expected = bytearray(b"\xff" * MEM_SIZE)
    for a, b in image.items():
        expected[a] = b
    assert dump == bytes(expected)
    written = [tuple(int(x, 16) for x in line.split())
               for line in (sim.root / f"target_{port}_{mcu}.ranges").read_text().splitlines()]
    assert written == ranges


def test_nrf52_image_lands_in_the_flash_of_port_a_byte_for_byte(node, tmp_path):
    sim = node()
    res = program(sim, str(write_image(tmp_path, NRF52, start=0x1F5)))
    assert res.returncode == 0, res.stderr
    assert in_order([(31, 0), (51, 1), (30, 1), (60, 1), (60, 0), (23, 0)], gpio_writes(sim))
    assert rates(res) == [200000]
    assert "Finished Programming!" in res.stderr
    assert_target_holds(sim, "A", "nrf52", NRF52)
    assert realigned(NRF52)[1] == [(0x0000, 0x0110)]  # 272 bytes, as upstream's sleep image
    assert not (sim.root / "target_B_nrf52.bin").exists()
    assert_restored(sim)


def test_msp430_image_lands_in_the_fram_of_port_b_byte_for_byte(node, tmp_path):
    sim = node()
    path = write_image(tmp_path, MSP430, extended=False)
    res = program(sim, "-t", "msp430", "-p", "B", "-m", "2", "-d", "500000", str(path))
    assert res.returncode == 0, res.stderr
    assert rates(res) == [500000]
    image, ranges = realigned(MSP430)
    assert ranges == [(0x4000, 0x413C), (0xFFFC, 0x10000)] and len(image) == 320
    assert_target_holds(sim, "B", "msp430", MSP430)
    assert_restored(sim)
    log = sim_log(sim)
    assert "PRU0 firmware am335x-pru0-programmer-SBW-fw loaded" in log
    assert re.search(r"programmer: target msp430 on port B \(pins tck 8, tdio 9, dir_tdio 11\), "
                     r"500000 bit/s, aux 3\.000 V on port B, io_en 1: 320 B written, idle", log)


def test_cape_pins_and_aux_word_during_and_after_programming(node, tmp_path):
    sim = node()
    res = program(sim, "-p", "B", "-v", "3.3", str(write_image(tmp_path, NRF52)))
    assert res.returncode == 0, res.stderr
    assert_restored(sim)
    assert level(sim, 31) == "1"  # port B on the aux rail: pwr_sel high (main to A)
    assert level(sim, 30) == "0"  # IO to port B
    assert read(sim, "dac_auxiliary_voltage_raw") == "0"
    assert (sim.root / "target_B_nrf52.bin").exists()
    assert not (sim.root / "target_A_nrf52.bin").exists()
    # 3.4 steps 2-3 (pwr_sel = port is B, en_emulator, io_sel = port is A, io_en), then the
    # session's exit (io_en, en_emulator, en_harvester, en_shepherd low)
    assert in_order([(31, 1), (51, 1), (30, 0), (60, 1), (60, 0), (51, 0), (50, 0), (23, 0)],
                    gpio_writes(sim)), gpio_writes(sim)
    log = sim_log(sim)
    # while the programmer ran: IO to B (the dump's port), aux 3.3 V (43253) on B, io_en on
    assert re.search(r"target nrf52 on port B \(pins tck 5, tdio 4, dir_tdio 10\), 200000 bit/s, "
                     r"aux 3\.300 V on port B, io_en 1: 272 B written, idle", log)


def test_msp430_jtag_signature_words_are_refused_as_write_errors(node, tmp_path):
    sim = node()
    chunks = [(0x4000, b"\x01\x02\x03\x04"), (0xFF80, b"\xaa\x55\xaa\x55")]
    res = program(sim, "-t", "msp430", str(write_image(tmp_path, chunks, extended=False)))
    assert res.returncode == 1, res.stderr
    assert res.stderr.count("PROGRAMMER-WRITE-ERROR: ihex to address @0xff80, data=21930 "
                            "[0x55aa]") == 5
    assert res.stderr.count("p_state = error (-0xE3)") == 5
    assert_restored(sim)


def test_a_stop_signal_while_programming_restores_the_node(node, tmp_path):
    """SIGTERM while the programmer runs (68 words at 1000 bit/s: ~22 s at the simulator's real
    time): the attempt ends, the restore steps run, exit 4 (interrupted), no retry."""
    sim = node("--speed", "1")
    path = write_image(tmp_path, NRF52)
    env = sheep_env(sim)
    proc = subprocess.Popen([*SHEEP_CMD, "--sysfs-root", str(sim.sysfs), "--mem-device",
                             str(sim.mem), "program", "-d", "1000", str(path)],
                            stderr=subprocess.PIPE, text=True, env=env)
    assert wait_for(lambda: read(sim, "programmer/state").startswith("running"), 30)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 4, err
    assert "Starting Programmer (3 retries left)" not in err
    assert "Programming - Procedure failed - will exit now!" in err
    assert_restored(sim)
    assert "272 B written" not in sim_log(sim)


def test_stop_signals_during_the_restore_do_not_leave_the_programmer_loaded(node, tmp_path):
    """SIGTERM again and again from the programmer's run until the sheep is gone: the restore
    (session closed, the EMU and PRU1 firmware loaded, each with its settle sleeps) is not cut
    short by the later signals, PRU0 ends on the EMU firmware, exit 4."""
    sim = node("--speed", "1")
    path = write_image(tmp_path, NRF52)
    env = sheep_env(sim)
    env["SHEPHERD_SETTLE_SCALE"] = "0.2"  # restore loads of 0.4 s: many signals fall in them
    proc = subprocess.Popen([*SHEEP_CMD, "--sysfs-root", str(sim.sysfs), "--mem-device",
                             str(sim.mem), "program", "-d", "1000", str(path)],
                            stderr=subprocess.PIPE, text=True, env=env)
    assert wait_for(lambda: read(sim, "programmer/state").startswith("running"), 30)
    sent = 0
    while proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        sent += 1
        try:
            proc.wait(timeout=0.02)
        except subprocess.TimeoutExpired:
            pass
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 4, err
    assert "could not load the shepherd firmware again" not in err
    assert read(sim, "pru0_firmware") == EMU, err
    assert sent > 10, sent  # signals kept coming while the node was restored
    assert "PRU0 runs firmware am335x-pru0-shepherd-EMU-fw" in err.split(
        "Programming - Procedure failed - will exit now!", 1)[1]
    assert_restored(sim)


def test_simulate_is_one_dummy_attempt_that_writes_no_target(node, tmp_path):
    sim = node()
    res = program(sim, "--simulate", str(write_image(tmp_path, NRF52)))
    assert res.returncode == 0, res.stderr
    assert "Starting Programmer (0 retries left)" in res.stderr
    assert rates(res) == [200000]
    assert not list(sim.root.glob("target_*"))
    assert_restored(sim)
    assert "programmer: target dummy on port A" in sim_log(sim)


FAULTS = {
    "no-target": ("error (-0xE2)", None),
    "verify": ("error (-0xE4)", "PROGRAMMER-VERIFY-ERROR: read-back failed @0x0, data=403769859 "
                                "[0x18110a03]"),
    "write": ("error (-0xE3)", "PROGRAMMER-WRITE-ERROR: ihex to address @0x0, data=403769859 "
                               "[0x18110a03]"),
    "parse": ("error (-0xE6)", "PROGRAMMER-PARSE-ERROR: ihex_return=12, line=0"),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_each_fault_fails_after_five_attempts_at_falling_rates(node, tmp_path, fault):
    sim = node("--program-fault", fault)
    res = program(sim, str(write_image(tmp_path, NRF52)))
    assert res.returncode == 1, res.stderr
    assert rates(res) == [200000, 120000, 72000, 43200, 25920]
    for left in range(5):
        assert f"Starting Programmer ({left} retries left)" in res.stderr
    state, message = FAULTS[fault]
    assert res.stderr.count(f"SystemError - Failed during Programming, p_state = {state}") == 5
    if message:
        assert res.stderr.count(message) == 5, res.stderr
    assert res.stderr.count("Programming - Procedure failed - will exit now!") == 5
    assert "Finished Programming!" not in res.stderr
    assert_restored(sim)


def test_a_fault_on_the_first_two_attempts_succeeds_on_the_third(node, tmp_path):
    sim = node("--program-fault", "verify:2")
    res = program(sim, str(write_image(tmp_path, NRF52)))
    assert res.returncode == 0, res.stderr
    assert rates(res) == [200000, 120000, 72000]
    assert res.stderr.count("PROGRAMMER-VERIFY-ERROR") == 2
    assert "Finished Programming!" in res.stderr
    assert_target_holds(sim, "A", "nrf52", NRF52)
    assert_restored(sim)


def bad_checksum(p):
    (p / "bad.hex").write_text(hex_text(NRF52).replace(":10000000030A", ":10000000030B", 1))
    return [str(p / "bad.hex")]


def empty_file(p):
    (p / "empty.hex").write_text("")
    return [str(p / "empty.hex")]


def directory(p):
    (p / "dir.hex").mkdir()
    return [str(p / "dir.hex")]


def bin_suffix(p):
    return [str(write_image(p, NRF52, name="image.bin"))]


def with_options(*options, chunks=NRF52, **kw):
    return lambda p: [*options, str(write_image(p, chunks, **kw))]


BAD_INPUT = {
    "bad checksum": (bad_checksum, 1, "checksum mismatch"),
    "empty file": (empty_file, 1, "file contains no data"),
    "directory": (directory, 2, "is not a file"),
    "missing file": (lambda p: [str(p / "missing.hex")], 2, "does not exist"),
    "bin suffix": (bin_suffix, 1, "must have the suffix .hex, .ihex or .ihx"),
    "datarate 0": (with_options("-d", "0"), 1, "datarate 0 bit/s is not in 1 ... 1000000"),
    "datarate 2000000": (with_options("-d", "2000000"), 1,
                         "datarate 2000000 bit/s is not in 1 ... 1000000"),
    "datarate text": (with_options("-d", "fast"), 2, "not an integer"),
    "mcu arduino": (with_options("-t", "arduino"), 2, "choose from nrf52, msp430"),
    "port C": (with_options("-p", "C"), 2, "choose from A, B"),
    "voltage 5": (with_options("-v", "5"), 1, "voltage 5 V is not in 1 <= V < 5"),
    "mcu port 3": (with_options("-m", "3"), 1, "mcu_port 3 is not 1 or 2"),
    "msp430 above 0xffff": (
        with_options("-t", "msp430", chunks=[(0x4000, b"\x01\x02\x03\x04"),
                                             (0x10000, b"\x05\x06")]),
        1, "is too large"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_input_is_named_and_leaves_the_node_as_it_was(node, tmp_path, case):
    sim = node()
    make, code, message = BAD_INPUT[case]
    res = program(sim, *make(tmp_path))
    assert res.returncode == code, res.stderr
    assert message in res.stderr, res.stderr
    assert "Traceback" not in res.stderr
    assert read(sim, "pru0_firmware") == EMU
    assert read(sim, "programmer/state") == "idle"
    assert not list(sim.root.glob("target_*"))
    assert "programmer: target" not in sim_log(sim)


# ---- the simulator's programmer files on their own (node-control.md 3.7, 3.10) ----------------

DEFAULTS = {"state": "idle", "target": "none", "datarate": "1000000", "datasize": "0",
            "pin_tck": "1001", "pin_tdio": "1002", "pin_dir_tdio": "1003", "pin_tdo": "1004",
            "pin_tms": "1005", "pin_dir_tms": "1006"}


def prog_files(sim):
    return {name: read(sim, f"programmer/{name}") for name in DEFAULTS}


def write_prog(sim, name, text, expect):
    """Writes a programmer file and waits until the simulator has handled it: it republishes
    the file (a new inode: a write truncates in place, a publish renames) as the kernel shows
    it, accepted or not."""
    path = sim.sysfs / "programmer" / name
    ino = path.stat().st_ino
    path.write_text(text)
    assert wait_for(lambda: path.stat().st_ino != ino and path.read_text() == expect, 5), \
        (name, text, path.read_text())


def test_sim_programmer_files_have_the_kernels_defaults_checks_and_resets(node):
    sim = node()
    assert prog_files(sim) == DEFAULTS
    write_prog(sim, "target", "nrf52\n", "nrf52")
    write_prog(sim, "target", "dummy", "dummy")
    write_prog(sim, "target", "arm", "dummy")        # -EINVAL: unknown value
    write_prog(sim, "datarate", "300000", "300000")
    write_prog(sim, "datarate", "0", "300000")       # 1 ... 10 000 000
    write_prog(sim, "datarate", "10000001", "300000")
    write_prog(sim, "pin_tck", "10000", "10000")
    write_prog(sim, "pin_tck", "10001", "10000")     # <= 10 000
    write_prog(sim, "datasize", "47998245", "0")     # 1 ... the carve-out's size
    write_prog(sim, "state", "go", "idle")           # neither start nor stop
    load_firmware(sim, "swd")                        # every swap: the defaults again
    assert prog_files(sim) == DEFAULTS


def test_sim_programmer_acts_only_with_its_firmware_and_driver(node):
    sim = node()
    write_prog(sim, "state", "start", "starting")    # EMU loaded: nothing runs the start
    load_firmware(sim, "swd")
    write_prog(sim, "target", "msp430", "msp430")    # the SWD build has no MSP430 driver
    write_prog(sim, "state", "start", "error (-0xE1)")
    write_prog(sim, "state", "stop", "idle")
    load_firmware(sim, "sbw")
    write_prog(sim, "target", "dummy", "dummy")
    # no text in the IV-input region (the boot left its index, then zeros): parse error 11
    write_prog(sim, "state", "start", "error (-0xE6)")
    load_firmware(sim, "emu")
    assert read(sim, "programmer/state") == "idle"


def test_sim_programmer_files_go_with_the_module_and_come_back_with_defaults(node):
    sim = node()
    load_firmware(sim, "swd")
    write_prog(sim, "target", "nrf52", "nrf52")
    env = dict(os.environ, SHEPHERD_SYSFS_ROOT=str(sim.sysfs))
    assert subprocess.run([SIM_MODPROBE, "-rf", "shepherd"], env=env, timeout=30).returncode == 0
    assert not (sim.sysfs / "programmer").exists()
    assert subprocess.run([SIM_MODPROBE, "-a", "shepherd"], env=env, timeout=30).returncode == 0
    assert prog_files(sim) == DEFAULTS
    assert read(sim, "pru0_firmware") == EMU
