"""The node's JSON-RPC server (SPEC §12): HTTP and WebSocket on one aiohttp port.

Data flow: ``server`` accepts a request body or WebSocket message → ``dispatch`` parses the
JSON-RPC envelope (single or batch) and finds the method → ``params`` turns each positional
argument into typed values (or a -32602 naming it) → a namespace module (``eth``, ``net``,
``web3_ns``, ``dev``, ``rollup``) asks the chain through the small interfaces in ``backend`` →
``formatting`` turns the chain's records into geth-shaped JSON. ``events`` fans new head blocks
out to poll filters (``filters``) and WebSocket subscriptions (``subscriptions``). ``errors``
holds the error codes of EIP-1474 and the mapping of chain errors onto them.
"""
