"""Window placement, per-frame scores and turn building (pure timeline steps)."""
from __future__ import annotations

import numpy as np
import pytest

from adapt_server.intake.diarization.timeline import (
    WINDOW_S,
    active_speakers,
    frame_scores,
    speech_mask,
    turns_from_activity,
    window_starts,
)
from adapt_server.spans import SpeakerTurn


def test_windows_sit_on_the_step_grid_over_speech_and_short_regions_get_one():
    starts = window_starts([(1.0, 5.0), (9.0, 9.4)], step_s=0.5, duration_s=12.0)
    assert np.allclose(np.round(starts / 0.5) * 0.5, starts)
    assert starts.min() >= 0.5 - 1e-9 and starts.max() + WINDOW_S <= 12.0
    long_windows = starts[starts < 6]
    assert long_windows.min() <= 1.0 + 1e-9 and long_windows.max() + WINDOW_S >= 5.0 - 0.5
    assert np.sum((starts < 9.4) & (starts + WINDOW_S > 9.0)) >= 1  # the 0.4-s region is covered
    assert window_starts([], 0.5, 12.0).size == 0
    assert window_starts([(0.1, 0.9)], 0.5, 1.0).tolist() == [0.0]  # shorter than a window


def test_frame_scores_follow_the_windows_and_smooth():
    starts = np.array([0.0, 2.0])
    window_scores = np.array([[1.0, 0.0], [0.0, 1.0]])
    scores = frame_scores(starts, window_scores, n_frames=80, frame_s=0.05, smoothing_s=0.0)
    assert scores.shape == (80, 2)
    assert np.argmax(scores[10]) == 0 and np.argmax(scores[50]) == 1
    assert np.allclose(scores[36:40], scores[36])  # the gap between windows takes the nearest window's score
    smoothed = frame_scores(starts, window_scores, n_frames=80, frame_s=0.05, smoothing_s=1.0)
    assert 0 < smoothed[32, 1] < 1


def test_active_speakers_one_at_a_time_or_with_overlap():
    scores = np.array([[0.9, 0.1], [0.6, 0.58], [0.2, 0.8], [0.9, 0.1]])
    mask = np.array([True, True, True, False])
    single = active_speakers(scores, mask, overlap_margin=None)
    assert single.tolist() == [[True, False], [True, False], [False, True], [False, False]]
    overlap = active_speakers(scores, mask, overlap_margin=0.05)
    assert overlap[1].tolist() == [True, True] and overlap.sum() == 4


def test_turns_are_named_by_first_speech_and_may_overlap():
    active = np.zeros((10, 3), dtype=bool)
    active[2:5, 2] = True
    active[4:8, 0] = True
    turns = turns_from_activity(active, frame_s=0.1, duration_s=0.75)
    assert [(t.start, t.end, t.speaker) for t in turns] == [(pytest.approx(0.2), pytest.approx(0.5), "spk0"),
                                                            (pytest.approx(0.4), 0.75, "spk1")]
    assert all(isinstance(turn, SpeakerTurn) for turn in turns)
    longer, = turns_from_activity(active, 0.1, 1.0, min_turn_s=0.35)
    assert (longer.start, longer.end, longer.speaker) == (pytest.approx(0.4), pytest.approx(0.8), "spk0")


def test_speech_mask_uses_frame_centres():
    assert speech_mask([(0.1, 0.3)], n_frames=5, frame_s=0.1).tolist() == [False, True, True, False, False]
