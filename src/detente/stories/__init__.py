"""Stories: reprint groups of near-duplicate articles (``reprints``) and mentions folded into
events across articles (``fold``). Pure logic over plain values; the store keeps the results
and ``run`` ties the two together."""

from detente.stories.fold import Folding, Mention, Story, fold
from detente.stories.reprints import Sketch, best_match, sketch

__all__ = ["Folding", "Mention", "Sketch", "Story", "best_match", "fold", "sketch"]
