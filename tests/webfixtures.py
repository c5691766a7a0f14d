"""Local web pieces for the ingest tests: our own HTML pages and RSS feed served on 127.0.0.1,
a socket that accepts and never answers, and a WARC written with warcio."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path

PAGE = """<!doctype html><html><head><title>{title} - The Harbour Ledger</title>
<meta property="og:site_name" content="The Harbour Ledger">
<meta property="article:published_time" content="{day}T08:00:00Z"></head>
<body><nav><a href="/">Home</a> | <a href="/world">World</a></nav>
<article><h1>{title}</h1>{paragraphs}</article>
<footer>Copyright The Harbour Ledger</footer></body></html>"""

PAGES = {
    "/talks.html": (
        "Envoys meet in Oslo",
        "2024-03-05",
        [
            "The foreign minister of Norway met the Iranian ambassador in Oslo on Tuesday to "
            "discuss the detained sailors.",
            "Officials from both governments said the talks would continue next month.",
        ],
    ),
    "/strike.html": (
        "Drone hits depot",
        "2024-04-11",
        [
            "Russian forces attacked a fuel depot near Kharkiv overnight, the Ukrainian military "
            "said on Thursday.",
            "Ukraine accused Moscow of targeting civilian supplies ahead of the winter.",
        ],
    ),
}


def page_html(path: str) -> bytes:
    title, day, paras = PAGES[path]
    body = "".join(f"<p>{p}</p>" for p in paras)
    return PAGE.format(title=title, day=day, paragraphs=body).encode("utf-8")


def rss(base: str, paths: list[str]) -> bytes:
    items = "".join(
        f"<item><title>{PAGES[p][0]}</title><link>{base}{p}</link>"
        f"<pubDate>Tue, 05 Mar 2024 08:00:00 GMT</pubDate>"
        f"<description>A short summary only.</description></item>"
        for p in paths
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Ledger World</title>'
        f"<link>{base}/</link><description>World news</description>{items}</channel></rss>"
    ).encode()


class Site:
    """An HTTP server on 127.0.0.1 serving PAGES, /feed.rss and /notfeed.rss."""

    def __init__(self) -> None:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path in PAGES:
                    body, ctype = page_html(self.path), "text/html; charset=utf-8"
                elif self.path == "/feed.rss":
                    body, ctype = rss(site.base, list(PAGES)), "application/rss+xml"
                elif self.path == "/redirect":
                    self.send_response(302)
                    self.send_header("Location", "/talks.html")
                    self.end_headers()
                    return
                else:
                    self.send_error(404)
                    return
                site.user_agents.append(self.headers.get("User-Agent", ""))
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.user_agents: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Silent:
    """A socket on 127.0.0.1 that accepts connections and never answers."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/slow.html"

    def close(self) -> None:
        self.sock.close()


def write_warc(path: Path, base: str = "https://ledger.example") -> None:
    """A WARC(.gz) with both pages as HTML responses, plus a non-HTML response and a request."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=path.name.endswith(".gz"))
        for p in PAGES:
            headers = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
            )
            rec = writer.create_warc_record(
                base + p, "response", payload=BytesIO(page_html(p)), http_headers=headers
            )
            writer.write_record(rec)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
        png = writer.create_warc_record(
            base + "/logo.png", "response", payload=BytesIO(b"\x89PNG...."), http_headers=headers
        )
        writer.write_record(png)
