"""shepherd-pru-sim's contract (shared/spec/simulator.md items 1-3, 6, 8)."""
import os
import signal
import subprocess
import time

import numpy as np

from conftest import SIM, Sim, load_firmware, pop_messages, read, read_box, wait_for
from simsignal import harvest_codes

N_OUT = 600000
IV_OUT_OFF = 8388620
UTIL_OFF = 8388620 + 9600008 + 30000008
SIZES = {"iv_inp": 8388620, "iv_out": 9600008, "gpio": 30000008, "util": 9608}


def rings(sim):
    base = int((sim.sysfs / "memory" / "iv_inp_address").read_text())
    mem = np.memmap(sim.mem, dtype=np.uint8, mode="r+", offset=base,
                    shape=(sum(SIZES.values()),))
    return base, mem


def iv_out(mem):
    idx = int(mem[IV_OUT_OFF:IV_OUT_OFF + 4].view(np.uint32)[0])
    ts = mem[IV_OUT_OFF + 4:IV_OUT_OFF + 4 + 8 * N_OUT].view(np.uint64)
    v = mem[IV_OUT_OFF + 4800004:IV_OUT_OFF + 4800004 + 4 * N_OUT].view(np.uint32)
    i = mem[IV_OUT_OFF + 7200004:IV_OUT_OFF + 7200004 + 4 * N_OUT].view(np.uint32)
    return idx, ts, v, i


def test_files_sizes_and_life_cycle():
    t0 = time.monotonic()
    sim = Sim()
    assert time.monotonic() - t0 < 1.0
    assert any(str(sim.sysfs) in line for line in sim.banner)
    for name, size in SIZES.items():
        assert int(read(sim, f"memory/{name}_size")) == size
    addresses = [int(read(sim, f"memory/{n}_address")) for n in SIZES]
    assert addresses[0] > 0 and addresses[0] % 4096 == 0
    assert np.all(np.diff(addresses) == list(SIZES.values())[:-1])
    assert read(sim, "state") == "idle"
    assert read(sim, "time_start") == "None"
    assert not read(sim, "state").endswith("\n")
    assert os.path.getsize(sim.mem) >= addresses[0] + sum(SIZES.values())
    _, mem = rings(sim)
    canary = mem[IV_OUT_OFF + 9600004:IV_OUT_OFF + 9600008].view(np.uint32)[0]
    assert canary == 0xDEBAC1E5
    del mem
    assert sim.stop() == 0
    assert not sim.root.exists()


def test_keep_leaves_files():
    sim = Sim("--keep")
    assert sim.stop() == 0
    assert (sim.sysfs / "state").exists()
    subprocess.run(["rm", "-rf", str(sim.root)], check=True)


def test_second_simulator_on_same_root_is_refused(sim):
    res = subprocess.run([SIM, "--root", str(sim.root)], capture_output=True, text=True,
                         timeout=10)
    assert res.returncode == 1 and "another simulator" in res.stderr


def test_bad_options():
    for args in (["--speed", "fast"], ["--speed", "0"], ["--seed", "x"], ["extra"]):
        res = subprocess.run([SIM, *args], capture_output=True, text=True, timeout=10)
        assert res.returncode == 2, args


def test_start_at_whole_second_and_stop(sim):
    load_firmware(sim, "hrv")
    (sim.sysfs / "mode").write_text("harvester")
    assert wait_for(lambda: read(sim, "state") == "idle")
    start = int(time.time()) + 2
    (sim.sysfs / "time_start").write_text(str(start))
    assert wait_for(lambda: read(sim, "state") == "armed", 1)
    (sim.sysfs / "time_stop").write_text(str(start + 1))
    assert wait_for(lambda: read(sim, "state") == "running", 4)
    assert time.time() >= start
    assert wait_for(lambda: read(sim, "state") == "idle", 4)
    _, mem = rings(sim)
    idx, ts, v, i = iv_out(mem)
    # produced samples up to stop + 100 ms, first one exactly at the start second
    assert int(ts[0]) == start * 1_000_000_000
    assert idx == 110000 - 1
    n = idx + 1
    assert np.all(np.diff(ts[:n].astype(np.int64)) == 10000)
    want_v, want_i = harvest_codes(1, ts[:n])
    assert np.array_equal(v[:n], want_v) and np.array_equal(i[:n], want_i)
    util_idx = int(mem[UTIL_OFF:UTIL_OFF + 4].view(np.uint32)[0])
    assert util_idx == 10


def test_rejected_requests_are_reported(sim):
    pop_messages(sim)
    (sim.sysfs / "time_start").write_text(str(int(time.time()) - 5))
    time.sleep(0.1)
    assert read(sim, "state") == "idle"
    (sim.sysfs / "mode").write_text("warp_drive")
    time.sleep(0.1)
    assert read(sim, "mode") == "none"
    assert pop_messages(sim) == [0xE0, 0xE0]


def test_message_box_pops_each_message_once(sim):
    pop_messages(sim)
    for mode in ("emulator", "debug", "emu_loopback"):
        (sim.sysfs / "mode").write_text(mode)
        time.sleep(0.05)
    # read as fast as possible: every message exactly once, never duplicated
    seen = []
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline and len(seen) < 3:
        text = read_box(sim).split()
        if len(text) == 3:
            seen.append(int(text[0]))
    assert seen == [0xF0, 0xF0, 0xF0]
    time.sleep(0.1)
    assert read_box(sim).split() == ["0"]


def test_mode_write_resets(sim):
    pop_messages(sim)
    (sim.sysfs / "mode").write_text("emulator")
    time.sleep(0.1)
    assert read(sim, "mode") == "emulator"
    assert read(sim, "state") == "idle"
    assert pop_messages(sim) == [0xF0]


def run_for_half_a_second(sim):
    """Arms a start 2 s ahead, lets the PRU run 0.5 s; returns (start second, mapped rings)."""
    start = int(time.time()) + 2
    (sim.sysfs / "time_start").write_text(str(start))
    assert wait_for(lambda: read(sim, "state") == "running", 4)
    time.sleep(0.5)
    return start, rings(sim)[1]


def test_speed_runs_faster(sim_factory):
    start, mem = run_for_half_a_second(sim_factory("--speed", "10"))
    idx, ts, _, _ = iv_out(mem)
    # ~0.5 s of wall time: ~5 s of samples (wide margins for a loaded machine)
    newest = int(ts[idx]) - start * 1_000_000_000
    assert 2.5e9 < newest < 8e9
    assert int(ts[0]) == start * 1_000_000_000


def test_lock_step_waits_for_the_reader(sim_factory):
    start, mem = run_for_half_a_second(sim_factory("--speed", "max", "--no-overrun"))
    idx, ts, _, _ = iv_out(mem)
    # nobody reads: production halts at half a ring, nothing is overwritten
    assert N_OUT // 2 - 1000 <= idx <= N_OUT // 2 + 1000
    assert int(ts[0]) == start * 1_000_000_000
    # a reader consumes (clears the marks of) the first half: production goes on
    marks = np.arange(0, N_OUT // 2, 1000)
    ts[marks] = 0
    mem.flush()
    assert wait_for(lambda: iv_out(mem)[0] > N_OUT // 2 + 10000, 5)


def test_sigint_exits_cleanly():
    sim = Sim()
    sim.proc.send_signal(signal.SIGINT)
    assert sim.proc.wait(timeout=5) == 0
    assert not sim.root.exists()
