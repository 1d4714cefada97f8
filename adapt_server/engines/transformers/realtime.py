"""Voxtral Realtime: offline transcription of windows and native incremental decoding (StreamingRecognizer).

The model emits one token per audio token (80 ms: `audio_length_per_tok` mel frames of 10 ms), text delayed by
`num_delay_tokens` (default 6: 480 ms) behind the audio, [STREAMING_PAD] where there is nothing to say. As
mistral-common's offline streaming request lays it out (its processor needs mistral-common, so this is written
by hand): the audio is padded on the left by `n_left_pad_tokens` tokens of silence and on the right to a whole
token plus `num_delay_tokens + 1 + 10` tokens; the prompt is <s> followed by [STREAMING_PAD] x (left pad + delay),
and generation runs to the end of the audio (so it is bounded by the audio, not by max_new_tokens).

Streaming (`open_stream`) feeds the same computation as audio arrives: the log-mel of the new audio (centered
STFT; a frame is final once the samples its window covers have arrived, and the fixed global log-mel maximum makes
frames independent of the rest), the embedder's causal convolutions over it with a little left context, the
causal encoder and decoder stepped one audio token at a time with their caches. Its final text equals the
offline transcription of the same audio (tests check it token for token).
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from adapt_server.engines.inputs import checked_audio
from adapt_server.engines.options import DecodeOptions
from adapt_server.engines.protocol import EngineInfo
from adapt_server.engines.transformers.directory import TransformersDirectory
from adapt_server.engines.transformers.families import SAMPLE_RATE
from adapt_server.engines.transformers.prompts import Batch, FamilyCodec
from adapt_server.engines.transformers.recognizer import TransformersRecognizer, WindowDecoding

DEFAULT_LEFT_PAD_TOKENS = 32  # used when the directory has no tekken.json saying streaming_n_left_pad_tokens
RIGHT_BUFFER_TOKENS = 10  # mistral-common's OFFLINE_STREAMING_BUFFER_TOKENS (room for the last word)
CONTEXT_FRAMES = 16  # mel frames of left context recomputed per step (the embedder's convolutions see 5)


@dataclass(frozen=True)
class StreamLayout:
    """Token and sample counts of the realtime request."""

    samples_per_token: int  # audio samples per generated token (1280 = 80 ms)
    frames_per_token: int  # mel frames per token (8)
    hop: int  # samples per mel frame (160)
    window: int  # STFT window (n_fft, 400)
    left_pad_tokens: int
    delay_tokens: int
    bos: int
    streaming_pad: int

    @property
    def prompt(self) -> list[int]:
        return [self.bos] + [self.streaming_pad] * (self.left_pad_tokens + self.delay_tokens)

    def padded(self, samples: np.ndarray) -> np.ndarray:
        """samples with the left silence and the right padding of an offline request."""
        right = (-samples.size) % self.samples_per_token + (self.delay_tokens + 1 + RIGHT_BUFFER_TOKENS) \
            * self.samples_per_token
        return np.pad(samples, (self.left_pad_tokens * self.samples_per_token, right))

    def tokens_of(self, n_samples: int) -> int:
        """Generated positions (prompt included) the padded audio of n_samples gives."""
        return -(-(n_samples // self.hop) // self.frames_per_token)


def stream_layout(path: Path, config, tokenizer, extractor) -> StreamLayout:
    left = DEFAULT_LEFT_PAD_TOKENS
    tekken = Path(path) / "tekken.json"
    if tekken.is_file():
        audio = json.loads(tekken.read_text(encoding="utf-8")).get("audio") or {}
        left = int(audio.get("streaming_n_left_pad_tokens") or left)
    ids = tokenizer.convert_tokens_to_ids
    return StreamLayout(samples_per_token=config.audio_length_per_tok * extractor.hop_length,
                        frames_per_token=config.audio_length_per_tok, hop=extractor.hop_length,
                        window=extractor.n_fft, left_pad_tokens=left, delay_tokens=config.default_num_delay_tokens,
                        bos=ids("<s>"), streaming_pad=ids("[STREAMING_PAD]"))


class RealtimeCodec(FamilyCodec):
    def __init__(self, extractor, tokenizer, config, generation_config, layout: StreamLayout):
        super().__init__(extractor, tokenizer, config, generation_config)
        self.layout = layout

    def features(self, padded: np.ndarray):
        return self.processor(padded, sampling_rate=SAMPLE_RATE, center=True, return_tensors="pt")["input_features"]

    def batch(self, clips, language, context):
        import torch

        layout = self.layout
        padded = [layout.padded(clip) for clip in clips]
        longest = max(item.size for item in padded)  # right zeros only follow the item's end: the model is causal
        features = torch.cat([self.features(np.pad(item, (0, longest - item.size))) for item in padded])
        prompt = torch.tensor([layout.prompt] * len(clips), dtype=torch.long)
        return Batch(inputs={"input_ids": prompt, "attention_mask": torch.ones_like(prompt),
                             "input_features": features},
                     prompt_length=prompt.shape[1],
                     # one token per audio token, greedy: the stream decides each token once, as it arrives
                     generate_kwargs={"num_delay_tokens": layout.delay_tokens, "num_beams": 1, "do_sample": False,
                                      "max_new_tokens": layout.tokens_of(longest) - prompt.shape[1]})


class RealtimeRecognizer(TransformersRecognizer):
    """Voxtral Realtime: a TransformersRecognizer (offline windows) that also streams natively."""

    def __init__(self, model, extractor, tokenizer, described: TransformersDirectory, model_id: str, device: str,
                 dtype: str):
        layout = stream_layout(described.path, model.config, tokenizer, extractor)
        codec = RealtimeCodec(extractor, tokenizer, model.config, model.generation_config, layout)
        super().__init__(model, codec, described.family_info, model_id, device, dtype, described.languages)
        self.layout = layout

    @property
    def info(self) -> EngineInfo:
        return EngineInfo(model_id=self.model_id, family=self.family.model_type, backend="transformers",
                          device=self.device, dtype=self.dtype, languages=self.languages, word_timestamps=False,
                          native_streaming=True)

    def _generate(self, clips, options, language) -> list[WindowDecoding]:
        decodings = super()._generate(clips, options, language)
        # rows padded to the longest clip: keep each row's own positions
        own = [self.layout.tokens_of(self.layout.padded(clip).size) - len(self.layout.prompt) for clip in clips]
        return [self._trimmed(decoding, limit) for decoding, limit in zip(decodings, own)]

    def _trimmed(self, decoding: WindowDecoding, limit: int) -> WindowDecoding:
        if len(decoding.tokens) <= limit:
            return decoding
        tokens = decoding.tokens[:limit]
        return WindowDecoding(tokens=tokens, text=self.codec.tokenizer.decode(list(tokens), skip_special_tokens=True)
                              .strip(), language=decoding.language, avg_logprob=decoding.avg_logprob)

    def open_stream(self, options: DecodeOptions) -> RealtimeStream:
        options.validate()
        self.check_language(options.language)
        return RealtimeStream(self)


class RealtimeStream:
    """One live stream (IncrementalDecoder): `push` audio as it arrives, get the text newly decided."""

    def __init__(self, recognizer: RealtimeRecognizer):
        self.recognizer = recognizer
        self.layout = recognizer.layout
        self._samples = np.zeros(self.layout.left_pad_tokens * self.layout.samples_per_token, dtype=np.float32)
        self._received = 0  # samples pushed (without the left pad)
        self._positions = 0  # token positions decoded
        self._tokens: list[int] = []  # generated tokens
        self._next: int | None = None  # the token to feed at the next position
        self._emitted = ""
        self._cache = self._encoder_cache = None
        self._stopped = False
        self._finished = False
        self._lock = threading.Lock()

    @property
    def tokens(self) -> tuple[int, ...]:
        """Tokens generated so far (up to an end token)."""
        return tuple(self._tokens)

    def push(self, samples: np.ndarray) -> str:
        with self._lock:
            if self._finished:
                raise ValueError("the stream is finished; open a new one")
            chunk = checked_audio(samples, 0)
            self._samples = np.concatenate([self._samples, chunk])
            self._received += chunk.size
            final_frames = max(0, (self._samples.size - self.layout.window // 2) // self.layout.hop + 1)
            self._decode_up_to(final_frames // self.layout.frames_per_token)
            return self._new_text(final=False)

    def finish(self) -> str:
        with self._lock:
            if self._finished:
                return ""
            self._finished = True
            received = self._samples[self.layout.left_pad_tokens * self.layout.samples_per_token:]
            self._samples = self.layout.padded(received)
            # generate's sequence holds tokens_of(...) positions: the token the last position would predict
            # is not part of it
            self._decode_up_to(self.layout.tokens_of(self._samples.size) - 1)
            return self._new_text(final=True)

    def _decode_up_to(self, positions: int) -> None:
        """Runs the model over token positions [self._positions, positions)."""
        import torch

        prompt = self.layout.prompt
        if self._stopped or positions <= self._positions or positions < len(prompt):
            return
        model = self.recognizer.model
        with self.recognizer._lock, torch.inference_mode():
            embeds, offset = self._embeds(self._positions, positions)
            per_token = self.layout.frames_per_token // 2  # the embedder's second convolution has stride 2
            while self._positions < positions and not self._stopped:
                first = self._positions
                last = len(prompt) if first == 0 else first + 1
                ids = prompt if first == 0 else [self._next]
                out = model(input_ids=torch.tensor([ids], device=model.device),
                            encoder_inputs_embeds=embeds[:, (first - offset) * per_token:(last - offset) * per_token],
                            cache=self._cache, encoder_cache=self._encoder_cache, use_cache=True,
                            num_delay_tokens=self.layout.delay_tokens, logits_to_keep=1)
                self._cache, self._encoder_cache = out.cache, out.encoder_cache
                self._positions = last
                token = int(out.logits[0, -1].argmax())
                if token in self.recognizer.codec.eos_ids():
                    self._stopped = True
                    break
                self._tokens.append(token)
                self._next = token

    def _embeds(self, first: int, last: int):
        """(audio embeddings of token positions offset..last, offset): the log-mel and the embedder's causal
        convolutions recomputed over positions first..last plus CONTEXT_FRAMES of left context only, so a push costs
        the same however long the stream has run (the context's own outputs are dropped)."""
        import torch

        model = self.recognizer.model
        hop, window, per_token = self.layout.hop, self.layout.window, self.layout.frames_per_token
        start = max(0, first * per_token - CONTEXT_FRAMES)
        end = last * per_token
        if start * hop < window // 2:  # the first frames see the STFT's reflected left edge: from the start
            start = 0
            features = self.recognizer.codec.features(self._samples)[:, :, :end]
        else:  # frame t covers samples [t*hop - window/2, t*hop + window/2): no padding needed
            piece = self._samples[start * hop - window // 2:end * hop + window // 2]
            # the extractor drops the STFT's last frame: room for one more (zeros) so that frame end-1 stays
            piece = torch.from_numpy(np.pad(piece, (0, (end - start) * hop + window - piece.size)))
            features = self.recognizer.codec.processor._torch_extract_fbank_features(piece[None], center=False)
            features = features[:, :, :end - start]
        embeds = model.model.audio_tower.embedder(features.to(model.device, model.dtype))
        skip = (first * per_token - start) // 2
        offset = first
        return embeds[:, skip:], offset

    def _new_text(self, final: bool) -> str:
        text = self.recognizer.codec.tokenizer.decode(self._tokens, skip_special_tokens=True)
        text = text.strip() if final else text.lstrip()
        if not final:
            text = text.rstrip("\ufffd")  # an incomplete UTF-8 character waits for its next byte
        if not text.startswith(self._emitted):
            return ""
        new, self._emitted = text[len(self._emitted):], text
        return new
