"""Pure protocol rules (SPEC §3–§6) and the dispute-game vocabulary (§11): no asyncio, network
or database imports.

Every function here is deterministic over plain data, so the node, the tests and the C
fault-proof program can be checked against the same definitions.
"""
