"""Exports of a tuned model: a Hugging Face directory, CTranslate2 (int8/float16/float32), ONNX encoder+decoder.

Every exporter is a template (base.Exporter): load -> validate -> quantize -> save, into a fresh directory
that is only moved into place when complete; an existing target is refused unless `force`.
"""
from adapt_server.training.export.base import ExportError, Exporter, ExportResult
from adapt_server.training.export.ctranslate2_export import CT2_QUANTIZATIONS, Ctranslate2Exporter
from adapt_server.training.export.huggingface import HuggingfaceExporter, save_huggingface
from adapt_server.training.export.onnx_export import OnnxExporter

__all__ = ["CT2_QUANTIZATIONS", "Ctranslate2Exporter", "ExportError", "ExportResult", "Exporter",
           "HuggingfaceExporter", "OnnxExporter", "save_huggingface"]
