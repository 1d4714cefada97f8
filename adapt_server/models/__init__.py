"""The model catalogue: which models this server offers, and how a model gets in.

bundled.py (the models that ship inside pip packages: whisper-tiny.en and pocketsphinx-en-us, as catalogue
records), service.py (the use cases: register the bundled models at start, list, get, register a directory,
delete), sources.py (a catalogue record -> the `ModelSource` the engine registry loads). The table is
store/models.py; what a Whisper directory holds is read by engines/model_directory.py.
"""
