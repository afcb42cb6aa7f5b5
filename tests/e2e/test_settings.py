"""The three PRU settings blocks a run leaves in the simulator's sysfs, compared with the integer
vectors of pru-settings.md (§2.3, §3.5, §4.4, worked out there from shepherd-core's export
formulas, independently of this code); the calibration a run takes from the cape EEPROM; what a
harvest with each recording harvester writes; inputs the emulation firmware cannot replay."""
import pathlib

import h5py
import numpy as np
import pytest
import yaml

from conftest import FIXTURES, run_sheep

INPUT = FIXTURES / "reference_hrv_2s_lzf.h5"
NO_TTY = "/nonexistent/tty"

# calibration_settings [calc] (§2.3): nominal, and the predecessor's test cape file
CAL_NOMINAL_HRV = [52083, 0, 5000, 0, 13744, 0]
CAL_NOMINAL_EMU = [52083, 0, 256000000, 0, 13744, 0]
CAL_SAMPLE_HRV = [57055, -2624115, 4997, 78, 13745, 281]
CAL_SAMPLE_EMU = [57103, -2622240, 256000000, 0, 13750, 795]
# the pairs of tests/fixtures/upstream_configs/test_cal_data.yaml the file attributes must carry
SAMPLE_PAIRS = yaml.safe_load(
    (FIXTURES / "upstream_configs" / "test_cal_data.yaml").read_text())["parameters"]

# virtual_harvester_settings for recording [calc] (§3.5), and the window_samples attribute
HRV_RECORDING = {
    "ivsurface": ([16, 4, 909, 2500000, 0, 5000000, 5507, 50000000, 179, 10000, 10, 0], 909),
    "iv1000": ([16, 4, 100, 2500000, 0, 5000000, 50505, 50000000, 179, 10000, 10, 0], 100),
    "isc_voc": ([8, 6, 8, 2500000, 0, 5000000, 714286, 50000000, 179, 10000, 10, 4], 10),
    "cv33": ([256, 6, 8, 3300000, 0, 5000000, 714286, 50000000, 179, 10000, 10, 1], 0),
    "mppt_voc": ([4096, 6, 8, 2500000, 0, 5000000, 714286, 5000, 195, 10000, 120, 1], 0),
    "mppt_bq_thermoelectric":
        ([4096, 6, 8, 2500000, 0, 5000000, 714286, 5000, 128, 1600000, 25600, 1], 0),
    "mppt_po": ([8192, 6, 8, 2500000, 0, 5000000, 10000, 50000000, 179, 1800, 10, 1], 0),
    "mppt_opt": ([16384, 6, 8, 2500000, 0, 5000000, 1000, 50000000, 179, 2, 2, 1], 0),
}
DTYPE = {"ivsurface": "ivcurve", "iv1000": "ivcurve", "isc_voc": "isc_voc"}

# virtual_converter_settings scalars 0..23 for ivsample input [calc] (§4.4)
CONV = {
    "neutral": [0, 0, 10000000, 4200000000, 0, 0, 2684354560, 3000000, 0, 1000, 0, 0, 0,
                2800000, 2200000, 1, 1400000, 0, 10000000, 2400000, 0, 0, 0, 0],
    "dio_cap": [1, 0, 10000000, 4200000000, 300000, 0, 57113, 3000000, 0, 2000000, 1800000,
                30877, 0, 2800000, 2200000, 1, 1400000, 0, 10000000, 2400000, 0, 0, 0, 0],
    "BQ25504": [3, 0, 3000000, 100000000, 0, 0, 26843, 3000000, 330, 1000000, 0, 29227, 6400,
                2800000, 2340000, 0, 1400000, 130000, 3600000, 2400000, 0, 17, 12, 0],
    "BQ25570-Schmitt": [7, 0, 5100000, 100000000, 0, 0, 81344, 3400000, 0, 3000000, 2400000,
                        24545, 6400, 3000000, 2500000, 1, 1400000, 100000, 5500000, 2200000,
                        200000, 17, 12, 9],
}
BQ_LUT_IN = [3, 3, 5, 13, 26, 38, 38, 51, 64, 77, 77, 90,
             26, 51, 77, 102, 128, 141, 143, 146, 148, 151, 154, 156,
             51, 102, 128, 154, 166, 169, 172, 174, 177, 179, 182, 184,
             90, 141, 166, 182, 187, 189, 192, 192, 195, 197, 197, 200,
             115, 166, 179, 187, 192, 197, 200, 202, 205, 207, 207, 210,
             128, 179, 189, 195, 200, 202, 205, 207, 210, 212, 212, 215,
             133, 187, 195, 200, 205, 207, 210, 212, 215, 218, 218, 220,
             136, 192, 197, 202, 207, 210, 212, 215, 218, 220, 220, 223,
             141, 197, 200, 205, 210, 212, 218, 220, 223, 223, 223, 225,
             143, 200, 202, 207, 212, 218, 223, 225, 225, 225, 225, 228,
             148, 202, 205, 210, 215, 220, 225, 228, 228, 228, 228, 230,
             154, 205, 207, 212, 218, 223, 228, 230, 230, 230, 230, 230]
LUT_OUT = {"neutral": [16] * 12, "dio_cap": [16] * 12, "BQ25504": [16] * 12,
           "BQ25570-Schmitt": [40, 32, 27, 22, 20, 19, 18, 18, 18, 17, 17, 17]}
LUT_IN = {"neutral": [255] * 144, "dio_cap": [255] * 144, "BQ25504": BQ_LUT_IN,
          "BQ25570-Schmitt": BQ_LUT_IN}
# the source's harvester for emulation with ivsample input (window 0) [calc] (§3.5)
HRV_EMULATION = {
    "neutral": [16384, 7, 0, 2500000, 0, 5000000, 1000, 50000000, 179, 16, 16, 1],
    "dio_cap": [256, 7, 0, 2000000, 0, 5000000, 714286, 50000000, 179, 10000, 16, 1],
    "BQ25504": [4096, 7, 0, 2500000, 0, 5000000, 714286, 5000, 195, 1600000, 25600, 1],
    "BQ25570-Schmitt": [4096, 7, 0, 2500000, 0, 5000000, 714286, 5000, 195, 1600000, 25600, 1],
}


def eeprom_warnings(res):
    return [ln for ln in res.stderr.splitlines() if "WARNING" in ln and "EEPROM" in ln]


def tokens(sim, name):
    return [int(t) for t in (sim.sysfs / name).read_text().split()]


def converter(sim):
    t = tokens(sim, "virtual_converter_settings")
    assert len(t) == 180
    return t[:24], t[24:168], t[168:]


def run_task(sim, tmp_path, kind, name="task.yaml", **params):
    task = tmp_path / name
    task.write_text(yaml.safe_dump({"datatype": kind, "parameters": params}))
    res = run_sheep(sim, "run", "--start-delay", "1", "--no-status", str(task),
                    env={"SHEPHERD_UART_DEVICE": NO_TTY,
                         "SHEPHERD_EEPROM": str(sim.root / "eeprom")})
    path = None
    for line in res.stdout.splitlines():
        if line.startswith("recording:") and "none" not in line:
            path = pathlib.Path(line.split(":", 1)[1].strip())
    return res, path


def harvest(sim, tmp_path, harvester, **params):
    params.setdefault("output_path", str(tmp_path / "hrv.h5"))
    params.setdefault("duration", 1)
    if harvester is not None:
        params["virtual_harvester"] = harvester
    return run_task(sim, tmp_path, "HarvestTask", **params)


def emulate(sim, tmp_path, source, input_path=INPUT, **params):
    params.setdefault("output_path", str(tmp_path / "emu.h5"))
    params.setdefault("duration", 1)
    params["input_path"] = str(input_path)
    if source is not None:
        params["virtual_source"] = source
    return run_task(sim, tmp_path, "EmulationTask", name="emu.yaml", **params)


def test_the_simulator_starts_with_the_kernels_test_patterns(sim):
    assert tokens(sim, "calibration_settings") == [255, -1, 254, -2, 253, -3]
    assert tokens(sim, "virtual_harvester_settings") == [0] + list(range(200, 211))
    scalars, lut_in, lut_out = converter(sim)
    assert scalars == list(range(100, 124))
    assert lut_in == list(range(144)) and lut_out == list(range(12))


@pytest.mark.parametrize("name", sorted(HRV_RECORDING))
def test_a_harvest_leaves_the_recording_vector_and_its_datatype(sim_factory, tmp_path, name):
    sim = sim_factory()
    res, path = harvest(sim, tmp_path, {"name": name}, use_cal_default=True)
    assert res.returncode == 0, res.stderr
    vector, window = HRV_RECORDING[name]
    assert tokens(sim, "virtual_harvester_settings") == vector
    assert tokens(sim, "calibration_settings") == CAL_NOMINAL_HRV
    with h5py.File(path, "r") as f:
        assert f["data"].attrs["datatype"] == DTYPE.get(name, "ivtrace")
        assert int(f["data"].attrs["window_samples"]) == window
        assert float(f["data/voltage"].attrs["gain"]) == 1 / 51200
        assert float(f["data/current"].attrs["gain"]) == 1 / 4915200
        config = yaml.safe_load(f.attrs["config"])
    assert config["virtual_harvester"]["name"] == name
    assert config["use_cal_default"] is True


def test_a_harvest_takes_the_capes_calibration_from_the_eeprom(sim_factory, tmp_path):
    sim = sim_factory("--eeprom", "sample")
    res, path = harvest(sim, tmp_path, {"name": "cv20"})
    assert res.returncode == 0, res.stderr
    assert tokens(sim, "calibration_settings") == CAL_SAMPLE_HRV
    hrv = SAMPLE_PAIRS["harvester"]
    with h5py.File(path, "r") as f:
        for ds, pair in (("voltage", hrv["adc_V_Sense"]), ("current", hrv["adc_C_Hrv"])):
            assert float(f["data"][ds].attrs["gain"]) == pair["gain"]
            assert float(f["data"][ds].attrs["offset"]) == pair["offset"]
    assert not eeprom_warnings(res), res.stderr  # read without a word of complaint


def test_an_erased_eeprom_gives_one_warning_and_the_nominal_calibration(sim_factory, tmp_path):
    sim = sim_factory("--eeprom", "erased")
    res, path = harvest(sim, tmp_path, {"name": "cv20"})
    assert res.returncode == 0, res.stderr
    assert tokens(sim, "calibration_settings") == CAL_NOMINAL_HRV
    warnings = eeprom_warnings(res)
    assert len(warnings) == 1, res.stderr
    assert "nominal" in warnings[0].lower() or "default" in warnings[0].lower()
    with h5py.File(path, "r") as f:
        assert float(f["data/voltage"].attrs["gain"]) == 1 / 51200


@pytest.mark.parametrize("source", sorted(CONV))
def test_an_emulation_leaves_the_sources_vectors(sim_factory, tmp_path, source):
    sim = sim_factory("--eeprom", "sample")
    res, path = emulate(sim, tmp_path, None if source == "neutral" else {"name": source})
    assert res.returncode == 0, res.stderr
    scalars, lut_in, lut_out = converter(sim)
    assert scalars == CONV[source]
    assert lut_in == LUT_IN[source]
    assert lut_out == LUT_OUT[source]
    assert tokens(sim, "virtual_harvester_settings") == HRV_EMULATION[source]
    assert tokens(sim, "calibration_settings") == CAL_SAMPLE_EMU
    emu = SAMPLE_PAIRS["emulator"]
    with h5py.File(path, "r") as f:
        assert f["data"].attrs["datatype"] == "ivtrace"
        assert int(f["data"].attrs["window_samples"]) == 0
        for ds, pair in (("voltage", emu["dac_V_A"]), ("current", emu["adc_C_A"])):
            assert float(f["data"][ds].attrs["gain"]) == pair["gain"]
            assert float(f["data"][ds].attrs["offset"]) == pair["offset"]


def test_intermediate_logging_adds_its_mode_bit(sim, tmp_path):
    res, _ = emulate(sim, tmp_path, {"name": "BQ25504"},
                     power_tracing={"intermediate_voltage": True})
    assert res.returncode == 0, res.stderr
    assert converter(sim)[0][0] == 3 + 8


def test_an_ivcurve_recording_is_emulated_with_its_window_and_step(sim, tmp_path):
    res, curves = harvest(sim, tmp_path, {"name": "ivcurve"}, duration=2)
    assert res.returncode == 0, res.stderr
    res, _ = emulate(sim, tmp_path, {"name": "dio_cap"}, input_path=curves)
    assert res.returncode == 0, res.stderr
    scalars, _, _ = converter(sim)
    assert scalars[0] == 17  # storage + feedback to the harvester, which ivcurve input allows
    hrv = tokens(sim, "virtual_harvester_settings")
    assert hrv[2] == 909 and hrv[6] == 5507
    assert hrv[:2] == [256, 7]


def test_an_isc_voc_recording_is_refused_before_the_pru_is_touched(sim, tmp_path):
    res, pairs = harvest(sim, tmp_path, {"name": "isc_voc"})
    assert res.returncode == 0, res.stderr
    before = (sim.sysfs / "virtual_converter_settings").read_text()
    res, path = emulate(sim, tmp_path, {"name": "BQ25504"}, input_path=pairs)
    assert res.returncode == 1
    assert path is None
    assert "isc_voc" in res.stderr and "cannot be emulated" in res.stderr
    assert (sim.sysfs / "virtual_converter_settings").read_text() == before


def test_a_neutral_harvest_is_refused(sim, tmp_path):
    res, path = harvest(sim, tmp_path, {"name": "neutral"})
    assert res.returncode == 1
    assert path is None
    assert "neutral" in res.stderr
    assert tokens(sim, "virtual_harvester_settings") == [0] + list(range(200, 211))


def test_a_misspelt_source_lists_the_known_ones(sim, tmp_path):
    res, _ = emulate(sim, tmp_path, {"name": "BQ2557"})
    assert res.returncode == 1
    assert "BQ2557" in res.stderr
    for known in ("BQ25570", "dio_cap", "diode+capacitor", "BQ25504-Schmitt"):
        assert known in res.stderr


def test_an_unknown_field_inside_a_source_names_key_and_line(sim, tmp_path):
    task = tmp_path / "emu.yaml"
    task.write_text(
        "datatype: EmulationTask\n"
        "parameters:\n"
        f"  input_path: {INPUT}\n"
        "  virtual_source:\n"
        "    name: BQ25504\n"
        "    C_intermediat_uF: 10\n")
    res = run_sheep(sim, "run", "--start-delay", "1", str(task))
    assert res.returncode == 1
    assert "C_intermediat_uF" in res.stderr
    assert "emu.yaml:6:" in res.stderr


def test_an_ivcurve_input_without_config_takes_the_step_of_its_voltages(sim, tmp_path):
    res, curves = harvest(sim, tmp_path, {"name": "ivcurve"}, duration=2)
    assert res.returncode == 0, res.stderr
    with h5py.File(curves, "r+") as f:  # as a foreign recorder might leave it
        del f.attrs["config"]
        v = f["data/voltage"][:2000].astype(float)
        gain = float(f["data/voltage"].attrs["gain"])
    d = np.abs(np.diff(v) * gain)
    step_V = float(d[d > 0].min())
    res, _ = emulate(sim, tmp_path, {"name": "dio_cap"}, input_path=curves)
    assert res.returncode == 0, res.stderr
    hrv = tokens(sim, "virtual_harvester_settings")
    assert hrv[2] == 909
    assert hrv[6] == round(1000 * (1e3 * step_V))
