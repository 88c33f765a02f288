"""OCR engines behind one small interface: text lines in, text and confidence out.

The scan reader (:mod:`jixiao.readers.scan`) cuts a page into its cells and each
cell into its lines of text; an engine only recognises those lines. Two engines
were measured (docs/architecture.md, "Reading scans"):

* ``rapidocr``: PaddleOCR's PP-OCRv4 Chinese recogniser as ONNX, run by
  onnxruntime; the models ship inside the ``rapidocr-onnxruntime`` wheel (the
  ``ocr`` extra), nothing is fetched at run time. The default.
* ``tesseract``: Debian's ``tesseract-ocr`` with ``tesseract-ocr-chi-sim``, run
  as a program once a page (the page's lines stacked into one image).

``JIXIAO_OCR_ENGINE`` picks one by name; :func:`engine` gives the first that is
installed. A line's result is its text and one confidence (0…1) per
character, so a reader can tell which digit of a figure is in doubt.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

import numpy as np

ENGINES = ("rapidocr", "tesseract")


@dataclass(frozen=True, slots=True)
class Reading:
    """One line's text as an engine read it, and each character's confidence (0…1)."""

    text: str
    confidences: tuple[float, ...]

    @property
    def confidence(self) -> float:
        return min(self.confidences, default=1.0)


class Engine(Protocol):
    name: str

    def recognise(self, lines: list[np.ndarray], second: bool = False) -> list[Reading]:
        """Each grey line image's text, in order. The first reading is the quick one;
        ``second`` reads lines again at another (larger) scale, which an engine reads
        more surely and may read another way (the reader takes it for the text and
        the first as the second opinion)."""
        ...


class Unavailable(Exception):
    """No OCR engine installed: the message says how to add one."""


HOW_TO_ADD = (
    "安装文字识别（OCR）组件：pip install 'jixiao[ocr]'（RapidOCR，模型随包安装，离线可用）"
)


def _threads() -> int:
    return int(os.environ.get("JIXIAO_OCR_THREADS") or 0) or min(4, os.cpu_count() or 1)


class RapidEngine:
    """PP-OCRv4's Chinese recogniser from the rapidocr-onnxruntime wheel, run by
    onnxruntime directly (no detector: the grid gives the lines; one line a run,
    which costs least: no padding to the widest line of a batch)."""

    name = "rapidocr"
    HEIGHT = 32
    """Pixels a line is scaled to for the first (quick) reading: a 200 dpi scan's line
    is about 28 px high, so 32 loses little and costs about (32/48)² of 48."""
    SECOND_HEIGHT = 40
    """The second reading's, of the lines in doubt: as many fields right as at 48, the
    height the model was trained at, for two thirds of its cost (docs/benchmarks.md)."""

    def __init__(self) -> None:
        import onnxruntime
        import rapidocr_onnxruntime

        from jixiao.readers import scan_graph

        original = (
            Path(rapidocr_onnxruntime.__file__).parent / "models" / "ch_PP-OCRv4_rec_infer.onnx"
        )
        model = scan_graph.model(original)  # the same figures in fewer passes
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = _threads()
        options.inter_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        options.log_severity_level = 3
        self._session = onnxruntime.InferenceSession(
            model, options, providers=["CPUExecutionProvider"]
        )
        self._input = self._session.get_inputs()[0].name
        characters = self._session.get_modelmeta().custom_metadata_map["character"].splitlines()
        self._characters = ["", *characters, " "]  # CTC's blank first, a space last
        self._lock = threading.Lock()  # one run at a time (its threads are the cores)

    def _tensor(self, line: np.ndarray, height: int) -> np.ndarray:
        import cv2

        h, w = line.shape[:2]
        width = max(height, min(3200, round(w * height / h)))
        resized = cv2.resize(line, (width, height), interpolation=cv2.INTER_AREA)
        normed = resized.astype(np.float32) / 127.5 - 1.0
        return np.broadcast_to(normed, (1, 3, height, width)).copy()

    def recognise(self, lines: list[np.ndarray], second: bool = False) -> list[Reading]:
        out = []
        height = self.SECOND_HEIGHT if second else self.HEIGHT
        with self._lock:
            for line in lines:
                tensor = self._tensor(line, height)
                probabilities = self._session.run(None, {self._input: tensor})[0][0]
                out.append(self._decoded(probabilities))
        return out

    def _decoded(self, probabilities: np.ndarray) -> Reading:
        """CTC: the best class at each step, repeats and blanks dropped; a
        character's confidence is its step's probability."""
        best = probabilities.argmax(axis=1)
        keep = np.ones(len(best), dtype=bool)
        keep[1:] = best[1:] != best[:-1]
        keep &= best != 0
        text = "".join(self._characters[i] for i in best[keep])
        confidences = tuple(float(p) for p in probabilities.max(axis=1)[keep])
        return Reading(text, confidences)


class TesseractEngine:
    """Debian's tesseract (chi_sim), once a page: the lines stacked into one image,
    read with one line per stripe (``--psm 6``) and told apart by their place."""

    name = "tesseract"
    GAP = 24

    def __init__(self) -> None:
        program = shutil.which("tesseract")
        if program is None:
            raise Unavailable("tesseract 未安装")
        self._program = program

    def recognise(self, lines: list[np.ndarray], second: bool = False) -> list[Reading]:
        if not lines:
            return []
        import cv2

        height = 64 if second else 48
        scaled = [
            cv2.resize(line, (max(1, round(line.shape[1] * height / line.shape[0])), height))
            for line in lines
        ]
        width = max(s.shape[1] for s in scaled) + 2 * self.GAP
        sheet = np.full((len(scaled) * (height + self.GAP) + self.GAP, width), 255, np.uint8)
        for n, s in enumerate(scaled):
            top = self.GAP + n * (height + self.GAP)
            sheet[top : top + height, self.GAP : self.GAP + s.shape[1]] = s
        with tempfile.TemporaryDirectory() as folder:
            image = Path(folder) / "lines.png"
            cv2.imwrite(str(image), sheet)
            done = subprocess.run(
                [self._program, str(image), "stdout", "-l", "chi_sim", "--psm", "6", "tsv"],
                capture_output=True,
                text=True,
                check=False,
                env={**os.environ, "OMP_THREAD_LIMIT": "1"},
            )
        words: list[list[tuple[int, str, float]]] = [[] for _ in lines]
        for row in done.stdout.splitlines()[1:]:
            parts = row.split("\t")
            if len(parts) < 12 or parts[0] != "5" or not parts[11].strip():
                continue
            left, top, h = int(parts[6]), int(parts[7]), int(parts[9])
            n = (top + h // 2 - self.GAP // 2) // (height + self.GAP)
            if 0 <= n < len(lines):
                words[n].append((left, parts[11].strip(), max(0.0, float(parts[10])) / 100))
        out = []
        for found in words:
            found.sort()
            text = "".join(w for _, w, _ in found)
            confidences = tuple(c for _, w, c in found for _ in w)
            out.append(Reading(text, confidences))
        return out


_MADE: dict[str, Engine] = {}
_MAKING = threading.Lock()


def engine(name: str | None = None) -> Engine:
    """The engine named (or by ``JIXIAO_OCR_ENGINE``), else the first installed;
    :class:`Unavailable` when none is."""
    name = name or os.environ.get("JIXIAO_OCR_ENGINE") or None
    if name is not None and name not in ENGINES:
        raise ValueError(f"OCR engine {name!r}: one of {ENGINES}")
    with _MAKING:
        for candidate in (name,) if name else ENGINES:
            if candidate in _MADE:
                return _MADE[candidate]
            if candidate == "rapidocr" and available("rapidocr"):
                _MADE[candidate] = RapidEngine()
                return _MADE[candidate]
            if candidate == "tesseract" and available("tesseract"):
                _MADE[candidate] = TesseractEngine()
                return _MADE[candidate]
    raise Unavailable(HOW_TO_ADD)


@cache
def available(name: str) -> bool:
    """Whether the engine is installed (without loading its models)."""
    if name == "rapidocr":
        from importlib.util import find_spec

        return all(find_spec(m) is not None for m in ("rapidocr_onnxruntime", "onnxruntime", "cv2"))
    if name == "tesseract":
        if shutil.which("tesseract") is None:
            return False
        done = subprocess.run(
            ["tesseract", "--list-langs"], capture_output=True, text=True, check=False
        )
        return "chi_sim" in done.stdout.split()
    return False
