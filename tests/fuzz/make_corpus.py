#!/usr/bin/python3
"""Writes the seed corpora of the fuzz targets (committed; rerun after a schema change)."""
import pathlib

import h5py
import numpy as np

HERE = pathlib.Path(__file__).resolve().parent

TASKS = {
    "harvest_min.yaml": "datatype: HarvestTask\nparameters:\n  output_path: /tmp/x.h5\n",
    "harvest_full.yaml": """datatype: HarvestTask
comment: all fields
parameters:
  output_path: /data/hrv/
  force_overwrite: yes
  output_compression: 1
  time_start: 2030-01-02T03:04:05Z
  duration: PT1M30S
  abort_on_error: false
  use_cal_default: true
  virtual_harvester: {name: mppt_opt, samples_n: 16, rising: false, voltage_step_mV: null}
  power_tracing: {intermediate_voltage: false, delay: 2.5, duration: 10, samplerate: 100000}
  sys_logging: {kernel: false, dmesg: false, time_sync: true, sheep: true, sys_util: false}
  verbose: 3
""",
    "emulation_full.yaml": """datatype: EmulationTask
parameters:
  input_path: /data/hrv.h5
  output_path: /data/emu/
  duration: 30
  enable_io: false
  io_port: B
  pwr_port: A
  voltage_aux: buffer
  virtual_source: {inherit_from: BQ25504, C_intermediate_uF: 47, harvester: {name: cv20, voltage_mV: 1800}, LUT_output_efficiency: [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.9]}
  power_tracing: {delay: 1, duration: 5}
  gpio_tracing: {gpios: [0, 1, 7, 17], delay: 2, uart_pin: GPIO8, uart_baudrate: 115200}
  uart_logging: {baudrate: 9600, bytesize: 7, stopbits: 2, parity: E}
  gpio_actuation: null
  sys_logging: null
""",
    "emulation_null.yaml": "datatype: EmulationTask\nparameters: {input_path: a.h5, "
                           "output_path: null, gpio_tracing: null, uart_logging: null}\n",
    "anchors.yaml": "x: &a {output_path: /t.h5}\ndatatype: HarvestTask\nparameters: *a\n",
    "flow.yaml": '{"datatype": "HarvestTask", "parameters": {"output_path": "o.h5", '
                 '"duration": 1e3}}\n',
    "programming.yaml": """datatype: ProgrammingTask
created: 2026-12-01 14:12:08.914187+00:00
parameters:
  firmware_file: /tmp/target_image.hex
  target_port: B
  mcu_port: 2
  mcu_type: MSP430FR
  voltage: 3.3
  datarate: 500000
  protocol: SBW
  simulate: true
  verbose: 3
""",
    "firmware_mod.yaml": "datatype: FirmwareModTask\nparameters: {data: KLUv/SAEIQAAdGVzdA==, "
                         "data_type: elf, custom_id: 42, firmware_file: /tmp/fw1.hex}\n",
}


def recording(path, compression, shuffle, mode="harvester"):
    n = 24
    with h5py.File(path, "w") as f:
        f.attrs["mode"] = mode
        f.attrs["hostname"] = "seed"
        d = f.create_group("data")
        d.attrs["datatype"] = "ivtrace"
        d.attrs["window_samples"] = 0
        arrays = {"time": (10**18 + np.arange(n, dtype=np.uint64) * 10000, 1e-9),
                  "voltage": (np.arange(n, dtype=np.uint32) * 1000, 19.53125e-6),
                  "current": (np.arange(n, dtype=np.uint32) * 7, 2.03e-7)}
        for name, (arr, gain) in arrays.items():
            ds = d.create_dataset(name, data=arr, chunks=(8,), maxshape=(None,),
                                  compression=compression, shuffle=shuffle)
            ds.attrs["gain"] = gain
            ds.attrs["offset"] = 0.0


def lzf_streams(directory):
    """LZF chunks as h5py writes them, each behind the two bytes fuzz_lzf reads as its room."""
    directory.mkdir(parents=True, exist_ok=True)
    k = np.arange(4000, dtype=np.uint32)
    planes = {"ramp": k * 7, "runs": k // 9, "noise": (k * 2654435761) >> 13,
              "codes": 90000 + (k * 37) % 1000}
    path = directory / "scratch.h5"
    with h5py.File(path, "w") as f:
        for name, arr in planes.items():
            f.create_dataset(name, data=arr, chunks=(4000,), compression="lzf")
    with h5py.File(path, "r") as f:
        for name in planes:
            mask, raw = f[name].id.read_direct_chunk((0,))
            room = (16000 // 2).to_bytes(2, "big")  # the decoded size, 16000 bytes
            (directory / f"{name}.lzf").write_bytes(room + raw)
    path.unlink()


def main():
    tasks = HERE / "corpus" / "task"
    tasks.mkdir(parents=True, exist_ok=True)
    for name, text in TASKS.items():
        (tasks / name).write_text(text)
    inputs = HERE / "corpus" / "h5_damage"
    inputs.mkdir(parents=True, exist_ok=True)
    recording(inputs / "none.h5", None, False)
    recording(inputs / "lzf.h5", "lzf", False)
    recording(inputs / "gzip_shuffle.h5", "gzip", True)
    recording(inputs / "emulator_mode.h5", None, False, mode="emulator")
    lzf_streams(HERE / "corpus" / "lzf")


if __name__ == "__main__":
    main()
