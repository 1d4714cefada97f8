"""ONNX export (torch's dynamo exporter, which needs `onnxscript`): `encoder.onnx` and `decoder.onnx`.

encoder.onnx: input_features float32 (batch, n_mels, 3000) -> encoder_hidden_states (batch, 1500, d_model).
decoder.onnx: decoder_input_ids int64 (batch, tokens), encoder_hidden_states -> logits (batch, tokens, vocab)
(no key/value cache: each step re-runs the prefix; simple, and fast enough for Whisper's short outputs).
Tokenizer and config files are copied alongside. `OnnxWhisper` runs the pair with onnxruntime.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import torch

from adapt_server.training.export.base import ExportError, Exporter

ONNX_QUANTIZATIONS = ("float32", "int8")  # int8: onnxruntime dynamic quantization of the weights
OPSET = 18
COPIED_FILES = ("config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json",
                "special_tokens_map.json", "preprocessor_config.json")


class _Encoder(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.encoder = model.model.encoder

    def forward(self, input_features):
        return self.encoder(input_features=input_features).last_hidden_state


class _Decoder(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.decoder = model.model.decoder
        self.proj_out = model.proj_out

    def forward(self, decoder_input_ids, encoder_hidden_states):
        hidden = self.decoder(input_ids=decoder_input_ids, encoder_hidden_states=encoder_hidden_states,
                              use_cache=False).last_hidden_state
        return self.proj_out(hidden)


class OnnxExporter(Exporter):
    format = "onnx"

    def load(self, source: Path):
        from transformers import WhisperForConditionalGeneration
        return WhisperForConditionalGeneration.from_pretrained(str(source), local_files_only=True,
                                                               dtype=torch.float32).eval()

    def validate(self, loaded) -> None:
        if self.quantization not in ONNX_QUANTIZATIONS:
            raise ExportError(f"ONNX export supports {', '.join(ONNX_QUANTIZATIONS)}; got {self.quantization!r}")
        try:
            import onnxscript  # noqa: F401  (the dynamo exporter needs it)
        except ImportError:
            raise ExportError("ONNX export needs the onnxscript package: pip install onnxscript") from None

    def save(self, quantized, source: Path, target: Path) -> None:
        model = quantized
        n_mels = model.config.num_mel_bins
        batch = torch.export.Dim("batch", min=1, max=64)
        tokens = torch.export.Dim("tokens", min=1, max=model.config.max_target_positions)
        features = torch.zeros(2, n_mels, 2 * model.config.max_source_positions)
        with torch.no_grad():
            states = model.model.encoder(input_features=features).last_hidden_state
            ids = torch.full((2, 3), model.config.decoder_start_token_id, dtype=torch.long)
            _export(_Encoder(model), (features,), target / "encoder.onnx", ["input_features"],
                    ["encoder_hidden_states"], {"input_features": {0: batch}})
            _export(_Decoder(model), (ids, states), target / "decoder.onnx",
                    ["decoder_input_ids", "encoder_hidden_states"], ["logits"],
                    {"decoder_input_ids": {0: batch, 1: tokens}, "encoder_hidden_states": {0: batch}})
        if self.quantization == "int8":
            from onnxruntime.quantization import QuantType, quantize_dynamic
            for name in ("encoder.onnx", "decoder.onnx"):
                path = target / name
                quantized_path = target / (name + ".int8")
                quantize_dynamic(str(path), str(quantized_path), weight_type=QuantType.QInt8)
                path.unlink()
                for extra in target.glob(name + ".data"):
                    extra.unlink()
                quantized_path.rename(path)
        for name in COPIED_FILES:
            if (source / name).is_file():
                shutil.copy2(source / name, target / name)


def _export(module, args, path: Path, inputs, outputs, dynamic_shapes) -> None:
    program = torch.onnx.export(module, args, dynamo=True, input_names=inputs, output_names=outputs,
                                dynamic_shapes=dynamic_shapes, opset_version=OPSET, external_data=False)
    program.save(str(path))


class OnnxWhisper:
    """An ONNX export run with onnxruntime: encode log-mel, then decoder logits for a token prefix."""

    def __init__(self, path: Path, threads: int = 1):
        import onnxruntime
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.encoder = onnxruntime.InferenceSession(str(path / "encoder.onnx"), options,
                                                    providers=["CPUExecutionProvider"])
        self.decoder = onnxruntime.InferenceSession(str(path / "decoder.onnx"), options,
                                                    providers=["CPUExecutionProvider"])

    def encode(self, features: np.ndarray) -> np.ndarray:
        """float32 (batch, n_mels, 3000) -> (batch, 1500, d_model)."""
        return self.encoder.run(None, {"input_features": np.ascontiguousarray(features, dtype=np.float32)})[0]

    def logits(self, tokens: np.ndarray, states: np.ndarray) -> np.ndarray:
        """int64 (batch, n) prefix -> float32 (batch, n, vocab)."""
        return self.decoder.run(None, {"decoder_input_ids": np.ascontiguousarray(tokens, dtype=np.int64),
                                       "encoder_hidden_states": states})[0]
