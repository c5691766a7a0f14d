"""Date-aware user dictionaries: a role held between two dates wins on the article's date."""

from __future__ import annotations

import pytest

from detente.coding.coder import Coder
from detente.settings import Settings
from detente.text import make_article

USER_DICT = """
provenance: {source: test, license: MIT}
organizations:
  - name: Ivan Petrenko
    kind: person
    code: RUSELI
    country: RUS
    sector: ELI
    aliases: [Ivan Petrenko, Petrenko]
    roles:
      - {code: RUSGOV, country: RUS, sector: GOV, start: 2012-05-07, end: 2019-12-31}
      - {code: RUSLEG, country: RUS, sector: LEG, start: 2020-01-01}
"""


@pytest.fixture(scope="module")
def dated_coder(coder, tmp_path_factory):
    from detente.coding.actors import ActorMatcher
    from detente.knowledge.actors import load_actor_knowledge

    path = tmp_path_factory.mktemp("dicts") / "mine.yaml"
    path.write_text(USER_DICT, encoding="utf-8")
    knowledge = load_actor_knowledge([path])
    matcher = ActorMatcher(coder.nlp.nlp, knowledge)
    return Coder(coder.nlp, coder.codebook, coder.patterns, matcher, Settings())


@pytest.mark.parametrize(
    ("published", "code"),
    [
        ("2010-03-01", "RUSELI"),
        ("2015-06-01", "RUSGOV"),
        ("2021-02-02", "RUSLEG"),
        (None, "RUSELI"),
    ],
)
def test_role_on_article_date(dated_coder, published, code):
    article = make_article("Ivan Petrenko met the French ambassador.", published=published)
    (mention,) = [m for m in dated_coder.mentions(article) if m.actor.name == "Ivan Petrenko"]
    assert mention.actor.code == code
