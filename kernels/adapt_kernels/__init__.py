"""numba compute kernels for Adapt.

Modules (import them directly; nothing is imported eagerly so that ``import adapt_kernels`` stays cheap):

- :mod:`adapt_kernels.whisper_constants`: Whisper's audio constants (16 kHz, 400-sample FFT, 10-ms hop).
- :mod:`adapt_kernels.mel`: the log-mel front-end used for training and serving
  (``log_mel_spectrogram``, ``log_mel_batch``, ``mel_filters``, ``warmup``).
- :mod:`adapt_kernels.mel_filterbank`: Slaney mel filters, dense and sparse.
- :mod:`adapt_kernels.log_mel_kernel`: the numba kernels behind :mod:`adapt_kernels.mel`.
- :mod:`adapt_kernels.threads`: one place to pin numba / BLAS / torch / CTranslate2 thread pools.
"""
