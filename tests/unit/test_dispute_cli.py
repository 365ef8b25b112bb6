"""``rollup-node dispute list|show`` prints what ``rollup_disputes`` serves for a game
(``TrackedGame.as_json``) and for a wrong root; a node that cannot be reached is exit code 1."""

from __future__ import annotations

from typing import Any

from rollup_node.cli import main
from rollup_node.dispute_cli import game_line, show_lines
from rollup_node.faultproof.game.agent import TrackedGame
from rollup_node.l1.fault_dispute_game import GameStatus
from rollup_node.protocol.dispute import Claim

US = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"
THEM = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
GAME = "0x9bd03768a7DCc129555dE410FF8E85528A4F88b5"


def _entry() -> dict[str, Any]:
    root = Claim(0, None, 1, b"\x01" + b"\xaa" * 31, US, 10**18, None, 0, 1000)
    attack = Claim(1, 0, 2, b"\x03" + b"\xbb" * 31, THEM, 2 * 10**16, None, 4, 1004)
    game = TrackedGame(GAME, 4, root.value, 7, US, client=None)  # type: ignore[arg-type]
    game.claims = [root, attack]
    game.seconds_left = {0: 116, 1: 100}
    game.status = GameStatus.IN_PROGRESS
    game.next_action = "move (attack) on claim 1"
    return {"kind": "game", **game.as_json(US)}


def test_list_and_show_lines() -> None:
    entry = _entry()
    line = game_line(entry)
    assert GAME in line and "block      4" in line and "in_progress" in line
    assert "challenger" in line and "claims   2" in line and "clock  100 s" in line
    assert line.endswith("next: move (attack) on claim 1")
    shown = "\n".join(show_lines(entry))
    assert f"challenger   {US}" in shown and "our role     challenger" in shown
    assert "    1 <-    0  d1  0x03bb" in shown and THEM in shown and str(2 * 10**16) in shown


def test_unreachable_node_is_exit_code_1(capsys) -> None:  # noqa: ANN001 - pytest fixture
    assert main(["dispute", "list", "--rpc", "http://127.0.0.1:9"]) == 1
    assert "rollup-node dispute: http://127.0.0.1:9" in capsys.readouterr().err
    assert main(["dispute", "show"]) == 2
