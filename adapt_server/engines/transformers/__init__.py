"""The Hugging Face transformers backend: Qwen3-ASR (+ Qwen3-ForcedAligner), Voxtral, Voxtral Realtime, Cohere
Transcribe and Whisper in Hugging Face format, behind the engine protocols (engines/protocol.py).

Pure inference: imports nothing above `engines/`. Importing this package is light (no torch); the factories
load transformers when called. docs/models.md describes the families and how to register a real checkpoint.
"""
from adapt_server.engines.transformers.directory import (
    TransformersDirectory,
    UnsupportedModelType,
    inspect_transformers_directory,
)
from adapt_server.engines.transformers.families import FAMILIES, SUPPORTED_MODEL_TYPES
from adapt_server.engines.transformers.loader import load_transformers_aligner, load_transformers_recognizer

__all__ = ["FAMILIES", "SUPPORTED_MODEL_TYPES", "TransformersDirectory", "UnsupportedModelType",
           "inspect_transformers_directory", "load_transformers_aligner", "load_transformers_recognizer"]
