"""The generated Nginx configuration, exercised through a real Nginx.

The web replicas are small HTTP servers in this test process that report which replica
answered and what headers reached it, so the balancing, retry and header rules of
nginx/nginx.conf can be checked without the app.
"""

from __future__ import annotations

import gzip
import http.client
import json
import socket
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import pytest
from websockets.sync.client import connect as ws_connect
from websockets.sync.server import ServerConnection
from websockets.sync.server import serve as ws_serve

from stack.services import Stack

pytestmark = pytest.mark.stack

REPO_ROOT = Path(__file__).resolve().parents[2]


class Replica:
    """A stand-in web replica: answers with its name and the headers it received."""

    def __init__(self, name: str, port: int) -> None:
        self.name = name
        self.mode = "ok"
        self.hits = 0
        replica = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                replica.answer(self)

            def do_POST(self) -> None:
                replica.answer(self)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        self.hits += 1
        remaining = int(handler.headers.get("Content-Length") or 0)
        while remaining > 0:
            chunk = handler.rfile.read(min(remaining, 1 << 20))
            if not chunk:
                break
            remaining -= len(chunk)
        if self.mode == "drop":
            # The request reached the replica, which died before answering.
            handler.close_connection = True
            handler.connection.shutdown(socket.SHUT_RDWR)
            return
        body = json.dumps({"replica": self.name, "headers": dict(handler.headers)}).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def replicas(private_stack: Stack) -> Iterator[dict[str, Replica]]:
    ports = private_stack.cfg.ports.web
    started = {f"web-{i + 1}": Replica(f"web-{i + 1}", port) for i, port in enumerate(ports)}
    yield started
    for replica in started.values():
        replica.close()


@pytest.fixture
def lb(private_stack: Stack) -> Iterator[str]:
    """A fresh Nginx, so failures one test causes are not remembered by the next."""
    private_stack.start("nginx")
    yield private_stack.address("nginx")
    private_stack.stop("nginx")


def test_session_cookie_keeps_a_browser_on_one_replica(
    lb: str, replicas: dict[str, Replica]
) -> None:
    seen = {_get(lb, "/", cookie=f"murmur_session=s{i}")[1]["replica"] for i in range(20)}
    assert seen == {"web-1", "web-2"}, "20 sessions should land on both replicas"

    answers = {_get(lb, "/feed", cookie="murmur_session=alice")[1]["replica"] for _ in range(5)}
    assert len(answers) == 1


def test_proxy_sets_forwarded_headers_and_names_the_upstream(
    lb: str, replicas: dict[str, Replica], private_stack: Stack
) -> None:
    response, body = _get(lb, "/")

    headers = {k.lower(): v for k, v in body["headers"].items()}
    assert headers["host"] == lb
    assert headers["x-forwarded-for"] == "127.0.0.1"
    assert headers["x-real-ip"] == "127.0.0.1"
    assert headers["x-forwarded-proto"] == "http"
    replica_port = private_stack.cfg.ports.web[int(body["replica"][-1]) - 1]
    assert response.getheader("X-Upstream") == f"127.0.0.1:{replica_port}"


def test_dead_replica_costs_a_get_nothing_but_a_post_is_not_resent(
    lb: str, replicas: dict[str, Replica]
) -> None:
    cookie = "murmur_session=bob"
    home = _get(lb, "/", cookie=cookie)[1]["replica"]
    other = "web-2" if home == "web-1" else "web-1"
    replicas[home].mode = "drop"

    response, body = _get(lb, "/", cookie=cookie)
    assert response.status == 200
    assert body["replica"] == other
    assert "," in response.getheader("X-Upstream", ""), "both replicas should have been tried"

    posts_before = replicas[other].hits
    status = _request(lb, "POST", "/api/v1/posts", cookie=cookie, body=b"{}").status
    assert status == 502
    assert replicas[other].hits == posts_before, "a POST must not be sent a second time"


def test_stopped_replica_is_skipped_for_every_method(lb: str, replicas: dict[str, Replica]) -> None:
    cookie = "murmur_session=carol"
    home = _get(lb, "/", cookie=cookie)[1]["replica"]
    replicas[home].close()

    # Connection refused: the request never left Nginx, so even a POST may go elsewhere.
    for method in ("GET", "POST"):
        response = _request(lb, method, "/", cookie=cookie, body=b"{}")
        assert response.status == 200
        assert json.loads(response.read())["replica"] != home


def test_body_limits_are_520m_for_uploads_and_2m_elsewhere(
    lb: str, replicas: dict[str, Replica]
) -> None:
    mb = 1024 * 1024
    assert _announce_body(lb, "/api/v1/posts", 3 * mb) == 413
    assert _announce_body(lb, "/api/v1/uploads", 521 * mb) == 413
    assert _request(lb, "POST", "/api/v1/uploads", body=b"x" * (101 * mb)).status == 200


def test_websocket_upgrade_reaches_a_replica_and_echoes(private_stack: Stack) -> None:
    def echo(conn: ServerConnection) -> None:
        for message in conn:
            conn.send(f"echo:{message}")

    servers = [ws_serve(echo, "127.0.0.1", port) for port in private_stack.cfg.ports.web]
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in servers]
    for thread in threads:
        thread.start()
    private_stack.start("nginx")
    try:
        with ws_connect(f"ws://{private_stack.address('nginx')}/ws/feed") as ws:
            ws.send("hello")
            assert ws.recv(timeout=5) == "echo:hello"
    finally:
        private_stack.stop("nginx")
        for server in servers:
            server.shutdown()


def test_static_files_are_served_by_nginx_compressed_and_cacheable(lb: str) -> None:
    css = next((REPO_ROOT / "frontend" / "static").rglob("*.css"), None)
    if css is None:
        pytest.skip("frontend/static holds no stylesheet yet")
    path = "/static/" + css.relative_to(REPO_ROOT / "frontend" / "static").as_posix()

    response = _request(lb, "GET", path, headers={"Accept-Encoding": "gzip"})

    assert response.status == 200
    assert response.getheader("Cache-Control") == "max-age=3600"
    body = response.read()
    if response.getheader("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    assert body == css.read_bytes()


def test_media_comes_from_the_public_media_bucket_with_cache_headers(
    private_stack: Stack, lb: str
) -> None:
    private_stack.start("s3")
    bucket = private_stack.media_bucket()
    access_key, secret_key = private_stack.s3_credentials()
    s3 = boto3.client(
        "s3",
        endpoint_url=private_stack.url("s3"),
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        region_name="us-east-1",
    )
    if bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
        s3.create_bucket(Bucket=bucket)
    # The app sets this policy on its media bucket; the test plays the app's part.
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": ["s3:GetObject"],
                "Resource": [f"arn:aws:s3:::{bucket}/*"],
            }
        ],
    }
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    key = f"test/{uuid.uuid4().hex}.jpg"
    s3.put_object(Bucket=bucket, Key=key, Body=b"\xff\xd8jpeg", ContentType="image/jpeg")

    response = _request(lb, "GET", f"/media/{key}")
    assert response.status == 200
    assert response.read() == b"\xff\xd8jpeg"
    assert response.getheader("Content-Type") == "image/jpeg"
    assert response.getheader("Cache-Control") == "max-age=86400"

    ranged = _request(lb, "GET", f"/media/{key}", headers={"Range": "bytes=0-1"})
    assert ranged.status == 206
    assert ranged.read() == b"\xff\xd8"
    assert _request(lb, "PUT", f"/media/{key}", body=b"x").status == 403


def _request(
    address: str,
    method: str,
    path: str,
    *,
    cookie: str | None = None,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> http.client.HTTPResponse:
    host, port = address.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    all_headers = dict(headers or {})
    if cookie:
        all_headers["Cookie"] = cookie
    conn.request(method, path, body=body, headers=all_headers)
    return conn.getresponse()


def _get(
    address: str, path: str, cookie: str | None = None
) -> tuple[http.client.HTTPResponse, dict[str, Any]]:
    response = _request(address, "GET", path, cookie=cookie)
    assert response.status == 200, response.read()
    return response, json.loads(response.read())


def _announce_body(address: str, path: str, length: int) -> int:
    """Status Nginx answers to headers announcing a body of `length` bytes, none sent."""
    host, port = address.split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Length: {length}\r\n"
            "Connection: close\r\n\r\n".encode()
        )
        status_line = sock.makefile("rb").readline().decode()
    return int(status_line.split()[1])
