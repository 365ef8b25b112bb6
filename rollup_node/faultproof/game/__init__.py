"""Playing dispute games (SPEC §11).

- ``rollup_node.protocol.dispute``: the vocabulary every part shares (claims as read from a
  game, the actions an honest player takes, the trace a player answers from); it sits in
  ``protocol/`` so that the L1 client of the game contract (``l1/fault_dispute_game.py``) can
  use it too without importing upward.
- ``positions``, ``solver``: position maths and the honest response, pure and synchronous.
- ``costs``: what a full bisection over a trace takes (depth needed, moves, bonds, L1 gas from
  measured per-call figures), pure; ``rollup-node dispute dry-run`` prints it.
- ``trace``: the program's execution trace for one game (state hashes, step witnesses), built
  once on the fast MIPS path with checkpoints and every preimage stored with the game.
- ``responder``: turns actions into L1 transactions on the game, the factory and the oracle.
- ``agent``: the service that finds games, reads them, asks the solver and acts, most urgent first.
"""
