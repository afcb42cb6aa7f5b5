"""The example experiment of node-control.md 5.3, whole, against the simulator: a TestbedTasks
for two observers, run by sheep05 as herd would (`shepherd-sheep -v run FILE`). Its firmware
mods patch node id 7 into an nRF52 and an MSP430 ELF (made here from the spec's description),
its programming tasks flash both simulated targets on port A through the two programmer pin
sets, and then its emulation replays a recording through the BQ25570-Schmitt source."""
import datetime
import time

import h5py
import pytest
import yaml

from conftest import FIXTURES, run_sheep
from fwsupport import msp430_elf, nrf52_elf
from test_program import assert_restored, assert_target_holds

STARTING = "###~###~###~###~###~### Starting"
NAME = "meaningful Test-Name"


def nrf52_image(node_id):
    """The nRF52 ELF's one segment as the programmer writes it, with node_id patched."""
    text = bytearray((i * 7 + 3) & 0xFF for i in range(0x700))
    text[0x6C0:0x6D0] = bytes.fromhex("5FF800F021000020FEAF0000021A5000")
    text[0x6C8:0x6CA] = node_id.to_bytes(2, "little")
    return [(0, bytes(text))]


def msp430_image(node_id):
    code = bytes((i * 5 + 1) & 0xFF for i in range(0x13A))
    return [(0x4000, node_id.to_bytes(2, "little") + code), (0xFFFE, b"\x00\x40")]


def entry(observer, root, content, start):
    exp = root / f"{NAME}_2033-03-13_14-15-16"
    return {
        "observer": observer,
        "owner_id": None,
        "time_prep": (start - datetime.timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M:%S"),
        "root_path": str(exp),
        "fw1_mod": {"data": str(content / "nrf52_demo_rf" / "build.elf"),
                    "data_type": "path_elf", "custom_id": 7,
                    "firmware_file": str(exp / f"fw1_{observer}.hex")},
        "fw2_mod": {"data": str(content / "msp430_deep_sleep" / "build.elf"),
                    "data_type": "path_elf", "custom_id": 7,
                    "firmware_file": str(exp / f"fw2_{observer}.hex")},
        "fw1_prog": {"firmware_file": str(exp / f"fw1_{observer}.hex"), "target_port": "A",
                     "mcu_port": 1, "mcu_type": "nRF52", "voltage": 3.0,
                     "datarate": 500000, "protocol": "SWD"},
        "fw2_prog": {"firmware_file": str(exp / f"fw2_{observer}.hex"), "target_port": "A",
                     "mcu_port": 2, "mcu_type": "MSP430FR", "voltage": 3.0,
                     "datarate": 500000, "protocol": "SBW"},
        "emulation": {"input_path": str(FIXTURES / "reference_hrv_2s_none.h5"),
                      "output_path": str(exp / f"emu_{observer}.h5"),
                      "time_start": start.strftime("%Y-%m-%d %H:%M:%S+00:00"),
                      "duration": None, "enable_io": False, "io_port": "A", "pwr_port": "A",
                      "virtual_source": {"name": "BQ25570-Schmitt"}, "power_tracing": None,
                      "gpio_tracing": None, "uart_logging": None, "gpio_actuation": None,
                      "sys_logging": {}},
    }


@pytest.fixture
def experiment(tmp_path):
    content = tmp_path / "content" / "fw" / "nes_lab"
    (content / "nrf52_demo_rf").mkdir(parents=True)
    (content / "msp430_deep_sleep").mkdir(parents=True)
    nrf52_elf(content / "nrf52_demo_rf" / "build.elf")
    msp430_elf(content / "msp430_deep_sleep" / "build.elf")
    # the programming takes a few seconds against the simulator; the start leaves room
    start = datetime.datetime.fromtimestamp(int(time.time()) + 30, datetime.timezone.utc)
    root = tmp_path / "experiments"
    task = tmp_path / "config_for_herd.yaml"
    task.write_text(yaml.safe_dump({
        "datatype": "TestbedTasks",
        "parameters": {"name": NAME,
                       "observer_tasks": [entry("sheep05", root, content, start),
                                          entry("sheep13", root, content, start)],
                       "email_results": False, "owner_id": None}}, sort_keys=False))
    return task, root / f"{NAME}_2033-03-13_14-15-16", content


def test_the_spec_example_runs_whole_on_sheep05(sim_factory, experiment):
    task, exp, content = experiment
    sim = sim_factory("--speed", "max")
    res = run_sheep(sim, "run", "--no-status", str(task), timeout=600,
                    global_args=("-v",), env={"SHEPHERD_HOSTNAME": "sheep05",
                                              "SHEPHERD_UART_DEVICE": "/nonexistent/tty"})
    assert res.returncode == 0, res.stderr
    starts = [line.split(STARTING, 1)[1].split(":", 1)[0].strip()
              for line in res.stderr.splitlines() if STARTING in line]
    assert starts == ["FirmwareModTask (fw1_mod)", "FirmwareModTask (fw2_mod)",
                      "ProgrammingTask (fw1_prog)", "ProgrammingTask (fw2_prog)",
                      "EmulationTask (emulation)"]
    # the mods: the id patched into the ELF copies, the HEX files where the programming takes
    # them (the spec's line with 7 for 42), nothing for the other observer
    assert (exp / "fw1_sheep05.elf").read_bytes()[0x54 + 0x6C8:0x54 + 0x6CA] == b"\x07\x00"
    assert ":1006C0005FF800F02100002007000000021A50002F" in \
        (exp / "fw1_sheep05.hex").read_text().splitlines()
    assert ":024000000700B7" in (exp / "fw2_sheep05.hex").read_text().splitlines()
    assert not list(exp.glob("*sheep13*"))
    # the sources are untouched
    assert nrf52_elf(content.parent / "check.elf").read_bytes() == \
        (content / "nrf52_demo_rf" / "build.elf").read_bytes()
    # both targets on port A, each through its own pin set, hold the patched images
    assert_target_holds(sim, "A", "nrf52", nrf52_image(7))
    assert_target_holds(sim, "A", "msp430", msp430_image(7))
    # then the emulation of the whole 2 s input
    with h5py.File(exp / "emu_sheep05.h5", "r") as f:
        assert f.attrs["mode"] == "emulator"
        assert len(f["data/voltage"]) == 200000
    assert "lost 0" in res.stdout
    assert_restored(sim)
    sim.stop()  # the simulator saw both programmer pin sets, on port A
    err = sim.proc.stderr.read()
    assert "target nrf52 on port A (pins tck 5, tdio 4, dir_tdio 10), 500000 bit/s" in err
    assert "target msp430 on port A (pins tck 8, tdio 9, dir_tdio 11), 500000 bit/s" in err


def run_firmware_mod(sim, tmp_path, data, data_type, custom_id=7):
    """A FirmwareModTask file through run (which checks the module's sysfs first, as the
    predecessor)."""
    task = tmp_path / "fwmod.yaml"
    task.write_text(yaml.safe_dump({"datatype": "FirmwareModTask", "parameters": {
        "data": str(data), "data_type": data_type, "custom_id": custom_id,
        "firmware_file": str(tmp_path / "out" / "fw1.hex")}}))
    return run_sheep(sim, "run", str(task))


def test_an_elf_without_the_node_id_symbol_fails_but_leaves_the_hex(sim, tmp_path):
    from fwsupport import make_elf
    elf = make_elf(tmp_path / "plain.elf", [(".text", 0x4000, b"\x01\x02\x03\x04")],
                   {"main": (0x4000, 4, ".text")})
    res = run_firmware_mod(sim, tmp_path, elf, "path_elf")
    assert res.returncode == 1, res.stderr
    assert "has no symbol SHEPHERD_NODE_ID: custom_id 7 cannot be patched in" in res.stderr
    assert ":0440000001020304B2" in (tmp_path / "out" / "fw1.hex").read_text().splitlines()


def test_a_file_that_is_no_elf_where_an_elf_is_expected_is_named(sim, tmp_path):
    fake = tmp_path / "build.elf"
    fake.write_text(":00000001FF\n")  # Intel HEX, not ELF
    res = run_firmware_mod(sim, tmp_path, fake, "path_elf")
    assert res.returncode == 1, res.stderr
    assert str(fake) in res.stderr and "ELF" in res.stderr, res.stderr
    assert not (tmp_path / "out" / "fw1.hex").exists()
