"""The console's pure rules: the password rule, lock-out arithmetic, session expiry, account shape."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from console.domain.accounts import changes, removes_last_admin, shape_errors
from console.domain.lockout import Attempts, LockoutPolicy
from console.domain.passwords import check_password
from console.domain.sessions import SessionPolicy, expires_at, is_expired

T0 = datetime(2023, 11, 20, 9, 0)
POLICY = LockoutPolicy(max_failures=5, window=timedelta(minutes=15), lock_for=timedelta(minutes=15))


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("short-pw1", "min_length"),  # 9 characters
        ("1234567890123", "not_all_digits"),
        ("Fengcheng1", None),  # 10 characters, letters and digits
        ("fengcheng-2023", None),
    ],
)
def test_a_password_needs_ten_characters_and_not_only_digits(password: str, rule: str | None) -> None:
    refusal = check_password(password, username="beiliu")
    assert (refusal.rule if refusal else None) == rule


def test_the_password_may_not_be_the_username_in_any_case() -> None:
    refusal = check_password("FengCheng-Zhen", username="fengcheng-zhen", field="new_password")
    assert refusal is not None
    assert (refusal.field, refusal.rule) == ("new_password", "not_username")
    assert "用户名" in refusal.message and "username" in refusal.message


def test_the_refusal_names_the_rule_in_chinese_and_english() -> None:
    refusal = check_password("abc", username="x")
    assert refusal is not None and refusal.field == "password"
    assert "10" in refusal.message and "至少" in refusal.message and "at least" in refusal.message


def _fail(attempts: Attempts, *minutes: float) -> Attempts:
    for m in minutes:
        attempts = attempts.after_failure(T0 + timedelta(minutes=m), POLICY)
    return attempts


def test_four_failures_within_the_window_do_not_lock() -> None:
    attempts = _fail(Attempts(), 0, 1, 2, 3)
    assert attempts.failures == 4 and not attempts.locked(T0 + timedelta(minutes=3))


def test_the_fifth_failure_within_the_window_locks_for_fifteen_minutes() -> None:
    attempts = _fail(Attempts(), 0, 1, 2, 3, 4)
    assert attempts.locked_until == T0 + timedelta(minutes=19)
    assert attempts.locked(T0 + timedelta(minutes=18, seconds=59))
    assert not attempts.locked(T0 + timedelta(minutes=19))


def test_failures_outside_the_window_start_a_new_count() -> None:
    attempts = _fail(Attempts(), 0, 1, 2, 3, 15)  # the fifth comes after the 15-minute window
    assert attempts.failures == 1 and attempts.first_failure_at == T0 + timedelta(minutes=15)
    assert attempts.locked_until is None


def test_a_failure_after_the_lock_has_passed_counts_from_one() -> None:
    locked = _fail(Attempts(), 0, 1, 2, 3, 4)
    again = locked.after_failure(T0 + timedelta(minutes=20), POLICY)
    assert again.failures == 1 and not again.locked(T0 + timedelta(minutes=20))


def test_a_success_forgets_the_failures() -> None:
    assert _fail(Attempts(), 0, 1).after_success() == Attempts()


def test_a_session_ends_after_thirty_idle_minutes() -> None:
    policy = SessionPolicy()
    seen = T0 + timedelta(hours=1)
    assert expires_at(created_at=T0, last_seen_at=seen, policy=policy) == seen + timedelta(minutes=30)
    assert not is_expired(created_at=T0, last_seen_at=seen, now=seen + timedelta(minutes=29), policy=policy)
    assert is_expired(created_at=T0, last_seen_at=seen, now=seen + timedelta(minutes=30), policy=policy)


def test_a_session_in_constant_use_still_ends_twelve_hours_after_sign_in() -> None:
    policy = SessionPolicy()
    seen = T0 + timedelta(hours=11, minutes=50)
    assert expires_at(created_at=T0, last_seen_at=seen, policy=policy) == T0 + timedelta(hours=12)
    assert is_expired(created_at=T0, last_seen_at=seen, now=T0 + timedelta(hours=12), policy=policy)


def test_a_reporter_account_names_its_unit_and_only_leaders_carry_a_leader_id() -> None:
    assert [f for f, _ in shape_errors(role="reporter", unit_code=None, leader_id=None)] == ["unit_code"]
    assert [f for f, _ in shape_errors(role="admin", unit_code=None, leader_id="li")] == ["leader_id"]
    assert shape_errors(role="leader", unit_code=None, leader_id="li-xian") == []


def test_changes_list_each_changed_field_with_its_old_and_new_value() -> None:
    before = {"role": "reporter", "unit_code": "beiliu", "display_name": "北留镇"}
    after = {**before, "role": "leader", "unit_code": None}
    assert changes(before, after) == {"role": ["reporter", "leader"], "unit_code": ["beiliu", None]}


def test_the_last_active_admin_cannot_be_removed() -> None:
    assert removes_last_admin(role="admin", active=True, new_role="admin", new_active=False, active_admins=1)
    assert removes_last_admin(
        role="admin", active=True, new_role="supervisor", new_active=True, active_admins=1
    )
    assert not removes_last_admin(
        role="admin", active=True, new_role="admin", new_active=False, active_admins=2
    )
    assert not removes_last_admin(
        role="reporter", active=True, new_role="admin", new_active=False, active_admins=1
    )
