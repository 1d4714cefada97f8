"""Evaluations end to end over gRPC against a real `adapt serve`: whisper-tiny.en and pocketsphinx-en-us on a
dataset of a generated call (cut to its first turns) and, when present, two realspeech utterances; the docs'
snippet, per-utterance results, the CLI and the HTML report."""
from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import adapt

pytestmark = pytest.mark.slow
CANDIDATES = ["whisper-tiny.en", "pocketsphinx-en-us"]
CALL_TURNS = 3  # turns of the generated call kept (about 20 s): keeps the test near a minute on 2 cores
REALSPEECH_ITEMS = ("sb_spk1_snt1", "ps_goforward")


@pytest.fixture(scope="module")
def eval_sources(source_root):
    """<root>/eval-call: the first turns of a generated call with its sidecar; <root>/eval-real: realspeech."""
    from adapt_server.audio.decode import decode_audio
    from adapt_server.audio.wav import encode_pcm16_wav
    from adapt_server.sampledata import generate_calls

    scratch = source_root / "eval-scratch"
    info = generate_calls(scratch, n_calls=1, seed=11, split="holdout", min_turns=9, max_turns=9)[0]
    segments = json.loads(info.transcript_path.read_text())["segments"][:CALL_TURNS]
    decoded = decode_audio(info.audio_path, sample_rate=16000)
    end = int((segments[-1]["end"] + 0.5) * 16000)
    call = source_root / "eval-call"
    call.mkdir()
    (call / f"{info.id}.wav").write_bytes(encode_pcm16_wav(np.ascontiguousarray(decoded.samples[0][:end]), 16000))
    (call / f"{info.id}.json").write_text(json.dumps({"segments": segments}))
    folders = [call]
    realspeech = Path(__file__).resolve().parents[2] / ".." / "shared" / "realspeech" / "asr"
    if (realspeech / "manifest.jsonl").is_file():
        manifest = {d["id"]: d for d in map(json.loads, filter(None, (realspeech / "manifest.jsonl").read_text().splitlines()))}
        real = source_root / "eval-real"
        real.mkdir()
        for item in REALSPEECH_ITEMS:
            shutil.copy(realspeech / f"{item}.wav", real / f"{item}.wav")
            (real / f"{item}.txt").write_text(manifest[item]["text"])
        folders.append(real)
    return folders, segments


@pytest.fixture(scope="module")
def dataset(client, eval_sources):
    folders, _ = eval_sources
    ds = client.datasets.create(name="eval-e2e", sources=[{"type": "local", "uri": str(f)} for f in folders])
    return client.datasets.wait(ds.id, timeout=300)


@pytest.fixture(scope="module")
def snippet_run(client, dataset):
    """Runs the first python block of docs/evaluations.md as written, with `client` and `dataset` given."""
    docs = (Path(__file__).resolve().parents[2] / "docs" / "evaluations.md").read_text()
    snippet = re.search(r"```python\n(.*?)```", docs, re.S).group(1)
    namespace = {"client": client, "dataset": dataset}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(snippet, namespace)
    return namespace["run"], out.getvalue()


def test_the_docs_snippet_prints_a_leaderboard_of_both_families(snippet_run, eval_sources):
    run, printed = snippet_run
    assert run.state == "SUCCEEDED"
    assert printed.splitlines()[0].split()[:2] == ["model", "WER"]
    assert {row.model_id for row in run.leaderboard} == set(CANDIDATES)
    for model_id in CANDIDATES:
        assert any(line.startswith(model_id) for line in printed.splitlines())
    folders, segments = eval_sources
    expected_utterances = len(segments) + (len(REALSPEECH_ITEMS) if len(folders) > 1 else 0)
    for row in run.leaderboard:
        assert row.utterances == expected_utterances
        assert row.wer_ci.low <= row.wer <= row.wer_ci.high and row.rtf > 0
        assert row.reference_words > 0
    print("\n" + printed)  # visible with -s: the measured leaderboard


def test_the_winner_and_its_reason_are_consistent(snippet_run):
    run, printed = snippet_run
    assert "winner:" in printed and run.reason
    if run.winner is None:
        assert run.reason.startswith(("tie within noise", "gate failed"))
    else:
        assert run.winner == run.leaderboard[0].model_id and "better than every other candidate" in run.reason
    assert {g.model_id for g in run.gate_results} == set(CANDIDATES)
    assert all(g.gate == "max_rtf" for g in run.gate_results)


def test_results_have_slices_per_source_and_utterance_alignments(client, snippet_run, eval_sources):
    run, _ = snippet_run
    folders, _ = eval_sources
    sources = {s.key for s in run.slices if s.by == "source" and s.model_id == "whisper-tiny.en"}
    assert sources == {str(f) for f in folders}
    assert {s.by for s in run.slices} == {"speaker", "recording", "source"}
    speakers = {s.key for s in run.slices if s.by == "speaker"}
    assert len(speakers - {""}) == 2  # the call's agent and customer
    utterances = run.utterances(model_id="pocketsphinx-en-us")
    assert len(utterances) == run.leaderboard[0].utterances
    for u in utterances:
        assert sum(op == "substitute" for op, _, _ in u.alignment) == u.substitutions
        assert sum(op == "insert" for op, _, _ in u.alignment) == u.insertions
    page, token = client.evaluations.utterances_page(run.id, page_size=2)
    assert len(page) == 2 and token


def test_watch_list_and_errors_over_grpc(client, snippet_run, dataset):
    run, _ = snippet_run
    events = list(client.evaluations.watch(run.id))
    assert events[-1].state == "SUCCEEDED" and any(e.progress.unit == "utterances" for e in events)
    assert run.id in [e.id for e in client.evaluations.list(page_size=1, dataset_id=dataset.id)]
    with pytest.raises(adapt.NotFoundError, match="does not exist"):
        client.evaluations.get("eval_missing")
    with pytest.raises(adapt.InvalidArgumentError, match="unknown metric 'bleu'"):
        client.evaluations.create(dataset_id=dataset.id, candidates=["whisper-tiny.en"], metrics=["bleu"])
    with pytest.raises(adapt.NotFoundError, match="candidate model 'nope'"):
        client.evaluations.create(dataset_id=dataset.id, candidates=["nope"])
    with pytest.raises(adapt.InvalidArgumentError, match="max_reference_regression needs"):
        client.evaluations.create(dataset_id=dataset.id, candidates=["whisper-tiny.en"],
                                  gates={"max_reference_regression": 0.05})


def test_the_report_holds_its_plots(client, snippet_run, tmp_path):
    run, _ = snippet_run
    result = subprocess.run([sys.executable, "-m", "adapt.cli", "--target", client.target, "evaluations",
                             "report", run.id, "--out", str(tmp_path / "report")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    page = Path(result.stdout.strip()).read_text()
    assert (tmp_path / "report" / "plotly.min.js").stat().st_size > 1_000_000
    plots = re.findall(r'Plotly\.newPlot\(\s*"(plot-[a-z-]+)",\s*(\[.*?\]),\s*\{', page, re.S)
    by_id = {plot_id: json.loads(data) for plot_id, data in plots}
    assert set(by_id) >= {"plot-leaderboard", "plot-slice-speaker", "plot-slice-recording", "plot-slice-source",
                          "plot-error-types", "plot-rtf", "plot-hallucination"}
    leaderboard = by_id["plot-leaderboard"][0]
    assert leaderboard["x"] == [row.model_id for row in run.leaderboard if row.kind == "asr"]
    assert leaderboard["y"] == pytest.approx([row.wer for row in run.leaderboard])
    assert leaderboard["error_y"]["array"] == pytest.approx([row.wer_ci.high - row.wer for row in run.leaderboard])
    assert {trace["name"] for trace in by_id["plot-error-types"]} == {"substitutions", "deletions", "insertions"}
    assert {trace["name"] for trace in by_id["plot-slice-speaker"]} == set(CANDIDATES)
    assert "Winner:" in page and run.reason.split(":")[0] in page


def test_cli_get_prints_the_leaderboard(client, snippet_run):
    run, _ = snippet_run
    result = subprocess.run([sys.executable, "-m", "adapt.cli", "--target", client.target, "evaluations", "get",
                             run.id], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "pocketsphinx-en-us" in result.stdout and "winner:" in result.stdout


def test_cli_create_follows_progress_and_prints_the_table(client, dataset):
    result = subprocess.run([sys.executable, "-m", "adapt.cli", "--target", client.target, "evaluations", "create",
                             dataset.id, "--candidate", "whisper-tiny.en", "--metric", "wer", "--max-rtf", "1e-9"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    evaluation_id = result.stdout.splitlines()[0]
    assert evaluation_id.startswith("eval_")
    assert "evaluate " + evaluation_id in result.stderr and "SUCCEEDED" in result.stderr  # the progress bar
    assert "whisper-tiny.en" in result.stdout and "winner: none" in result.stdout
    assert "reason: gate failed: max_rtf 1e-09 < measured" in result.stdout
    client.evaluations.delete(evaluation_id)
    with pytest.raises(adapt.NotFoundError):
        client.evaluations.get(evaluation_id)


def test_create_is_idempotent_by_request_id_over_grpc(client, dataset):
    first = client.evaluations.create(dataset_id=dataset.id, candidates=["whisper-tiny.en"], request_id="same-id")
    again = client.evaluations.create(dataset_id=dataset.id, candidates=["whisper-tiny.en"], request_id="same-id")
    assert again is first  # one live object per id, and the same evaluation
    with pytest.raises(adapt.AlreadyExistsError, match="already used"):
        client.evaluations.create(dataset_id=dataset.id, candidates=["pocketsphinx-en-us"], request_id="same-id")
    cancelled = client.evaluations.cancel(first.id)
    assert cancelled.state in ("CANCELLED", "RUNNING")
    with pytest.raises(adapt.JobCancelledError):
        client.evaluations.wait(first.id, timeout=120)


def test_pocketsphinx_is_a_listed_model_that_transcribe_serves(client, eval_sources):
    folders, _ = eval_sources
    sphinx = client.models.get("pocketsphinx-en-us")
    assert (sphinx.kind, sphinx.family, sphinx.format) == ("BUNDLED", "pocketsphinx", "pocketsphinx")
    assert "pocketsphinx-en-us" in {m.id for m in client.models.list()}
    if len(folders) < 2:
        pytest.skip("../shared/realspeech is absent")
    transcript = client.speech.transcribe(folders[1] / "ps_goforward.wav", model="pocketsphinx-en-us")
    assert transcript.model == "pocketsphinx-en-us" and transcript.text == "go forward ten meters"
    assert transcript.realtime_factor > 0
