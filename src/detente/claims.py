"""Claims and counts of an article: who says what, how hedged, and the figures they give.

``analyse(article, coder)`` reuses the coder's resolved actor mentions (``Coder.mentions``) and
its first (cheap) spaCy pass for sentences; it parses nothing. A claim is cued by an
attribution phrase ("according to X", "figures provided by X") or a reporting verb next to an
actor ("X said", "..., X said."). Hedges from the lexicon are kept as data; a hedge in the next
sentence that refers back ("The numbers cannot be independently verified") joins the claims of
the sentence before. Counts (``detente.counts``) take the claimant and source hedges of their
sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from detente.counts import find_counts, words_of
from detente.ingest import paragraphs
from detente.lexicon import Lexicon
from detente.records import (
    Actor,
    ActorMention,
    Article,
    ArticleAnalysis,
    Claim,
    Count,
    Event,
    Hedge,
    TextSpan,
)

_BACK_REFERENCE = re.compile(
    r"^\s*(?:the|these|those|such|this|that)\s+(?:numbers|figures|data|claims?|reports?|toll|"
    r"tolls|statistics|counts?|casualty figures|accounts?)\b",
    re.IGNORECASE,
)
_STOP_ABOUT = {"the", "these", "those", "a", "an", "its", "their", "that", "which", ","}
# Words allowed between a claimant and its reporting verb ("Russia has also accused ...").
_BETWEEN = re.compile(
    r"^(?:\s|,|has|have|had|also|later|then|previously|repeatedly|earlier|again|is|was|were|are|"
    r"would|will|on|monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today)*$",
    re.IGNORECASE,
)


def sentences(article: Article, coder) -> list[tuple[int, int]]:
    """(start, end) character offsets of the article's sentences, numbered as the coder does."""
    paras = paragraphs(article.text)
    out = []
    for (start, _), doc in zip(paras, coder.nlp.analyse(t for _, t in paras), strict=True):
        out += [(start + s.start_char, start + s.end_char) for s in doc.sents]
    return out


def hedges_in(text: str, offset: int, lex: Lexicon, kind: str = "source") -> list[Hedge]:
    low = text.lower()
    found: list[Hedge] = []
    for phrase, k in sorted(lex.hedges.items(), key=lambda x: -len(x[0])):
        if k != kind:
            continue
        for m in re.finditer(rf"\b{re.escape(phrase)}\b", low):
            s, e = offset + m.start(), offset + m.end()
            if not any(h.start <= s < h.end for h in found):
                found.append(Hedge(text=text[m.start() : m.end()], start=s, end=e, kind=k))
    return sorted(found, key=lambda h: h.start)


def _about(text: str, end: int) -> str | None:
    """The noun phrase right before a cue ending at ``end`` ("the casualty figures provided")."""
    words = re.findall(r"[\w’'-]+|,", text[:end])
    picked: list[str] = []
    for w in reversed(words):
        if w.lower() in _STOP_ABOUT or len(picked) >= 5:
            break
        picked.append(w)
    return " ".join(reversed(picked)) or None


def _claimant_after(ms: Sequence[ActorMention], pos: int, text: str) -> Actor | None:
    near = [
        m.actor
        for m in ms
        if pos <= m.actor.start
        and not text[pos : m.actor.start].strip(" \t,").lower().replace("the", "").strip()
    ]
    return near[0] if near else None


def find_claims(
    text: str, offset: int, index: int, ms: Sequence[ActorMention], lex: Lexicon
) -> list[Claim]:
    """Claims in one sentence (``text`` starts at article offset ``offset``)."""
    claims: list[Claim] = []
    low = text.lower()
    for phrase in lex.attribution_phrases:
        for m in re.finditer(rf"\b{re.escape(phrase)}\b", low):
            who = _claimant_after(ms, offset + m.end(), _pad(text, offset))
            if who is None:
                continue
            if phrase.startswith(("according", "as ", "citing")):
                after = text[who.end - offset :].strip(" ,.")
                about = after or text[: m.start()].strip(" ,.") or None
            else:
                about = _about(text, m.start())
            claims.append(_claim(index, who, text, offset, phrase, about, "asserts"))
    words = words_of(text)
    for i, w in enumerate(words):
        stance = lex.reporting_verbs.get(w.text)
        if stance is None:
            continue
        start = offset + w.start
        before = [m.actor for m in ms if m.actor.end <= start and start - m.actor.end <= 40]
        gap_ok = [a for a in before if _BETWEEN.match(text[a.end - offset : w.start])]
        inverted = text[: w.start].rstrip().endswith((",", "”", '"'))  # ", said the minister"
        after = _claimant_after(ms, offset + w.end, _pad(text, offset)) if inverted else None
        who = gap_ok[-1] if gap_ok else after
        if who is None or any(c.claimant == who and c.cue == w.text for c in claims):
            continue
        tail = text[w.end :].strip(" ,.")
        about = tail.removeprefix("that ").strip() if tail and not _final(words, i) else None
        claims.append(_claim(index, who, text, offset, w.text, about, stance))
    return claims


def _pad(text: str, offset: int) -> str:
    """``text`` as if it started at article offset 0 (for slicing with article offsets)."""
    return " " * offset + text


def _final(words, i: int) -> bool:
    return i >= len(words) - 3  # "..., the ministry said."


def _claim(index, who, text, offset, cue, about, stance) -> Claim:
    body = text.rstrip()
    return Claim(
        sentence=index,
        claimant=who,
        text=TextSpan(text=body, start=offset, end=offset + len(body)),
        cue=cue,
        about=about[:200] if about else None,
        stance=stance,
    )


def analyse(article: Article, coder, events: Sequence[Event] = ()) -> ArticleAnalysis:
    """Claims and counts of ``article``; ``events`` (already coded) link counts to events."""
    lex: Lexicon = coder.lexicon
    mentions = coder.mentions(article)
    by_sentence: dict[int, list[ActorMention]] = {}
    for m in mentions:
        by_sentence.setdefault(m.sentence, []).append(m)
    claims: list[Claim] = []
    counts: list[Count] = []
    previous: list[Claim] = []
    for index, (start, end) in enumerate(sentences(article, coder)):
        text = article.text[start:end]
        here = find_claims(text, start, index, by_sentence.get(index, []), lex)
        hedges = hedges_in(text, start, lex)
        for c in here:
            c.hedges = [h for h in hedges if h.text.lower() != c.cue]
        if not here and previous and _BACK_REFERENCE.match(text):
            for c in previous:
                c.hedges += hedges
        claims += here
        claimant = next((c.claimant for c in here if c.claimant), None)
        event = next((e.id for e in events if e.sentence.index == index), None)
        for raw in find_counts(text, lex):
            counts.append(
                Count(
                    sentence=index,
                    category=raw.category,
                    low=raw.low,
                    high=raw.high,
                    text=TextSpan(
                        text=text[raw.start : raw.end], start=start + raw.start, end=start + raw.end
                    ),
                    unit=raw.unit,
                    claimant=claimant,
                    hedges=[
                        h.model_copy(update={"start": h.start + start, "end": h.end + start})
                        for h in raw.hedges
                    ]
                    + hedges,
                    event=event,
                )
            )
        previous = here or (previous if _BACK_REFERENCE.match(text) else [])
    return ArticleAnalysis(article=article.id, claims=claims, counts=counts)
