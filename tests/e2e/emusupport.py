"""What the simulator's targets and PRU1 produce, redone independently in Python (the formulas
of `shepherd-pru-sim --help`), and harvest recordings made to order as emulation inputs."""
import h5py
import numpy as np


def to_pru_units(raw, gain, offset, scale):
    """The sheep's conversion of raw file values to uV / nA (truncating, clamped)."""
    v = raw.astype(np.float64) * (gain * scale) + offset * scale
    return np.clip(v, 0, 4294967295.0).astype(np.uint32)


def phases(*parts):
    """An emulation input of (seconds, volts, amps) phases, as uV and nA arrays."""
    n = [int(round(sec * 100000)) for sec, _, _ in parts]
    v = np.concatenate([np.full(k, int(round(volts * 1e6)), np.uint32)
                        for k, (_, volts, _) in zip(n, parts)])
    i = np.concatenate([np.full(k, int(round(amps * 1e9)), np.uint32)
                        for k, (_, _, amps) in zip(n, parts)])
    return v, i


def target_voltage_uv(dac_codes):
    """The target's supply per sample (twin_target.h): the previous sample's DAC code through
    the nominal DAC, 0 before the first sample."""
    prev = np.concatenate([[0], np.asarray(dac_codes, np.int64)[:-1]])
    return prev * 10**6 // 13107


def target_adc(i_na):
    """The nominal current ADC code of a target current in nA (twin_target.h)."""
    return np.minimum(2**18 - 1, np.asarray(i_na, np.int64) * 4915200 // 10**9)


def bat_ok_edges(t0, gpio_t, gpio_v, initial=1):
    """The samples at which bit 9 (BAT_OK) of the recorded GPIO events changes, as (sample,
    new level) from the level before the first event."""
    level = (np.asarray(gpio_v, np.int64) >> 9) & 1
    before = np.concatenate([[initial], level[:-1]])
    k = np.flatnonzero(level != before)
    samples = (np.asarray(gpio_t, np.int64)[k] - t0) // 10000
    return list(zip(samples.tolist(), level[k].tolist()))


def gpio_schedule(t0, t_end, rate_hz, mask, burst=None):
    """Times and values of every simulated GPIO event in [t0, t_end)."""
    dt = int(round(1e9 / rate_hz))
    if burst:
        on_ns, period_ns = int(round(burst[0] * 1e6)), int(round(burst[1] * 1e6))
    else:
        on_ns = period_ns = dt
    per_period = (on_ns + dt - 1) // dt
    periods = (t_end - t0) // period_ns + 1
    k = np.arange(periods * per_period, dtype=np.uint64)
    t = np.uint64(t0) + (k // np.uint64(per_period)) * np.uint64(period_ns) + \
        (k % np.uint64(per_period)) * np.uint64(dt)
    keep = t < np.uint64(t_end)
    k, t = k[keep], t[keep]
    count = k + np.uint64(1)
    value = np.zeros(len(k), np.uint16)
    j = 0
    for bit in range(16):
        if mask >> bit & 1:
            value |= (((count >> np.uint64(j)) & np.uint64(1)).astype(np.uint16) << bit)
            j += 1
    return t, value


def write_input(path, voltage_uv, current_na, mode="harvester", t0=1_700_000_000 * 10**9,
                compression="lzf", file_kwargs=None, before=None, after=None):
    """A harvest recording holding the given values, calibrated as uV and nA. file_kwargs go to
    h5py.File; before(f) runs before the data are written, after(f) after them."""
    n = len(voltage_uv)
    with h5py.File(path, "w", **(file_kwargs or {})) as f:
        if before:
            before(f)
        f.attrs["mode"] = mode
        f.attrs["hostname"] = "test"
        data = f.create_group("data")
        data.attrs["datatype"] = "ivtrace"
        data.attrs["window_samples"] = 0
        values = {
            "time": (np.uint64(t0) + np.arange(n, dtype=np.uint64) * np.uint64(10000), 1e-9),
            "voltage": (np.asarray(voltage_uv, np.uint32), 1e-6),
            "current": (np.asarray(current_na, np.uint32), 1e-9),
        }
        for name, (arr, gain) in values.items():
            ds = data.create_dataset(name, data=arr, chunks=(10000,), maxshape=(None,),
                                     compression=compression)
            ds.attrs["gain"] = gain
            ds.attrs["offset"] = 0.0
        if after:
            after(f)
    return path
