"""Reliability with the real binaries: kills at random moments, reading while recording,
signals, full disks and file size limits, and every fault the simulator can inject."""
import concurrent.futures as cf
import os
import pathlib
import random
import resource
import signal
import subprocess
import time

import h5py
import numpy as np
import pytest
import yaml

from conftest import SANITIZED, SHEEP, SHEEP_CMD, Sim, run_sheep, sheep_env, write_task
from shepherd_checks import assert_valid_recording
from simsignal import harvest_codes

KILLS = 20


def start_sheep(sim, task, *args, preexec=None, env=None):
    full_env = sheep_env(sim, env)
    return subprocess.Popen(
        [*SHEEP_CMD, "--sysfs-root", str(sim.sysfs), "--mem-device", str(sim.mem), "run",
         "--start-delay", "1", "--no-status", *args, str(task)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=preexec,
        env=full_env)


def assert_exact_samples(f):
    """Whatever the file holds is the simulator's signal, contiguous from the start second."""
    t = f["data/time"][:]
    if len(t) == 0:
        return 0
    assert t[0] % 10**9 == 0
    assert np.all(np.diff(t) == 10000)
    v, i = harvest_codes(1, t)
    np.testing.assert_array_equal(f["data/voltage"][:], v)
    np.testing.assert_array_equal(f["data/current"][:], i)
    return len(t)


def kill_once(k, tmp_path):
    """Kill k: the first few during the set-up, the others while recording."""
    sim = Sim()
    here = tmp_path / f"kill{k}"  # a directory each: one sheep per node, as in the field
    here.mkdir()
    try:
        out = here / "rec.h5"
        task = write_task(here / "task.yaml", output_path=str(out), duration=600)
        proc = start_sheep(sim, task)
        rnd = random.Random(k)
        if k < 4:
            time.sleep(rnd.uniform(0.2, 2.0))
        else:
            # while recording: counted from the file's creation, just before the start is armed
            # (the set-up before it - module reload, firmware, cape - takes longer under load)
            deadline = time.monotonic() + 60
            while not list(here.glob("rec.h5*")) and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(rnd.uniform(4.0, 7.5))
        proc.kill()
        proc.communicate()
        killed_ns = time.time_ns()
    finally:
        sim.stop()
    leftovers = sorted(p.name for p in here.glob("rec.h5.*"))
    if not out.exists() and not leftovers:
        return k, None, None  # killed in the set-up, before the file was created: nothing left
    if not out.exists():
        # killed before the first commit: at most a NAME.incomplete, which the repair removes
        assert all(n.endswith((".incomplete", ".journal.0", ".journal.1")) for n in leftovers)
        res = run_sheep(None, "repair", str(out))
        assert res.returncode == 0, res.stderr
        assert not list(here.glob("rec.h5*"))
        return k, None, None
    # the node repairs what a kill leaves (at its next run and at boot): the file then holds its
    # last commit with the rows of partial chunks; the journal is gone
    res = run_sheep(None, "repair", str(out))
    assert res.returncode == 0, res.stderr
    assert not list(here.glob("rec.h5.*")), leftovers
    with h5py.File(out, "r") as f:
        n = assert_exact_samples(f)
        last = int(f["data/time"][-1]) if n else None
        assert len(f["pru_util/time"]) == len(f["pru_util/values"])
        for name, group in f.items():  # every table: its columns as long as its time
            if name != "data" and "time" in group:
                assert {len(ds) for ds in group.values()} == {len(group["time"])}, name
    return k, n, (killed_ns - last) / 1e9 if last else None


def test_sigkill_at_random_moments_leaves_readable_files(tmp_path):
    with cf.ThreadPoolExecutor(max_workers=5) as pool:
        results = list(pool.map(lambda k: kill_once(k, tmp_path), range(KILLS)))
    recorded = [r for r in results if r[1]]
    print("kills (k, samples kept, seconds missing):", results)
    assert len(recorded) >= KILLS - 4, results  # every kill during the recording left data
    slack = 2.0 if SANITIZED else 1.3
    for k, n, missing in recorded:
        # at most ~1 s missing: the flush interval, plus the staging and the poll
        assert missing < slack, (k, n, missing)


def test_reading_while_recording(sim, tmp_path):
    out = tmp_path / "live.h5"
    task = write_task(tmp_path / "t.yaml", output_path=str(out), duration=6)
    proc = start_sheep(sim, task)
    seen = []
    deadline = time.monotonic() + 30
    while proc.poll() is None and time.monotonic() < deadline:
        if out.exists():
            for attempt in range(5):  # an open that meets a flush half-way is retried
                try:
                    with h5py.File(out, "r") as f:
                        seen.append(assert_exact_samples(f))
                    break
                except OSError:
                    time.sleep(0.05)
            else:
                pytest.fail("the file could not be opened while it was written")
        time.sleep(0.4)
    out_text, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert len(seen) >= 8 and seen == sorted(seen) and max(seen) > 0
    with h5py.File(out, "r") as f:
        assert assert_exact_samples(f) == 600000


@pytest.mark.parametrize("k", range(6))
def test_a_signal_at_any_moment_finishes_the_file_within_a_second(sim, tmp_path, k):
    rnd = random.Random(100 + k)
    sig = signal.SIGINT if k % 2 else signal.SIGTERM
    out = tmp_path / "sig.h5"
    task = write_task(tmp_path / "t.yaml", output_path=str(out), duration=20)
    proc = start_sheep(sim, task)
    time.sleep(rnd.uniform(0.05, 5.0))
    sent = time.monotonic()
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    took = time.monotonic() - sent
    assert took < (2.0 if SANITIZED else 1.0), took
    assert proc.returncode == 4, (proc.returncode, err)
    assert "Traceback" not in err and "runtime error" not in err
    # the PRU was stopped
    assert (sim.sysfs / "state").read_text().strip() == "idle"
    if out.exists():
        with h5py.File(out, "r") as f:
            assert_exact_samples(f)


def wait_for_samples(proc, out, deadline_s=120):
    """Waits until the recording holds samples (no fixed sleep: qemu and slow CPUs differ)."""
    deadline = time.monotonic() + deadline_s
    while proc.poll() is None and time.monotonic() < deadline:
        if out.exists():
            try:
                with h5py.File(out, "r") as f:
                    if len(f["data/time"]) > 0:
                        return
            except (OSError, KeyError):  # an open that meets a flush half-way
                pass
        time.sleep(0.1)
    pytest.fail(f"no samples in {out} (sheep exit {proc.poll()})")


def test_sighup_stops_like_sigterm(sim, tmp_path):
    """An SSH session that drops sends SIGHUP: the PRU is stopped, the file finished, exit 4."""
    out = tmp_path / "hup.h5"
    task = write_task(tmp_path / "t.yaml", output_path=str(out), duration=600)
    proc = start_sheep(sim, task)
    wait_for_samples(proc, out)
    proc.send_signal(signal.SIGHUP)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 4, (proc.returncode, err)  # what SIGTERM and SIGINT give
    assert "stop requested (signal 1)" in err, err
    assert "Traceback" not in err and "runtime error" not in err
    assert (sim.sysfs / "state").read_text().strip() == "idle"  # the PRU was stopped
    with h5py.File(out, "r") as f:  # complete: every group, the signal exactly, readable
        n = assert_exact_samples(f)
        for group in ("gpio", "pru_util", "sheep", "sys_util", "kernel"):
            assert group in f, group
        messages = [m.decode() for m in f["sheep/message"][:]]
    assert 0 < n < 600 * 100000
    assert any(m.startswith("stop requested (signal 1)") for m in messages), messages
    res = run_sheep(None, "check", str(out))  # as an input: first and last chunk readable
    assert res.returncode == 0 and f"{n} samples" in res.stdout, res.stdout + res.stderr


def test_sighup_is_ignored_under_nohup(sim, tmp_path):
    """Started with SIGHUP ignored (nohup), the sheep outlives the session and records on."""
    out = tmp_path / "nohup.h5"
    task = write_task(tmp_path / "t.yaml", output_path=str(out), duration=3)
    proc = start_sheep(sim, task,
                       preexec=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN))
    wait_for_samples(proc, out)
    proc.send_signal(signal.SIGHUP)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, (proc.returncode, err)
    assert "stop requested" not in err
    assert (sim.sysfs / "state").read_text().strip() == "idle"
    with h5py.File(out, "r") as f:
        assert assert_exact_samples(f) == 300000


def test_a_dropped_session_without_a_terminal_does_not_kill_the_run(sim, tmp_path):
    """ssh without a pty: no SIGHUP, but stdout and stderr lead nowhere (SIGPIPE on the next
    write). The run goes on into its file and stops the PRU at its end."""
    out = tmp_path / "pipe.h5"
    task = write_task(tmp_path / "t.yaml", output_path=str(out), duration=3)
    proc = start_sheep(sim, task)
    wait_for_samples(proc, out)
    proc.stdout.close()  # the session is gone: every later write fails
    proc.stderr.close()
    assert proc.wait(timeout=120) == 0
    assert (sim.sysfs / "state").read_text().strip() == "idle"
    with h5py.File(out, "r") as f:
        assert assert_exact_samples(f) == 300000
        # what could not be printed is in the file's log
        assert any(b"recorded" in m or b"start at" in m for m in f["sheep/message"][:])


def tmpfs(path, size_mb):
    path.mkdir()
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", str(path)],
                         capture_output=True, text=True)
    if res.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {res.stderr.strip()}")
    return path


def umount(path):
    subprocess.run(["umount", str(path)], check=False)


def test_full_disk_stops_cleanly_and_keeps_the_file(sim_factory, tmp_path):
    sim = sim_factory("--speed", "10")
    disk = tmpfs(tmp_path / "disk", 6)
    try:
        out = disk / "full.h5"
        task = write_task(tmp_path / "t.yaml", output_path=str(out), duration=300)
        res = run_sheep(sim, "run", "--start-delay", "1", str(task),
                        env={"SHEPHERD_DISK_RESERVE_MB": "1"})
        assert res.returncode == 1, res.stderr
        assert "MB left for" in res.stderr and "keeps what was recorded" in res.stderr
        with h5py.File(out, "r") as f:
            n = assert_exact_samples(f)
        assert n > 500000  # most of the 6 MB became samples
        # a disk that cannot take the reserve refuses before recording, and leaves no file
        res = run_sheep(sim, "run", "--start-delay", "1", str(task))
        assert res.returncode == 1 and "MB left for" in res.stderr
        assert not (disk / "full.0.h5").exists()
    finally:
        umount(disk)


def limit_file_size(limit):
    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


@pytest.mark.parametrize("reserve_mb", ["2", "0"])
def test_file_size_limit_keeps_a_readable_file(sim_factory, tmp_path, reserve_mb):
    """With the guard (2 MB) the sheep stops before the limit; without it (0) the write fails
    and the file keeps the state of its last flush."""
    sim = sim_factory("--speed", "5")
    out = tmp_path / "limited.h5"
    task = write_task(tmp_path / "t.yaml", output_path=str(out), duration=300)
    proc = start_sheep(sim, task, preexec=limit_file_size(4 * 2**20),
                       env={"SHEPHERD_DISK_RESERVE_MB": reserve_mb})
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    assert "Traceback" not in err and "AddressSanitizer" not in err
    if reserve_mb == "0":
        assert "keeps" in err and "readable" in err
    else:
        assert "file size limit" in err
    with h5py.File(out, "r") as f:
        n = assert_exact_samples(f)
    assert n >= 200000


def run_with_faults(sim_factory, tmp_path, duration, *faults, kind="HarvestTask", extra=None):
    sim = sim_factory(*[a for f in faults for a in ("--fault", f)], *(extra or ()))
    out = tmp_path / "fault.h5"
    params = {"output_path": str(out), "duration": duration}
    if kind == "EmulationTask":
        params.update(input_path=str(pathlib.Path(os.environ.get(
            "SHEEP_FIXTURES_DIR", pathlib.Path(__file__).parents[1] / "fixtures"))
            / "reference_hrv_2s_lzf.h5"), uart_logging=None)
    task = tmp_path / "t.yaml"
    task.write_text(yaml.safe_dump({"datatype": kind, "parameters": params}))
    res = run_sheep(sim, "run", "--start-delay", "1", "--no-status", str(task))
    return res, out


def losses(f):
    if "losses" not in f:
        return []
    return list(zip([s.decode() for s in f["losses/stream"][:]], f["losses/time"][:],
                    f["losses/count"][:], f["losses/until"][:], f["losses/exact"][:]))


def test_timestamp_jump_forward_is_counted_exactly(sim_factory, tmp_path):
    res, out = run_with_faults(sim_factory, tmp_path, 3, "jump@1.5:1234")
    assert res.returncode == 3, res.stderr
    assert "1234 missing at 1.50000 s" in res.stderr
    with h5py.File(out, "r") as f:
        t = f["data/time"][:]
        start = int(t[0])
        rows = losses(f)
        gap_at = start + 150000 * 10000
        assert rows == [("iv", gap_at, 1234, gap_at + 1234 * 10000, 1)]
        # the samples around the gap are the right ones, and nothing else is missing
        assert len(t) == 300000 - 1234
        assert np.count_nonzero(np.diff(t) != 10000) == 1
        v, i = harvest_codes(1, t)
        np.testing.assert_array_equal(f["data/voltage"][:], v)


def test_timestamps_going_back_are_dropped_not_duplicated(sim_factory, tmp_path):
    res, out = run_with_faults(sim_factory, tmp_path, 3, "jump@1:-500")
    assert res.returncode == 3, res.stderr
    with h5py.File(out, "r") as f:
        t = f["data/time"][:]
        assert np.all(np.diff(t) == 10000) and len(t) == 300000  # every sample once
        rows = losses(f)
    start = int(t[0])
    assert rows == [("iv_discarded", start + (100000 - 500) * 10000, 500, 0, 1)]


def test_stall_is_survived_without_loss(sim_factory, tmp_path):
    res, out = run_with_faults(sim_factory, tmp_path, 3, "stall@1:1500")
    assert res.returncode == 0, res.stderr
    with h5py.File(out, "r") as f:
        assert assert_exact_samples(f) == 300000 and "losses" not in f


def test_pru_that_stops_producing_ends_the_run_with_the_file_kept(sim_factory, tmp_path):
    res, out = run_with_faults(sim_factory, tmp_path, 20, "stop@1.5")
    assert res.returncode == 1, res.stderr
    assert "no IV samples for 5 s" in res.stderr
    with h5py.File(out, "r") as f:
        # all but the last sample written before the stop (idx_pru is always one behind)
        assert assert_exact_samples(f) == 150000 - 1


def test_pru_restart_stops_the_run(sim_factory, tmp_path):
    res, out = run_with_faults(sim_factory, tmp_path, 10, "restart@1.2")
    assert res.returncode == 1, res.stderr
    assert "PRU0 restarted during the recording" in res.stderr
    with h5py.File(out, "r") as f:
        n = assert_exact_samples(f)
    assert 100000 <= n <= 120000


def test_damaged_canary_is_found_within_a_second(sim_factory, tmp_path):
    res, out = run_with_faults(sim_factory, tmp_path, 10, "canary@1:util")
    assert res.returncode == 1, res.stderr
    assert "canary of the util ring is damaged" in res.stderr
    with h5py.File(out, "r") as f:
        n = assert_exact_samples(f)
    assert 100000 <= n <= 200000


def test_pru_error_message_is_logged_and_stops_only_an_emulation(sim_factory, tmp_path):
    res, out = run_with_faults(sim_factory, tmp_path, 2, "error@1:0xE3")
    assert res.returncode == 0, res.stderr  # a harvest goes on, as the predecessor's
    assert "PRU reports 0xE3" in res.stderr
    with h5py.File(out, "r") as f:
        assert assert_exact_samples(f) == 200000
        levels = f["sheep/level"][:]
        messages = [m.decode() for m in f["sheep/message"][:]]
    assert any(m.startswith("PRU reports 0xE3") and lv == 40
               for m, lv in zip(messages, levels))
    res, out = run_with_faults(sim_factory, tmp_path, 2, "error@1:0xE3", kind="EmulationTask",
                               extra=("--emulation", "loopback"))
    assert res.returncode == 1, res.stderr
    assert "stopping the emulation after the PRU error" in res.stderr


def test_simulator_rejects_bad_fault_specs():
    for bad in ("boom@1", "jump@1", "jump@x:5", "canary@1:nowhere", "stall@1:0", "stop@1:3"):
        res = subprocess.run([os.environ.get("SIM_BIN", str(pathlib.Path(SHEEP).with_name(
            "shepherd-pru-sim"))), "--root", "/dev/shm/never", "--fault", bad],
            capture_output=True, text=True, timeout=10)
        assert res.returncode == 2 and "--fault" in res.stderr, (bad, res.stderr)
