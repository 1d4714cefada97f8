import subprocess
import sys

import pytest

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


def test_cli_generates_a_domain_and_names_the_known_ones_for_an_unknown_one(tmp_path, capsys):
    assert main(["--out", str(tmp_path / "cli"), "--calls", "1", "--seed", "2", "--domain", "bank",
                 "--min-turns", "9", "--max-turns", "9"]) == 0
    assert "call_train_bank_s2_0001" in capsys.readouterr().out
    generate_calls(tmp_path / "library", n_calls=1, seed=2, min_turns=9, max_turns=9, domain="bank")
    for relative in ("calls/call_train_bank_s2_0001.wav", "truth/call_train_bank_s2_0001.words.json"):
        assert (tmp_path / "cli" / relative).read_bytes() == (tmp_path / "library" / relative).read_bytes()

    assert main(["--out", str(tmp_path / "bad"), "--calls", "1", "--domain", "dentist"]) == 2
    error = capsys.readouterr().err
    assert "unknown domain 'dentist'" in error and "telecom, clinic, bank, logistics" in error
    assert not (tmp_path / "bad").exists()


def test_cli_takes_a_voices_option_and_refuses_an_unknown_one(tmp_path, capsys):
    with pytest.raises(SystemExit) as refused:
        main(["--out", str(tmp_path / "bad"), "--calls", "1", "--voices", "robot"])
    assert refused.value.code == 2 and "espeak" in capsys.readouterr().err
    assert main(["--out", str(tmp_path / "cli"), "--calls", "1", "--seed", "2", "--voices", "espeak",
                 "--min-turns", "9", "--max-turns", "9"]) == 0
    assert "call_train_s2_0001" in capsys.readouterr().out
