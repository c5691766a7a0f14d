"""Claims and counts of an article: who says what, how hedged, and the figures they give.

``analyse(article, coder, events, actors)`` builds on the sentences and resolved actor mentions
the coder found while coding (``Coder.code_with_actors``); given those it runs no NLP at all
(without them it asks ``Coder.actors``, which runs the NLP and actor stages again).

A claim is cued by an attribution phrase ("according to X", "figures provided by X") or a
reporting verb next to an actor ("X said", "..., X said."). Hedges from the lexicon are kept as
data; a hedge in the next sentence that refers back ("The numbers cannot be independently
verified") joins the claims and counts of the sentence before. Casualty counts
(``detente.claims.casualties``) take the claimant and source hedges of their sentence.

Claims and counts link to an event of their sentence (``event``): a claim to the event whose
trigger is its cue ("Iran *accused* Norway"), else whose trigger lies in the claimed part ("X
said that Iran *detained* ..."; nearest the cue first), else the sentence's event nearest the
cue; a count to the event whose trigger is nearest the figure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from detente.claims.casualties import find_counts, words_of
from detente.knowledge.lexicon import Lexicon
from detente.records import (
    Actor,
    ActorMention,
    Article,
    ArticleActors,
    ArticleAnalysis,
    CasualtyCount,
    Claim,
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


def hedges_in(text: str, offset: int, lex: Lexicon, kind: str = "source") -> list[Hedge]:
    low = text.lower()
    found: list[Hedge] = []
    for phrase, pattern in lex.patterns[kind]:
        if phrase not in low:  # cheap test first
            continue
        for m in pattern.finditer(low):
            s, e = offset + m.start(), offset + m.end()
            if not any(h.start <= s < h.end for h in found):
                found.append(Hedge(text=text[m.start() : m.end()], start=s, end=e, kind=kind))
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
    text: str,
    offset: int,
    index: int,
    ms: Sequence[ActorMention],
    lex: Lexicon,
    events: Sequence[Event] = (),
) -> list[Claim]:
    """Claims in one sentence (``text`` starts at article offset ``offset``); ``events`` (those
    of this sentence) are linked to the claims about them."""
    claims: list[Claim] = []
    low = text.lower()
    end = offset + len(text.rstrip())
    for phrase, pattern in lex.patterns["attribution"]:
        if phrase not in low:  # cheap test first
            continue
        for m in pattern.finditer(low):
            who = _claimant_after(ms, offset + m.end(), _pad(text, offset))
            if who is None:
                continue
            cue = (offset + m.start(), offset + m.end())
            claimed = (offset, cue[0])  # "the casualty figures provided by X"
            if phrase.startswith(("according", "as ", "citing")):
                after = text[who.end - offset :].strip(" ,.")
                about = after or text[: m.start()].strip(" ,.") or None
                claimed = (who.end, end) if after else claimed
            else:
                about = _about(text, m.start())
            claim = _claim(index, who, text, offset, phrase, about, "asserts")
            claim.event = link_event(events, claimed, cue)
            claims.append(claim)
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
        claim = _claim(index, who, text, offset, w.text, about, stance)
        cue = (start, offset + w.end)
        # "X said that ..." claims what follows; "..., X said." and ", said X" what precedes
        claimed = (cue[1], end) if about else (offset, min(who.start, cue[0]))
        claim.event = link_event(events, claimed, cue)
        claims.append(claim)
    return claims


def link_event(
    events: Sequence[Event], claimed: tuple[int, int], cue: tuple[int, int]
) -> str | None:
    """The id of the event a claim is about, among ``events`` of its sentence: trigger on the
    cue, else inside the claimed part (``claimed``, article offsets), else any; the nearest to
    the cue first."""

    def rank(e: Event) -> tuple[int, int]:
        t = e.trigger
        inside = claimed[0] <= t.start and t.end <= claimed[1]
        on_cue = t.start < cue[1] and cue[0] < t.end
        distance = min(abs(t.start - cue[1]), abs(cue[0] - t.end))
        return (0 if on_cue else 1 if inside else 2), distance

    return min(events, key=rank).id if events else None


def nearest_event(events: Sequence[Event], start: int, end: int) -> str | None:
    """The id of the event whose trigger is nearest the span ``start``–``end``."""
    if not events:
        return None

    def distance(e: Event) -> int:
        return max(0, e.trigger.start - end, start - e.trigger.end)

    return min(events, key=distance).id


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


def analyse(
    article: Article,
    coder,
    events: Sequence[Event] = (),
    actors: ArticleActors | None = None,
) -> ArticleAnalysis:
    """Claims and counts of ``article``. ``events`` (already coded) are linked to the claims and
    counts of their sentence; ``actors`` (from ``Coder.code_with_actors``) spare finding the
    sentences and actor mentions again."""
    lex: Lexicon = coder.lexicon
    if actors is None:
        actors = coder.actors(article)
    by_sentence: dict[int, list[ActorMention]] = {}
    for m in actors.mentions:
        by_sentence.setdefault(m.sentence, []).append(m)
    events_in: dict[int, list[Event]] = {}
    for e in events:
        events_in.setdefault(e.sentence.index, []).append(e)
    claims: list[Claim] = []
    counts: list[CasualtyCount] = []
    previous: list[Claim] = []
    previous_counts: list[CasualtyCount] = []
    for sentence in actors.sentences:
        index, start = sentence.index, sentence.start
        text = article.text[start : sentence.end]
        here_events = events_in.get(index, [])
        here = find_claims(text, start, index, by_sentence.get(index, []), lex, here_events)
        hedges = hedges_in(text, start, lex)
        for c in here:
            c.hedges = [h for h in hedges if h.text.lower() != c.cue]
        back = not here and _BACK_REFERENCE.match(text) is not None
        if back:  # "The figures could not be verified": hedges the sentence before
            for item in [*previous, *previous_counts]:
                item.hedges += hedges
        claims += here
        claimant = next((c.claimant for c in here if c.claimant), None)
        found: list[CasualtyCount] = []
        for raw in find_counts(text, lex):
            found.append(
                CasualtyCount(
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
                    event=nearest_event(here_events, start + raw.start, start + raw.end),
                )
            )
        counts += found
        previous = here or (previous if back else [])
        previous_counts = found or (previous_counts if back else [])
    return ArticleAnalysis(article=article.id, claims=claims, counts=counts)
