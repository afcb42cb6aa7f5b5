"""Every task file of the predecessor (its example and test configs) and every file the real
shepherd-herd 0.9.1 uploads (tests/fixtures/herd_tasks) runs against the simulator as it is,
with only its paths pointed into the test's directory and its duration shortened; and a task
without time_start starts when the predecessor and shepherd-core say it does."""
import pathlib
import time

import h5py
import pytest
import yaml

from conftest import FIXTURES, run_sheep
from shepherd_checks import assert_valid_recording

UPSTREAM = FIXTURES / "upstream_configs"
HERD = FIXTURES / "herd_tasks"
NO_TTY = "/nonexistent/tty"


def run_file(sim, task_path, *args):
    env = {"SHEPHERD_UART_DEVICE": NO_TTY, "SHEPHERD_EEPROM": str(sim.root / "eeprom")}
    return run_sheep(sim, "run", "--no-status", *args, str(task_path), env=env)


def rewritten(src, tmp_path, inputs, duration=1):
    """The task file with its paths in tmp_path and a short duration; everything else as is."""
    task = yaml.safe_load(src.read_text())
    p = task["parameters"]
    out = pathlib.PurePosixPath(p["output_path"])
    # an output directory stays a directory, a file name stays a file name
    p["output_path"] = str(tmp_path / out.name) if out.suffix == ".h5" else str(tmp_path)
    if "input_path" in p:
        p["input_path"] = str(inputs[pathlib.PurePosixPath(p["input_path"]).name])
    p["duration"] = duration
    path = tmp_path / src.name
    path.write_text(yaml.safe_dump(task, sort_keys=False))
    return path


def recording_of(res):
    for line in res.stdout.splitlines():
        if line.startswith("recording:") and "none" not in line:
            return pathlib.Path(line.split(":", 1)[1].strip())
    return None


def test_the_upstream_configs_run_in_the_predecessors_order(sim, tmp_path):
    inputs = {}
    # the harvests first: the emulations replay what they recorded (IV curves: ivsurface)
    for name in ("example_config_harvest.yaml", "test_config_harvest.yaml"):
        res = run_file(sim, rewritten(UPSTREAM / name, tmp_path, inputs, duration=2),
                       "--start-delay", "1")
        assert res.returncode == 0, (name, res.stderr)
        path = recording_of(res)
        assert_valid_recording(path)
        with h5py.File(path, "r") as f:
            assert f["data"].attrs["datatype"] == "ivcurve"
            assert int(f["data"].attrs["window_samples"]) == 909
        inputs[path.name] = path
    for name in ("example_config_emulation.yaml", "test_config_emulation.yaml"):
        res = run_file(sim, rewritten(UPSTREAM / name, tmp_path, inputs), "--start-delay", "1")
        assert res.returncode == 0, (name, res.stderr)
        assert_valid_recording(recording_of(res))


def test_a_complete_virtual_source_config_runs(sim, tmp_path):
    source = yaml.safe_load((UPSTREAM / "test_config_virtsource.yaml").read_text())
    assert source["datatype"] == "VirtualSourceConfig"
    task = tmp_path / "emu.yaml"
    task.write_text(yaml.safe_dump({"datatype": "EmulationTask", "parameters": {
        "input_path": str(FIXTURES / "reference_hrv_2s_lzf.h5"),
        "output_path": str(tmp_path / "emu.h5"), "duration": 1,
        "virtual_source": source["parameters"]}}))
    res = run_file(sim, task, "--start-delay", "1")
    assert res.returncode == 0, res.stderr
    scalars = [int(t) for t in (sim.sysfs / "virtual_converter_settings").read_text().split()]
    assert scalars[0] == 1 + 2 + 4  # storage, boost, buck
    assert scalars[8] == 9  # I_intermediate_leak_nA
    assert scalars[21:24] == [7, 7, 7]  # LUT shifts: 7, 8 - 1, 8 - 1
    assert scalars[24:168] == [128] * 144  # 0.5 * 256
    assert scalars[168:] == [20] * 12  # 16 / 0.8


def test_every_task_herd_uploads_runs(sim, tmp_path):
    first = tmp_path / "input"
    first.mkdir()
    res = run_file(sim, rewritten(HERD / "herd_harvest_default.yaml", first, {}, 2),
                   "--start-delay", "1")
    assert res.returncode == 0, res.stderr
    inputs = {"herd_hrv_sheep0.h5": recording_of(res)}
    names = sorted(p.name for p in HERD.glob("*.yaml"))
    assert len(names) == 7
    for name in names:
        res = run_file(sim, rewritten(HERD / name, tmp_path, inputs), "--start-delay", "1")
        assert res.returncode == 0, (name, res.stderr)
        assert_valid_recording(recording_of(res))


@pytest.mark.parametrize("kind,lead", [("HarvestTask", 10), ("EmulationTask", 15)])
def test_without_time_start_a_run_starts_as_the_predecessor(sim, tmp_path, kind, lead):
    params = {"output_path": str(tmp_path / "out.h5"), "duration": 1}
    if kind == "EmulationTask":
        params["input_path"] = str(FIXTURES / "reference_hrv_2s_lzf.h5")
    task = tmp_path / "task.yaml"
    task.write_text(yaml.safe_dump({"datatype": kind, "parameters": params}))
    begun = time.time()
    res = run_file(sim, task)
    assert res.returncode == 0, res.stderr
    with h5py.File(recording_of(res), "r") as f:
        first = int(f["data/time"][0]) / 1e9
    # the first whole second at or after invocation + lead (the invocation came a little before)
    assert first == int(first)
    assert begun + lead - 0.001 <= first <= begun + lead + 2.0
