"""Evaluation: gold files in several formats (``formats``), the hand-coding specs they hold
(``specs``), and scoring coded events against them (``scoring``)."""
