"""Bad input: a clear message naming the problem, a non-zero exit, no file left behind."""
import os
import pathlib
import signal
import time

import pytest

from conftest import Sim, node_env, run_sheep, write_task


def outputs(directory):
    return sorted(p.name for p in pathlib.Path(directory).rglob("*.h5"))


def run_task(sim, tmp_path, text=None, **params):
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    task = tmp_path / "task.yaml"
    if text is not None:
        task.write_text(text)
    else:
        params.setdefault("output_path", str(out / "rec.h5"))
        params.setdefault("duration", 1)
        write_task(task, **params)
    return run_sheep(sim, "run", "--start-delay", "1", str(task)), out


def test_missing_config(sim, tmp_path):
    res = run_sheep(sim, "run", str(tmp_path / "nope.yaml"))
    assert res.returncode == 1
    assert "cannot read task file" in res.stderr and "nope.yaml" in res.stderr


def test_default_config_path_is_used(sim):
    res = run_sheep(sim, "run")
    assert res.returncode == 1
    assert "/etc/shepherd/config.yaml" in res.stderr


def test_config_is_a_directory(sim, tmp_path):
    res = run_sheep(sim, "run", str(tmp_path))
    assert res.returncode == 1
    assert "cannot read task file" in res.stderr


def test_config_not_yaml(sim, tmp_path):
    res, out = run_task(sim, tmp_path, text="datatype: [HarvestTask\nparameters: {")
    assert res.returncode == 1
    assert "not valid YAML" in res.stderr and "task.yaml:" in res.stderr
    assert outputs(out) == []


def test_binary_config(sim, tmp_path):
    (tmp_path / "task.yaml").write_bytes(b"\x00\x01\x02garbage")
    res = run_sheep(sim, "run", str(tmp_path / "task.yaml"))
    assert res.returncode == 1
    assert "NUL" in res.stderr


def test_unknown_key(sim, tmp_path):
    text = f"datatype: HarvestTask\nparameters:\n  output_path: {tmp_path}/out/x.h5\n  durration: 5\n"
    res, out = run_task(sim, tmp_path, text=text)
    assert res.returncode == 1
    assert "task.yaml:4:3" in res.stderr
    assert "parameters.durration" in res.stderr and "allowed:" in res.stderr
    assert outputs(out) == []


def test_wrong_type(sim, tmp_path):
    res, out = run_task(sim, tmp_path, duration="soon")
    assert res.returncode == 1
    assert "parameters.duration" in res.stderr and "soon" in res.stderr
    assert outputs(out) == []


def test_out_of_range(sim, tmp_path):
    res, out = run_task(sim, tmp_path, verbose=12)
    assert res.returncode == 1
    assert "parameters.verbose" in res.stderr and "0 to 4" in res.stderr
    assert outputs(out) == []


def test_misspelt_harvester_lists_the_fixtures(sim, tmp_path):
    res, out = run_task(sim, tmp_path, virtual_harvester={"name": "mppt_opx"})
    assert res.returncode == 1
    assert "parameters.virtual_harvester.name: no harvester fixture is named 'mppt_opx'" \
        in res.stderr
    assert "mppt_opt (2206)" in res.stderr
    assert outputs(out) == []


def test_harvester_that_cannot_record(sim, tmp_path):
    res, out = run_task(sim, tmp_path, virtual_harvester={"name": "direct"})
    assert res.returncode == 1
    assert "harvester 'direct' (algorithm neutral) cannot record" in res.stderr
    assert outputs(out) == []


def test_unsupported_task_type(sim, tmp_path):
    res, _ = run_task(sim, tmp_path, text="datatype: ProgrammingTask\nparameters: {}\n")
    assert res.returncode == 1
    assert "ProgrammingTask" in res.stderr


def test_output_directory_not_writable(sim, tmp_path):
    res, _ = run_task(sim, tmp_path, output_path="/proc/sheep-e2e/rec.h5")
    assert res.returncode == 1
    assert "/proc/sheep-e2e" in res.stderr


def test_output_parent_is_a_file(sim, tmp_path):
    (tmp_path / "plain").write_text("x")
    res, _ = run_task(sim, tmp_path, output_path=str(tmp_path / "plain" / "rec.h5"))
    assert res.returncode == 1
    assert "plain" in res.stderr
    assert (tmp_path / "plain").read_text() == "x"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_output_directory_read_only(sim, tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    res, _ = run_task(sim, tmp_path, output_path=str(ro / "rec.h5"))
    assert res.returncode == 1
    assert "rec.h5" in res.stderr
    assert outputs(ro) == []


def test_output_suffix(sim, tmp_path):
    res, _ = run_task(sim, tmp_path, output_path=str(tmp_path / "rec.csv"))
    assert res.returncode == 1
    assert ".h5 or .hdf5" in res.stderr


def test_sysfs_missing(tmp_path):
    task = write_task(tmp_path / "t.yaml", output_path=str(tmp_path / "x.h5"), duration=1)
    res = run_sheep(None, "--sysfs-root", str(tmp_path / "nosys"), "run", str(task))
    assert res.returncode == 1
    # run reloads the module first: the module command finds no simulator there, 6 times
    assert "Failed to unload shepherd kernel module." in res.stderr, res.stderr
    assert f"no simulator at {tmp_path / 'nosys'}" in res.stderr
    assert outputs(tmp_path) == []


def test_sysfs_missing_with_a_working_module_command(tmp_path):
    """A module command that succeeds but no tree appears (a wrong --sysfs-root on a node)."""
    task = write_task(tmp_path / "t.yaml", output_path=str(tmp_path / "x.h5"), duration=1)
    res = run_sheep(None, "--sysfs-root", str(tmp_path / "nosys"), "run", str(task),
                    env={"SHEPHERD_MODPROBE": "/bin/true"})
    assert res.returncode == 1
    assert "not found" in res.stderr and "shepherd-pru-sim" in res.stderr
    assert outputs(tmp_path) == []


def test_memory_device_missing(sim, tmp_path):
    task = write_task(tmp_path / "t.yaml", output_path=str(tmp_path / "x.h5"), duration=1)
    res = run_sheep(None, "--sysfs-root", str(sim.sysfs), "--mem-device",
                    str(tmp_path / "nomem"), "run", str(task), env=node_env(sim))
    assert res.returncode == 1
    assert "cannot open memory device" in res.stderr
    assert outputs(tmp_path) == []


def test_ring_size_mismatch(sim, tmp_path):
    (sim.sysfs / "memory" / "gpio_size").write_text("30000000")
    res, out = run_task(sim, tmp_path)
    assert res.returncode == 1
    assert "memory/gpio_size" in res.stderr and "30000008" in res.stderr
    assert outputs(out) == []


def test_odd_sysfs_content(sim, tmp_path):
    (sim.sysfs / "memory" / "iv_out_address").write_text("0x1800000")
    res, out = run_task(sim, tmp_path)
    assert res.returncode == 1
    assert "iv_out_address" in res.stderr and "0x1800000" in res.stderr
    assert outputs(out) == []


def test_time_start_in_the_past(sim, tmp_path):
    res, out = run_task(sim, tmp_path, time_start=int(time.time()) - 60)
    assert res.returncode == 1
    assert "in the past" in res.stderr
    assert outputs(out) == []


def test_dead_simulator_leaves_no_file(tmp_path):
    stale = Sim("--keep")
    stale.proc.send_signal(signal.SIGKILL)  # sysfs files stay, nobody answers
    stale.proc.wait()
    try:
        res, out = run_task(stale, tmp_path)
        assert res.returncode == 1
        # found at run's module reload already: the module command finds no simulator
        assert "Failed to unload shepherd kernel module." in res.stderr, res.stderr
        assert "no simulator runs for" in res.stderr
        assert outputs(out) == []
        # with a module command that succeeds regardless: found at the reset into the
        # harvest mode, which no PRU answers with 0xF0
        task = tmp_path / "task.yaml"
        res = run_sheep(stale, "run", "--start-delay", "1", str(task),
                        env={"SHEPHERD_MODPROBE": "/bin/true"})
        assert res.returncode == 1
        assert "PRU did not re-initialise after mode 'harvester' was written" in res.stderr, \
            res.stderr
        assert outputs(out) == []
    finally:
        os.system(f"rm -rf '{stale.root}'")


@pytest.mark.parametrize("args", [
    ["--bogus", "run"],
    ["frobnicate"],
    [],
    ["run", "a.yaml", "b.yaml"],
    ["run", "--start-delay", "soon", "a.yaml"],
    ["run", "--start-delay", "0", "a.yaml"],
    ["run", "--bogus"],
])
def test_bad_command_line(args):
    res = run_sheep(None, *args)
    assert res.returncode == 2, res
    assert res.stderr.strip()


def test_repair_of_a_path_that_is_not_there(tmp_path):
    missing = tmp_path / "nowhere" / "rec.h5"
    res = run_sheep(None, "repair", str(missing))
    assert res.returncode == 1
    assert f"{missing}: no such recording or directory" in res.stderr
    res = run_sheep(None, "repair")
    assert res.returncode == 2 and "needs a recording or directory" in res.stderr
    # a complete file, and the unborn leftovers of another: one is left, the other removed
    (tmp_path / "done.h5").write_bytes(b"")
    (tmp_path / "cut.h5.incomplete").write_bytes(b"")
    (tmp_path / "cut.h5.journal.0").write_bytes(b"")
    res = run_sheep(None, "repair", str(tmp_path / "done.h5"), str(tmp_path / "cut.h5"))
    assert res.returncode == 0, res.stderr
    assert "cut.h5: removed: the recording never reached its first commit" in res.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["done.h5"]
