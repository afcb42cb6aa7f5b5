"""Independent numpy regeneration of shepherd-pru-sim's signal (formula in sim/signal_model.h).

Written from the documented formula, not from the C code's structure: integer arithmetic on
uint64/int64 arrays, so every value must match the simulator exactly.
"""
import numpy as np

M64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def splitmix64(x):
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def triangle(p, period):
    return np.where(p < period // 2, p, period - p)


def harvest_codes(seed, timestamps_ns):
    """Voltage and current ADC codes the simulator writes for these sample timestamps."""
    ts = np.asarray(timestamps_ns, dtype=np.uint64)
    with np.errstate(over="ignore"):
        n = ts // np.uint64(10000)
        tri = triangle((n % np.uint64(2000000)).astype(np.int64), 2000000)
        light = 16384 + tri * 49152 // 1000000
        ft = triangle((n % np.uint64(1000)).astype(np.int64), 1000)
        lightf = light - light // 32 + light * ft // 8000
        mix = np.uint64(seed) * np.uint64(0xD1B54A32D192ED03)
        r = splitmix64(n + mix)
    noise_i = (r & np.uint64(0x3FF)).astype(np.int64) - 512
    noise_v = ((r >> np.uint64(10)) & np.uint64(0x7F)).astype(np.int64) - 64
    current = np.clip(lightf * 150000 // 65536 + noise_i, 0, (1 << 18) - 1)
    voltage = np.clip(98000 + lightf * 8000 // 65536 + noise_v, 0, (1 << 18) - 1)
    return voltage.astype(np.uint32), current.astype(np.uint32)


def util_rows(seed, windows):
    """(pru0 mean, pru0 max, pru1 max) of the given 100 ms window numbers."""
    w = np.asarray(windows, dtype=np.uint64)
    with np.errstate(over="ignore"):
        r = splitmix64(w ^ (np.uint64(seed) * np.uint64(0x9E3779B97F4A7C15)) ^ np.uint64(0x5555))
    mean = 3000 + (r % np.uint64(300)).astype(np.int64)
    p0max = 4200 + ((r >> np.uint64(16)) % np.uint64(800)).astype(np.int64)
    p1max = 600 + ((r >> np.uint64(32)) % np.uint64(200)).astype(np.int64)
    return np.stack([mean, p0max, p1max], axis=1).astype(np.uint16)
