"""Shared fixtures of the end-to-end tests: the real binaries, a simulator per test, task files."""
import os
import pathlib
import shlex
import signal
import subprocess
import tempfile
import time
import uuid

import pytest
import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]
BUILD = REPO / "build"
SHEEP = os.environ.get("SHEEP_BIN", str(BUILD / "shepherd-sheep"))
# how to run it: directly, or under an emulator (the armhf build: "qemu-arm -cpu cortex-a8")
SHEEP_CMD = [*shlex.split(os.environ.get("SHEEP_EMULATOR", "")), SHEEP]
EMULATED = len(SHEEP_CMD) > 1
SIM = os.environ.get("SIM_BIN", str(BUILD / "shepherd-pru-sim"))
# the simulator's stand-in for modprobe, built next to it
SIM_MODPROBE = str(pathlib.Path(SIM).with_name("sim-modprobe"))
H5CAT = os.environ.get("H5CAT_BIN", str(BUILD / "h5cat"))
H5GEN = os.environ.get("H5GEN_BIN", str(pathlib.Path(H5CAT).with_name("h5gen")))
FIXTURES = pathlib.Path(os.environ.get("SHEEP_FIXTURES_DIR", str(REPO / "tests" / "fixtures")))
SANITIZED = os.environ.get("SHEEP_SANITIZED", "0") in ("1", "ON", "TRUE", "true")
# every invocation appends to the usage log: keep the tests' rows out of /var/shepherd
os.environ.setdefault("SHEPHERD_USAGE_LOG",
                      os.path.join(tempfile.mkdtemp(prefix="sheep-usage-"), "log.csv"))


# Under CTest (tests/CMakeLists.txt), a run in which a test skipped and none failed exits with
# this code, which CTest's SKIP_RETURN_CODE shows as "Skipped": a skip must not pass unseen.
SKIP_EXIT_CODE = int(os.environ.get("SHEEP_SKIP_EXIT_CODE", "0"))


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped") if reporter else None
    if SKIP_EXIT_CODE and exitstatus == pytest.ExitCode.OK and skipped:
        session.exitstatus = SKIP_EXIT_CODE


class Sim:
    """A running shepherd-pru-sim in its own directory under /dev/shm."""

    def __init__(self, *args):
        # The suites regenerate harvest samples from the old integer formula (simsignal.py,
        # `--harvest formula`), the simulator's default is the solar cell read through the twin:
        # a test that wants the cell asks for `--harvest cell`.
        if "--harvest" not in args:
            args = (*args, "--harvest", "formula")
        base = "/dev/shm" if os.path.isdir("/dev/shm") else "/tmp"
        self.root = pathlib.Path(base) / f"sheep-e2e-{uuid.uuid4().hex[:10]}"
        self.proc = subprocess.Popen(
            [SIM, "--root", str(self.root), *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.banner = []
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            self.banner.append(line)
            if line.strip() == "ready":
                return
        self.proc.kill()
        raise RuntimeError(f"simulator did not start: {self.banner} {self.proc.stderr.read()}")

    @property
    def sysfs(self):
        return self.root / "sysfs"

    @property
    def mem(self):
        return self.root / "mem"

    @property
    def gpio(self):
        """The sysfs GPIO tree (the sheep's SHEPHERD_GPIO_ROOT)."""
        return self.root / "gpio"

    @property
    def gpio_log(self):
        """Every write to the GPIO tree, one line each: "<unix time> <what>"."""
        return self.root / "gpio.log"

    @property
    def env_file(self):
        """The export lines that point a shell at this simulator."""
        return self.root / "env"

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=10)
        return self.proc.returncode


def read(sim, name):
    """A sysfs file of the simulator, as it reads now."""
    return (sim.sysfs / name).read_text()


def wait_for(predicate, timeout=10.0):
    """Polls predicate every 10 ms until it holds (True) or timeout seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def read_box(sim):
    """One read of pru_msg_box, non-blocking as the sheep does it."""
    fd = os.open(sim.sysfs / "pru_msg_box", os.O_RDONLY | os.O_NONBLOCK)
    try:
        return os.read(fd, 128).decode()
    except BlockingIOError:
        return ""
    finally:
        os.close(fd)


def pop_messages(sim):
    """The types of every message in the box, one record per read, until it stays empty."""
    msgs = []
    empty = 0
    while empty < 3 and len(msgs) < 200:
        text = read_box(sim).split()
        if len(text) < 2:
            empty += 1
        else:
            msgs.append(int(text[0]))
        time.sleep(0.02)  # give the simulator time to put the next record in
    return msgs


def gpio_value(sim, n):
    """The level pin n of the simulator's GPIO tree reads (0 or 1)."""
    return int((sim.gpio / f"gpio{n}" / "value").read_text().strip())


def gpio_log_lines(sim):
    """The GPIO log without its time stamps: ["export 60", "gpio60 direction out", ...]."""
    return [line.split(" ", 1)[1] for line in sim.gpio_log.read_text().splitlines()]


def press_button(sim, hold=0.05):
    """Presses the cape button (GPIO 65, pulled up) for hold seconds: the outside world pulls
    the exported input low, then lets it go."""
    value = sim.gpio / "gpio65" / "value"
    value.write_text("0")
    time.sleep(hold)
    value.write_text("1")


# PRU0's firmware files by the short forms the kernel takes (node-control.md 1.4)
PRU0_FIRMWARE = {"emu": "am335x-pru0-shepherd-EMU-fw", "hrv": "am335x-pru0-shepherd-HRV-fw",
                 "swd": "am335x-pru0-programmer-SWD-fw", "sbw": "am335x-pru0-programmer-SBW-fw"}


def load_firmware(sim, fw):
    """Loads PRU0's firmware fw (emu, hrv, swd, sbw) into the idle simulator as the sheep does
    (the full name to pru0_firmware) and waits for its boot: the messages up to the boot's 0xF0
    are taken out of the box. The firmware acts only on its own modes: a harvest needs hrv."""
    pop_messages(sim)  # older news, e.g. the 0xF0 of the simulator's start
    (sim.sysfs / "pru0_firmware").write_text(PRU0_FIRMWARE[fw])
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        text = read_box(sim).split()
        if len(text) == 3 and int(text[0]) == 0xF0:
            break
        time.sleep(0.005)
    else:
        raise AssertionError(f"the simulator did not boot firmware {fw}")
    assert wait_for(lambda: read(sim, "state") == "idle", 2)  # 0xF0 comes just before idle
    assert read(sim, "pru0_firmware") == PRU0_FIRMWARE[fw] and read(sim, "mode") == "none"


@pytest.fixture
def sim_factory():
    sims = []

    def start(*args):
        s = Sim(*args)
        sims.append(s)
        return s

    yield start
    for s in sims:
        assert s.stop() == 0, s.proc.stderr.read()


@pytest.fixture
def sim(sim_factory):
    return sim_factory()


def write_task(path, **params):
    """A HarvestTask file with the given parameters."""
    path = pathlib.Path(path)
    path.write_text(yaml.safe_dump({"datatype": "HarvestTask", "parameters": params}))
    return path


def run_sheep(sim, *args, timeout=180, env=None, global_args=()):
    """Runs shepherd-sheep against sim; args follow the command name."""
    cmd = [*SHEEP_CMD, *global_args]
    if sim is not None:
        cmd += ["--sysfs-root", str(sim.sysfs), "--mem-device", str(sim.mem)]
    cmd += list(args)
    full_env = dict(os.environ)
    if sim is not None:  # the simulated cape's EEPROM, as a node has its own
        full_env["SHEPHERD_EEPROM"] = str(sim.root / "eeprom")
    full_env.update(env or {})
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=full_env)
    for marker in ("AddressSanitizer", "runtime error:", "LeakSanitizer"):
        assert marker not in res.stderr, res.stderr
    return res


def harvest(sim, tmp_path, duration, extra_args=(), global_args=(), **params):
    """Records a harvest of duration seconds; returns (result, path of the recording)."""
    params.setdefault("output_path", str(tmp_path / "rec.h5"))
    task = write_task(tmp_path / "task.yaml", duration=duration, **params)
    res = run_sheep(sim, "run", "--start-delay", "1", *extra_args, str(task),
                    global_args=global_args)
    path = None
    for line in res.stdout.splitlines():
        if line.startswith("recording:"):
            path = pathlib.Path(line.split(":", 1)[1].strip())
    return res, path
