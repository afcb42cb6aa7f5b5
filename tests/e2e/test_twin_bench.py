"""`make bench-twin`'s script runs end to end (`--quick`: 5 s recordings, one run each) and
writes every table. Speeds are the benchmark's business, not the suite's: none is asserted."""
import pathlib
import subprocess

from conftest import REPO, SHEEP


def test_quick_run_writes_the_tables(tmp_path):
    build = pathlib.Path(SHEEP).parent
    res = subprocess.run(
        ["/usr/bin/python3", str(REPO / "bench" / "twin_bench.py"), "--quick", "--build",
         str(build), "--results", str(tmp_path)], capture_output=True, text=True, timeout=240)
    assert res.returncode == 0, res.stdout + res.stderr
    table = (tmp_path / "twin.md").read_text()
    for heading in ("The model alone", "`shepherd-sheep simulate` end to end",
                    "true maximum", "An IV-curve recording", "example emulation task",
                    "Targets (issue 13)"):
        assert heading in table, heading
    for row in ("| BQ25570 | mppt_opt | ivcurve |", "--no-reader-thread", "| mppt_po |",
                "| cv20 |", "| mppt_voc |", "| ivsample (mppt_opt harvest) |", "| ivcurve |"):
        assert row in table, row
    # each target line says met or MISSED, whichever it is on this machine
    assert table.count("- met: ") + table.count("- MISSED: ") == 2
