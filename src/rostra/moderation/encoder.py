"""The sentence-encoder half of the toxicity score.

all-MiniLM-L6-v2 (exported to ONNX, int8 weights) reads the comment; its
mean- and max-pooled token vectors go through a small network (the head), and
that logit is blended with the linear model's (docs/MODEL.md). Serving needs
``onnxruntime`` and ``tokenizers``, never torch, and nothing is downloaded.

The ONNX session is opened lazily, on the first comment scored, once per
process, on one thread: the server's other work keeps the remaining cores.
Set ``ROSTRA_TOXICITY_ENCODER=0`` to score with the linear model alone.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from rostra.moderation.normalize import unmask_lookalikes

MODEL_DIR = Path(__file__).parent / "model"
ONNX_PATH = MODEL_DIR / "encoder.int8.onnx"
TOKENIZER_PATH = MODEL_DIR / "encoder_tokenizer.json"
HEAD_PATH = MODEL_DIR / "encoder_head.json"
ENV_SWITCH = "ROSTRA_TOXICITY_ENCODER"

FORMAT = "rostra-encoder-head-2"
MAX_TOKENS = 128


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _runtime_installed() -> bool:
    return all(importlib.util.find_spec(m) is not None for m in ("onnxruntime", "tokenizers"))


def switched_on() -> bool:
    return os.environ.get(ENV_SWITCH, "1").strip().lower() not in ("0", "false", "no", "off")


def enabled() -> bool:
    """Whether the shipped encoder is switched on, present and runnable."""
    if not switched_on():
        return False
    return (
        ONNX_PATH.exists()
        and TOKENIZER_PATH.exists()
        and HEAD_PATH.exists()
        and (_runtime_installed())
    )


@dataclass(frozen=True)
class Head:
    """A one-hidden-layer network over the pooled vector (input scaling folded
    into the first layer): logit = w2 . gelu(x @ w1 + b1) + b2."""

    w1: Any  # (dimensions, hidden) float32
    b1: Any  # (hidden,)
    w2: Any  # (hidden,)
    b2: float
    # blended logit = blend * encoder logit + (1 - blend) * linear logit
    blend: float
    max_tokens: int
    meta: dict[str, Any]


def pack(array: Any) -> dict[str, Any]:
    """A float32 array as JSON: shape plus base64 of its little-endian bytes."""
    import numpy as np

    data = np.ascontiguousarray(array, dtype="<f4")
    return {"shape": list(data.shape), "f32": base64.b64encode(data.tobytes()).decode("ascii")}


def unpack(packed: dict[str, Any]) -> Any:
    import numpy as np

    raw = base64.b64decode(packed["f32"])
    return np.frombuffer(raw, dtype="<f4").reshape(packed["shape"]).astype(np.float32)


def load_head(path: Path = HEAD_PATH) -> Head:
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != FORMAT:
        raise ValueError(f"{path}: not a {FORMAT} file")
    arrays = ("w1", "b1", "w2", "b2", "blend")
    return Head(
        unpack(data["w1"]),
        unpack(data["b1"]),
        unpack(data["w2"]),
        float(data["b2"]),
        float(data["blend"]),
        int(data.get("max_tokens", MAX_TOKENS)),
        {k: v for k, v in data.items() if k not in arrays},
    )


def head_logits(vectors: Any, w1: Any, b1: Any, w2: Any, b2: float) -> Any:
    """The head over pooled vectors: w2 . gelu(x @ w1 + b1) + b2, one logit per row.

    Serving and training both score through here, so what is trained is what runs.
    """
    import numpy as np

    return gelu(vectors @ w1 + b1).astype(np.float64) @ w2 + b2


def gelu(x: Any) -> Any:
    """The tanh form of GELU, as the head was trained with."""
    import numpy as np

    return 0.5 * x * (1.0 + np.tanh(0.7978845608028654 * (x + 0.044715 * x**3)))


class Encoder:
    """Comment -> encoder logit."""

    def __init__(
        self,
        onnx_path: Path = ONNX_PATH,
        tokenizer_path: Path = TOKENIZER_PATH,
        head: Head | None = None,
    ) -> None:
        import numpy as np
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = ort.InferenceSession(
            str(onnx_path), options, providers=["CPUExecutionProvider"]
        )
        self.head = head
        max_tokens = head.max_tokens if head is not None else MAX_TOKENS
        tokenizer = Tokenizer.from_file(str(tokenizer_path))
        tokenizer.enable_truncation(max_tokens)
        tokenizer.no_padding()
        self._tokenizer = tokenizer
        self._np = np
        # One ONNX session serves every thread, one run at a time: it is
        # pinned to one core anyway.
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> Any:
        """Pooled vectors (mean then max over tokens), one row per text.

        Each comment runs alone, unpadded: the int8 graph quantises its
        activations with a scale taken over the whole input, so a batch would
        make a comment's score depend on its neighbours. On one thread
        batching was no faster anyway (length-sorted batches of 32: ~250/s,
        one at a time: ~250/s).
        """
        np = self._np
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        encode = self._tokenizer.encode  # encode_batch would start a thread pool
        for k, text in enumerate(texts):
            # The encoder reads the comment as written, but for look-alike
            # letters inside Latin words, which its word pieces do not cover.
            ids = np.asarray([encode(unmask_lookalikes(text)).ids], dtype=np.int64)
            with self._lock:
                pooled = self._session.run(
                    None, {"input_ids": ids, "attention_mask": np.ones_like(ids)}
                )[0]
            out[k] = pooled[0]
        return out

    @property
    def dimensions(self) -> int:
        return int(self._session.get_outputs()[0].shape[1] or 768)

    def logits(self, texts: Sequence[str]) -> list[float]:
        head = self.head
        assert head is not None
        return head_logits(self.embed(texts), head.w1, head.b1, head.w2, head.b2).tolist()

    def logit(self, text: str) -> float:
        return self.logits([text])[0]


def blend(encoder_logit: float, linear_logit: float, weight: float) -> float:
    return weight * encoder_logit + (1.0 - weight) * linear_logit


@cache
def shipped_head() -> Head:
    return load_head(HEAD_PATH)


_OPENING = threading.Lock()


@cache
def _open_shipped() -> Encoder:
    return Encoder(ONNX_PATH, TOKENIZER_PATH, shipped_head())


def forget_shipped_session() -> None:
    """In a forked process: open a session of its own rather than share the parent's."""
    _open_shipped.cache_clear()


def shipped_encoder() -> Encoder:
    """Opened on first use, once per process (about half a second)."""
    with _OPENING:  # two first comments at once must not open two sessions
        return _open_shipped()
