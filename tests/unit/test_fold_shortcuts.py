"""The shortcuts that spare the audit an NFKC per narrative piece give exactly
what folding gives: a text ``is_folded`` approves folds to itself, and so does
every piece of it; a narrative's letters are the same with full-width
punctuation dropped before folding; its claims are those of each number read
as a target, folded."""

import re
import sys
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.domain.audit import text as text_module
from jixiao.domain.audit.text import _NOT_LETTERS, _WIDE_PUNCTUATION, _letters
from jixiao.domain.normalize import _EXTRA, _FOLDED, fold, is_folded
from jixiao.domain.targets import comparator_before, parse_target

ALL = [chr(cp) for cp in range(sys.maxunicode + 1) if not 0xD800 <= cp <= 0xDFFF]
PLAIN = [c for c in ALL if _FOLDED.fullmatch(c)]
WIDE = [c for c in ALL if re.fullmatch(f"[{_WIDE_PUNCTUATION}]", c)]
# Characters around which folding is not character by character.
TRICKY = [
    "e",
    "\u0301",
    "\u0338",
    "<",
    "℃",
    "㎡",
    "ｱ",
    "ﾞ",
    "⻓",
    "１",
    "Ａ",
    "_",
    "＿",
    "가",
    "\u1161",
    "…",
]


def test_folded_characters_fold_to_themselves_and_compose_with_nothing():
    assert len(PLAIN) > 20000
    for c in PLAIN:
        assert unicodedata.normalize("NFKC", c) == c and ord(c) not in _EXTRA, hex(ord(c))
        assert unicodedata.combining(c) == 0 and not unicodedata.decomposition(c), hex(ord(c))
        assert unicodedata.is_normalized("NFC", "a" + c), hex(
            ord(c)
        )  # never composes with what precedes


def test_wide_punctuation_folds_to_characters_the_letters_drop():
    assert {"，", "；", "：", "（", "）", "％", "…", "\u3000"} <= set(WIDE)
    for c in WIDE:
        folded = unicodedata.normalize("NFKC", c)
        assert folded and _NOT_LETTERS.fullmatch(folded), hex(ord(c))
        assert all(unicodedata.combining(x) == 0 for x in folded), hex(ord(c))


plain_text = st.text(
    st.sampled_from(PLAIN[:200] + PLAIN[-200:] + list("，。、 0123456789%年个万元")), max_size=40
)
mixed_text = st.text(st.sampled_from(PLAIN[:100] + PLAIN[-100:] + WIDE + TRICKY), max_size=40)


@settings(max_examples=200)
@given(plain_text)
def test_every_piece_of_a_folded_text_is_folded(text):
    if is_folded(text):
        assert fold(text) == text
        for i in range(len(text)):
            assert fold(text[i:]) == text[i:] and fold(text[:i]) == text[:i]


@settings(max_examples=200)
@given(mixed_text)
def test_letters_are_those_of_the_folded_text(text):
    assert _letters(text) == re.sub(r"[\W_]+", "", fold(text))


# Clauses and numbers as first written, plainly: the audit's patterns are tuned for speed.
PLAIN_CLAUSES = re.compile(r"[，；。！？;!?\n]|(?<!\d),|,(?!\d)")
PLAIN_NUMBER = re.compile(r"(?<![\d.])\d+(?:,\d{3})*(?:\.\d+)?")


def claims_by_parsing_each_number(text):
    """What a narrative's claims are, by the definition: each number of a clause
    read as a target from where it starts, folded (no shortcut)."""
    out = []
    for clause in PLAIN_CLAUSES.split(text):
        for match in PLAIN_NUMBER.finditer(clause):
            start = match.start()
            parsed = parse_target(clause[start : match.end() + text_module._UNIT_REACH])
            if (
                (start and clause[start - 1] == "第")
                or not parsed.unit
                or (parsed.unit == "年" and parsed.value >= 1000)
            ):
                continue
            out.append(
                (
                    parsed.value,
                    parsed.unit,
                    parsed.op or comparator_before(clause[:start]),
                    clause.strip(),
                )
            )
    return out


narrative = st.lists(
    st.sampled_from(
        PLAIN[:50]
        + list("0123456789.,， ；。%％（）()年个万元天内以上不低于达到第ｋｍ\n!；")
        + ["万元", "以上", "不少于", "℃", "１２", "\u3000"]
    ),
    max_size=40,
).map("".join)


@settings(max_examples=200)
@given(narrative)
def test_claims_are_those_of_each_number_parsed_folded(text):
    found = [(c.value, c.unit, c.op, c.clause) for c in text_module.claims(text)]
    assert found == claims_by_parsing_each_number(text)
