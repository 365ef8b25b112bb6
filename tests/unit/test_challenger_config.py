"""The challenger key (SPEC §1, §11): from config, environment or flag, validated, and never
shown — not in the config's repr, not in a validation error; and the ``play_disputes`` switch."""

from __future__ import annotations

import pytest

from rollup_node.cli import _faults, _overrides, build_parser
from rollup_node.config import ConfigError, load_config

KEY = "0x" + "ab" * 32


def test_challenger_key_from_env_and_flag_is_kept_out_of_repr() -> None:
    config = load_config(None, environ={"ROLLUP_NODE_CHALLENGER_KEY": KEY})
    assert config.node.challenger_key == KEY
    assert "abab" not in repr(config) and "abab" not in str(config.node)
    args = build_parser().parse_args(["verifier", "--challenger-key", KEY])
    assert load_config(None, _overrides(args), environ={}).node.challenger_key == KEY


def test_a_bad_key_is_refused_without_echoing_it() -> None:
    typo = KEY[:-1] + "z"
    with pytest.raises(ConfigError) as error:
        load_config(None, {"node": {"challenger_key": typo}}, environ={})
    assert "node.challenger_key" in str(error.value) and typo not in str(error.value)


def test_wrong_root_fault_flag() -> None:
    args = build_parser().parse_args(["sequencer", "--fault-wrong-root-once", "7"])
    assert _faults(args).wrong_output_root_once == 7
    assert not _faults(build_parser().parse_args(["sequencer"])).any


def test_play_disputes_switch_from_flag_and_env() -> None:
    assert load_config(None, environ={}).node.play_disputes
    env = load_config(None, environ={"ROLLUP_NODE_PLAY_DISPUTES": "off"})
    assert not env.node.play_disputes
    args = build_parser().parse_args(["sequencer", "--play-disputes", "off"])
    assert not load_config(None, _overrides(args), environ={}).node.play_disputes
    with pytest.raises(SystemExit):  # a replica never plays: no such flag
        build_parser().parse_args(["replica", "--play-disputes", "on"])


def test_a_challenger_key_without_the_agent_is_refused() -> None:
    with pytest.raises(ConfigError) as error:
        load_config(None, {"node": {"challenger_key": KEY, "play_disputes": False}}, environ={})
    assert "play_disputes is off" in str(error.value) and "abab" not in str(error.value)
