"""The hint router: a hint names a handler that prepares the preimages the program will ask for.

A hint payload is an ASCII type, one space (0x20), then raw data. Handlers are registered per
type (the node registers ``l1-…``/``l2-…`` handlers; ``precompile`` is built in, see
``precompiles.py``). An unknown type is logged and ignored: a hint only helps the host, the
program's correctness never depends on it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

HintHandler = Callable[[bytes], None]


class HintError(ValueError):
    """A malformed hint payload (no type separator, or a non-ASCII type)."""


def parse_hint(payload: bytes) -> tuple[str, bytes]:
    """Split ``payload`` into ``(type, data)``."""
    space = payload.find(b" ")
    if space <= 0:
        raise HintError(f"hint has no 'type ' prefix: {payload[:40]!r}")
    try:
        hint_type = payload[:space].decode("ascii")
    except UnicodeDecodeError:
        raise HintError(f"hint type is not ASCII: {payload[:space]!r}") from None
    return hint_type, payload[space + 1 :]


class HintRouter:
    """Dispatches hints to the handler registered for their type."""

    def __init__(self) -> None:
        self._handlers: dict[str, HintHandler] = {}
        self.ignored = 0

    def register(self, hint_type: str, handler: HintHandler) -> None:
        """Route hints of ``hint_type`` to ``handler(data)``."""
        if " " in hint_type or not hint_type.isascii() or not hint_type:
            raise HintError(f"invalid hint type {hint_type!r}")
        self._handlers[hint_type] = handler

    def route(self, payload: bytes) -> None:
        """Process one hint; unknown or malformed hints are logged and ignored."""
        try:
            hint_type, data = parse_hint(payload)
        except HintError as error:
            logger.warning("ignoring malformed hint: %s", error)
            self.ignored += 1
            return
        handler = self._handlers.get(hint_type)
        if handler is None:
            logger.info("ignoring hint of unknown type %r", hint_type)
            self.ignored += 1
            return
        handler(data)
