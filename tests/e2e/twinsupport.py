"""Helpers of the suites that run `shepherd-sheep simulate`: task files, the command with its
JSON summary, and energies through a recording's calibration."""
import json
import pathlib

import h5py
import numpy as np
import yaml

from conftest import run_sheep

NO_TTY = "/nonexistent/tty"
NO_EEPROM = "/nonexistent/eeprom"
BAT_OK = 1 << 9


def write(tmp_path, kind, name="task.yaml", **params):
    task = tmp_path / name
    task.write_text(yaml.safe_dump({"datatype": kind, "parameters": params}))
    return task


def simulate(task, *args, eeprom=NO_EEPROM):
    """Runs simulate --json; returns (result, summary dict or None, recording path or None)."""
    res = run_sheep(None, "simulate", "--json", *args, str(task),
                    env={"SHEPHERD_EEPROM": eeprom})
    summary = None
    for line in res.stdout.splitlines():
        if line.startswith("{"):
            summary = json.loads(line)
    path = None
    if summary and summary["recording"] != "none":
        path = pathlib.Path(summary["recording"])
    return res, summary, path


def sim_harvest(tmp_path, harvester, duration=4, name="hrv.h5", *args):
    task = write(tmp_path, "HarvestTask", name=f"{name}.yaml", duration=duration,
                 output_path=str(tmp_path / name), use_cal_default=True,
                 virtual_harvester={"name": harvester})
    res, summary, path = simulate(task, *args)
    assert res.returncode == 0, res.stderr
    return summary, path


def sim_emulate(tmp_path, input_path, source, *args, name="emu.h5", **params):
    params.setdefault("use_cal_default", True)
    task = write(tmp_path, "EmulationTask", name=f"{name}.yaml", input_path=str(input_path),
                 output_path=str(tmp_path / name), virtual_source=source, **params)
    return simulate(task, *args)


def si(ds):
    return ds[:].astype(np.float64) * float(ds.attrs["gain"]) + float(ds.attrs["offset"])


def energy_J(path):
    """Sum of V * I * 10 us over the recording, through the file's calibration."""
    with h5py.File(path, "r") as f:
        return float(np.sum(si(f["data/voltage"]) * si(f["data/current"])) * 1e-5)
