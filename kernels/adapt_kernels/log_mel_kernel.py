"""numba kernels for Whisper's log-mel spectrogram (pure compute: arrays in, arrays out).

The validated public entry points are in :mod:`adapt_kernels.mel`; these functions trust their inputs.
The spectrogram is computed in two kernels with numpy's SIMD ``log10`` in between (numba can only call
libm's scalar ``log10f``, which made the log alone take a third of the run time):

1. :func:`mel_power_into`, per frame f (Whisper / ``torch.stft(center=True)`` semantics):
   take N_FFT samples of the *virtual signal* starting at f * HOP_LENGTH - N_FFT // 2, where the virtual
   signal is the audio followed by ``padding`` zeros, reflect-padded by N_FFT // 2 on both sides (numpy/torch
   ``mode="reflect"``: the edge sample is not repeated); multiply by the periodic Hann window; real FFT
   (rocket-fft / DUCC0, float32); power |X_k|^2; sparse mel product; floor at 1e-10.
2. ``np.log10`` in place (caller).
3. :func:`finish_log_mel_into`: clamp to (log10 of the largest mel power) - 8, then scale to (x + 4) / 4.

Frames go through in blocks of FRAMES_PER_BLOCK: one batched FFT call per block amortizes DUCC0's
per-call overhead, and the block's spectrum and power are stored bin-major (N_FREQ_BINS, FRAMES_PER_BLOCK)
so the power and mel loops run over frames with SIMD and write straight into the (n_mels, n_frames)
output. The sparse mel product (~400 multiply-adds per frame instead of n_mels x 201) needs no BLAS. Blocks
are split into one contiguous chunk per numba thread (``prange``; see :mod:`adapt_kernels.threads`), each
with its own scratch buffers. There is exactly one parallel region per call: every extra region means one
more thread wake-up and barrier, which costs milliseconds when another process keeps the cores busy.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange
from rocket_fft import r2c

from .whisper_constants import HOP_LENGTH, N_FFT, N_FREQ_BINS

FRAMES_PER_BLOCK = 32  # frames per FFT call; the bin-major power buffer (201 x 32 float32) stays in L1
LOG10_FLOOR = 1e-10  # mel power floor before log10 (-100 dB)
DYNAMIC_RANGE_LOG10 = 8.0  # keep 8 decades (80 dB) below the loudest mel value
_HALF_FFT = N_FFT // 2


@njit(cache=True, nogil=True, inline="always")
def _reflected_index(index, virtual_length):
    """Index into a signal of ``virtual_length`` samples for position ``index`` of its reflect-padded form.

    ``index`` counts from the signal's first sample (negative: left pad). Same result as
    ``np.pad(signal, pad, mode="reflect")`` for any pad, also pads longer than the signal (numpy then
    reflects back and forth, i.e. periodically with period 2 * (virtual_length - 1)).
    """
    if virtual_length == 1:
        return 0
    period = 2 * (virtual_length - 1)
    folded = abs(index) % period
    if folded >= virtual_length:
        folded = period - folded
    return folded


@njit(cache=True, nogil=True)
def _fill_windowed_frames(audio, virtual_length, window, first_frame, n_block_frames, frames):
    """frames[row] = window * (frame first_frame + row of the virtual signal), for row < n_block_frames.

    audio: float32 (n_samples,); virtual_length: n_samples + zero padding, in samples;
    window: float32 (N_FFT,); frames: float32 (>= n_block_frames, N_FFT); rows past n_block_frames are zeroed.
    """
    n_samples = audio.shape[0]
    for row in range(frames.shape[0]):
        start = (first_frame + row) * HOP_LENGTH - _HALF_FFT
        if row >= n_block_frames:
            frames[row, :] = np.float32(0.0)
        elif start >= 0 and start + N_FFT <= n_samples:
            segment = audio[start : start + N_FFT]  # a slice: no negative-index checks, so the loop vectorizes
            frame = frames[row]
            for j in range(N_FFT):
                frame[j] = segment[j] * window[j]
        else:  # touches the reflected edges or the zero padding
            for j in range(N_FFT):
                source = _reflected_index(start + j, virtual_length)
                sample = audio[source] if source < n_samples else np.float32(0.0)
                frames[row, j] = sample * window[j]


@njit(cache=True, nogil=True)
def _mel_power_block(audio, virtual_length, window, first_bin, n_bins, weights, first_frame, n_block_frames,
                     frames, spectrum, power, fft_axes, out):
    """Mel power (floored at LOG10_FLOOR) of frames first_frame ... + n_block_frames - 1 into out[:, frame].

    Scratch: frames float32 (B, N_FFT), spectrum complex64 (N_FREQ_BINS, B), power float32 (N_FREQ_BINS, B)
    with B = FRAMES_PER_BLOCK. out: float32 (n_mels, n_frames). Returns the block's largest mel power.
    """
    _fill_windowed_frames(audio, virtual_length, window, first_frame, n_block_frames, frames)
    # DUCC0 writes through the transposed view at no extra cost, which leaves the spectrum bin-major.
    r2c(frames, spectrum.T, fft_axes, True, 1.0, 1)
    # Loop bounds below are read from array shapes on purpose: with the compile-time constant
    # FRAMES_PER_BLOCK, LLVM fully unrolls these loops and the mel product runs ~3x slower.
    n_rows = power.shape[1]
    for k in range(N_FREQ_BINS):
        for row in range(n_rows):
            value = spectrum[k, row]
            power[k, row] = value.real * value.real + value.imag * value.imag

    # Slices (rather than 2-D indexing with computed indices) spare numba's negative-index checks, which
    # would keep LLVM from vectorizing the loops over frames. The running maximum is kept per frame (an
    # elementwise max vectorizes; a scalar max reduction does not without fastmath).
    floor = np.float32(LOG10_FLOOR)
    mel_row = np.empty(n_rows, dtype=np.float32)
    row_max = np.full(n_rows, floor, dtype=np.float32)
    for mel in range(first_bin.shape[0]):
        mel_row[:] = np.float32(0.0)
        start = first_bin[mel]
        for k in range(n_bins[mel]):
            weight = weights[mel, k]
            bin_power = power[start + k]
            for row in range(n_rows):
                mel_row[row] += weight * bin_power[row]
        destination = out[mel, first_frame : first_frame + n_block_frames]
        for row in range(n_block_frames):
            value = max(mel_row[row], floor)
            destination[row] = value
            row_max[row] = max(row_max[row], value)
    return row_max.max()


@njit(cache=True, nogil=True, parallel=True)
def mel_power_into(audio, padding, window, first_bin, n_bins, weights, n_threads, out):
    """Mel power spectrogram of ``audio`` followed by ``padding`` zeros, floored at LOG10_FLOOR, into ``out``.

    audio: float32 (n_samples,), n_samples >= 1; padding: zeros appended, in samples (>= 0);
    window: float32 (N_FFT,) periodic Hann; first_bin, n_bins, weights: a SparseMelFilters' arrays;
    n_threads: ``numba.get_num_threads()`` of the caller: prange gets that many chunks (passed in
    because calling it inside a jitted function disables numba's on-disk cache);
    out: float32 (n_mels, (n_samples + padding) // HOP_LENGTH), overwritten (last STFT frame dropped, as
    Whisper does). Returns float32 (n_chunks,): the largest value each chunk wrote (LOG10_FLOOR if none);
    the caller takes the max (a reduction here would be a second parallel region).
    """
    virtual_length = audio.shape[0] + padding
    n_frames = out.shape[1]
    n_blocks = (n_frames + FRAMES_PER_BLOCK - 1) // FRAMES_PER_BLOCK
    n_chunks = max(1, min(n_blocks, n_threads))  # one contiguous run of blocks per thread
    chunk_max = np.empty(n_chunks, dtype=np.float32)
    fft_axes = np.array([1])
    for chunk in prange(n_chunks):
        frames = np.empty((FRAMES_PER_BLOCK, N_FFT), dtype=np.float32)
        spectrum = np.empty((N_FREQ_BINS, FRAMES_PER_BLOCK), dtype=np.complex64)
        power = np.empty((N_FREQ_BINS, FRAMES_PER_BLOCK), dtype=np.float32)
        largest = np.float32(LOG10_FLOOR)
        for block in range(chunk * n_blocks // n_chunks, (chunk + 1) * n_blocks // n_chunks):
            first_frame = block * FRAMES_PER_BLOCK
            n_block_frames = min(FRAMES_PER_BLOCK, n_frames - first_frame)
            largest = max(largest, _mel_power_block(audio, virtual_length, window, first_bin, n_bins, weights,
                                                    first_frame, n_block_frames, frames, spectrum, power,
                                                    fft_axes, out))
        chunk_max[chunk] = largest
    return chunk_max


@njit(cache=True, nogil=True)
def finish_log_mel_into(log_mel, lowest):
    """In place: log_mel = (max(log_mel, lowest) + 4) / 4, Whisper's clamp and scale.

    log_mel: float32 (n_mels, n_frames) of log10 mel power; lowest: float32, log10(max power) - 8.
    Serial on purpose: it is memory-bound (~1 ms per 10 min of audio), not worth a parallel region.
    """
    four = np.float32(4.0)
    for mel in range(log_mel.shape[0]):
        row = log_mel[mel]
        for frame in range(row.shape[0]):
            row[frame] = (max(row[frame], lowest) + four) / four
