"""Ingest: text checks and article records, each failure naming its input."""

from __future__ import annotations

from datetime import date

import pytest

import detente
from detente.errors import InputError
from detente.text import decode, looks_english, make_article


def test_date_header_becomes_the_publication_date():
    article = make_article(" date 2023-11-16 The minister spoke.")
    assert article.published == date(2023, 11, 16)
    assert article.text == "The minister spoke."


def test_explicit_date_wins_over_header():
    article = make_article("date 2023-11-16 Text here.", published="2024-01-02")
    assert article.published == date(2024, 1, 2)


def test_article_id_is_stable_and_url_based_when_known():
    a = make_article("Same text.")
    b = make_article("Same text.")
    c = make_article("Same text.", url="https://example.org/a")
    assert a.id == b.id != c.id


@pytest.mark.parametrize(
    ("text", "reason"),
    [("", "empty text"), ("  \n\t ", "empty text"), ("x" * 50, "over the limit")],
)
def test_bad_text_names_the_item(text, reason):
    with pytest.raises(InputError) as info:
        make_article(text, item="doc-7", max_chars=40)
    assert info.value.item == "doc-7" and reason in str(info.value)


def test_bad_date():
    with pytest.raises(InputError, match="not YYYY-MM-DD"):
        make_article("Text.", published="yesterday")


def test_decode_rejects_binary_and_non_utf8():
    with pytest.raises(InputError, match="binary"):
        decode(b"\x00\x01\x02abc", "a.bin")
    with pytest.raises(InputError, match="UTF-8"):
        decode("café".encode("latin-1"), "a.txt")
    assert decode("café".encode(), "ok.txt") == "café"


def test_language_check():
    assert looks_english("The minister said that the talks with the envoy were useful.")
    assert not looks_english(
        "El ministro dijo que las conversaciones con el enviado fueron útiles."
    )


def test_library_code_raises_for_empty_text(coder):
    with pytest.raises(detente.InputError):
        detente.code("   ", coder=coder)


def test_library_code_returns_asserted_events_by_default(coder):
    events = detente.code(
        "Russia did not condemn Hamas. Egypt hosted Qatari mediators.", coder=coder
    )
    assert [e.modality for e in events] == ["asserted"]
    assert events[0].cameo.code == "043"
