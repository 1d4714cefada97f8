"""TTS in one run: stock voices' speed and intelligibility, streaming latency, and a custom voice against the
closest stock voice.

- real-time factor per stock voice (synthesis seconds / audio seconds) on EVAL_SENTENCES;
- first-chunk latency of synthesize_stream (a short first sentence, then more), median of 3 per voice;
- intelligibility: WER of whisper tiny.en (Whisper English normalizer) on EVAL_SENTENCES per voice;
- a custom voice built for a synthetic talent (Piper joe: the "dataset" is DATASET_SENTENCES spoken by
  joe; HELDOUT_SENTENCES spoken by joe are never seen by the build): CAM++ cosine of the custom voice's
  speech of EVAL_SENTENCES to the held-out recordings' centroid, against the closest stock Kokoro voice
  (the build's start), with the gain; WER custom vs stock; build time.

Run: .venv/bin/python bench/tts_bench.py [--generations 8 --population 8]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import jiwer  # noqa: E402

from adapt_server.audio.encode import resample  # noqa: E402
from adapt_server.models.bundled import bundled_model_path  # noqa: E402
from adapt_server.engines.whisper import WhisperEngine  # noqa: E402
from adapt_server.scoring.text import Normalizer  # noqa: E402
from adapt_server.tts import catalog  # noqa: E402
from adapt_server.voices import speaker_check, voice_build  # noqa: E402

EVAL_SENTENCES = ("I would like to book a table for two at seven.", "Thank you for calling, how can I help you today?",
                  "The invoice was sent to your email address yesterday.", "Please hold while I check your account.")
DATASET_SENTENCES = ("Please send the report before noon tomorrow.", "Our office is closed on public holidays.",
                     "The package arrived two days late.", "Call me back when you have a minute.",
                     "We will review the contract next week.", "My flight to Denver leaves at six.")
HELDOUT_SENTENCES = ("The weather was cold and windy all day.", "She keeps her keys in the top drawer.",
                     "Turn left at the second traffic light.")
STREAM_TEXT = "Hello there. I am calling about the order you placed last week, which should arrive on Friday."


def to16k(voice, audio):
    return resample(audio, voice.info.sample_rate, 16000)


def wer(engine, voice, sentences) -> float:
    normalize = Normalizer()
    refs, hyps = [], []
    for sentence in sentences:
        refs.append(normalize(sentence))
        hyps.append(normalize(engine.transcribe(to16k(voice, voice.synthesize(sentence))).text) or "<empty>")
    return jiwer.wer(refs, hyps)


def similarity(voice, centroid) -> float:
    speech = np.concatenate([to16k(voice, voice.synthesize(sentence)) for sentence in EVAL_SENTENCES])
    return speaker_check.cosine(speaker_check.embed_recording(speech), centroid)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generations", type=int, default=8)
    parser.add_argument("--population", type=int, default=8)
    parser.add_argument("--skip-build", action="store_true")
    args = parser.parse_args()
    engine = WhisperEngine(bundled_model_path(), "whisper-tiny.en", compute_type="int8")
    voices = {voice_id: catalog.load_stock_voice(voice_id) for voice_id in catalog.stock_voice_ids()}
    print("voice                  RTF    first-chunk s  WER")
    for voice_id, voice in voices.items():
        voice.synthesize("Warm up.")
        started = time.perf_counter()
        seconds = sum(voice.synthesize(sentence).size for sentence in EVAL_SENTENCES) / voice.info.sample_rate
        rtf = (time.perf_counter() - started) / seconds
        latencies = []
        for _ in range(3):
            started = time.perf_counter()
            stream = voice.synthesize_stream(STREAM_TEXT)
            next(stream)
            latencies.append(time.perf_counter() - started)
            stream.close()
        print(f"{voice_id:22s} {rtf:5.3f}  {statistics.median(latencies):8.3f}      "
              f"{wer(engine, voice, EVAL_SENTENCES):.3f}", flush=True)
    if args.skip_build:
        return
    joe = voices["piper-joe"]
    dataset = [to16k(joe, joe.synthesize(sentence)) for sentence in DATASET_SENTENCES]
    heldout = speaker_check.centroid([speaker_check.embed_recording(to16k(joe, joe.synthesize(sentence)))
                                      for sentence in HELDOUT_SENTENCES])
    options = voice_build.BuildOptions(generations=args.generations, population=args.population)
    result = voice_build.build_voice(dataset, options, transcribe=lambda audio: engine.transcribe(audio).text,
                                     progress=lambda fraction, stage, message: print(
                                         f"  [{fraction:4.2f}] {stage}: {message}", flush=True))
    custom = catalog.load_custom_voice("custom-joe", result.pack)
    stock = voices[result.start_voice]
    custom_similarity, stock_similarity = similarity(custom, heldout), similarity(stock, heldout)
    print(f"custom voice for piper-joe: {result.generations} generations x {args.population}"
          f" = {result.evaluations} candidates, build {result.seconds:.0f} s; fit similarity "
          f"{result.start_similarity:.3f} -> {result.similarity:.3f}")
    print(f"held-out similarity to the talent: custom {custom_similarity:.3f}, closest stock ({result.start_voice}) "
          f"{stock_similarity:.3f}, gain {custom_similarity - stock_similarity:+.3f} "
          f"(x{custom_similarity / stock_similarity:.3f}); speaker-check threshold {speaker_check.THRESHOLD}")
    print(f"WER: custom {wer(engine, custom, EVAL_SENTENCES):.3f}, stock {wer(engine, stock, EVAL_SENTENCES):.3f}")
    print(f"history [generation, best, median]: {result.history}")


if __name__ == "__main__":
    main()
