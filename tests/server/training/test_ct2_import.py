"""Golden test: the CTranslate2 tiny.en read into torch decodes token for token like CTranslate2 itself."""
import ctranslate2
import numpy as np
import pytest
import torch

from adapt_server.errors import FailedPrecondition
from adapt_server.training.ct2_format import InvalidCt2Model, read_ct2_model
from adapt_server.training.ct2_import import import_base_model
from adapt_server.training.features import training_features
from adapt_server.training.labels import special_tokens
from testkit.decoding import greedy_decode


def test_model_bin_variables_and_alias(base_model_dir):
    ct2 = read_ct2_model(base_model_dir / "model.bin")
    assert ct2.spec_name == "WhisperSpec"
    assert ct2.aliases["decoder/projection/weight"] == "decoder/embeddings/weight"
    assert ct2.get("decoder/projection/weight") is ct2.variables["decoder/embeddings/weight"]
    assert ct2.get("encoder/layer_0/self_attention/linear_0/weight").shape == (1152, 384)  # fused Q/K/V


def test_truncated_model_bin_is_refused(base_model_dir, tmp_path):
    broken = tmp_path / "model.bin"
    broken.write_bytes((base_model_dir / "model.bin").read_bytes()[:5000])
    with pytest.raises(InvalidCt2Model, match="truncated"):
        read_ct2_model(broken)


def test_imported_weights_match_the_fused_ct2_tensors(imported, base_model_dir):
    ct2 = read_ct2_model(base_model_dir / "model.bin")
    state = imported.model.state_dict()
    fused = ct2.get("decoder/layer_2/self_attention/linear_0/weight").astype(np.float32)
    assert np.array_equal(state["model.decoder.layers.2.self_attn.v_proj.weight"].numpy(), fused[768:1152])
    cross = ct2.get("decoder/layer_1/attention/linear_1/weight").astype(np.float32)
    assert np.array_equal(state["model.decoder.layers.1.encoder_attn.k_proj.weight"].numpy(), cross[:384])
    assert imported.model.proj_out.weight.data_ptr() == imported.model.model.decoder.embed_tokens.weight.data_ptr()
    assert imported.source_format == "ctranslate2" and imported.alignment_heads[0] == [1, 0]


def test_greedy_tokens_identical_to_ctranslate2(imported, base_model_dir, speech_clip, call_items):
    clips = [speech_clip[0], call_items[1][1][0]]
    features = np.stack([training_features(clip) for clip in clips])
    tokens = special_tokens(imported.tokenizer, multilingual=False)
    prompt = [tokens.sot, tokens.no_timestamps]
    ours = greedy_decode(imported.model, torch.from_numpy(features), prompt, imported.suppress_tokens,
                         imported.begin_suppress_tokens, tokens.eot, max_new_tokens=100,
                         timestamp_begin=tokens.timestamp_begin)
    reference = ctranslate2.models.Whisper(str(base_model_dir), compute_type="float32", intra_threads=2)
    results = reference.generate(ctranslate2.StorageView.from_array(features), [prompt] * len(clips),
                                 beam_size=1, max_length=len(prompt) + 100)
    assert ours == [result.sequences_ids[0] for result in results]
    assert len(ours[0]) > 5
    text = imported.tokenizer.decode(ours[0]).lower()
    assert any(word in text for word in speech_clip[1].lower().split()[:5])


def test_a_directory_that_is_no_model_is_a_failed_precondition(tmp_path):
    with pytest.raises(FailedPrecondition, match="neither a CTranslate2 model"):
        import_base_model(tmp_path)
