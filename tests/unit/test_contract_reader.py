"""The JSON contract read back into the model: round trip and clear errors."""

from __future__ import annotations

import pytest

from jixiao import samples
from jixiao.contract.json import evaluation_dict, evaluation_from_dict
from jixiao.readers import ReadError, read_path


@pytest.mark.parametrize("path", samples.paths(), ids=lambda p: p.name)
def test_round_trip_of_the_samples(path):
    for form in read_path(path):
        data = evaluation_dict(form)
        back = evaluation_from_dict(data)
        assert evaluation_dict(back) == data
        assert back == form


def _sample() -> dict:
    return evaluation_dict(read_path(samples.paths()[0])[0])


@pytest.mark.parametrize(
    "path, value, message",
    [
        (("total",), 97.85, "字符串"),
        (("funding", "executed"), "九万", "不是数字"),
        (("indicators", 2, "score"), "NaN", "不是数字"),
        (("funding", "unit"), "千元", "万元 或 元"),
        (("year",), "2023", "整数"),
        (("project", "name"), 5, "文字"),
        (("evaluated_on",), "2021年5月20日", "YYYY-MM-DD"),
    ],
)
def test_wrong_values_name_their_field(path, value, message):
    data = _sample()
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(ReadError) as error:
        evaluation_from_dict(data, "上传.json")
    text = str(error.value)
    assert "上传.json" in text and message in text
    field = ".".join(str(k) for k in path).replace(".2.", "[2].")
    assert field in text


def test_missing_template_is_an_error():
    with pytest.raises(ReadError, match="模板"):
        evaluation_from_dict({"year": 2023})
