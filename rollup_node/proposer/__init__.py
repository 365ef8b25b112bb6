"""The proposer: posts output roots of derived L2 blocks to the SCC and keeps its bond."""
