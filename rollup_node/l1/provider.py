"""The async JSON-RPC provider every L1 client of the node uses (``connect``, ``Web3L1Reader``).

web3 8's ``AsyncHTTPProvider`` looks its aiohttp session up on every request under one
process-wide ``threading.Lock`` that it acquires in a thread pool (``HTTPSessionManager``). A
request cancelled at that moment — any service's request when the node stops — can leave the
lock taken for good (web3.py issue 3867): every later async web3 request in the process then
hangs, and so does the process's exit, which joins the pool's blocked thread. ``L1Provider``
is web3's provider (request encoding, retries, error handling) posting through one aiohttp
session of its own, with no lock.
"""

from __future__ import annotations

from typing import Any

from aiohttp import ClientSession, ClientTimeout
from web3 import AsyncHTTPProvider


class _OwnSession:
    """The one call web3's async provider makes on its session manager, without the lock."""

    def __init__(self) -> None:
        self.session: ClientSession | None = None

    async def async_make_post_request(self, endpoint_uri: str, data: bytes, **kwargs: Any) -> bytes:
        """POST ``data``; the response body (an HTTP error status raises)."""
        if self.session is None or self.session.closed:
            self.session = ClientSession(raise_for_status=True)
        async with self.session.post(endpoint_uri, data=data, **kwargs) as response:
            return await response.read()

    async def close(self) -> None:
        """Close the session (a later request opens a new one)."""
        if self.session is not None:
            await self.session.close()
            self.session = None


class L1Provider(AsyncHTTPProvider):
    """``AsyncHTTPProvider`` on ``url`` whose requests never take web3's session lock."""

    def __init__(self, url: str, timeout_seconds: float) -> None:
        super().__init__(url, request_kwargs={"timeout": ClientTimeout(total=timeout_seconds)})
        self._own = _OwnSession()
        self._request_session_manager = self._own  # type: ignore[assignment]

    async def disconnect(self) -> None:
        """Close this provider's session."""
        await self._own.close()
