"""What the simulator's emulation and PRU1 produce, redone independently in Python (the formulas
of `shepherd-pru-sim --help`), and harvest recordings made to order as emulation inputs."""
import math

import h5py
import numpy as np

C_F, V_ON, V_OFF, V_OUT, V_MAX = 47e-6, 3.0, 2.2, 2.0, 4.5


def to_pru_units(raw, gain, offset, scale):
    """The sheep's conversion of raw file values to uV / nA (truncating, clamped)."""
    v = raw.astype(np.float64) * (gain * scale) + offset * scale
    return np.clip(v, 0, 4294967295.0).astype(np.uint32)


def model(v_uv, i_na, r_ohm=1000.0):
    """The converter / capacitor / target model: output (voltage code, current code, on)."""
    energy, on = 0.0, False
    n = len(v_uv)
    v_code = np.zeros(n, np.uint32)
    i_code = np.zeros(n, np.uint32)
    on_state = np.zeros(n, bool)
    on_v = int(round(V_OUT * 13107.0))
    on_i = int(round(V_OUT / r_ohm * 4915200.0))
    drain = (V_OUT * V_OUT / r_ohm) * 1e-5
    for k in range(n):
        p_in = (float(v_uv[k]) * 1e-6) * (float(i_na[k]) * 1e-9)
        energy = energy + p_in * 1e-5
        if on:
            energy = energy - drain
            if energy < 0:
                energy = 0.0
        v = math.sqrt(2.0 * energy / C_F)
        if v > V_MAX:
            v = V_MAX
            energy = C_F * V_MAX * V_MAX / 2.0
        if on and v < V_OFF:
            on = False
        elif not on and v >= V_ON:
            on = True
        if on:
            v_code[k], i_code[k] = on_v, on_i
        on_state[k] = on
    return v_code, i_code, on_state


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
