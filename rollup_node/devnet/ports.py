"""Start-up check: every port the node will listen on is free, before anything starts.

The devnet starts its embedded L1 and deploys the rollup contracts before it serves L2; a port
that is taken would only show up after that work, as a traceback from the socket layer. The
command line checks each port first and stops with one line naming the port and the flag that
changes it (a configuration error: nothing to retry until the port or the flag changes).
The check binds each port as the server will (same host, address reuse on) and releases it at
once; a port taken between the check and the server's start still fails there.
"""

from __future__ import annotations

import socket
from collections.abc import Sequence
from dataclasses import dataclass

from rollup_node.config import ConfigError, NodeConfig


@dataclass(frozen=True, slots=True)
class ListenPort:
    """A port the node listens on and the flag that sets it."""

    port: int
    flag: str
    what: str


def listen_ports(node: NodeConfig) -> list[ListenPort]:
    """The ports a node of ``node.mode`` listens on (port 0, "any free port", is left out)."""
    ports = [ListenPort(node.rpc_port, "--rpc-port", "L2 JSON-RPC")]
    if node.mode == "devnet":
        ports.append(ListenPort(node.l1_rpc_port, "--l1-rpc-port", "embedded L1 JSON-RPC"))
    return [p for p in ports if p.port != 0]


def port_in_use(host: str, port: int) -> bool:
    """Whether ``host:port`` cannot be bound for listening right now."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # As asyncio's servers do on Unix, so that a port in TIME_WAIT does not count as taken.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
            probe.listen(1)
        except OSError:
            return True
    return False


def check_ports_free(host: str, ports: Sequence[ListenPort]) -> None:
    """Raise ``ConfigError`` naming the first port in use and its flag; two uses of one port
    are refused the same way."""
    seen: dict[int, ListenPort] = {}
    for entry in ports:
        if entry.port in seen:
            raise ConfigError(
                f"port {entry.port} is set for both the {seen[entry.port].what} "
                f"({seen[entry.port].flag}) and the {entry.what} ({entry.flag})"
            )
        seen[entry.port] = entry
        if port_in_use(host, entry.port):
            raise ConfigError(
                f"port {entry.port} on {host} ({entry.what}) is already in use: stop what "
                f"listens there or choose another port with {entry.flag}"
            )
