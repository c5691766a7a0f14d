"""Alerts and change points on synthetic series (tests/synthetic.py): a known shift fires in its
week, a flat or low-base series never fires, a known Goldstein break is found."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from synthetic import START, week_articles

from detente.analytics import changepoint
from detente.analytics.queries import alert_events, alerts, changepoints
from detente.settings import Settings
from detente.store.db import open_store

WEEKS = 70  # the last week is incomplete (published on its Wednesday): 69 complete weeks
SHIFT = 60


def week(n: int):
    return START + timedelta(weeks=n)


@pytest.fixture
def make_store(tmp_path):
    opened = []

    def make(*series):
        s = open_store(tmp_path / f"s{len(opened)}.duckdb")
        opened.append(s)
        for n, (weekly, pair) in enumerate(series):
            s.store_articles([(a, e, a.id, None) for a, e in week_articles(weekly, pair, f"t{n}")])
        s.compact_series()
        return s

    yield make
    for s in opened:
        s.close()


def _poisson(mean_assault, mean_consult, seed=0):
    rng = np.random.default_rng(seed)
    return [
        {"190": int(rng.poisson(a)), "040": int(rng.poisson(c))}
        for a, c in zip(mean_assault, mean_consult, strict=True)
    ]


def _since():
    return week(52)  # every week reported has its 52-week baseline


def test_a_known_shift_fires_in_its_week(make_store):
    level = [6.0] * SHIFT + [26.0] * (WEEKS - SHIFT)
    store = make_store((_poisson(level, [14.0] * WEEKS), ("RUSGOV", "UKRGOV")))
    found = alerts(store, since=_since())
    counts = found[found.measure == "events"]
    assert set(counts.period) >= {week(SHIFT)}
    assert min(counts.period) == week(SHIFT)
    first = counts[counts.period == week(SHIFT)]
    assert set(first.baseline) == {"4w", "52w"}
    assert set(first.level) == {"dyad", "country"} and set(first.direction) == {"up"}
    assert set(first[first.level == "dyad"].unit) == {"RUS→UKR"}
    share = found[(found.measure == "conflict_share") & (found.period == week(SHIFT))]
    assert not share.empty and set(share.direction) == {"up"}  # 30% → 65% conflict
    assert found.period.max() == week(WEEKS - 2)  # the incomplete last week is not reported


def test_each_alert_links_to_its_events(make_store):
    store = make_store((_poisson([6.0] * SHIFT + [26.0] * 10, [14.0] * WEEKS),
                        ("RUSGOV", "UKRGOV")))  # fmt: skip
    row = alerts(store, since=week(SHIFT)).query("level == 'dyad' and measure == 'events'").iloc[0]
    events = alert_events(store, row)
    assert len(events) == row["current"]
    assert set(events["actor1_country"]) == {"RUS"} and set(events["actor2_country"]) == {"UKR"}
    assert row["events_command"] == (
        f"detente events --since {week(SHIFT)} --until {week(SHIFT) + timedelta(days=6)}"
        " --dyad RUS,UKR"
    )


def test_a_flat_series_does_not_fire(make_store):
    store = make_store(
        (_poisson([20.0] * WEEKS, [20.0] * WEEKS, seed=1), ("RUSGOV", "UKRGOV")),
        (_poisson([3.0] * WEEKS, [9.0] * WEEKS, seed=2), ("USAGOV", "CHNGOV")),
    )
    found = alerts(store, since=_since())
    assert found[found.measure != "goldstein"].empty, found
    assert found.empty


def test_a_low_base_series_does_not_fire(make_store):
    weekly = [{"190": 1} for _ in range(SHIFT)] + [{"190": 3} for _ in range(WEEKS - SHIFT)]
    weekly[30] = {"190": 0}
    store = make_store((weekly, ("RUSGOV", "UKRGOV")))
    assert alerts(store, since=week(4)).empty
    # the same shift ten times larger is an alert
    big = [{k: 10 * v for k, v in w.items()} for w in weekly]
    store = make_store((big, ("RUSGOV", "UKRGOV")))
    assert week(SHIFT) in set(alerts(store, since=week(4)).period)


def test_new_actors_above_the_count(make_store):
    flat = [{"040": 12} for _ in range(WEEKS)]
    newcomer = [{} for _ in range(WEEKS)]
    newcomer[58] = {"190": 6}
    rare = [{} for _ in range(WEEKS)]
    rare[59] = {"190": 2}
    store = make_store((flat, ("RUSGOV", "UKRGOV")), (newcomer, ("RUSGOV", "SYRREB")),
                       (rare, ("RUSGOV", "LBYREB")))  # fmt: skip
    new = alerts(store, since=week(56))
    new = new[new.measure == "new_actor"]
    assert list(zip(new.unit, new.period, strict=True)) == [("SYRREB", week(58))]


def test_binary_segmentation_finds_a_known_break():
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.normal(-1.0, 1.0, 40), rng.normal(-4.0, 1.0, 30)])
    assert abs(changepoint.breaks(x)[0] - 40) <= 1 and len(changepoint.breaks(x)) == 1
    two = np.concatenate([x, rng.normal(2.0, 1.0, 30)])
    found = changepoint.breaks(two)
    assert len(found) == 2 and abs(found[0] - 40) <= 1 and abs(found[1] - 70) <= 1
    segs = changepoint.segments(two)
    assert [round(s.mean) for s in segs] == [-1, -4, 2]


@pytest.mark.parametrize("seed", range(5))
def test_binary_segmentation_keeps_a_flat_series_whole(seed):
    x = np.random.default_rng(seed).normal(-2.0, 1.5, 80)
    assert changepoint.breaks(x) == []
    assert changepoint.breaks(np.full(30, 1.0)) == []


def test_a_dyads_goldstein_break_is_found_and_alerted(make_store):
    # cooperation (+1) turns to fighting (-10) at a constant 12 events a week: the mean
    # Goldstein score falls from about -1.8 to about -7.2
    weekly = [{"040": 10, "190": 2} for _ in range(SHIFT)] + [
        {"040": 4, "190": 8} for _ in range(WEEKS - SHIFT)
    ]
    store = make_store((weekly, ("RUSGOV", "UKRGOV")))
    segs = changepoints(store, "RUS,UKR")
    assert list(segs.start) == [week(0), week(SHIFT)]
    assert segs.mean_goldstein.iloc[1] < segs.mean_goldstein.iloc[0] - 4
    found = alerts(store, since=_since())
    gold = found[found.measure == "goldstein"]
    assert list(zip(gold.unit, gold.period, strict=True)) == [("RUS→UKR", week(SHIFT))]
    assert set(found[found.measure == "events"].period) == set()  # the count did not change


def test_settings_move_the_thresholds(make_store):
    level = [6.0] * SHIFT + [9.0] * (WEEKS - SHIFT)
    store = make_store((_poisson(level, [14.0] * WEEKS), ("RUSGOV", "UKRGOV")))
    assert alerts(store, since=week(SHIFT)).query("measure == 'events'").empty
    loose = Settings(alert_z=0.5, alert_min_events=3)
    assert not alerts(store, loose, since=week(SHIFT)).query("measure == 'events'").empty


def test_the_commands(make_store):
    from typer.testing import CliRunner

    from detente.cli import app

    weekly = [{"040": 10, "190": 2} for _ in range(SHIFT)] + [
        {"040": 4, "190": 28} for _ in range(WEEKS - SHIFT)
    ]
    store = make_store((weekly, ("RUSGOV", "UKRGOV")))
    db = store.path
    store.close()
    run = CliRunner().invoke
    out = run(app, ["series", "--db", db, "--level", "country_pairs", "--by", "month"])
    assert out.exit_code == 0, out.output
    assert "RUS" in out.stdout and "ASSAULT" in out.stdout and "conflict" in out.stdout
    out = run(app, ["alerts", "--db", db, "--since", str(week(SHIFT))])
    assert out.exit_code == 0, out.output
    assert f"detente events --since {week(SHIFT)}" in out.stdout and "goldstein" in out.stdout
    out = run(app, ["changepoints", "--db", db, "--dyad", "RUS,UKR"])
    assert out.exit_code == 0, out.output
    assert str(week(SHIFT)) in out.stdout and "2 rows" in out.stdout
    assert run(app, ["alerts", "--db", db, "--by", "day"]).exit_code == 2
    assert run(app, ["changepoints", "--db", db]).exit_code == 2
