"""No dead space: a recording's file holds its datasets' bytes and metadata, and nothing else.

Every chunk is written once, whole (the rows of a chunk being filled stay in memory and in the
commit journal until it is full or the file closes), so a 1 s flush leaves no dead copies of
partial chunks behind. Checked for a harvest and for emulations with GPIO at 1 kHz to 1 MHz."""
import h5py
import numpy as np
import pytest

from conftest import harvest, EMULATED
from emusupport import write_input
from test_emulation import emulate

RATIO = 1.02


def stored_and_metadata(path):
    """(bytes the datasets store, bytes of everything else, chunks) of a closed recording."""
    stored = chunks = 0
    with h5py.File(path, "r") as f:
        def visit(_name, obj):
            nonlocal stored, chunks
            if isinstance(obj, h5py.Dataset):
                stored += obj.id.get_storage_size()
                if obj.chunks and obj.shape[0]:
                    chunks += -(-obj.shape[0] // obj.chunks[0])
        f.visititems(visit)
    size = path.stat().st_size
    return stored, size - stored, chunks


def metadata_allowance(chunks):
    """What a file's metadata may take besides its data: the fixed skeleton (groups, datasets,
    attributes, the task) plus the chunk index, which grows with the number of chunks."""
    return 96 * 1024 + 96 * chunks


def assert_no_dead_space(path):
    stored, other, chunks = stored_and_metadata(path)
    size = path.stat().st_size
    limit = RATIO * stored + metadata_allowance(chunks)
    print(f"{path.name}: {size} B, data {stored} B, other {other} B, {chunks} chunks")
    assert size <= limit, (f"{path.name}: {size} bytes for {stored} bytes of data and {chunks} "
                           f"chunks: {other} bytes besides the data (allowed "
                           f"{limit - stored:.0f})")
    assert not list(path.parent.glob(path.name + ".journal.*")), "journal left after a clean run"
    assert not list(path.parent.glob("*.incomplete"))
    return stored, other


def test_a_harvest_has_no_dead_space_and_keeps_empty_gpio_datasets(sim, tmp_path):
    res, path = harvest(sim, tmp_path, 6)
    assert res.returncode == 0, res.stderr
    stored, _ = assert_no_dead_space(path)
    assert stored > 1_000_000
    with h5py.File(path, "r") as f:
        # the shepherd-data tools read /gpio/time and /gpio/value whenever /gpio exists
        assert f["gpio/time"].shape == (0,) and f["gpio/value"].shape == (0,)
        assert f["gpio/time"].dtype == np.uint64 and f["gpio/value"].dtype == np.uint16
        assert f["pru_util/time"].shape[0] == f["pru_util/values"].shape[0] > 0


# under qemu (the armhf suite) the sheep does not keep up with 1 MHz of GPIO events
@pytest.mark.parametrize("rate", [1e3, 1e4, 1e5] + ([] if EMULATED else [1e6]))
def test_emulations_with_gpio_have_no_dead_space(sim_factory, tmp_path, rate):
    seconds = 8
    n = seconds * 100_000
    inp = write_input(tmp_path / "in.h5", np.full(n, 3_000_000), np.full(n, 20_000))
    sim = sim_factory("--emulation", "loopback", "--gpio-rate", str(int(rate)))
    res, path = emulate(sim, tmp_path, inp, gpio_tracing={"gpios": [0, 1, 7]})
    assert res.returncode == 0, res.stderr
    stored, _ = assert_no_dead_space(path)
    with h5py.File(path, "r") as f:
        events = f["gpio/time"].shape[0]
        assert f["gpio/value"].shape[0] == events
    assert events >= 0.9 * rate * seconds
