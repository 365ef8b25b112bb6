"""The native host: a real subprocess served over fds 3-6 with the Python client."""

from __future__ import annotations

import sys
import textwrap

import pytest

from rollup_node.faultproof.oracle.hints import HintRouter
from rollup_node.faultproof.oracle.host import HostError, Oracle, run_native
from rollup_node.faultproof.oracle.keys import keccak_key, local_key
from rollup_node.faultproof.oracle.source import ChainedSource, DictSource

CLIENT = textwrap.dedent(
    """
    import sys
    from rollup_node.faultproof.oracle.client import OracleClient
    from rollup_node.faultproof.oracle.keys import local_key, precompile_key
    client = OracleClient()
    key = client.get_preimage(local_key(1))
    client.hint("fetch", key)
    client.hint("nobody-handles-this", b"x")
    data = (6).to_bytes(20, "big") + (150).to_bytes(8, "big") + bytes(128)
    client.hint("precompile", data)
    result = client.get_preimage(precompile_key(data[:20], 150, bytes(128)))
    value = client.get_preimage(key)
    sys.stdout.write(value.decode() + " " + result.hex() + " " + sys.stdin.read())
    sys.exit(3)
    """
)


def test_native_run_serves_hints_and_preimages() -> None:
    payload = b"served-after-a-hint"
    fetched = DictSource()
    router = HintRouter()
    router.register("fetch", lambda key: fetched.put(key, payload))
    inputs = DictSource({local_key(1): keccak_key(payload)})
    result = run_native(
        [sys.executable, "-c", CLIENT],
        ChainedSource([inputs, fetched]),
        router,
        stdin=b"in",
        timeout=60,
    )
    assert result.exit_code == 3
    value, status, echoed = result.stdout.decode().split(" ")
    assert value == payload.decode() and status == "01" + "00" * 64 and echoed == "in"


def test_native_run_refuses_a_wrong_keccak_preimage() -> None:
    class Lying:
        def get_preimage(self, key: bytes) -> bytes:
            return b"not the preimage"

    client = "from rollup_node.faultproof.oracle.client import OracleClient\n"
    client += "OracleClient().get_preimage(b'\\x02' + bytes(31))\n"
    with pytest.raises(HostError, match="does not hash"):
        run_native([sys.executable, "-c", client], Oracle(Lying()), timeout=60)
