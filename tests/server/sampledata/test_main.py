import subprocess
import sys

from adapt_server.sampledata import generate_calls
from adapt_server.sampledata.__main__ import main


def test_cli_in_a_fresh_process_writes_the_same_bytes_as_the_library(tmp_path):
    cli_out, library_out = tmp_path / "cli", tmp_path / "library"
    result = subprocess.run(
        [sys.executable, "-m", "adapt_server.sampledata", "--out", str(cli_out), "--calls", "2", "--seed", "4",
         "--split", "holdout", "--stereo-share", "0.5"],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "call_holdout_s4_0002" in result.stdout and "stereo" in result.stdout
    generate_calls(library_out, n_calls=2, seed=4, split="holdout", stereo_share=0.5)
    cli_files = sorted(p.relative_to(cli_out) for p in cli_out.rglob("*") if p.is_file())
    assert len(cli_files) == 10
    for relative in cli_files:
        assert (cli_out / relative).read_bytes() == (library_out / relative).read_bytes(), relative


def test_cli_reports_bad_arguments(tmp_path, capsys):
    assert main(["--out", str(tmp_path), "--calls", "1", "--min-turns", "30", "--max-turns", "40"]) == 2
    assert "overlap" in capsys.readouterr().err
