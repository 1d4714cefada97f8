"""The fine-tune's HTML report (adapt/_fine_tune_report.py) built from a FineTune's metrics as the SDK reads
them (a Struct: every number a float): the header, hyperparameters, training metrics, and the interpolation
selection's reason, chosen share, curve table and plot; every string from the server escaped."""
from __future__ import annotations

import json
import re

import pytest

from adapt._fine_tune_report import write_report
from adapt._fine_tunes import FineTune
from adapt.resources import State

HOSTILE = "<script>alert('x')</script>"
SELECTION = {
    "chosen_share": 0.7, "budget": 0.05, "within_budget": True, "reason": f"share 0.7: the best domain WER {HOSTILE}",
    "domain_wer": 0.21, "general_wer": 0.104, "base_domain_wer": 0.4, "base_general_wer": 0.1,
    "curve": [{"share": 0.0, "domain_wer": 0.4, "general_wer": 0.1, "general_regression": 0.0},
              {"share": 0.4, "domain_wer": 0.3, "general_wer": 0.102, "general_regression": 0.02},
              {"share": 0.7, "domain_wer": 0.21, "general_wer": 0.104, "general_regression": 0.04},
              {"share": 1.0, "domain_wer": 0.18, "general_wer": 0.2, "general_regression": 1.0}],
    "selection_utterances": 6.0, "general_utterances": 12.0, "seconds": 31.5, "share_of_train_seconds": 0.42}


def _fine_tune(interpolation: dict | None) -> FineTune:
    metrics = {"train_loss_first": 2.5, "train_loss": 0.75, "holdout_loss_after": 0.9, "steps": 40.0,
               "train_seconds": 75.0, "device": "cpu", "export_bytes": {"ctranslate2": 78_000_000.0},
               "export_seconds": {"ctranslate2": 4.25}, "weight_interpolation": 0.7, "note": HOSTILE}
    if interpolation is not None:
        metrics["interpolation"] = interpolation
    return FineTune(id="ftjob_abc", state=State.SUCCEEDED, base_model="whisper-tiny.en", dataset_id="ds_1",
                    model_id="ft:whisper-tiny.en:abc", hyperparameters={"learning_rate": 1e-05, "epochs": 3.0,
                                                                        HOSTILE: HOSTILE},
                    metrics=metrics, export_formats=("ctranslate2", "huggingface"))


def _plots(page: str) -> dict:
    return {plot_id: json.loads(data) for plot_id, data in
            re.findall(r'Plotly\.newPlot\(\s*"(plot-[a-z-]+)",\s*(\[.*?\]),\s*\{', page, re.S)}


def test_the_report_shows_the_curve_the_chosen_share_and_both_wers(tmp_path):
    path = write_report(_fine_tune(SELECTION), tmp_path / "report")
    assert path == tmp_path / "report" / "report.html" and (tmp_path / "report" / "plotly.min.js").is_file()
    page = path.read_text()
    assert "Fine-tune ftjob_abc" in page and "ft:whisper-tiny.en:abc" in page and "SUCCEEDED" in page
    assert "<td>1e-05</td>" in page and "<td>3</td>" in page  # whole numbers read back as floats print whole
    assert "train loss, first step" in page and "<td>40</td>" in page and "<td>78.0</td>" in page
    rows = re.findall(r"<tr( class='chosen')?><td>([0-9.]+)[^<]*</td><td>([^<]*)</td><td>([^<]*)</td>"
                      r"<td>([^<]*)</td>", page)
    assert [(share, domain, regression) for _, share, domain, _, regression in rows] == [
        ("0", "0.4000", "+0.0%"), ("0.4", "0.3000", "+2.0%"), ("0.7", "0.2100", "+4.0%"),
        ("1", "0.1800", "+100.0%")]
    assert [share for chosen, share, *_ in rows if chosen] == ["0.7"]
    assert "0.2100 (base 0.4000)" in page and "0.1040 (base 0.1000, +4.0%)" in page
    assert "5.0% general-speech WER regression (general-speech WER at most 0.1050)" in page
    assert "42% of the training time" in page
    traces = {trace["name"]: trace for trace in _plots(page)["plot-interpolation"]}
    domain = traces["domain WER (held-out training slice)"]
    assert domain["x"] == [0, 0.4, 0.7, 1] and domain["y"] == [0.4, 0.3, 0.21, 0.18]
    assert traces["general-speech WER"]["y"] == [0.1, 0.102, 0.104, 0.2]
    budget = next(trace for name, trace in traces.items() if name.startswith("budget"))
    assert budget["y"] == pytest.approx([0.105, 0.105])
    assert traces["chosen share 0.7"]["x"] == [0.7, 0.7] and traces["chosen share 0.7"]["y"] == [0.21, 0.104]


def test_no_share_within_the_budget(tmp_path):
    """None within the budget: the least regressing share is kept; a regression is infinite (None) where the base
    made no general-speech error; a WER the metrics lack shows as "-", not as a number."""
    beyond = {**SELECTION, "chosen_share": 0.4, "within_budget": False, "domain_wer": 0.35, "general_wer": 0.05,
              "base_general_wer": 0.0,
              "curve": [{"share": 0.0, "domain_wer": 0.4, "general_wer": 0.0, "general_regression": 0.0},
                        {"share": 0.4, "domain_wer": 0.35, "general_wer": 0.05, "general_regression": None},
                        {"share": 1.0, "domain_wer": None, "general_wer": 0.2, "general_regression": None}]}
    page = write_report(_fine_tune(beyond), tmp_path).read_text()
    chosen = re.search(r"<tr class='chosen'>(.*?)</tr>", page).group(1)
    assert chosen.startswith("<td>0.4</td><td>0.3500</td>") and "infinite" in chosen
    assert "<td>1</td><td>-</td>" in page and "no: the validation&#x27;s forgetting gate" in page
    traces = {trace["name"]: trace for trace in _plots(page)["plot-interpolation"]}
    assert traces["chosen share 0.4"]["y"] == [0.35, 0.05]


def test_every_string_from_the_server_is_escaped(tmp_path):
    page = write_report(_fine_tune(SELECTION), tmp_path).read_text()
    assert HOSTILE not in page
    assert page.count("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;") == 4  # hyperparameter, its value, metric,
    # the reason


def test_a_fine_tune_without_selection_shows_why(tmp_path):
    reason = "not selected: 9 training utterances, fewer than 24, none held out; share 1 kept"
    page = write_report(_fine_tune({"reason": reason}), tmp_path).read_text()
    assert reason in page and "plot-interpolation" not in page and "class='curve'" not in page
    older = write_report(_fine_tune(None), tmp_path).read_text()
    assert "no interpolation selection ran; share 0.7 kept" in older
