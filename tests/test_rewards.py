"""The reward table: the issue's numbers, validation that names the problem, the README copy."""

from __future__ import annotations

from pathlib import Path

import pytest

from memory.settings import Settings
from tools.rewards import README_MARKER, RewardError, RewardTable, normalize_signal

REPO = Path(__file__).resolve().parents[1]


def test_default_rewards_match_the_issue() -> None:
    t = RewardTable()
    assert t.reward("like") == 1.0
    assert t.reward("love") == 1.0
    assert t.reward("dislike") == -1.0
    assert t.reward("not for me") == -1.0
    assert t.reward("details") == pytest.approx(0.3)
    assert t.reward("more_like") == pytest.approx(0.6)
    assert t.reward("pick") == pytest.approx(0.2)
    assert t.reward("moved_on") == pytest.approx(-0.1)
    assert t.reward("seen") is None
    assert [t.reward("rate", r) for r in (1, 2, 3, 4, 5)] == [-1.0, -0.5, 0.0, 0.5, 1.0]
    assert t.signal("details").kind == "implicit" and t.signal("like").kind == "explicit"


@pytest.mark.parametrize("bad", [0, 6, 5.5, -1, float("nan")])
def test_rating_outside_range_names_the_value(bad: float) -> None:
    with pytest.raises(RewardError, match="outside 1-5"):
        RewardTable().reward("rate", bad)


def test_rating_needs_a_value() -> None:
    with pytest.raises(RewardError, match="needs a value"):
        RewardTable().reward("rate")


def test_unknown_signal_lists_valid_ones() -> None:
    with pytest.raises(RewardError) as err:
        RewardTable().reward("adore")
    assert "'adore'" in str(err.value)
    for name in ("like", "dislike", "rate", "seen", "moved_on"):
        assert name in str(err.value)


def test_aliases_and_spelling() -> None:
    assert normalize_signal("Not for me") == "not_for_me"
    assert normalize_signal("more-like") == "more_like"
    assert normalize_signal(" Seen it ") == "seen"
    assert normalize_signal("LOVE") == "love"


def test_overrides_apply_and_leave_the_rest() -> None:
    t = RewardTable.from_overrides({"like": 0.8, "Moved On": -0.05})
    assert t.reward("like") == 0.8
    assert t.reward("moved_on") == -0.05
    assert t.reward("dislike") == -1.0


def test_bad_override_names_the_signal_and_the_valid_ones() -> None:
    with pytest.raises(RewardError) as err:
        RewardTable.from_overrides({"likee": 0.5})
    msg = str(err.value)
    assert "'likee'" in msg and "like" in msg and "details" in msg
    with pytest.raises(RewardError, match="'rate' cannot be overridden"):
        RewardTable.from_overrides({"rate": 0.5})
    with pytest.raises(RewardError, match="in \\[-1, 1\\]"):
        RewardTable.from_overrides({"like": 3})
    with pytest.raises(RewardError, match="must be a number"):
        RewardTable.from_overrides({"like": "lots"})  # type: ignore[dict-item]


def test_overrides_from_settings_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TASTEBUD_REWARDS__DETAILS", "0.5")
    table = RewardTable.from_overrides(Settings().rewards)
    assert table.reward("details") == 0.5


def test_markdown_lists_every_signal() -> None:
    md = RewardTable().render_markdown()
    for name in RewardTable().names:
        assert f"`{name}`" in md
    assert "(r - 3) / 2" in md and "+0.3" in md and "-0.1 per item" in md


def test_readme_has_the_current_table() -> None:
    readme = REPO / "README.md"
    if not readme.exists() or README_MARKER not in readme.read_text(encoding="utf-8"):
        pytest.skip(f"README.md has no {README_MARKER} marker yet")
    assert RewardTable().render_markdown().strip() in readme.read_text(encoding="utf-8")
