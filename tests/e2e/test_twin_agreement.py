"""The simulator and `shepherd-sheep simulate` run the same PRU twin: for one task they record the
same samples, code for code, and the same GPIO events. Harvests of the solar cell through the
recording harvesters, and emulations through every part of the converter the fixtures reach:
boost and buck (BQ25570) with mppt_opt on IV curves, the diode with feedback to the harvester
(diode+capacitor, cv20 on IV curves), intermediate-node logging, and the three kinds of target,
controlled or not."""
import h5py
import numpy as np
import pytest

from conftest import harvest
from test_emulation import emulate
from twinsupport import sim_harvest, simulate, write

SECONDS = 2


def arrays(path):
    with h5py.File(path, "r") as f:
        out = {name: f["data"][name][:] for name in ("voltage", "current")}
        out["datatype"] = f["data"].attrs["datatype"]
        t0 = int(f["data/time"][0])
        if "gpio" in f:  # each run starts at a second of its own: times from the first sample
            out["gpio_t"] = f["gpio/time"][:].astype(np.int64) - t0
            out["gpio_v"] = f["gpio/value"][:]
    return out


def assert_same(node, offline):
    a, b = arrays(node), arrays(offline)
    assert a.keys() == b.keys()
    assert a["datatype"] == b["datatype"]
    assert len(a["voltage"]) == SECONDS * 100000
    for name in a:
        if name != "datatype":
            np.testing.assert_array_equal(a[name], b[name], err_msg=name)
    return a


@pytest.mark.parametrize("harvester", ["mppt_po", "ivcurve"])
def test_a_harvest_of_the_cell_is_the_same_on_the_simulator_and_offline(sim_factory, tmp_path,
                                                                        harvester):
    # lock-step: a slow sheep (qemu) must not make PRU0 replay stale input or lose samples
    sim = sim_factory("--harvest", "cell", "--seed", "3", "--no-overrun")
    res, node = harvest(sim, tmp_path, SECONDS, virtual_harvester={"name": harvester},
                        output_path=str(tmp_path / "node.h5"))
    assert res.returncode == 0, res.stderr
    _, offline = sim_harvest(tmp_path, harvester, SECONDS, "offline.h5", "--seed", "3")
    rec = assert_same(node, offline)
    assert np.ptp(rec["voltage"]) > 1000 and np.ptp(rec["current"]) > 1000  # it harvested


# input, source, target, task parameters, whether power-good comes and goes (BAT_OK edges)
CASES = {
    "bq25570 mppt_opt, resistor": (
        "ivcurve", {"name": "BQ25570", "harvester": {"name": "mppt_opt"}}, "resistor:820", {},
        False),
    "diode feedback cv20, controlled current": (
        "ivcurve", {"name": "diode+capacitor"}, "current:0.004:0.0005:controlled", {}, True),
    "bq25504s intermediate node, power": (
        "ivsample", {"name": "BQ25504s"}, "power:0.012",
        {"power_tracing": {"intermediate_voltage": True}}, False),
    "bq25504 controlled resistor": (
        "ivsample", {"name": "BQ25504"}, "resistor:330:controlled", {}, True),
}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """Two recordings of the cell made offline: IV curves, and an MPPT harvest (IV samples)."""
    base = tmp_path_factory.mktemp("inputs")
    _, curves = sim_harvest(base, "ivcurve", SECONDS, "curves.h5")
    _, samples = sim_harvest(base, "mppt_opt", SECONDS, "samples.h5")
    return {"ivcurve": curves, "ivsample": samples}


@pytest.mark.parametrize("case", CASES)
def test_an_emulation_is_the_same_on_the_simulator_and_offline(sim_factory, tmp_path, inputs,
                                                               case):
    kind, source, target, extra, edges = CASES[case]
    params = dict(virtual_source=source, gpio_tracing={"gpios": [17, 0, 1]}, **extra)
    sim = sim_factory("--emulation", "model", "--target", target, "--no-overrun")
    res, node = emulate(sim, tmp_path, inputs[kind], output_path=str(tmp_path / "node.h5"),
                        **params)
    assert res.returncode == 0, res.stderr
    task = write(tmp_path, "EmulationTask", name="offline.yaml", input_path=str(inputs[kind]),
                 output_path=str(tmp_path / "offline.h5"), uart_logging=None, **params)
    done, summary, offline = simulate(task, "--target", target, eeprom=str(sim.root / "eeprom"))
    assert done.returncode == 0, done.stderr
    rec = assert_same(node, offline)
    # the run did something worth comparing: an output (a buck's may be flat) and a target
    # drawing current
    assert np.count_nonzero(rec["voltage"]) > 0 and np.count_nonzero(rec["current"]) > 0
    assert summary["energy_to_target_J"] > 0
    assert (len(rec.get("gpio_v", ())) > 0) == edges, summary
