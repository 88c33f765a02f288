"""PP-OCRv4's recogniser rewritten to run in fewer passes: the same figures, a fifth faster.

The recogniser's backbone (PP-LCNetV3) follows each convolution with a learnable
affine (``a·x + b``, two scalars), a hard-swish spelled out as four elementwise
operators (``x · clip(x + 3, 0, 6) / 6``) and another affine before the next
convolution. onnxruntime runs each operator as a pass of its own over the feature
map: a third of the recogniser's time (docs/benchmarks.md, "Scans"). Rewritten here,
each step exact algebra:

* an affine right after a convolution goes into its weights and bias
  (``a·(W∗x + B) + b = (a·W)∗x + (a·B + b)``);
* a hard-swish becomes ``x · HardSigmoid(x)`` (α = 1/6, β = ½): two passes, not four;
* an affine right before a convolution: its scale into the weights, its shift into
  the bias where the convolution pads nothing (``W∗(s·x + t) = (s·W)∗x + t·ΣW``);
  before one that pads, ``s·x + t = s·(x + t/s)`` keeps one Add (the border sees
  zeros either way).

The rewrite needs the ``onnx`` package (the ``ocr`` extra) and is made once: the
model is kept in the user's cache (``$XDG_CACHE_HOME/jixiao``), named by the
wheel's model's digest and :data:`VERSION`, and checked against the original on a
line before it is kept (:func:`checked`). Without ``onnx``, or where the graph is
not the one expected, the wheel's model is used as it is.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

VERSION = 1
"""Bumped when the rewrite changes, so a model kept by an older one is not used."""
TOLERANCE = 2e-3
"""A character's probability may differ from the original model's by at most this."""


def model(original: Path) -> str | bytes:
    """The rewritten model for onnxruntime: the path it is kept at, made (and checked)
    if it is not kept yet, or its bytes where it cannot be kept; the original's path
    where it cannot be made."""
    wheels = original.read_bytes()
    digest = hashlib.sha256(wheels).hexdigest()[:16]
    kept = _cache() / f"{original.stem}.jixiao{VERSION}.{digest}.onnx"
    if kept.is_file():
        return str(kept)
    try:
        data = rewritten(wheels)
    except ImportError:
        log.info("onnx 未安装：文字识别用原模型（pip install 'jixiao[ocr]' 可快约五分之一）")
        return str(original)
    except ValueError as error:  # not the graph this rewrite knows
        log.warning("识别模型未改写（%s），用原模型", error)
        return str(original)
    if not checked(wheels, data):
        log.warning("改写后的识别模型与原模型结果不一致，用原模型")
        return str(original)
    try:
        kept.parent.mkdir(parents=True, exist_ok=True)
        # written beside and renamed: another process never reads half a model
        with tempfile.NamedTemporaryFile(dir=kept.parent, suffix=".part", delete=False) as file:
            file.write(data)
        os.replace(file.name, kept)
    except OSError as error:  # a read-only home: made again by the next process
        log.info("识别模型缓存不可写（%s），改写的模型只在内存中", error)
        return data
    return str(kept)


def _cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:  # no home (a service account): the temporary folder
            base = tempfile.gettempdir()
    return Path(base) / "jixiao"


def checked(original: bytes, data: bytes) -> bool:
    """Whether the rewritten model gives the original's probabilities (within
    :data:`TOLERANCE`) on a made-up line at the heights the reader uses (32, 40) and
    the one the model was trained at (48)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.log_severity_level = 3
    sessions = [
        onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"])
        for model in (original, data)
    ]
    rng = np.random.default_rng(7)
    for height in (32, 40, 48):
        line = np.full((height, height * 8), 1.0, np.float32)
        for x in range(8, height * 8 - 8, height // 2):  # dark strokes on white, like a line
            line[height // 4 : -height // 4, x : x + max(2, height // 10)] = -1.0
        line += rng.normal(0, 0.05, line.shape).astype(np.float32)
        tensor = np.broadcast_to(line, (1, 3, *line.shape)).copy()
        a, b = (s.run(None, {s.get_inputs()[0].name: tensor})[0] for s in sessions)
        if a.shape != b.shape or float(np.abs(a - b).max()) > TOLERANCE:
            return False
    return True


def rewritten(model: bytes) -> bytes:
    """The model with the affines folded and the hard-swishes shortened (see the
    module's docstring); ValueError where none of it applies."""
    import onnx
    from onnx import helper, numpy_helper

    proto = onnx.load_from_string(model)
    graph = Graph(proto.graph, numpy_helper)
    folded = graph.fold_affines_after_convs()
    shortened = graph.shorten_hard_swishes(helper)
    folded += graph.fold_affines_before_convs()
    if not (folded and shortened):
        raise ValueError("no affine after a convolution or no hard-swish found")
    log.info("识别模型改写：%d 个仿射并入卷积，%d 个 hard-swish 缩短", folded, shortened)
    used = {name for node in graph.nodes for name in node.input}
    initialisers = [
        numpy_helper.from_array(np.asarray(value), name)
        for name, value in graph.constants.items()
        if name in used
    ]
    out = helper.make_graph(
        graph.nodes, proto.graph.name, proto.graph.input, proto.graph.output, initialisers
    )
    made = helper.make_model(out, opset_imports=proto.opset_import, producer_name="jixiao")
    made.ir_version = proto.ir_version
    for prop in proto.metadata_props:  # the character list the engine reads
        made.metadata_props.add(key=prop.key, value=prop.value)
    onnx.checker.check_model(made)
    return bytes(made.SerializeToString())


class Graph:
    """The model's operators (Constant nodes taken out into :attr:`constants`) and
    the rewrites over them; a node taken out is kept in :attr:`_gone` until the
    list is rebuilt."""

    def __init__(self, graph: Any, numpy_helper: Any) -> None:
        self.constants: dict[str, np.ndarray] = {}
        for node in graph.node:
            if node.op_type == "Constant":
                self.constants[node.output[0]] = numpy_helper.to_array(node.attribute[0].t)
        for initialiser in graph.initializer:
            self.constants[initialiser.name] = numpy_helper.to_array(initialiser)
        self.nodes: list[Any] = [node for node in graph.node if node.op_type != "Constant"]
        self.outputs = {output.name for output in graph.output}
        self._gone: list[Any] = []  # kept alive: an id is not reused while it is looked up

    # --- looking --------------------------------------------------------------------

    def users(self) -> dict[str, list[Any]]:
        found: dict[str, list[Any]] = defaultdict(list)
        for node in self.nodes:
            for name in node.input:
                found[name].append(node)
        return found

    def scalar(self, name: str) -> float | None:
        value = self.constants.get(name)
        return None if value is None or value.size != 1 else float(value.ravel()[0])

    def sole_user(self, name: str, users: dict[str, list[Any]], op: str) -> Any | None:
        """The one node reading ``name`` if it is an ``op`` (and ``name`` no output)."""
        if name in self.outputs or len(users[name]) != 1 or users[name][0].op_type != op:
            return None
        return users[name][0]

    def _other(self, node: Any, name: str) -> str | None:
        rest = [n for n in node.input if n != name]
        return rest[0] if len(rest) == 1 else None

    def affine(
        self, name: str, users: dict[str, list[Any]]
    ) -> tuple[Any, Any, float, float] | None:
        """``name`` → Mul(a) → Add(b), each with a scalar and read by nothing else."""
        mul = self.sole_user(name, users, "Mul")
        a = None if mul is None else self.scalar(self._other(mul, name) or "")
        if mul is None or a is None:
            return None
        add = self.sole_user(mul.output[0], users, "Add")
        b = None if add is None else self.scalar(self._other(add, mul.output[0]) or "")
        if add is None or b is None:
            return None
        return mul, add, a, b

    # --- changing -------------------------------------------------------------------

    def _drop(self, *nodes: Any) -> None:
        self._gone += nodes

    def _rebuild(self, replaced: dict[int, list[Any]] | None = None) -> None:
        gone = {id(node) for node in self._gone}
        replaced = replaced or {}
        out: list[Any] = []
        for node in self.nodes:
            if id(node) in replaced:
                out += replaced[id(node)]
            elif id(node) not in gone:
                out.append(node)
        self.nodes = out

    def _reads_instead(self, old: str, new: str) -> None:
        for node in self.nodes:
            for n, name in enumerate(node.input):
                if name == old:
                    node.input[n] = new

    def _weights(self, conv: Any) -> tuple[np.ndarray, np.ndarray]:
        weights = self.constants[conv.input[1]].astype(np.float32)
        if len(conv.input) > 2:
            return weights, self.constants[conv.input[2]].astype(np.float32)
        return weights, np.zeros(weights.shape[0], np.float32)

    def _set_weights(self, conv: Any, weights: np.ndarray, bias: np.ndarray) -> None:
        w, b = conv.output[0] + ".jixiao.w", conv.output[0] + ".jixiao.b"
        self.constants[w], self.constants[b] = weights.astype(np.float32), bias.astype(np.float32)
        source = conv.input[0]
        del conv.input[:]
        conv.input.extend([source, w, b])

    def fold_affines_after_convs(self) -> int:
        users, count = self.users(), 0
        for conv in self.nodes:
            found = self.affine(conv.output[0], users) if conv.op_type == "Conv" else None
            if found is None:
                continue
            mul, add, a, b = found
            weights, bias = self._weights(conv)
            self._set_weights(conv, weights * a, bias * a + b)
            self._drop(mul, add)
            self._reads_instead(add.output[0], conv.output[0])
            count += 1
        self._rebuild()
        return count

    def shorten_hard_swishes(self, helper: Any) -> int:
        """Add(x, 3) → Clip(0, 6) → Mul(x, ·) → Div(6)  ⇒  Mul(x, HardSigmoid(x))."""
        users, replaced = self.users(), {}
        for add in self.nodes:
            if add.op_type != "Add" or len(add.input) != 2:
                continue
            x = next((n for n in add.input if self.scalar(n) != 3.0), None)
            if x is None or self.scalar(self._other(add, x) or "") != 3.0:
                continue
            clip = self.sole_user(add.output[0], users, "Clip")
            if clip is None or len(clip.input) != 3:
                continue
            if (self.scalar(clip.input[1]), self.scalar(clip.input[2])) != (0.0, 6.0):
                continue
            mul = self.sole_user(clip.output[0], users, "Mul")
            if mul is None or set(mul.input) != {x, clip.output[0]}:
                continue
            div = self.sole_user(mul.output[0], users, "Div")
            if div is None or div.input[0] != mul.output[0] or self.scalar(div.input[1]) != 6.0:
                continue
            gate = div.output[0] + ".jixiao.gate"
            replaced[id(add)] = [
                helper.make_node("HardSigmoid", [x], [gate], alpha=1 / 6, beta=0.5),
                helper.make_node("Mul", [x, gate], [div.output[0]]),
            ]
            self._drop(clip, mul, div)
        self._rebuild(replaced)
        return len(replaced)

    def fold_affines_before_convs(self) -> int:
        users, count = self.users(), 0
        for node in list(self.nodes):
            x = node.output[0] if node.output else ""
            found = self.affine(x, users)
            conv = None if found is None else self.sole_user(found[1].output[0], users, "Conv")
            if found is None or conv is None or found[2] == 0:
                continue
            mul, add, s, t = found
            weights, bias = self._weights(conv)
            pads = next((list(a.ints) for a in conv.attribute if a.name == "pads"), [])
            if any(pads):
                self._set_weights(conv, weights * s, bias)
                shift = add.output[0] + ".jixiao.t"
                self.constants[shift] = np.array([t / s], np.float32)
                del add.input[:]
                add.input.extend([x, shift])
                self._drop(mul)
            else:
                self._set_weights(conv, weights * s, bias + t * weights.sum(axis=(1, 2, 3)))
                self._drop(mul, add)
                self._reads_instead(add.output[0], x)
            count += 1
        self._rebuild()
        return count
