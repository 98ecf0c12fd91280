"""Is the Chroma server answering? For ``/readyz`` (issue 17): a replica whose index
server is down is not ready, rather than ready and answering "Sorry..." to everyone.

One GET of the server's heartbeat with a short timeout; the embedded Chroma (no
``BOT_CHROMA_URL``) has nothing to ask.
"""

from __future__ import annotations

import httpx

HEARTBEAT = "/api/v2/heartbeat"


def chroma_unreachable(url: str | None, timeout: float = 2.0) -> str | None:
    """Why the Chroma server at ``url`` cannot be used now, or None (also for no server)."""
    if not url:
        return None
    try:
        response = httpx.get(url.rstrip("/") + HEARTBEAT, timeout=timeout)
    except httpx.HTTPError as exc:
        return f"the Chroma server at {url} is unreachable ({type(exc).__name__})"
    if response.status_code != 200:
        return f"the Chroma server at {url} answers HTTP {response.status_code}"
    return None
