"""How the runner sends: the runtime's ``HttpTransport``, its failures named for a verdict.

``HttpTransport`` (``codegen/runtime/_http.py``, spec-independent runtime
code, so the oracle still shares nothing with the generated package) follows
no redirect, refuses a body over its size cap and reads the whole answer
(status line, headers, interim answers, body) against one read deadline.

``send`` returns every HTTP answer as it is (3xx included) and raises
``Unanswered``, with a one-line reason naming the limit, when there is none.
"""

from __future__ import annotations

from codegen.runtime._http import HttpRequest, HttpResponse, HttpTransport, Timeout
from codegen.runtime._secrets import hide_secret
from codegen.runtime.errors import ResponseTooLargeError, TransportError

CONNECT_SECONDS = 10.0


class Unanswered(Exception):
    """A request got no usable HTTP answer: unreachable, too slow, too large or broken."""


class AnswerTooLarge(Unanswered):
    """The answer's body is over the size cap."""


class AnswerTooSlow(Unanswered):
    """The whole answer did not arrive within the request's deadline."""


class GuardedTransport(HttpTransport):
    """``HttpTransport`` whose failures are ``Unanswered``, each naming its bounding option."""

    def __init__(self, *, max_response_bytes: int) -> None:
        # Proxies from the environment, as before: a runner behind one still reaches the server.
        super().__init__(max_response_bytes=max_response_bytes)

    def __call__(self, request: HttpRequest, timeout: float | Timeout) -> HttpResponse:
        """Send ``request`` as ``HttpTransport`` does; ``Unanswered`` when no answer comes."""
        limits = Timeout.of(timeout)
        try:
            return super().__call__(request, limits)
        except ResponseTooLargeError as error:
            raise AnswerTooLarge(
                f"the answer is over the {error.limit} bytes allowed (--max-response-bytes)"
            ) from None
        except TransportError as error:
            reason = _without_request(str(error), request)
            # By the failure's type, not its words: the reason quotes the server's own text.
            if isinstance(error.__context__, TimeoutError):
                raise AnswerTooSlow(
                    f"{reason} (the {limits.read:g}s deadline, --request-timeout)"
                ) from None
            raise Unanswered(reason) from None


def _without_request(message: str, request: HttpRequest) -> str:
    """The transport's message without the request it names first (the caller names it)."""
    shown = f"{request.method} {hide_secret(request.url, request.secret)}: "
    return message.removeprefix(shown)


def send(
    transport: GuardedTransport,
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes | None,
    *,
    secret: str,
    seconds: float,
) -> HttpResponse:
    """One exchange: connect within ``CONNECT_SECONDS``, the whole answer within ``seconds``."""
    request = HttpRequest(method, url, headers, body, secret=secret)
    return transport(request, Timeout(connect=min(CONNECT_SECONDS, seconds), read=seconds))
