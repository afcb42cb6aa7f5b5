"""Task lists through `run` (node-control.md 5): a file checked as a whole before anything
happens to the node, the TestbedTasks entry of this host, an ObserverTasks' members in their
order, and `simulate` refusing what is not a recording."""
import os
import pathlib
import platform
import stat

import h5py
import yaml

from conftest import FIXTURES, SIM_MODPROBE, run_sheep
from test_program import MSP430, NRF52, assert_restored, assert_target_holds, hex_text

# what the sheep matches a TestbedTasks entry against
HOST = os.environ.get("SHEPHERD_HOSTNAME") or platform.node().strip()
STARTING = "###~###~###~###~###~### Starting"


def other_host(name):
    """A host name that is surely not this machine's."""
    return name if name != HOST else name + "-other"


def counting_modprobe(tmp_path):
    """A module command that logs each call and then does what the simulator's stand-in does:
    the node was touched exactly when the log exists."""
    log = tmp_path / "modprobe.log"
    script = tmp_path / "modprobe"
    script.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\nexec "{SIM_MODPROBE}" "$@"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, log


def run_list(sim, tmp_path, datatype, parameters, *args, env=None):
    """Writes the task file and runs it; returns (result, modprobe log path)."""
    task = tmp_path / "tasks.yaml"
    task.write_text(yaml.safe_dump({"datatype": datatype, "parameters": parameters},
                                   sort_keys=False))
    modprobe, log = counting_modprobe(tmp_path)
    res = run_sheep(sim, "run", "--start-delay", "1", "--no-status", *args, str(task),
                    env={"SHEPHERD_MODPROBE": str(modprobe),
                         "SHEPHERD_UART_DEVICE": "/nonexistent/tty", **(env or {})})
    return res, log


def observer(name, **members):
    entry = {"observer": name, "owner_id": None, "time_prep": "2033-03-13 14:10:16",
             "root_path": "/var/shepherd/experiments/x"}
    entry.update(members)
    return entry


PROG = {"firmware_file": "/tmp/fw1.hex", "mcu_type": "nRF52", "protocol": "SWD",
        "datarate": 500000}


def assert_nothing_ran(res, log, out_dir=None):
    assert res.returncode == 1, res.stderr
    assert f"Task-Set was not usable for this observer '{HOST}', with original error" \
        in res.stderr
    assert STARTING not in res.stderr
    assert not log.exists(), log.read_text()  # the module was not even reloaded
    if out_dir is not None:
        assert not list(pathlib.Path(out_dir).rglob("*.h5"))


def test_testbed_tasks_without_this_host_run_nothing(sim, tmp_path):
    res, log = run_list(sim, tmp_path, "TestbedTasks", {
        "name": "meaningful Test-Name",
        "observer_tasks": [observer(other_host("sheep05"), fw1_prog=PROG),
                           observer(other_host("sheep13"), fw1_prog=PROG)],
        "email_results": False, "owner_id": None})
    assert f"Observer '{HOST}' is not in TestbedTask-Set" in res.stderr
    assert_nothing_ran(res, log)


def test_a_member_problem_is_named_by_its_path_and_nothing_runs(sim, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    emulation = {"input_path": str(FIXTURES / "reference_hrv_2s_none.h5"),
                 "output_path": str(out / "emu.h5"), "duration": 1}
    bad = dict(PROG, datarate=0)
    res, log = run_list(sim, tmp_path, "TestbedTasks", {
        "name": "x", "owner_id": None,
        "observer_tasks": [observer(HOST, fw1_prog=bad, emulation=emulation)]})
    assert "parameters.observer_tasks[0].fw1_prog.datarate: expected bit/s as an integer, " \
        "0 < datarate <= 1000000, found '0'" in res.stderr
    assert_nothing_ran(res, log, out)


def test_problems_of_other_observers_refuse_the_file_too(sim, tmp_path):
    res, log = run_list(sim, tmp_path, "TestbedTasks", {
        "name": "x", "owner_id": None,
        "observer_tasks": [observer(HOST),
                           observer(other_host("sheep13"), fw2_mod={"data": "/fw.elf"})]})
    assert "parameters.observer_tasks[1].fw2_mod.data_type: required field of " \
        "FirmwareModTask is missing" in res.stderr
    assert "parameters.observer_tasks[1].fw2_mod.firmware_file: required field" in res.stderr
    assert_nothing_ran(res, log)


def test_an_emulation_start_in_the_past_refuses_the_list(sim, tmp_path):
    emulation = {"input_path": str(FIXTURES / "reference_hrv_2s_none.h5"),
                 "time_start": "2024-01-01 00:00:00+00:00"}
    res, log = run_list(sim, tmp_path, "ObserverTasks",
                        observer("anyone", fw1_prog=PROG, emulation=emulation))
    assert "parameters.emulation.time_start: '2024-01-01 00:00:00+00:00' lies in the past" \
        in res.stderr
    assert_nothing_ran(res, log)


def test_missing_owner_id_and_unknown_datatype(sim, tmp_path):
    entry = observer("anyone")
    del entry["owner_id"]
    res, log = run_list(sim, tmp_path, "ObserverTasks", entry)
    assert "parameters.owner_id: required field of ObserverTasks is missing" in res.stderr
    assert_nothing_ran(res, log)
    res, log = run_list(sim, tmp_path, "ExperimentTasks", {})
    assert "unknown task type 'ExperimentTasks' (allowed: HarvestTask, EmulationTask, " \
        "ProgrammingTask, FirmwareModTask, ObserverTasks, TestbedTasks)" in res.stderr
    assert_nothing_ran(res, log)


def test_observer_tasks_without_members_succeed_without_touching_the_node(sim, tmp_path):
    res, log = run_list(sim, tmp_path, "ObserverTasks", {
        "observer": "peeping tom", "owner_id": 666, "time_prep": "2044-01-01 12:13:14",
        "root_path": "/usr"})
    assert res.returncode == 0, res.stderr
    assert "ObserverTasks of observer 'peeping tom' has no tasks: nothing to run" in res.stderr
    assert STARTING not in res.stderr
    assert not log.exists()


def test_observer_tasks_of_another_observer_run_their_emulation(sim_factory, tmp_path):
    # an ObserverTasks on its own runs whatever its observer says (node-control.md 5.2)
    sim = sim_factory("--emulation", "loopback")
    out = tmp_path / "out"
    out.mkdir()
    emulation = {"input_path": str(FIXTURES / "reference_hrv_2s_none.h5"),
                 "output_path": str(out / "emu.h5"), "duration": 1,
                 "virtual_source": {"name": "direct"}, "verbose": 3}
    res, log = run_list(sim, tmp_path, "ObserverTasks",
                        observer(other_host("sheep05"), emulation=emulation))
    assert res.returncode == 0, res.stderr
    assert f"{STARTING} EmulationTask (emulation): input_path " \
        f"{FIXTURES / 'reference_hrv_2s_none.h5'}, output_path {out / 'emu.h5'}" in res.stderr
    assert res.stderr.count(STARTING) == 1
    # the node was prepared once: the module reloaded (three unloads, one load)
    assert log.read_text().splitlines() == ["-rf shepherd"] * 3 + ["-a shepherd"]
    # verbose 3: the task's debug lines are shown
    assert " DEBUG " in res.stderr
    with h5py.File(out / "emu.h5", "r") as f:
        assert len(f["data/voltage"]) == 100000


def test_the_host_entry_of_a_testbed_is_chosen(sim_factory, tmp_path):
    sim = sim_factory("--emulation", "loopback")
    out = tmp_path / "out"
    out.mkdir()

    def emulation(name):
        return {"input_path": str(FIXTURES / "reference_hrv_2s_none.h5"),
                "output_path": str(out / f"emu_{name}.h5"), "duration": 1}
    # the host's first entry wins; SHEPHERD_HOSTNAME stands in for the host's name
    names = ["sheep13", "sheep05", "sheep05"]
    res, log = run_list(sim, tmp_path, "TestbedTasks", {
        "name": "x", "owner_id": None, "email_results": False,
        "observer_tasks": [observer(n, emulation=emulation(f"{k}")) for k, n in
                           enumerate(names)]}, env={"SHEPHERD_HOSTNAME": "sheep05"})
    assert res.returncode == 0, res.stderr
    assert sorted(p.name for p in out.glob("*.h5")) == ["emu_1.h5"]


def two_programs(tmp_path, fw1_file=None):
    """fw2_prog before fw1_prog in the file: an nRF52 on port A, an MSP430 on port B."""
    fw1 = tmp_path / "fw1.hex"
    fw1.write_text(hex_text(NRF52, start=0x1F5))
    fw2 = tmp_path / "fw2.hex"
    fw2.write_text(hex_text(MSP430, extended=False))
    return observer(
        "anyone",
        fw2_prog={"firmware_file": str(fw2), "target_port": "B", "mcu_port": 2,
                  "mcu_type": "MSP430FR", "voltage": 3.0, "datarate": 500000, "protocol": "SBW"},
        fw1_prog={"firmware_file": str(fw1_file or fw1), "target_port": "A", "mcu_port": 1,
                  "mcu_type": "nRF52", "voltage": 3.0, "datarate": 500000, "protocol": "SWD"})


def starts(res):
    return [line.split(STARTING, 1)[1].split(":", 1)[0] for line in res.stderr.splitlines()
            if STARTING in line]


def test_observer_tasks_program_both_targets_in_their_order(sim_factory, tmp_path):
    sim = sim_factory("--speed", "max")
    res, log = run_list(sim, tmp_path, "ObserverTasks", two_programs(tmp_path))
    assert res.returncode == 0, res.stderr
    assert starts(res) == [" ProgrammingTask (fw1_prog)", " ProgrammingTask (fw2_prog)"]
    assert log.read_text().splitlines() == ["-rf shepherd"] * 3 + ["-a shepherd"]  # once
    assert_target_holds(sim, "A", "nrf52", NRF52)
    assert_target_holds(sim, "B", "msp430", MSP430)
    assert_restored(sim)


def test_a_failed_member_does_not_stop_the_list(sim_factory, tmp_path):
    sim = sim_factory("--speed", "max")
    res, log = run_list(sim, tmp_path, "ObserverTasks",
                        two_programs(tmp_path, fw1_file=tmp_path / "missing.hex"))
    assert res.returncode == 1, res.stderr
    assert starts(res) == [" ProgrammingTask (fw1_prog)", " ProgrammingTask (fw2_prog)"]
    assert "ProgrammingTask (fw1_prog) failed" in res.stderr
    assert not (sim.root / "target_A_nrf52.bin").exists()
    assert_target_holds(sim, "B", "msp430", MSP430)
    assert_restored(sim)


def test_targets_are_programmed_before_the_emulation(sim_factory, tmp_path):
    sim = sim_factory("--emulation", "loopback")
    out = tmp_path / "out"
    out.mkdir()
    tasks = two_programs(tmp_path)
    tasks["emulation"] = {"input_path": str(FIXTURES / "reference_hrv_2s_none.h5"),
                          "output_path": str(out / "emu.h5"), "duration": 1, "io_port": "B"}
    res, log = run_list(sim, tmp_path, "ObserverTasks", tasks)
    assert res.returncode == 0, res.stderr
    assert starts(res) == [" ProgrammingTask (fw1_prog)", " ProgrammingTask (fw2_prog)",
                           " EmulationTask (emulation)"]
    assert_target_holds(sim, "A", "nrf52", NRF52)
    assert_target_holds(sim, "B", "msp430", MSP430)
    with h5py.File(out / "emu.h5", "r") as f:
        assert len(f["data/voltage"]) == 100000


def test_a_firmware_mod_makes_the_file_its_programming_takes(sim_factory, tmp_path):
    sim = sim_factory("--speed", "max")
    source = tmp_path / "content" / "build.hex"
    source.parent.mkdir()
    source.write_text(hex_text(NRF52, start=0x1F5))
    made = tmp_path / "experiment" / "fw1_anyone.hex"  # its directory is made too
    tasks = observer("anyone",
                     fw1_prog={"firmware_file": str(made), "mcu_type": "nRF52",
                               "protocol": "SWD"},
                     fw1_mod={"data": str(source), "data_type": "path_hex", "custom_id": None,
                              "firmware_file": str(made)})
    res, log = run_list(sim, tmp_path, "ObserverTasks", tasks)
    assert res.returncode == 0, res.stderr
    assert starts(res) == [" FirmwareModTask (fw1_mod)", " ProgrammingTask (fw1_prog)"]
    assert "Firmware is scheduled to get custom-ID but is not in elf-format" in res.stderr
    assert made.read_text() == source.read_text()
    assert_target_holds(sim, "A", "nrf52", NRF52)
    assert_restored(sim)


def test_firmware_mods_alone_do_not_reload_the_module(sim, tmp_path):
    source = tmp_path / "build.hex"
    source.write_text(hex_text(NRF52))
    res, log = run_list(sim, tmp_path, "FirmwareModTask", {
        "data": str(source), "data_type": "path_hex", "firmware_file": str(tmp_path / "o.hex")})
    assert res.returncode == 0, res.stderr
    assert starts(res) == [" FirmwareModTask"]
    assert (tmp_path / "o.hex").read_text() == source.read_text()
    assert not log.exists()


def test_simulate_takes_recordings_only(tmp_path):
    files = {
        "ProgrammingTask": ({"firmware_file": "/tmp/a.hex", "mcu_type": "nrf52",
                             "protocol": "SWD", "simulate": True},
                            "simulate runs a HarvestTask or an EmulationTask, not a "
                            "ProgrammingTask"),
        "FirmwareModTask": ({"data": "/fw.elf", "data_type": "path_elf", "custom_id": 42,
                             "firmware_file": "/tmp/fw1.hex"},
                            "not a FirmwareModTask"),
        "ObserverTasks": (observer("x"), "datatype: ObserverTasks is a list of tasks, only "
                          "`run` takes it"),
        "TestbedTasks": ({"name": "x", "owner_id": None, "observer_tasks": [observer("x")]},
                         "datatype: TestbedTasks is a list of tasks"),
    }
    for datatype, (params, message) in files.items():
        task = tmp_path / f"{datatype}.yaml"
        task.write_text(yaml.safe_dump({"datatype": datatype, "parameters": params}))
        res = run_sheep(None, "simulate", str(task))
        assert res.returncode == 1, (datatype, res.stderr)
        assert message in res.stderr, (datatype, res.stderr)
        assert not list(tmp_path.glob("*.h5"))
