"""Fetch against real local HTTP servers (threads on 127.0.0.1, so ``allow_private=True``): one
deadline for the whole fetch, and the connection pinned to the address that was checked."""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from detente.errors import InputError
from detente.ingest import fetch as fetch_module
from detente.ingest.fetch import check_address, fetch

HTML = b"<html><body><p>Envoys met in Oslo.</p></body></html>"


class Server:
    """A threading HTTP server on 127.0.0.1: /page, /drip-body, /drip-headers."""

    def __init__(self) -> None:
        server = self
        self.hosts: list[str] = []
        self.stop = threading.Event()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.hosts.append(self.headers.get("Host", ""))
                if self.path == "/drip-headers":
                    for byte in b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n":
                        if server.stop.wait(0.25):
                            return
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(HTML) * 50))
                self.end_headers()
                if self.path == "/page":
                    self.wfile.write(HTML * 50)
                    return
                for byte in HTML * 50:  # /drip-body: one byte every quarter second
                    if server.stop.wait(0.25):
                        return
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def server():
    s = Server()
    yield s
    s.close()


@pytest.mark.parametrize("path", ["/drip-body", "/drip-headers"])
def test_a_dribbling_server_is_cut_at_the_total_deadline(server, path):
    url = f"http://127.0.0.1:{server.port}{path}"
    start = time.monotonic()
    with pytest.raises(InputError, match="timed out after 1 s"):
        fetch(url, allow_private=True, timeout=1.0)
    # every single read returned within the timeout: only a total deadline stops it
    assert time.monotonic() - start < 2.5


def test_a_whole_page_within_the_deadline(server):
    page = fetch(f"http://127.0.0.1:{server.port}/page", allow_private=True, timeout=2)
    assert page.content == HTML * 50 and page.content_type == "text/html"


def fake_dns(monkeypatch, answers: list[str]) -> list[str]:
    """``socket.getaddrinfo`` giving each answer in turn (a rebinding name); the names asked."""
    asked: list[str] = []

    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host[0].isdigit():
            return real(host, port, *args, **kwargs)
        asked.append(host)
        address = answers[min(len(asked), len(answers)) - 1]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(fetch_module.socket, "getaddrinfo", getaddrinfo)
    return asked


def test_the_connection_goes_to_the_address_resolved_once_with_the_host_kept(server, monkeypatch):
    # a second resolution would give an unroutable address and the fetch would fail
    asked = fake_dns(monkeypatch, ["127.0.0.1", "10.255.255.1"])
    page = fetch(f"http://ledger.test:{server.port}/page", allow_private=True, timeout=2)
    assert page.content == HTML * 50
    assert asked == ["ledger.test"]
    assert server.hosts[-1] == f"ledger.test:{server.port}"


def test_a_name_rebinding_to_loopback_after_the_check_is_never_reached(monkeypatch):
    asked = fake_dns(monkeypatch, ["93.184.216.34", "127.0.0.1"])
    connected: list[tuple] = []

    def open_socket(target, timeout):
        connected.append(target.sockaddr)
        raise ConnectionRefusedError("no network in tests")

    monkeypatch.setattr(fetch_module, "_open_socket", open_socket)
    with pytest.raises(InputError, match="ConnectionRefusedError"):
        fetch("http://rebind.test/x", timeout=2)
    assert asked == ["rebind.test"] and connected == [("93.184.216.34", 80)]


def test_check_address_returns_the_checked_address(monkeypatch):
    fake_dns(monkeypatch, ["93.184.216.34"])
    target = check_address("https://news.test/a?b=1")
    assert (target.host, target.address, target.port, target.path) == (
        "news.test",
        "93.184.216.34",
        443,
        "/a?b=1",
    )
