"""shepherd-watchdog and shepherd-launcher (node-control.md 6) against a sysfs GPIO tree and a
stand-in service manager (tests/tools/fake_systemctl).

Two trees: the simulator's (ROOT/gpio, with its log of every write, ROOT/gpio.log), and a plain
directory of the test's own whose output pins' value files (LED 22, watchdog ACK 68) are FIFOs
read by a thread, so that the test sees every write in order however fast they follow each
other (the simulator learns of writes through inotify and may read a file rewritten 2 ms later
only once it holds the second value). The button's value file (65) is written by the test, as a
press pulls the line low.
"""
import os
import pathlib
import signal
import subprocess
import threading
import time

import pytest

from conftest import SHEEP, SHEEP_CMD, gpio_log_lines, gpio_value, press_button, wait_for

BIN_DIR = pathlib.Path(SHEEP).parent
EMULATOR = SHEEP_CMD[:-1]
LAUNCHER = [*EMULATOR, str(BIN_DIR / "shepherd-launcher")]
WATCHDOG = [*EMULATOR, str(BIN_DIR / "shepherd-watchdog")]
FAKE_SYSTEMCTL = pathlib.Path(__file__).resolve().parents[1] / "tools" / "fake_systemctl"
PIN_LED, PIN_BUTTON, PIN_ACK = 22, 65, 68
SETTLE_SCALE = "0.01"  # the launcher's 0.25/1/3/10 s pauses; its 2 s and 0.5 s windows stay


class GpioTree:
    """A GPIO tree; outputs' value files are FIFOs whose writes are recorded in order."""

    def __init__(self, base, outputs, inputs):
        self.root = base / "gpio"
        self.root.mkdir()
        (self.root / "export").write_text("")
        (self.root / "unexport").write_text("")
        self.writes = {pin: [] for pin in outputs}
        self._stopping = False
        self._threads = []
        for pin in (*outputs, *inputs):
            d = self.root / f"gpio{pin}"
            d.mkdir()
            (d / "direction").write_text("in\n")
            (d / "edge").write_text("none\n")
        for pin in inputs:
            (self.root / f"gpio{pin}" / "value").write_text("1\n")
        for pin in outputs:
            fifo = self.root / f"gpio{pin}" / "value"
            os.mkfifo(fifo)
            t = threading.Thread(target=self._record, args=(pin, fifo), daemon=True)
            t.start()
            self._threads.append((t, fifo))

    def _record(self, pin, fifo):
        # held open for reading and writing: a writer's open never waits and its write never
        # meets a FIFO without a reader (EPIPE) between two of our reads
        fd = os.open(fifo, os.O_RDWR)
        try:
            while not self._stopping:
                data = os.read(fd, 256).decode()
                # each write is one "0" or "1"; writes that met in one read are split again
                self.writes[pin].extend(c for c in data if c in "01")
        finally:
            os.close(fd)

    def attr(self, pin, name):
        return (self.root / f"gpio{pin}" / name).read_text().strip()

    def level(self, pin, high):
        (self.root / f"gpio{pin}" / "value").write_text("1" if high else "0")

    def close(self):
        self._stopping = True
        for t, fifo in self._threads:
            if t.is_alive():  # wakes the reader with a byte that is no level
                fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
                os.write(fd, b"x")
                os.close(fd)
            t.join(timeout=5)


@pytest.fixture
def tree(tmp_path):
    t = GpioTree(tmp_path, outputs=(PIN_LED, PIN_ACK), inputs=(PIN_BUTTON,))
    yield t
    t.close()


_started = []


@pytest.fixture(autouse=True)
def no_leftover_programs():
    """A test that failed half-way leaves no launcher or watchdog running."""
    yield
    while _started:
        proc = _started.pop()
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)


def start(cmd, tree, env_extra=None, *args):
    """The program with the tree and short pauses; its stderr goes to a file (proc.err_path)."""
    env = dict(os.environ, SHEPHERD_GPIO_ROOT=str(tree.root), SHEPHERD_SETTLE_SCALE=SETTLE_SCALE)
    env.update(env_extra or {})
    logs = getattr(tree, "logs", tree.root.parent)
    err_path = logs / f"stderr-{len(list(logs.glob('stderr-*')))}.log"
    with open(err_path, "w") as err:
        proc = subprocess.Popen([*cmd, *args], env=env, stdout=subprocess.DEVNULL, stderr=err,
                                text=True)
    proc.err_path = err_path
    _started.append(proc)
    return proc


def stderr(proc):
    return proc.err_path.read_text()


def stop(proc):
    """SIGTERM; the exit status and stderr."""
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    return proc.returncode, stderr(proc)


def ended(proc):
    """The exit status and stderr of a program that ends by itself."""
    proc.wait(timeout=60)
    return proc.returncode, stderr(proc)


# ---- watchdog -----------------------------------------------------------------------------

def test_watchdog_pulses_at_once_and_every_interval(tree):
    proc = start(WATCHDOG, tree, None, "--interval", "0.3")
    assert wait_for(lambda: len(tree.writes[PIN_ACK]) >= 7, timeout=30)
    rc, err = stop(proc)
    assert rc == 0, err
    # the recorder thread may still be taking the last write out of the FIFO: give it a moment
    # (a pulse really cut short stays odd)
    wait_for(lambda: len(tree.writes[PIN_ACK]) % 2 == 1, timeout=5)
    writes = tree.writes[PIN_ACK]
    # set up as an output driving low, then pulses: high, low
    assert writes[0] == "0"
    pulses = writes[1:]
    assert len(pulses) >= 6 and len(pulses) % 2 == 0
    assert pulses == ["1", "0"] * (len(pulses) // 2)
    assert tree.attr(PIN_ACK, "direction") == "out"
    assert err.count("Signaled ACK to Watchdog") == len(pulses) // 2


def test_watchdog_first_pulse_comes_at_once_and_sigint_ends_it(tree):
    proc = start(WATCHDOG, tree)  # the default interval: 600 s
    assert wait_for(lambda: tree.writes[PIN_ACK] == ["0", "1", "0"], timeout=30), (tree.writes, stderr(proc))
    proc.send_signal(signal.SIGINT)
    rc, err = ended(proc)
    assert rc == 0, err
    assert tree.writes[PIN_ACK] == ["0", "1", "0"]
    assert "Signaled ACK to Watchdog" in err


class SimTree:
    """The simulator's GPIO tree where the tests want a tree: its root and stderr files."""

    def __init__(self, sim, tmp_path):
        self.root = sim.gpio
        self.logs = tmp_path


def pin_log(sim, pin):
    """The simulator's log lines of pin (its export and its files), without time stamps."""
    return [line for line in gpio_log_lines(sim)
            if line == f"export {pin}" or line.startswith(f"gpio{pin} ")]


def test_watchdog_pulses_in_the_simulators_gpio_log(sim, tmp_path):
    proc = start(WATCHDOG, SimTree(sim, tmp_path), None, "--interval", "0.3")
    assert wait_for(lambda: stderr(proc).count("Signaled ACK") >= 3, timeout=30)
    rc, err = stop(proc)
    assert rc == 0, err
    pulses = err.count("Signaled ACK to Watchdog")
    log = pin_log(sim, PIN_ACK)
    assert log[:2] == ["export 68", "gpio68 direction out"]
    values = log[2:]
    # the set-up's low, then a high and a low write per pulse; the simulator reads a file
    # when it learns of the write, which for writes 2 ms apart may be after the next one, so
    # the values it logs are checked only where that cannot happen: the last one is low, and
    # at least one high was read in time. Nor is every write a line: inotify merges a write's
    # event into the one before while that is unread, as it can be for the writes 2 ms apart
    # (the set-up's low and the first pulse included), never for pulses 0.3 s apart. The exact
    # writes are test_watchdog_pulses_at_once_and_every_interval's, on the FIFO tree.
    assert pulses <= len(values) <= 1 + 2 * pulses, log
    assert all(v in ("gpio68 value 0", "gpio68 value 1") for v in values)
    assert values[-1] == "gpio68 value 0"
    assert "gpio68 value 1" in values
    assert gpio_value(sim, PIN_ACK) == 0


def test_launcher_against_the_simulators_gpio_tree(sim, tmp_path, units):
    env = {"SHEPHERD_SYSTEMCTL": str(FAKE_SYSTEMCTL), "FAKE_SYSTEMCTL_DIR": str(units)}
    proc = start(LAUNCHER, SimTree(sim, tmp_path), env, "-v")
    ready = ["export 22", "gpio22 direction out", "gpio22 value 0", "gpio22 value 1"]
    assert wait_for(lambda: pin_log(sim, PIN_LED) == ready, timeout=30), stderr(proc)
    assert pin_log(sim, PIN_BUTTON) == ["export 65", "gpio65 direction in",
                                        "gpio65 edge falling"]
    time.sleep(0.1)
    press_button(sim, hold=0.15)
    assert wait_for(lambda: did(units, "start"), timeout=30), stderr(proc)
    assert wait_for(lambda: pin_log(sim, PIN_LED)[-1] == "gpio22 value 1"
                    and len(pin_log(sim, PIN_LED)) == 6, timeout=30)
    time.sleep(0.2)
    press_button(sim, hold=0.15)
    assert wait_for(lambda: did(units, "stop"), timeout=30), stderr(proc)
    # the LED back on after the rest, before the signal (the simulator may see two writes close
    # together as the last one)
    assert wait_for(lambda: pin_log(sim, PIN_LED)[-1] == "gpio22 value 1"
                    and len(pin_log(sim, PIN_LED)) == 8, timeout=30), pin_log(sim, PIN_LED)
    time.sleep(0.2)
    rc, err = stop(proc)
    assert rc == 0, err
    assert wait_for(lambda: len(pin_log(sim, PIN_LED)) == 9, timeout=5), pin_log(sim, PIN_LED)
    assert [line.split()[-1] for line in pin_log(sim, PIN_LED)[2:]] == \
        ["0", "1", "0", "1", "0", "1", "0"]
    assert gpio_value(sim, PIN_LED) == 0
    assert "gpio65 value 0 (external)" in pin_log(sim, PIN_BUTTON)


def test_watchdog_bad_input(tmp_path):
    for args, code, text in ((["--interval", "0"], 2, "--interval"),
                             (["--interval", "x"], 2, "--interval"),
                             (["--bogus"], 2, ""),
                             (["extra"], 2, "unexpected argument"),
                             (["--gpio-root", str(tmp_path / "none")], 1, "no GPIO tree")):
        r = subprocess.run([*WATCHDOG, *args], capture_output=True, text=True, timeout=30)
        assert r.returncode == code, (args, r.stderr)
        assert text in r.stderr
    r = subprocess.run([*WATCHDOG, "--help"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0 and "--interval" in r.stdout and "68" in r.stdout
    r = subprocess.run([*WATCHDOG, "--version"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0 and r.stdout.startswith("shepherd-watchdog ")


# ---- launcher -----------------------------------------------------------------------------

@pytest.fixture
def units(tmp_path):
    d = tmp_path / "units"
    d.mkdir()
    return d


def calls(units):
    log = units / "calls.log"
    return log.read_text().splitlines() if log.exists() else []


def did(units, verb):
    return any(line.split()[-2:] == [verb, "shepherd.service"] or line.split() == [verb]
               for line in calls(units))


def launch(tree, units, systemctl=FAKE_SYSTEMCTL, *args):
    env = {"SHEPHERD_SYSTEMCTL": str(systemctl), "FAKE_SYSTEMCTL_DIR": str(units)}
    proc = start(LAUNCHER, tree, env, "-v", *args)
    # ready: the LED set up (low) and switched on for a press
    assert wait_for(lambda: tree.writes[PIN_LED][:2] == ["0", "1"], timeout=30), stderr(proc)
    assert tree.attr(PIN_BUTTON, "direction") == "in"
    assert tree.attr(PIN_BUTTON, "edge") == "falling"
    assert tree.attr(PIN_LED, "direction") == "out"
    time.sleep(0.1)  # the launcher reads the button's level right after the LED write
    return proc


def press(tree, hold=0.15, after=0.15):
    tree.level(PIN_BUTTON, False)
    time.sleep(hold)
    tree.level(PIN_BUTTON, True)
    time.sleep(after)


def led_ready_again(tree, n_before):
    return lambda: len(tree.writes[PIN_LED]) > n_before and tree.writes[PIN_LED][-1] == "1"


def test_press_starts_an_inactive_service(tree, units):
    proc = launch(tree, units)
    press(tree)
    assert wait_for(lambda: did(units, "start"), timeout=30)
    assert (units / "shepherd").read_text().strip() == "active"
    # LED: off from the press on, on again after the service changed and the button rested
    assert wait_for(led_ready_again(tree, 3), timeout=30)
    assert tree.writes[PIN_LED][:3] == ["0", "1", "0"]
    rc, err = stop(proc)
    assert rc == 0, err
    assert not did(units, "stop") and not did(units, "poweroff")
    # switched off on the way out (the recorder thread may lag behind the FIFO a moment)
    assert wait_for(lambda: tree.writes[PIN_LED][-1] == "0", timeout=5), tree.writes[PIN_LED]


def test_press_stops_an_active_service(tree, units):
    (units / "shepherd").write_text("active\n")
    proc = launch(tree, units)
    press(tree)
    assert wait_for(lambda: did(units, "stop"), timeout=30)
    assert (units / "shepherd").read_text().strip() == "inactive"
    assert wait_for(led_ready_again(tree, 3), timeout=30)
    # a second press starts it again
    press(tree)
    assert wait_for(lambda: did(units, "start"), timeout=30)
    rc, err = stop(proc)
    assert rc == 0, err
    assert not did(units, "poweroff")


def test_failed_service_counts_as_stopped(tree, units):
    (units / "shepherd").write_text("failed\n")
    proc = launch(tree, units)
    press(tree)
    assert wait_for(lambda: did(units, "start"), timeout=30)
    rc, err = stop(proc)
    assert rc == 0, err


def test_double_press_powers_off_after_five_blinks(tree, units):
    proc = launch(tree, units)
    press(tree, after=0.3)
    press(tree)
    assert wait_for(lambda: did(units, "poweroff"), timeout=30)
    rc, err = stop(proc)
    assert rc == 0, err
    assert not did(units, "start")
    assert "Shutting down now" in err
    # ready, off at the press, then five blinks (on, off), then off after the routine
    assert wait_for(lambda: len(tree.writes[PIN_LED]) >= 14, timeout=5), tree.writes[PIN_LED]
    led = tree.writes[PIN_LED]
    assert led[:3] == ["0", "1", "0"]
    assert led[3:13] == ["1", "0"] * 5
    assert led[13] == "0"


def test_press_during_the_blinks_cancels_the_shutdown(tree, units):
    proc = launch(tree, units)
    press(tree, after=0.3)
    press(tree, after=0.0)
    assert wait_for(lambda: tree.writes[PIN_LED][3:5] == ["1", "0"], timeout=30)  # a blink
    press(tree)
    assert wait_for(lambda: "Shutdown canceled" in stderr(proc), timeout=30)
    # back to waiting for a press (LED on), and no more blinks, power-off or service change
    assert wait_for(lambda: tree.writes[PIN_LED][-1] == "1", timeout=30)
    n = len(tree.writes[PIN_LED])
    time.sleep(6)  # longer than the whole routine would have taken
    assert len(tree.writes[PIN_LED]) == n
    rc, err = stop(proc)
    assert rc == 0, err
    assert not did(units, "poweroff") and not did(units, "start")


def test_service_that_does_not_change_state_ends_the_launcher(tree, units, tmp_path):
    # a manager that takes the start request but leaves the unit inactive
    lazy = tmp_path / "lazy_systemctl"
    lazy.write_text(f'#!/bin/sh\ncase " $* " in *" start "*) exit 0 ;; esac\n'
                    f'exec "{FAKE_SYSTEMCTL}" "$@"\n')
    lazy.chmod(0o755)
    proc = launch(tree, units, lazy)
    press(tree)
    rc, err = ended(proc)
    assert rc == 1, err
    assert "State didn't change" in err


def test_refused_start_ends_the_launcher(tree, units):
    (units / "shepherd.refuse").write_text("")
    proc = launch(tree, units)
    press(tree)
    rc, err = ended(proc)
    assert rc == 1, err
    assert "Failed to start shepherd.service" in err


def test_unknown_state_ends_the_launcher(tree, units):
    (units / "shepherd").write_text("maintenance\n")
    proc = launch(tree, units)
    press(tree)
    rc, err = ended(proc)
    assert rc == 1, err
    assert "Unknown state 'maintenance'" in err


def test_launcher_drives_the_named_service(tree, units):
    proc = launch(tree, units, FAKE_SYSTEMCTL, "--service", "other")
    press(tree)
    assert wait_for(lambda: any(l.split()[-2:] == ["start", "other.service"]
                                for l in calls(units)), timeout=30)
    rc, err = stop(proc)
    assert rc == 0, err


def test_launcher_bad_input(tmp_path):
    for args, code, text in ((["--service", ""], 2, "--service"),
                             (["--bogus"], 2, ""),
                             (["extra"], 2, "unexpected argument"),
                             (["--gpio-root", str(tmp_path / "none")], 1, "no GPIO tree")):
        r = subprocess.run([*LAUNCHER, *args], capture_output=True, text=True, timeout=30)
        assert r.returncode == code, (args, r.stderr)
        assert text in r.stderr
    r = subprocess.run([*LAUNCHER, "--help"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0 and "--service" in r.stdout and "systemctl" in r.stdout
    r = subprocess.run([*LAUNCHER, "--version"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0 and r.stdout.startswith("shepherd-launcher ")
