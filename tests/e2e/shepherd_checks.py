"""What the shepherd-data tools check in a recording (shared/spec/file-format.md sections 10, 13).

The reference Reader cannot be installed here (no PyPI), so its hard rules, the CLI's
check_timediffs and the warning-free rules are restated as assertions.
"""
import h5py
import numpy as np

DATATYPES = {
    "harvester": {"ivtrace", "ivsample", "ivsamples", "ivsurface", "ivcurve", "ivcurves",
                  "isc_voc"},
    "emulator": {"ivtrace", "ivsample", "ivsamples"},
}


def assert_vlen_str(attrs, name):
    value = attrs[name]
    assert isinstance(value, str), f"{name} must be a variable-length string, is {type(value)}"
    assert h5py.check_string_dtype(attrs.get_id(name).dtype).length is None, name
    return value


def assert_valid_recording(path, compression=None, shuffle=None, sheep_groups=True):
    """Hard rules, validate-CLI rules and the recommended ones of section 13.

    sheep_groups: also require the groups the testbed's writer always creates.
    """
    with h5py.File(path, "r") as f:
        # hard rules (Reader.is_valid)
        assert "data" in f, "root data-group not found"
        mode = assert_vlen_str(f.attrs, "mode")
        assert mode in DATATYPES, mode
        data = f["data"]
        datatype = assert_vlen_str(data.attrs, "datatype")
        assert "window_samples" in data.attrs
        assert datatype in DATATYPES[mode]
        window = data.attrs["window_samples"]
        assert np.issubdtype(np.asarray(window).dtype, np.integer)
        for name in ("time", "current", "voltage"):
            ds = data[name]
            for attr in ("gain", "offset"):
                value = float(ds.attrs[attr])
                assert np.isfinite(value)
            assert float(ds.attrs["gain"]) > 0
            # recommended: dtypes, shape, chunking, filters, descriptions
            assert ds.dtype == (np.uint64 if name == "time" else np.uint32)
            assert ds.ndim == 1 and ds.maxshape == (None,)
            assert ds.chunks == (10000,)
            assert isinstance(ds.attrs["unit"], str)
            assert isinstance(ds.attrs["description"], str)
            if compression is not None:
                want = {"none": None, "lzf": "lzf", "gzip1": "gzip"}[compression]
                assert ds.compression == want, (name, ds.compression)
                if want == "gzip":
                    assert ds.compression_opts == 1
            if shuffle is not None:
                assert ds.shuffle == shuffle, (name, ds.shuffle)
        assert float(data["time"].attrs["offset"]) == 0.0
        assert float(data["time"].attrs["gain"]) == 1e-9
        n = len(data["time"])
        assert len(data["voltage"]) == n and len(data["current"]) == n
        # validate CLI: > 10 000 samples, chunk starts 100 ms apart
        assert n > 10000
        t = data["time"][:]
        starts = t[::10000].astype(np.int64)
        for k in range(0, len(starts), 400):
            window_starts = starts[k:k + 400]
            if len(window_starts) < 2:
                continue
            diffs = set(np.round(np.diff(window_starts) / 1e9 / 10000, 6))
            assert diffs == {1e-05}, diffs
        # warning-free
        assert n % 10000 == 0
        host = assert_vlen_str(f.attrs, "hostname")
        assert host and host != "unknown"
        if "sheep" in f and "level" in f["sheep"]:
            assert int(np.sum(f["sheep/level"][:] >= 40)) == 0
        for group in ("gpio", "pru_util", "sheep", "uart", "sys_util", "kernel", "ptp",
                      "phc2sys", "ntp") if sheep_groups else ():
            assert group in f, group
        return n
