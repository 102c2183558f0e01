"""Building responses: JSON bodies, Status failures and ``Warning`` headers."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from kube_actors.server.status import encode

JSON_TYPE = "application/json"


def json_response(
    body: bytes | dict[str, Any], code: int = 200, warnings: list[str] | None = None
) -> Response:
    """A JSON response; ``warnings`` become ``Warning: 299 - "..."`` headers as upstream's."""
    content = body if isinstance(body, bytes) else encode(body)
    response = Response(content=content, status_code=code, media_type=JSON_TYPE)
    for text in warnings or ():
        escaped = text.replace("\\", "\\\\").replace('"', '\\"')
        response.headers.append("Warning", f'299 - "{escaped}"')
    return response
