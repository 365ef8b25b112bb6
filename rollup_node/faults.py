"""Fault injection for tests: a sequencer that misbehaves in one chosen way.

Never set in production; the node logs a warning at start when any fault is on.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Faults:
    """Ways the sequencer's services can be told to misbehave."""

    malformed_batch_at: int | None = None  # post the batch holding this L2 block malformed
    #: propose a wrong output root for this L2 block, once (the re-proposal after a game
    #: deletes it is correct, SPEC §11)
    wrong_output_root_once: int | None = None
    censor_deposits: bool = False  # never include deposits from the CTC queue
    #: play dispute games with a trace that departs from the real one after this many steps
    #: (rollup_node/faultproof/game/liar.py), so the node defends its wrong root dishonestly
    lying_trace_from_step: int | None = None
    #: a verifier with a challenger key opens a game against this (correct) SCC element, with
    #: the lying trace's root claim: a dishonest challenger (SPEC §11)
    challenge_correct_root_at: int | None = None
    #: a verifier with ``check_with_program`` gives the program a wrong output root for this
    #: L2 block, so the program must reject it and the check must alert
    program_check_wrong_root_at: int | None = None

    @property
    def any(self) -> bool:
        """Whether a fault is on."""
        return (
            self.malformed_batch_at is not None
            or self.wrong_output_root_once is not None
            or self.censor_deposits
            or self.lying_trace_from_step is not None
            or self.challenge_correct_root_at is not None
            or self.program_check_wrong_root_at is not None
        )
