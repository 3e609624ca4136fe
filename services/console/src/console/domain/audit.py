"""What the audit log records: the actions, with the labels the office's spreadsheet shows."""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_IN_LOCKED = "sign_in_locked"  # refused: the account was already locked
    LOCKED_OUT = "locked_out"  # the failure that locked the account
    SIGN_OUT = "sign_out"
    TOKEN_ISSUED = "token_issued"
    PASSWORD_CHANGED = "password_changed"
    PASSWORD_CHANGE_FAILED = "password_change_failed"
    PASSWORD_RESET = "password_reset"
    ACCOUNT_CREATED = "account_created"
    ACCOUNT_CHANGED = "account_changed"
    ACCOUNT_DEACTIVATED = "account_deactivated"
    ACCOUNT_ACTIVATED = "account_activated"
    CLIENT_REGISTERED = "client_registered"
    CLIENT_REVOKED = "client_revoked"
    SERVICE_WRITE = "service_write"  # a write passed through to one of the four services


LABELS: dict[str, str] = {
    Action.SIGN_IN: "登录",
    Action.SIGN_IN_FAILED: "登录失败",
    Action.SIGN_IN_LOCKED: "锁定期间登录",
    Action.LOCKED_OUT: "账户锁定",
    Action.SIGN_OUT: "退出登录",
    Action.TOKEN_ISSUED: "签发令牌",
    Action.PASSWORD_CHANGED: "修改密码",
    Action.PASSWORD_CHANGE_FAILED: "修改密码失败",
    Action.PASSWORD_RESET: "重置密码",
    Action.ACCOUNT_CREATED: "新建账户",
    Action.ACCOUNT_CHANGED: "修改账户",
    Action.ACCOUNT_DEACTIVATED: "停用账户",
    Action.ACCOUNT_ACTIVATED: "启用账户",
    Action.CLIENT_REGISTERED: "新建接入系统",
    Action.CLIENT_REVOKED: "吊销接入系统",
    Action.SERVICE_WRITE: "业务数据写入",
}
