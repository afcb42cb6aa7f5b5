"""`shepherd-sheep eeprom read|write` against the simulator's cape EEPROM (pru-settings.md 9).

The EEPROM's bytes are checked with struct, independently of the sheep's code: the cape info at
its offsets, 16 big-endian doubles at 512 in model order.
"""
import math
import struct
import subprocess

import pytest
import yaml

from conftest import FIXTURES, SIM, run_sheep

CAL_FILE = FIXTURES / "upstream_configs" / "test_cal_data.yaml"

# model order of the EEPROM block (pru-settings.md 9)
ORDER = [("harvester", "dac_V_Hrv"), ("harvester", "dac_V_Sim"), ("harvester", "adc_V_Sense"),
         ("harvester", "adc_C_Hrv"), ("emulator", "dac_V_A"), ("emulator", "dac_V_B"),
         ("emulator", "adc_C_A"), ("emulator", "adc_C_B")]

NOMINAL_BLOCK = bytes.fromhex(
    "3f14001400140014 8000000000000000 3f14001400140014 8000000000000000"
    "3ef47ae147ae147b 8000000000000000 3e8b4e81b4e81b4f 8000000000000000"
    "3f14001400140014 8000000000000000 3f14001400140014 8000000000000000"
    "3e8b4e81b4e81b4f 8000000000000000 3e8b4e81b4e81b4f 8000000000000000".replace(" ", ""))


def eeprom(sim):
    return sim.root / "eeprom"


def sheep(path, *args, env=None):
    # no GPIO tree unless a test gives one: never the machine's own /sys/class/gpio
    full_env = {"SHEPHERD_GPIO_ROOT": "/nonexistent/gpio", **(env or {})}
    return run_sheep(None, "eeprom", *args, global_args=("--eeprom", str(path)), env=full_env)


def pairs_of(doc):
    params = doc["parameters"]
    return [(params[part][name]["gain"], params[part][name]["offset"]) for part, name in ORDER]


def bits(x):
    return struct.pack(">d", x)


def cape_string(image, offset, size):
    return image[offset:offset + size].split(b"\0")[0].decode()


def test_write_then_read_round_trips_every_double(sim_factory, tmp_path):
    sim = sim_factory("--eeprom", "erased")
    res = sheep(eeprom(sim), "write", str(CAL_FILE))
    assert res.returncode == 0, res.stderr
    want = pairs_of(yaml.safe_load(CAL_FILE.read_text()))

    image = eeprom(sim).read_bytes()
    assert len(image) == 640
    assert image[:4] == b"\xaa\x55\x33\xee"
    assert cape_string(image, 76, 12) == "xyz1"
    assert cape_string(image, 38, 4) == "24B0"
    assert cape_string(image, 6, 32) == "BeagleBone SHEPHERD2 Cape"
    values = struct.unpack(">16d", image[512:640])
    assert [bits(v) for v in values] == [bits(v) for pair in want for v in pair]

    out = tmp_path / "out.yaml"
    res = sheep(eeprom(sim), "read", "-c", str(out))
    assert res.returncode == 0, res.stderr
    doc = yaml.safe_load(out.read_text())
    assert doc["datatype"] == "CalibrationCape"
    assert doc["parameters"]["cape"]["serial_number"] == "xyz1"
    got = pairs_of(doc)
    for (g, o), (wg, wo) in zip(got, want):
        assert isinstance(g, float) and isinstance(o, float)
        assert bits(g) == bits(wg) and bits(o) == bits(wo)

    # what read -c wrote is a CAL_FILE again, and writes the same bytes
    res = sheep(eeprom(sim), "write", str(out))
    assert res.returncode == 0, res.stderr
    assert eeprom(sim).read_bytes() == image


def test_read_prints_the_calibration_and_the_pru_integers(sim_factory):
    sim = sim_factory("--eeprom", "sample")
    res = sheep(eeprom(sim), "read")
    assert res.returncode == 0, res.stderr
    assert "serial number xyz1" in res.stdout
    assert "57103 -2622240 256000000 0 13750 795" in res.stdout
    assert "57055 -2624115 4997 78 13745 281" in res.stdout


def test_read_revision_prints_the_version(sim_factory):
    sim = sim_factory()
    res = sheep(eeprom(sim), "read", "-r")
    assert res.returncode == 0, res.stderr
    assert res.stdout == "24B0\n"


def test_full_output_is_valid_yaml(sim_factory):
    sim = sim_factory()  # nominal
    res = sheep(eeprom(sim), "read", "-f")
    assert res.returncode == 0, res.stderr
    doc = yaml.safe_load(res.stdout)
    cape = doc["parameters"]["cape"]
    assert cape["serial_number"] == "sim0001"
    assert cape["version"] == "24B0"
    assert cape["manufacturer"] == "NES TU DRESDEN"
    assert isinstance(cape["cal_date"], str) and len(cape["cal_date"]) == 10
    pairs = pairs_of(doc)
    for gain, offset in pairs:
        assert isinstance(gain, float) and gain > 0
        assert isinstance(offset, float) and offset == 0 and math.copysign(1, offset) < 0
    assert pairs[0][0] == 7.629510948348211e-05
    assert pairs[2][0] == 1.953125e-05
    assert pairs[3][0] == 2.0345052083333335e-07


def test_simulator_images(sim_factory, tmp_path):
    sim = sim_factory()
    image = eeprom(sim).read_bytes()
    assert len(image) == 640
    assert image[512:] == NOMINAL_BLOCK
    assert cape_string(image, 76, 12) == "sim0001"
    assert f"SHEPHERD_EEPROM={eeprom(sim)}" in "".join(sim.banner)

    sim = sim_factory("--eeprom", "sample")
    values = struct.unpack(">16d", eeprom(sim).read_bytes()[512:])
    want = pairs_of(yaml.safe_load(CAL_FILE.read_text()))
    assert [bits(v) for v in values] == [bits(v) for pair in want for v in pair]

    sim = sim_factory("--eeprom", str(CAL_FILE))
    image = eeprom(sim).read_bytes()
    assert struct.unpack(">16d", image[512:]) == values
    assert cape_string(image, 76, 12) == "xyz1"

    sim = sim_factory("--eeprom", "erased")
    assert eeprom(sim).read_bytes() == b"\xff" * 640
    sim = sim_factory("--eeprom", "none")
    assert not eeprom(sim).exists()
    root = sim.root
    assert sim.stop() == 0
    assert not (root / "eeprom").exists()


def test_missing_eeprom_read_3_write_2(sim_factory):
    sim = sim_factory("--eeprom", "none")
    res = sheep(eeprom(sim), "read")
    assert res.returncode == 3
    assert str(eeprom(sim)) in res.stderr and "cape missing" in res.stderr
    res = sheep(eeprom(sim), "write", str(CAL_FILE))
    assert res.returncode == 2
    assert str(eeprom(sim)) in res.stderr
    assert not eeprom(sim).exists()


def test_erased_eeprom_is_no_plausible_data(sim_factory):
    sim = sim_factory("--eeprom", "erased")
    for args in (["read"], ["read", "-f"], ["read", "-r"]):
        res = sheep(eeprom(sim), *args)
        assert res.returncode == 2, res.stderr
        assert "no plausible data" in res.stderr and str(eeprom(sim)) in res.stderr
        assert "erased" in res.stderr
        assert res.stdout == ""


def test_damaged_cal_file_names_file_and_line(sim_factory, tmp_path):
    sim = sim_factory()
    before = eeprom(sim).read_bytes()
    lines = CAL_FILE.read_text().splitlines()
    assert lines[7].strip().startswith("gain:")
    lines[7] = lines[7].replace("gain:", "gian:")
    bad = tmp_path / "bad.yaml"
    bad.write_text("\n".join(lines) + "\n")
    res = sheep(eeprom(sim), "write", str(bad))
    assert res.returncode == 1
    assert f"{bad}:8:" in res.stderr
    assert "parameters.emulator.adc_C_A.gian" in res.stderr
    assert "allowed: gain, offset" in res.stderr

    bad.write_text(CAL_FILE.read_text().replace("7.62628031430141e-05", "-7.6e-05"))
    res = sheep(eeprom(sim), "write", str(bad))
    assert res.returncode == 1
    assert f"{bad}:14:" in res.stderr and "dac_V_A.gain" in res.stderr
    assert eeprom(sim).read_bytes() == before


def test_write_without_cape_keeps_the_eeproms_info(sim_factory, tmp_path):
    doc = yaml.safe_load(CAL_FILE.read_text())
    del doc["parameters"]["cape"]
    plain = tmp_path / "plain.yaml"
    plain.write_text(yaml.safe_dump(doc))

    sim = sim_factory()  # nominal, serial sim0001
    before = eeprom(sim).read_bytes()
    res = sheep(eeprom(sim), "write", str(plain))
    assert res.returncode == 0, res.stderr
    image = eeprom(sim).read_bytes()
    assert image[:512] == before[:512]
    assert struct.unpack(">16d", image[512:]) == tuple(
        v for pair in pairs_of(doc) for v in pair)

    # an erased chip has no info to keep: refused, nothing written
    sim = sim_factory("--eeprom", "erased")
    res = sheep(eeprom(sim), "write", str(plain))
    assert res.returncode == 1
    assert "no cape info" in res.stderr and "serial_number" in res.stderr
    assert eeprom(sim).read_bytes() == b"\xff" * 640


def test_write_drives_the_write_protect_pin(sim_factory, tmp_path):
    sim = sim_factory("--eeprom", "erased")
    gpio = tmp_path / "gpio"
    (gpio / "gpio49").mkdir(parents=True)
    (gpio / "gpio49" / "direction").write_text("in\n")
    (gpio / "gpio49" / "value").write_text("1\n")
    res = sheep(eeprom(sim), "write", str(CAL_FILE), env={"SHEPHERD_GPIO_ROOT": str(gpio)})
    assert res.returncode == 0, res.stderr
    assert (gpio / "gpio49" / "direction").read_text() == "out"
    assert (gpio / "gpio49" / "value").read_text() == "1"

    # a tree without the pin (a plain export file cannot make one): written all the same
    (gpio / "gpio49" / "direction").unlink()
    (gpio / "gpio49" / "value").unlink()
    (gpio / "gpio49").rmdir()
    (gpio / "export").write_text("")
    res = sheep(eeprom(sim), "write", str(CAL_FILE), env={"SHEPHERD_GPIO_ROOT": str(gpio)})
    assert res.returncode == 0, res.stderr
    assert "GPIO 49" in res.stderr
    assert (gpio / "export").read_text() == "49"


def test_a_chip_that_does_not_keep_the_data_fails(tmp_path):
    # /dev/null takes every write and reads back nothing, like a protected chip keeps nothing
    res = sheep("/dev/null", "write", str(CAL_FILE),
                env={"SHEPHERD_GPIO_ROOT": str(tmp_path / "none")})
    assert res.returncode == 1
    assert "the EEPROM did not keep what was written (write-protected?)" in res.stderr


def test_eeprom_path_from_the_environment(sim_factory):
    sim = sim_factory("--eeprom", "sample")
    res = run_sheep(None, "eeprom", "read", "-r", env={"SHEPHERD_EEPROM": str(eeprom(sim))})
    assert res.returncode == 0, res.stderr
    assert res.stdout == "24B0\n"


@pytest.mark.parametrize("args", [[], ["erase"], ["read", "extra"], ["read", "-x"],
                                  ["read", "-r", "-f"], ["write"], ["write", "a", "b"]])
def test_usage_errors(args):
    res = sheep("/nonexistent/eeprom", *args)
    assert res.returncode == 2
    assert res.stderr


@pytest.mark.parametrize("args", [["--help"], ["read", "--help"], ["write", "--help"]])
def test_help(args):
    res = sheep("/nonexistent/eeprom", *args)
    assert res.returncode == 0
    assert res.stdout.startswith("Usage: shepherd-sheep")


def test_simulator_refuses_an_unknown_eeprom_kind():
    res = subprocess.run([SIM, "--eeprom", "nomnal"], capture_output=True, text=True,
                         timeout=10)
    assert res.returncode == 2
    assert "--eeprom takes nominal, sample, erased, none" in res.stderr
    res = subprocess.run([SIM, "--help"], capture_output=True, text=True, timeout=10)
    assert "--eeprom nominal|sample|erased|none|CAL.yaml" in res.stdout
