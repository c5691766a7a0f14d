"""Load test of the HTTP API: `detente serve` under concurrent clients, bounded in time.

    python bench/load.py [--clients 8] [--seconds 30] [--words 600] [--db STORE]

Starts `detente serve --no-dashboard` in a subprocess on a free 127.0.0.1 port over STORE
(default: a temporary store filled by `detente ingest --samples`), and sends traffic to that
address only.
The articles are the bundled samples joined into ~``--words``-word texts (12 different ones).

1. Idle: the raw spaCy parse (``nlp(text)``, the full pipeline of ``Settings.spacy_model``)
   of each article in this process, and ``POST /code`` of each, one request at a time.
2. Load: ``--clients`` threads for ``--seconds`` seconds, each on its own keep-alive connection,
   alternating ``POST /code`` (an article) and ``GET /events`` (a filtered page); meanwhile a
   probe process parses the same articles with raw spaCy, one at a time, so the parse is also
   timed under the same load in the same run.

Prints p50/p95 latency per endpoint, errors (any status but 200, or no answer), requests per
second, the server's own coding time (its Server-Timing header), and POST /code p95 over the
raw parse p95, idle and under load. Under load a request's latency is mostly its wait for a
coding process (eight clients, ``--code-workers`` processes): the server's coding time is the
figure to set beside the parse. Not a test: figures only; exits 1 if any request failed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

EVENT_QUERIES = [
    "/events?limit=50",
    "/events?limit=50&offset=50",
    "/events?country=YEM&limit=20",
    "/events?event=ASSAULT&since=2024-01-01",
    "/events?dyad=GBRMIL,YEM&all_modalities=true",
    "/events?until=2024-06-30&limit=100",
]


def articles(words: int) -> list[dict]:
    """12 texts of about ``words`` words: consecutive samples joined, cut at a paragraph."""
    from detente.knowledge.samples import sample_articles

    samples = sample_articles()
    out = []
    for i in range(len(samples)):
        parts, n, k = [], 0, i
        while n < words:
            paragraphs = samples[k % len(samples)].text.split("\n\n")
            for p in paragraphs:
                if n >= words:
                    break
                parts.append(p)
                n += len(p.split())
            k += 1
        published = samples[i].published.isoformat() if samples[i].published else None
        out.append({"text": "\n\n".join(parts), "published": published, "title": f"bench {i}"})
    return out


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    at = (len(ordered) - 1) * q
    lo, hi = int(at), min(int(at) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (at - lo)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """One keep-alive connection to the server."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.con = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def call(self, method: str, path: str, body: dict | None = None):
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if body is not None else {}
        began = time.perf_counter()
        try:
            self.con.request(method, path, body=data, headers=headers)
            resp = self.con.getresponse()
            payload = resp.read()
        except (OSError, http.client.HTTPException) as exc:
            self.con.close()
            self.con = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            return time.perf_counter() - began, None, repr(exc), None
        took = time.perf_counter() - began
        server = resp.getheader("Server-Timing") or ""
        coded = float(server.split("dur=")[1]) / 1000 if "dur=" in server else None
        return took, resp.status, payload[:200], coded


def start_server(db: str, log: Path, workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    out = log.open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "detente.cli", "serve", "--db", db, "--port", str(port),
         "--code-workers", str(workers), "--no-dashboard"],
        stdout=out, stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server stopped:\n{log.read_text()}")
        try:
            _, status, body, _ = Client(port).call("GET", "/status")
            if status == 200 and b'"coder":"loaded"' in body:
                return proc, port
        except OSError:
            pass
        time.sleep(0.5)
    proc.terminate()
    raise SystemExit("the server did not get ready in 180 s")


def raw_parse_times(texts: list[str], seconds: float | None, rounds: int = 1) -> list[float]:
    """Seconds of ``nlp(text)`` per text (the full pipeline), ``rounds`` times over the texts,
    or again and again for ``seconds``."""
    import spacy

    from detente.settings import Settings

    nlp = spacy.load(Settings.from_env().spacy_model)
    nlp(texts[0])  # warm-up
    times, n = [], 0
    deadline = None if seconds is None else time.monotonic() + seconds
    while (deadline is None and n < rounds * len(texts)) or (
        deadline is not None and time.monotonic() < deadline
    ):
        began = time.perf_counter()
        nlp(texts[n % len(texts)])
        times.append(time.perf_counter() - began)
        n += 1
    return times


def probe(path: str, seconds: float) -> None:
    """Child process: raw spaCy parses of the texts in ``path`` for ``seconds``; prints JSON."""
    texts = json.loads(Path(path).read_text())
    print(json.dumps(raw_parse_times(texts, seconds)))


def load(port: int, bodies: list[dict], clients: int, seconds: float) -> dict[str, list]:
    results: dict[str, list] = {"code": [], "events": []}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    errors: list[str] = []

    def run(k: int) -> None:
        rng = random.Random(k)
        client, n = Client(port), 0
        while time.monotonic() < deadline:
            if (n + k) % 2 == 0:
                op, got = "code", client.call("POST", "/code", rng.choice(bodies))
            else:
                op, got = "events", client.call("GET", rng.choice(EVENT_QUERIES))
            with lock:
                results[op].append(got)
                if got[1] != 200:
                    errors.append(f"{op}: {got[1]} {got[2]!r}")
            n += 1

    threads = [threading.Thread(target=run, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    results["errors"] = errors
    return results


def ms(x: float) -> str:
    return f"{x * 1000:7.1f} ms"


def spread(values: list[float]) -> str:
    most = max(values, default=float("nan"))
    return f"p50 {ms(percentile(values, 0.5))}  p95 {ms(percentile(values, 0.95))}  max {ms(most)}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--words", type=int, default=600)
    ap.add_argument("--db", help="an existing store (default: the samples, ingested)")
    ap.add_argument("--code-workers", type=int, default=1, help="detente serve --code-workers")
    ap.add_argument("--probe", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.probe:
        probe(args.probe, args.seconds)
        return
    if not 1 <= args.clients <= 64 or not 1 <= args.seconds <= 300:
        raise SystemExit("bounded: 1-64 clients, 1-300 seconds")
    tmp = Path(tempfile.mkdtemp(prefix="detente-load-"))
    db = args.db
    if db is None:
        db = str(tmp / "samples.duckdb")
        subprocess.run(
            [sys.executable, "-m", "detente.cli", "ingest", "--samples", "--db", db],
            check=True, capture_output=True,
        )  # fmt: skip
    bodies = articles(args.words)
    texts = [b["text"] for b in bodies]
    words = [len(t.split()) for t in texts]
    print(f"{len(bodies)} articles of {min(words)}-{max(words)} words; store {db}")
    proc, port = start_server(db, tmp / "serve.log", args.code_workers)
    try:
        client = Client(port)
        for b in bodies[:3]:  # warm-up
            client.call("POST", "/code", b)
            client.call("GET", EVENT_QUERIES[0])
        raw_idle = raw_parse_times(texts, None, rounds=2)
        idle = [client.call("POST", "/code", b) for b in bodies + bodies]
        (tmp / "texts.json").write_text(json.dumps(texts))
        prober = subprocess.Popen(
            [sys.executable, __file__, "--probe", str(tmp / "texts.json"), "--seconds",
             str(args.seconds)],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        began = time.monotonic()
        got = load(port, bodies, args.clients, args.seconds)
        wall = time.monotonic() - began
        raw_load = json.loads(prober.communicate(timeout=args.seconds + 120)[0])
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    idle_code = [t for t, s, _, _ in idle if s == 200]
    print(f"\nidle, one request at a time ({len(idle)} POST /code):")
    print(f"  raw spaCy parse  {spread(raw_idle)}")
    print(f"  POST /code       {spread(idle_code)}")
    ratio_idle = percentile(idle_code, 0.95) / percentile(raw_idle, 0.95)
    print(f"  POST /code p95 / raw parse p95: {ratio_idle:.2f}x")
    n = len(got["code"]) + len(got["events"])
    print(
        f"\nload: {args.clients} clients, {wall:.1f} s, {n} requests ({n / wall:.1f}/s),"
        f" errors {len(got['errors'])}; {args.code_workers} coding process(es)"
    )
    lat = {op: [t for t, s, _, _ in got[op] if s == 200] for op in ("code", "events")}
    print(f"  POST /code  n {len(got['code']):4d}  {spread(lat['code'])}")
    print(f"  GET /events n {len(got['events']):4d}  {spread(lat['events'])}")
    coded = [c for _, s, _, c in got["code"] if s == 200 and c is not None]
    print(f"  server's coding time (Server-Timing)  {spread(coded)}")
    print(f"  raw spaCy parse meanwhile, probe process, {len(raw_load)} parses  {spread(raw_load)}")
    code_p95 = percentile(lat["code"], 0.95)
    print(
        "  server's coding time p95 / raw parse p95 under load:"
        f" {percentile(coded, 0.95) / percentile(raw_load, 0.95):.2f}x"
    )
    print(
        f"  POST /code p95 / raw parse p95 under load: {code_p95 / percentile(raw_load, 0.95):.2f}x"
        f"  (/ idle raw parse p95: {code_p95 / percentile(raw_idle, 0.95):.2f}x)"
    )
    for e in got["errors"][:10]:
        print("  error:", e)
    print(f"\nmachine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    if got["errors"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
