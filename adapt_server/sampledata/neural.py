"""The neural voices of the synthetic calls: the stock TTS voices of tts/ (Kokoro-82M, Piper joe) speaking
script turns, reproducibly.

Models load lazily, once per process, on a small thread budget (NEURAL_THREADS), the first time a neural
turn is spoken: generating espeak-only calls never touches onnxruntime.

Reproducibility. Kokoro's ONNX graph has no random operators, so a (text, voice) gives the same samples
on every run. Piper's VITS graph draws Gaussian noise inside the graph (two RandomNormalLike nodes: the
duration predictor's and the latent's); onnxruntime seeds those from the clock at session creation and
keeps one generator per session, so two runs of one text differ and a turn would depend on every turn
spoken before it in the process. `seeded_piper_graph` replaces each RandomNormalLike with a counter-based
generator fed by a `noise_seed` input (an integer hash of the element index and the seed, mod a prime,
then Box-Muller): Piper's noise keeps its scale (noise_scale, noise_w) but is a function of the turn's
seed, so a turn's audio depends only on (text, seed). Both guarantees hold on one machine and onnxruntime
build; another CPU may round floats differently (as it may for espeak-ng's resampling through scipy).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from adapt_kernels.threads import ThreadBudget, available_cores

# One onnxruntime intra-op thread pool of at most 2 threads: the generator runs beside the service or tests.
NEURAL_THREADS = ThreadBudget(numba=1, blas=1, torch=min(2, available_cores()), ctranslate2_intra=1)
NOISE_SEED = "noise_seed"  # int64 (1,) input of the seeded Piper graph
_PRIME = 2_147_483_647  # 2^31 - 1: the hash's modulus (products of two residues stay below 2^62)
_INDEX_MULTIPLIER = 48_271
_ROUNDS = ((1_103_515_245, 12_345), (69_069, 1_013_904_223), (1_664_525, 374_761_393))  # (index mul, constant)


@dataclass(frozen=True, eq=False)
class NeuralClip:
    """One neural turn: float samples in [-1, 1] at the voice's rate (no word marks: the engines give none)."""

    samples: np.ndarray  # (n,) float32
    sample_rate: int  # Hz: Piper 22050, Kokoro 24000


def _hash_noise_nodes(like: str, output: str, seed: str, salt: int, prefix: str) -> list:
    """onnx NodeProtos writing standard-normal float32 noise shaped like tensor `like` to `output`: element k
    (1-based, row-major) is Box-Muller of two successive rounds of an integer hash of (k, seed + salt), each round
    h -> (h * h + k * a + c) mod (2^31 - 1) (int64 throughout: no product reaches 2^63 below 2^24 elements)."""
    from onnx import TensorProto, helper

    def name(suffix: str) -> str:
        return f"{prefix}/{suffix}"

    def const(suffix: str, value: int | float, dtype):
        tensor = helper.make_tensor(name(suffix), dtype, [], [value])
        return helper.make_node("Constant", [], [name(suffix)], value=tensor, name=name(suffix) + "_node")

    int64, float32 = TensorProto.INT64, TensorProto.FLOAT
    nodes = [
        helper.make_node("Shape", [like], [name("shape")], name=name("Shape")),
        helper.make_node("ConstantOfShape", [name("shape")], [name("ones")], name=name("Ones"),
                         value=helper.make_tensor(name("one"), int64, [1], [1])),
        helper.make_node("Constant", [], [name("flat_shape")], name=name("flat_shape_node"),
                         value=helper.make_tensor(name("flat_shape_value"), int64, [1], [-1])),
        helper.make_node("Reshape", [name("ones"), name("flat_shape")], [name("flat")], name=name("Flat")),
        const("axis", 0, int64),
        helper.make_node("CumSum", [name("flat"), name("axis")], [name("index")], name=name("Index")),
        const("prime", _PRIME, int64), const("salt", salt, int64), const("index_mul", _INDEX_MULTIPLIER, int64),
        helper.make_node("Add", [seed, name("salt")], [name("salted")], name=name("Salted")),
        helper.make_node("Mul", [name("index"), name("index_mul")], [name("h0_mul")], name=name("H0Mul")),
        helper.make_node("Add", [name("h0_mul"), name("salted")], [name("h0_add")], name=name("H0Add")),
        helper.make_node("Mod", [name("h0_add"), name("prime")], [name("h0")], name=name("H0")),
    ]
    current = name("h0")
    hashes = []
    for round_index, (multiplier, constant) in enumerate(_ROUNDS, start=1):
        r = f"h{round_index}"
        nodes += [
            const(f"{r}_mul_c", multiplier, int64), const(f"{r}_add_c", constant, int64),
            helper.make_node("Mul", [current, current], [name(f"{r}_sq")], name=name(f"{r}Sq")),
            helper.make_node("Mul", [name("index"), name(f"{r}_mul_c")], [name(f"{r}_ix")], name=name(f"{r}Ix")),
            helper.make_node("Add", [name(f"{r}_sq"), name(f"{r}_ix")], [name(f"{r}_s1")], name=name(f"{r}S1")),
            helper.make_node("Add", [name(f"{r}_s1"), name(f"{r}_add_c")], [name(f"{r}_s2")], name=name(f"{r}S2")),
            helper.make_node("Mod", [name(f"{r}_s2"), name("prime")], [name(r)], name=name(f"{r}Mod")),
        ]
        current = name(r)
        hashes.append(current)
    uniforms = []
    for which, source in (("u1", hashes[-2]), ("u2", hashes[-1])):  # two successive rounds: two uniforms
        nodes += [
            helper.make_node("Cast", [source], [name(f"{which}_f")], to=float32, name=name(f"{which}Cast")),
            const(f"{which}_half", 0.5, float32), const(f"{which}_scale", 1.0 / _PRIME, float32),
            helper.make_node("Add", [name(f"{which}_f"), name(f"{which}_half")], [name(f"{which}_h")],
                             name=name(f"{which}Half")),
            helper.make_node("Mul", [name(f"{which}_h"), name(f"{which}_scale")], [name(which)],
                             name=name(f"{which}Scale")),
        ]
        uniforms.append(name(which))
    nodes += [
        helper.make_node("Log", [uniforms[0]], [name("log")], name=name("Log")),
        const("minus_two", -2.0, float32), const("two_pi", 2.0 * np.pi, float32),
        helper.make_node("Mul", [name("log"), name("minus_two")], [name("radius2")], name=name("Radius2")),
        helper.make_node("Sqrt", [name("radius2")], [name("radius")], name=name("Radius")),
        helper.make_node("Mul", [uniforms[1], name("two_pi")], [name("angle")], name=name("Angle")),
        helper.make_node("Cos", [name("angle")], [name("cos")], name=name("Cos")),
        helper.make_node("Mul", [name("radius"), name("cos")], [name("normal")], name=name("Normal")),
        helper.make_node("Reshape", [name("normal"), name("shape")], [output], name=name("Shaped")),
    ]
    return nodes


def seeded_piper_graph(model_bytes: bytes) -> bytes:
    """Piper's serialized ONNX graph with every RandomNormalLike replaced by seeded hash noise read from the
    int64 (1,) input NOISE_SEED (module docstring). Raises ValueError when the graph has no such node."""
    import onnx
    from onnx import TensorProto, helper

    model = onnx.load_from_string(model_bytes)
    graph = model.graph
    kept, replaced = [], 0
    for node in graph.node:
        if node.op_type != "RandomNormalLike":
            kept.append(node)
            continue
        replaced += 1
        kept += _hash_noise_nodes(node.input[0], node.output[0], NOISE_SEED, salt=7919 * replaced,
                                  prefix=f"/seeded_noise_{replaced}")
    if not replaced:
        raise ValueError("the Piper graph has no RandomNormalLike node to seed: another export?")
    del graph.node[:]
    graph.node.extend(kept)
    graph.input.append(helper.make_tensor_value_info(NOISE_SEED, TensorProto.INT64, [1]))
    return model.SerializeToString()


class _SeededPiperModel:
    """Piper whose noise is a function of a seed: wraps tts.piper.PiperModel (its front-end and config) with a
    session of the seeded graph. `seeded(seed)` sets the seed of the next runs: run k of a turn uses seed + k."""

    def __init__(self, threads: ThreadBudget):
        from adapt_server.tts import piper
        from adapt_server.tts.runtime import create_session
        from adapt_server.tts.weights import read_verified

        self._piper = piper
        self.base = piper.PiperModel(threads)  # the verified config and front-end (its session goes unused)
        self.base.session = create_session(seeded_piper_graph(read_verified(piper.MODEL)), threads)
        self.seed = 0
        self.runs = 0

    def infer(self, ids: list[int], speed: float) -> np.ndarray:
        base = self.base
        if len(ids) <= 3:
            return np.zeros(0, np.float32)
        feeds = {"input": np.array([ids], dtype=np.int64),
                 "input_lengths": np.array([len(ids)], dtype=np.int64),
                 "scales": np.array([base.noise_scale, base.length_scale / speed, base.noise_w], dtype=np.float32),
                 NOISE_SEED: np.array([(self.seed + self.runs) % _PRIME], dtype=np.int64)}
        self.runs += 1
        audio = base.session.run(None, feeds)[0]
        return np.clip(np.asarray(audio, dtype=np.float32).reshape(-1), -1.0, 1.0)

    def phoneme_ids(self, text: str) -> list[int]:
        return self.base.phoneme_ids(text)


_lock = threading.Lock()  # loading
_speak_lock = threading.Lock()
_synthesizers: dict[str, object] = {}


def _synthesizer(voice_id: str):
    """The loaded synthesizer of a stock voice (models load on first use, once; Piper's graph seeded)."""
    with _lock:
        if voice_id not in _synthesizers:
            from adapt_server.tts import catalog, piper

            if voice_id == catalog.PIPER_JOE:
                model = _SeededPiperModel(NEURAL_THREADS)
                _synthesizers[voice_id] = (model, piper.PiperSynthesizer(model, catalog.stock_info(voice_id)))
            else:
                _synthesizers[voice_id] = (None, catalog.load_stock_voice(voice_id, NEURAL_THREADS))
        return _synthesizers[voice_id]


def synthesize_neural(text: str, voice_id: str, seed: int = 0) -> NeuralClip:
    """Speak `text` with the stock voice `voice_id` ("piper-joe", "kokoro-jf_alpha", ...): the same (text,
    voice, seed) gives the same samples on one machine (module docstring). `seed` sets Piper's noise; Kokoro
    has none. Unknown voice ids raise adapt_server.errors.NotFound."""
    model, synthesizer = _synthesizer(voice_id)
    with _speak_lock:  # one turn at a time: the seeded model's run counter belongs to the turn
        if model is not None:
            model.seed, model.runs = seed, 0
        samples = synthesizer.synthesize(text)
    return NeuralClip(np.asarray(samples, dtype=np.float32), synthesizer.info.sample_rate)
