"""The node's JSON-RPC server (SPEC §12): HTTP and WebSocket on one aiohttp port.

Data flow: ``server`` accepts a request body or WebSocket message (bounded by ``limits``) →
``dispatch`` parses the JSON-RPC envelope (single or batch) and finds the method → ``params``
turns each positional argument into typed values (or a -32602 naming it) → a namespace module
(``eth``, ``net``, ``web3_ns``, ``dev``, ``rollup``) asks the chain through the small interfaces
the server declares in ``backend`` (with the request/result values of ``types``) →
``formatting`` turns the chain's records into geth-shaped JSON; ``fees`` computes the base-fee
and fee-history figures. ``events`` fans new head blocks and accepted transactions out to poll
filters (``filters``) and WebSocket subscriptions (``subscriptions``). ``errors`` holds the
codes of EIP-1474 and maps chain errors onto them; ``metrics`` counts calls for Prometheus.
"""
