"""A fake OpenAI-compatible chat-completions API on 127.0.0.1, for the real ``openai`` client.

Each ``POST /v1/chat/completions`` is answered by the test's script: a function of the
request (and how many came before) that returns a :class:`Reply` — content in a normal
completion, a bare status with headers (429 with ``Retry-After``, 500), a raw body, or a
hang. Every request is kept, so tests can count them and read the prompts.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Reply:
    content: str | None = None
    """The assistant message's content in a 200 completion."""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None
    """A raw body instead of a completion (an error's JSON)."""
    hang: bool = False
    """Never answer (until the server stops)."""
    tokens: int = 100


Script = Callable[[dict[str, Any], int], Reply]


class FakeLLM:
    """The server; use as a context manager, point ``writing.base_url`` at :attr:`url`."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.requests: list[dict[str, Any]] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> FakeLLM:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: object) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                request = json.loads(self.rfile.read(length))
                if self.path != "/v1/chat/completions":
                    self._send(404, {}, '{"error": {"message": "not found"}}')
                    return
                with fake._lock:
                    index = len(fake.requests)
                    fake.requests.append(request)
                reply = fake.script(request, index)
                if reply.hang:
                    fake.stopping.wait(30)
                    return
                if reply.body is not None or reply.status != 200:
                    body = reply.body if reply.body is not None else '{"error": {"message": "scripted"}}'
                    self._send(reply.status, reply.headers, body)
                    return
                self._send(200, reply.headers, json.dumps(_completion(request, reply)))

            def _send(self, status: int, headers: dict[str, str], body: str) -> None:
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

        return Handler


def _completion(request: dict[str, Any], reply: Reply) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 1782864000,
        "model": request.get("model", "fake"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply.content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": reply.tokens - 20, "completion_tokens": 20, "total_tokens": reply.tokens},
    }


_RECORD = re.compile(r"```json\n(.*?)\n```", re.DOTALL)


def record_in(request: dict[str, Any]) -> dict[str, Any]:
    """The record the prompt gave the model."""
    user = next(m["content"] for m in request["messages"] if m["role"] == "user")
    found = _RECORD.search(user)
    assert found, "the prompt has no ```json record block"
    return dict(json.loads(found.group(1)))


def locale_of(request: dict[str, Any]) -> str:
    user = next(m["content"] for m in request["messages"] if m["role"] == "user")
    return "ko" if "in Korean" in user else "en"


def is_intro(request: dict[str, Any]) -> bool:
    return "papers" in record_in(request)
