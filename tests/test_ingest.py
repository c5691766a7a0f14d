"""Ingest: text checks and article records, each failure naming its input."""

from __future__ import annotations

from datetime import date, datetime

import pytest

import detente
from detente.errors import InputError
from detente.text import decode, looks_english, make_article, paragraphs, parse_published


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
    with pytest.raises(InputError, match="not a date") as info:
        make_article("Text.", item="row-4", published="yesterday")
    assert info.value.item == "row-4"


@pytest.mark.parametrize(
    "value",
    [
        "2024-03-05",
        "2024-03-05T23:30:00-05:00",  # the publisher's day, not the UTC one
        "2024-03-05T10:00:00Z",
        "2024-03-05 10:00:00+01:00",
        "Tue, 05 Mar 2024 23:00:00 -0500",
        "05 Mar 2024 08:00:00 GMT",
        1709632800,  # epoch seconds
        "1709632800",
        1709632800123,  # epoch milliseconds
        1709632800.5,
        datetime(2024, 3, 5, 8),
    ],
)
def test_publication_dates_in_feed_and_json_forms(value):
    assert parse_published(value) == date(2024, 3, 5)
    assert make_article("Text.", published=value).published == date(2024, 3, 5)


@pytest.mark.parametrize("value", ["yesterday", "2024-13-01", "5/3/24", True, [2024], 10**15])
def test_unreadable_dates_are_errors(value):
    with pytest.raises(ValueError):
        parse_published(value)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("NAIROBI, March 5, 2024 (Reuters) - Kenya hosted the talks.", date(2024, 3, 5)),
        ("Kyiv, Ukraine, 5 Mar. 2024 — Shelling resumed.", date(2024, 3, 5)),
        ("WASHINGTON (AP) — Sept. 30, 2023: The envoy left.", date(2023, 9, 30)),
        ("LIMA 2024-01-09 – Peru recalled its envoy.", date(2024, 1, 9)),
        # a year or a date in the body is never the publication date
        ("The 1995 peace accord was revived on Monday.", None),
        ("He said on March 5, 2024 - that talks failed.", None),
        ("Talks resumed. NAIROBI, March 5, 2024 - more text.", None),
        ("KYIV, March 5 (Reuters) - no year in this dateline.", None),
    ],
)
def test_publication_date_from_a_dateline_only(text, day):
    assert make_article(text).published == day


def test_precedence_metadata_header_dateline_fallback():
    text = "PARIS, June 2, 2022 - France spoke."
    fallback = date(2020, 1, 1)
    assert make_article(text, published="2021-05-05").published == date(2021, 5, 5)
    assert make_article(text, fallback_published=fallback).published == date(2022, 6, 2)
    assert make_article("date 2019-04-04 " + text).published == date(2019, 4, 4)
    assert make_article("France spoke.", fallback_published=fallback).published == fallback
    assert make_article("France spoke in 1995.").published is None


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


def test_long_runs_without_punctuation_are_cut_into_bounded_pieces():
    text = "the envoy met the minister " * 2000 + "Talks ended. " * 3 + "\n\nKenya spoke."
    pieces = paragraphs(text, max_paragraph=3000, max_sentence=400)
    assert all(len(p) <= 400 for _, p in pieces[:-2])  # the run, cut at spaces
    assert all(text[start : start + len(p)] == p for start, p in pieces)  # offsets kept
    assert all(p.endswith(" ") is False and not p.startswith(" ") for _, p in pieces)
    assert pieces[-1][1] == "Kenya spoke."
    assert pieces[-2][1] == "Talks ended. Talks ended."  # the run's last piece has the first
    word = "x" * 1000  # no space at all: cut anywhere
    assert [len(p) for _, p in paragraphs(word, 3000, 400)] == [400, 400, 200]


def test_long_paragraphs_are_cut_after_sentence_ends():
    text = " ".join(f"Kenya and Somalia met again for round {n}." for n in range(400))
    pieces = paragraphs(text, max_paragraph=1000, max_sentence=400)
    assert len(pieces) > 10 and all(len(p) <= 1000 and p.endswith(".") for _, p in pieces)
    assert " ".join(p for _, p in pieces) == text


def test_caps_are_settings():
    from detente.settings import Settings

    s = Settings(max_paragraph=5000, max_sentence=300, max_line_bytes=1000)
    assert (s.max_paragraph, s.max_sentence, s.max_line_bytes) == (5000, 300, 1000)
    assert Settings().max_sentence <= Settings().max_paragraph


def test_the_coder_never_gives_spacy_an_over_long_sentence(coder):
    text = "Kenya Somalia Chile Peru Norway Iran " * 400  # about 15,000 characters, no punctuation
    ((_, _, actors),) = coder.code_with_actors([make_article(text)])
    assert actors.sentences and max(len(s.text) for s in actors.sentences) <= 1000
