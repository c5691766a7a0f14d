"""Analytics over the store: dyad series, alerts and change points (no SQL here: the series
tables and their queries are in ``store/series.py`` and ``store/series_read.py``).

``queries.series`` gives counts per period; ``queries.alerts`` flags dyads and countries whose
events or conflict share shift against trailing baselines, new actors, and breaks in a dyad's
Goldstein series (``changepoint``); ``queries.changepoints`` gives a dyad's segments.
"""
