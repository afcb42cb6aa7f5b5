#!/usr/bin/python3
"""Speed and fidelity of the PRU twin (src/twin) and of `shepherd-sheep simulate`.

1. the model alone: `twin_speed --json`, the median of --runs runs per source/harvester case, in
   M samples/s on one core (issue 13's target: at least 30);
2. `simulate` end to end: a --seconds transducer recording made by `simulate` of a HarvestTask
   (mppt_opt, output_compression lzf), then an EmulationTask on it (BQ25570, default output,
   resistor:1000), with and without the reader thread: the median wall time of the process
   (spawn to exit) over --e2e-runs runs and its user + system CPU (wait4), as M samples/s
   (target: at least 10);
3. against shepherd-core's Python model, which cannot be installed here (no PyPI): issue 13's
   anchor of 0.23 M samples/s on this machine;
4. the recording harvesters against the transducer's true maximum, by `twin_harvest_grade` and
   by `simulate` of HarvestTasks (the summary's ratio); the two must agree;
5. an IV-curve recording emulated with BQ25570 sources whose harvester is mppt_opt, cv20 and
   mppt_voc, against the maximum of the same light;
6. the predecessor's example emulation task (shared fixtures) on the ivsample recording of 2.
   and on the IV-curve recording of 5.

Writes results/twin.md and with --update-readme replaces the README's section between the
twin-bench markers. --quick (the test suite's smoke run) makes 5 s recordings with one run each.
"""
import argparse
import datetime
import json
import os
import pathlib
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import yaml

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
from bench import machine  # noqa: E402  (bench/bench.py)

UPSTREAM_TASK = REPO / "tests/fixtures/upstream_configs/example_config_emulation.yaml"
MODEL_TARGET = 30.0  # M samples/s, the model alone on one core (issue 13)
SIMULATE_TARGET = 10.0  # M samples/s, `simulate` of an emulation end to end (issue 13)
ANCHOR_MSPS = 0.23  # shepherd-core's Python model on this machine (issue 13)
GRADED = ("cv20", "mppt_voc", "mppt_po", "mppt_opt")  # harvesters also run through simulate
EMULATED = ("mppt_opt", "cv20", "mppt_voc")  # harvesters of the IV-curve emulations
SUMMARY_FIGURES = (("energy_harvested_J", "harvested J"),
                   ("energy_into_storage_J", "into storage J"),
                   ("energy_out_of_storage_J", "out of storage J"),
                   ("energy_to_target_J", "to target J"),
                   ("power_good_s", "power good s"),
                   ("power_good_pct", "power good %"))
# nominal calibration everywhere, so that the figures do not depend on a cape EEPROM
ENV = dict(os.environ, SHEPHERD_EEPROM="/nonexistent/eeprom")


class Bench:
    def __init__(self, args, workdir):
        self.build = pathlib.Path(args.build)
        self.sheep = self.build / "shepherd-sheep"
        self.seconds = args.seconds
        self.workdir = workdir

    def task(self, name, kind, **params):
        """Writes a task file of this name into the work folder; returns its path."""
        params.setdefault("output_path", str(self.workdir / f"{name}.h5"))
        params.setdefault("force_overwrite", True)
        params.setdefault("use_cal_default", True)
        path = self.workdir / f"{name}.yaml"
        path.write_text(yaml.safe_dump({"datatype": kind, "parameters": params}))
        return path

    def harvest_task(self, name, harvester):
        return self.task(name, "HarvestTask", duration=self.seconds, output_compression="lzf",
                         virtual_harvester={"name": harvester})

    def emulation_task(self, name, input_path, source):
        return self.task(name, "EmulationTask", input_path=str(input_path),
                         virtual_source=source, duration=self.seconds)

    def simulate(self, task, *options):
        """One `simulate --json`: its summary, the process's wall time (spawn to exit) and its
        user + system CPU (the children's rusage before and after; no other child runs)."""
        cmd = [str(self.sheep), "simulate", "--json", *options, str(task)]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        res = subprocess.run(cmd, capture_output=True, text=True, env=ENV)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if res.returncode != 0:
            raise RuntimeError(f"simulate {task.name} failed (exit {res.returncode}):\n"
                               f"{res.stderr[-3000:]}")
        summary = next(json.loads(line) for line in res.stdout.splitlines()
                       if line.startswith("{"))
        return summary, wall, cpu

    def timed(self, runs, task, *options):
        """Runs of one task: the summary of the last, the medians of wall and CPU time."""
        walls, cpus = [], []
        for _ in range(runs):
            summary, wall, cpu = self.simulate(task, *options)
            walls.append(wall)
            cpus.append(cpu)
        return summary, statistics.median(walls), statistics.median(cpus)

    def tool(self, name, *options):
        res = subprocess.run([str(self.build / name), "--json", *options], capture_output=True,
                             text=True, check=True)
        return json.loads(res.stdout)


def model_speed(bench, runs, samples):
    """twin_speed: per case, the median M samples/s of the runs."""
    per_case = {}
    for _ in range(runs):
        for case in bench.tool("twin_speed", "--samples", str(samples)):
            key = (case["source"], case["harvester"], case["input"])
            per_case.setdefault(key, []).append(case["msps"])
    return {key: statistics.median(values) for key, values in per_case.items()}


def model_lines(speeds, runs, samples):
    lines = [f"The model alone (`build/twin_speed`): {samples / 1e6:g} M samples per case "
             f"through `twin_emulate_block`, resistor:1000 target, CPU time of that call on one "
             f"core; median of {runs} run(s).", "",
             "| source | harvester | input | M samples/s |", "|---|---|---|---|"]
    for (source, harvester, kind), msps in speeds.items():
        lines.append(f"| {source} | {harvester} | {kind} | {msps:.1f} |")
    return lines


def end_to_end(bench, runs):
    """The mppt_opt harvest (the emulations' input), then the emulation with and without the
    reader thread; each row: (name, summary, median wall s, median CPU s)."""
    harvest = bench.harvest_task("hrv_mppt_opt", "mppt_opt")
    rows = [("harvest, mppt_opt → lzf file", *bench.timed(runs, harvest))]
    recording = pathlib.Path(rows[0][1]["recording"])
    emulation = bench.emulation_task("emu_bq25570", recording, {"name": "BQ25570"})
    rows.append(("emulation, BQ25570, resistor:1000", *bench.timed(runs, emulation)))
    rows.append(("emulation, BQ25570, resistor:1000, --no-reader-thread",
                 *bench.timed(runs, emulation, "--no-reader-thread")))
    return recording, rows


def end_to_end_lines(rows, speeds, runs, seconds):
    lines = [f"`shepherd-sheep simulate` end to end: {seconds} s of data, the process from "
             f"spawn to exit (start-up, task checks, input decoding, the twin, the HDF5 file), "
             f"median of {runs} run(s); CPU is user + system of the process. The emulations "
             "replay the harvest's file (lzf with shuffle, the task's default) and write "
             "the default output (shuffle + lzf).", "",
             "| run | wall s | CPU s | M samples/s (wall) | M samples/s (CPU) "
             "| M samples/s (summary: the run alone) | × shepherd-core's model |",
             "|---|---|---|---|---|---|---|"]
    for name, summary, wall, cpu in rows:
        msps = summary["samples"] / wall / 1e6
        ratio = f"{msps / ANCHOR_MSPS:.0f}" if summary["mode"] == "emulation" else "–"
        lines.append(f"| {name} | {wall:.3f} | {cpu:.3f} | {msps:.1f} | "
                     f"{summary['samples'] / cpu / 1e6:.1f} | {summary['msamples_per_s']:.1f} "
                     f"| {ratio} |")
    slow, fast = min(speeds.values()), max(speeds.values())
    lines += ["", "shepherd-core's Python model cannot be installed here (no PyPI): the last "
              "column is the emulation's wall-time rate (spawn to exit) divided by issue 13's "
              f"anchor, shepherd-core's model at about {ANCHOR_MSPS} M samples/s on this "
              f"machine. The model alone is {slow / ANCHOR_MSPS:.0f} to "
              f"{fast / ANCHOR_MSPS:.0f} times that anchor."]
    return lines


def grades(bench, samples):
    """twin_harvest_grade over the recording's length, and simulate of the same harvests."""
    grade = bench.tool("twin_harvest_grade", "--samples", str(samples), "--seed", "1")
    simulated = {}
    for name in GRADED:
        summary = bench.simulate(bench.harvest_task(f"hrv_{name}", name))[0]
        simulated[name] = summary
    return grade, simulated


def grade_lines(grade, simulated, seconds):
    lines = [f"Recording harvesters against the solar transducer's true maximum, {seconds} s "
             "of light, seed 1: `build/twin_harvest_grade` (the harvest block alone) and "
             "`simulate` of a HarvestTask (its summary's ratio).", "",
             "| harvester | harvested J (grade) | maximum J | % (grade) | harvested J "
             "(simulate) | maximum J (simulate) | % (simulate) |", "|---|---|---|---|---|---|---|"]
    for row in grade["harvesters"]:
        s = simulated.get(row["name"])
        cells = (f"{s['energy_harvested_J']:.4f} | {s['energy_max_J']:.4f} | "
                 f"{s['harvest_ratio_pct']:.2f}" if s else "– | – | –")
        lines.append(f"| {row['name']} | {row['harvested_J']:.4f} | {row['max_J']:.4f} | "
                     f"{row['percent']:.2f} | {cells} |")
    worst = max(abs(simulated[n]["harvest_ratio_pct"] - r["percent"])
                for r in grade["harvesters"] for n in simulated if r["name"] == n)
    lines += ["", f"Grade and simulate agree within {worst:.3f} percentage points; "
              f"cv_best is the best fixed voltage ({grade['best_fixed_V']} V)."]
    return lines


def ivcurve_emulations(bench):
    """An IV-curve harvest, emulated with BQ25570 sources of three harvesters."""
    curves = bench.simulate(bench.harvest_task("hrv_ivcurve", "ivcurve"))[0]
    recording = pathlib.Path(curves["recording"])
    runs = {}
    for name in EMULATED:
        task = bench.emulation_task(f"emu_ivcurve_{name}", recording,
                                    {"name": "BQ25570", "harvester": {"name": name}})
        runs[name] = bench.simulate(task)[0]
    return curves, recording, runs


def ivcurve_lines(curves, runs, seconds):
    peak = curves["energy_max_J"]
    lines = [f"An IV-curve recording (`simulate` of a HarvestTask with the `ivcurve` harvester, "
             f"{seconds} s, seed 1), emulated by BQ25570 sources with the harvester named, "
             f"resistor:1000; the maximum is the transducer's over the same {seconds} s of "
             "light.", "",
             "| source harvester | harvested J | maximum J | % | to target J | power good % |",
             "|---|---|---|---|---|---|"]
    for name, s in runs.items():
        lines.append(f"| {name} | {s['energy_harvested_J']:.4f} | {peak:.4f} | "
                     f"{100 * s['energy_harvested_J'] / peak:.2f} | "
                     f"{s['energy_to_target_J']:.4f} | {s['power_good_pct']:.1f} |")
    lines += ["", "The curves carry the transducer's ADC noise and the maximum is the noise-free "
              "cell's, so a harvester that takes the best point of each curve (mppt_opt) can "
              "come out slightly above 100 %."]
    return lines


def upstream_runs(bench, inputs):
    """The predecessor's example emulation task, paths rewritten, on each input."""
    original = yaml.safe_load(UPSTREAM_TASK.read_text())
    runs = {}
    for label, recording in inputs.items():
        task = dict(original, parameters=dict(original["parameters"]))
        task["parameters"].update(input_path=str(recording), force_overwrite=True,
                                  output_path=str(bench.workdir / f"upstream_{label}.h5"))
        path = bench.workdir / f"upstream_{label}.yaml"
        path.write_text(yaml.safe_dump(task))
        runs[label] = bench.simulate(path, "--target", "resistor:1000")[0]
    return runs


def upstream_lines(runs, seconds):
    source = yaml.safe_load(UPSTREAM_TASK.read_text())["parameters"]["virtual_source"]
    lines = [f"The predecessor's example emulation task ({UPSTREAM_TASK.name}: "
             f"`{json.dumps(source)}`, its other settings kept, input and output paths "
             f"rewritten) on {seconds} s transducer recordings, `--target resistor:1000`. "
             "On the ivsample recording the harvesting was done when it was recorded "
             "(mppt_opt); on the IV-curve recording the source's own harvester picks the "
             "points.", "",
             "| input | " + " | ".join(label for _, label in SUMMARY_FIGURES) + " |",
             "|---" * (len(SUMMARY_FIGURES) + 1) + "|"]
    for label, s in runs.items():
        cells = " | ".join(f"{s[key]:.4f}" if key.endswith("_J") else f"{s[key]:.3f}"
                           for key, _ in SUMMARY_FIGURES)
        lines.append(f"| {label} | {cells} |")
    return lines


def target_lines(speeds, e2e_rows):
    slowest = min(speeds, key=speeds.get)
    emulation = e2e_rows[1]
    e2e_msps = emulation[1]["samples"] / emulation[2] / 1e6
    targets = [(f"the model alone ≥ {MODEL_TARGET:g} M samples/s in every case "
                f"(slowest: {' / '.join(slowest)})", speeds[slowest], MODEL_TARGET),
               (f"`simulate` of an emulation end to end ≥ {SIMULATE_TARGET:g} M samples/s",
                e2e_msps, SIMULATE_TARGET)]
    lines = ["", "Targets (issue 13):", ""]
    for name, value, limit in targets:
        lines.append(f"- {'met' if value >= limit else 'MISSED'}: {name} "
                     f"(measured {value:.3g})")
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=str(REPO / "build"))
    ap.add_argument("--results", default=str(HERE / "results"))
    ap.add_argument("--seconds", type=int, default=60, help="length of every recording")
    ap.add_argument("--runs", type=int, default=3, help="twin_speed runs per case")
    ap.add_argument("--e2e-runs", type=int, default=5, help="runs of each timed simulate")
    ap.add_argument("--samples", type=int, default=20_000_000, help="twin_speed samples")
    ap.add_argument("--quick", action="store_true",
                    help="5 s recordings, one run each, fewer model samples (smoke test)")
    ap.add_argument("--update-readme", action="store_true")
    args = ap.parse_args()
    if args.quick:
        args.seconds, args.runs, args.e2e_runs, args.samples = 5, 1, 1, 2_000_000
    results = pathlib.Path(args.results)
    results.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    stamp = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="sheep-twin-bench-"))
    try:
        bench = Bench(args, workdir)
        speeds = model_speed(bench, args.runs, args.samples)
        ivsample, e2e_rows = end_to_end(bench, args.e2e_runs)
        grade, simulated = grades(bench, args.seconds * 100_000)
        curves, ivcurve, emulated = ivcurve_emulations(bench)
        upstream = upstream_runs(bench, {"ivsample (mppt_opt harvest)": ivsample,
                                         "ivcurve": ivcurve})
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    lines = [f"Twin benchmark of {stamp} on {machine()}.", ""]
    for part in (model_lines(speeds, args.runs, args.samples),
                 end_to_end_lines(e2e_rows, speeds, args.e2e_runs, args.seconds),
                 grade_lines(grade, simulated, args.seconds),
                 ivcurve_lines(curves, emulated, args.seconds),
                 upstream_lines(upstream, args.seconds)):
        lines += part + [""]
    lines += target_lines(speeds, e2e_rows)[1:]
    table = "\n".join(lines)

    (results / "twin.md").write_text(table + "\n")
    print(table)
    if args.update_readme:
        readme = REPO / "README.md"
        text = readme.read_text()
        new, count = re.subn(r"(<!-- twin-bench:begin -->\n).*?(<!-- twin-bench:end -->)",
                             lambda m: m.group(1) + table + "\n" + m.group(2), text,
                             flags=re.S)
        if count != 1:
            raise SystemExit("twin_bench: the README has no twin-bench markers")
        readme.write_text(new)
    print(f"\ntwin_bench: done in {time.monotonic() - started:.0f} s, "
          f"table in {results / 'twin.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
