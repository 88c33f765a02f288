"""The recogniser rewritten to run in fewer passes (readers/scan_graph.py) reads every
line of a committed scan as the wheel's own model does; the rewrite is kept by the
model's digest, and where it cannot be made (no onnx, an unknown graph, a cache that
cannot be written) the reader still reads, with the wheel's model or a model of its own."""

from __future__ import annotations

import logging
import sys
from collections import Counter
from pathlib import Path

import pytest

scan_engines = pytest.importorskip(
    "jixiao.readers.scan_engines", reason="the ocr extra is not installed (pip install '.[ocr]')"
)
if not scan_engines.available("rapidocr"):
    pytest.skip("the ocr extra is not installed (pip install '.[ocr]')", allow_module_level=True)
onnx = pytest.importorskip("onnx", reason="onnx (the ocr extra) is not installed")

import numpy as np  # noqa: E402
import onnxruntime  # noqa: E402
import rapidocr_onnxruntime  # noqa: E402
from onnx import TensorProto, helper  # noqa: E402

from jixiao.readers import scan, scan_graph, scan_image  # noqa: E402

SCAN = Path(__file__).resolve().parents[1] / "fixtures" / "scans" / "sample-national.jpg"
ORIGINAL = Path(rapidocr_onnxruntime.__file__).parent / "models" / "ch_PP-OCRv4_rec_infer.onnx"


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def _session(model: bytes | str):
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.log_severity_level = 3
    return onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"])


@pytest.fixture(scope="module")
def lines():
    """The committed scan's line images, as the scan reader cuts them."""
    [(_number, _count, rgb, _scale)] = list(scan._pages(SCAN.read_bytes(), SCAN.name))
    grey, _angle = scan_image.deskewed(scan_image.unsealed(rgb))
    grid = scan_image.find_grid(grey)
    assert grid is not None
    found = [image for image, _ in scan_image.outside_lines(grey, grid)]
    found += [image for cell in scan_image.cell_lines(grey, grid) for image, _ in cell]
    assert len(found) > 40
    return found


def test_the_rewritten_model_reads_every_line_as_the_wheels(lines):
    path = Path(scan_graph.model(ORIGINAL))
    assert path != ORIGINAL and path.is_file()
    ops = Counter(node.op_type for node in onnx.load(str(path)).graph.node)
    before = Counter(node.op_type for node in onnx.load(str(ORIGINAL)).graph.node)
    assert ops["Clip"] == 0 and before["Clip"] == 28  # every hard-swish shortened
    assert ops["HardSigmoid"] == before["HardSigmoid"] + 28
    assert ops["Mul"] + ops["Add"] < before["Mul"] + before["Add"] - 100  # affines folded
    engine = scan_engines.RapidEngine()
    wheel, rewritten = _session(str(ORIGINAL)), _session(str(path))
    for height in (engine.HEIGHT, engine.SECOND_HEIGHT):
        for line in lines:
            tensor = engine._tensor(line, height)
            a = wheel.run(None, {"x": tensor})[0][0]
            b = rewritten.run(None, {"x": tensor})[0][0]
            assert float(np.abs(a - b).max()) <= scan_graph.TOLERANCE
            assert engine._decoded(a).text == engine._decoded(b).text


def test_the_rewrite_is_kept_by_the_models_digest_and_version(monkeypatch):
    made = Path(scan_graph.model(ORIGINAL))
    assert made.parent == scan_graph._cache() and "jixiao1." in made.name
    stamp = made.stat().st_mtime_ns

    def no_rewrite(model: bytes) -> bytes:
        raise AssertionError("made again")

    monkeypatch.setattr(scan_graph, "rewritten", no_rewrite)
    assert scan_graph.model(ORIGINAL) == str(made)  # kept: not made again
    assert made.stat().st_mtime_ns == stamp
    assert not list(made.parent.glob("*.part"))  # written beside and renamed
    monkeypatch.setattr(scan_graph, "VERSION", 2)
    with pytest.raises(AssertionError, match="made again"):
        scan_graph.model(ORIGINAL)  # another rewrite: another name


def _relu_model(path: Path) -> Path:
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, None, None])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3, None, None])
    graph = helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "relu", [x], [y])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 12)])
    model.ir_version = 7
    onnx.save(model, str(path))
    return path


def test_a_graph_it_does_not_know_is_used_as_it_is(tmp_path, caplog):
    other = _relu_model(tmp_path / "relu.onnx")
    with pytest.raises(ValueError, match="no affine"):
        scan_graph.rewritten(other.read_bytes())
    with caplog.at_level(logging.WARNING, logger="jixiao.readers.scan_graph"):
        assert scan_graph.model(other) == str(other)
    assert "未改写" in caplog.text
    # and a model that reads otherwise is told apart from the wheel's
    assert scan_graph.checked(ORIGINAL.read_bytes(), ORIGINAL.read_bytes())
    assert not scan_graph.checked(ORIGINAL.read_bytes(), other.read_bytes())


def test_without_onnx_the_wheels_model_is_used(monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)  # `import onnx` raises ImportError
    assert scan_graph.model(ORIGINAL) == str(ORIGINAL)


def test_a_cache_that_cannot_be_written_still_gives_the_rewrite(tmp_path, monkeypatch):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    made = scan_graph.model(ORIGINAL)
    assert isinstance(made, bytes)  # kept in memory only: no file left behind
    assert Counter(n.op_type for n in onnx.load_from_string(made).graph.node)["Clip"] == 0
    assert _session(made).get_inputs()[0].name == "x"
