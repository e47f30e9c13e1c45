"""The exit status of every ``dutydesk`` command, defined once.

Scripts and the station's scheduled jobs (a nightly roll call, a drill from cron) look at
the status, not the text, so every command speaks the same four values: a script can
tell "it ran and everyone answered" from "it ran and someone was missing" from "it could
not run" from "someone stopped it" without knowing which command it called.
``dutydesk --help`` and the README show :func:`exit_table`.
"""

from __future__ import annotations

from enum import IntEnum

from console.i18n import register, t


class ExitCode(IntEnum):
    """What a ``dutydesk`` command's exit status means."""

    OK = 0
    """It ran and everything it was asked for was met (all answered, drill passed)."""
    MISSED = 1
    """It ran, but targets were missed: units absent or silent, a drill failed its
    criteria, an export that matched nothing, problems found by ``doctor``."""
    ERROR = 2
    """It could not run or do its work: a bad file or argument, no gateway, a log or
    output it could not use (the message names it, with a hint)."""
    INTERRUPTED = 130
    """Stopped by Ctrl-C or SIGTERM; what was done so far is in the log."""

    def meaning(self, lang: str = "en") -> str:
        return t(f"exit.{self.name.lower()}", lang)


WORDS = register(
    {
        "exit.head": ("退出码：", "exit status (every command):"),
        "exit.ok": ("一切正常（全部应答、演练通过）", "all good (everyone answered, drill passed)"),
        "exit.missed": (
            "已运行但未达标（单元缺席/未应答、演练未通过、导出为空）",
            "ran, targets missed (units absent/silent, drill failed, export empty)",
        ),
        "exit.error": (
            "错误（文件、参数、网关或日志有问题）",
            "error (bad file or argument, no gateway, log)",
        ),
        "exit.interrupted": ("被中断（Ctrl-C 或 SIGTERM）", "interrupted (Ctrl-C or SIGTERM)"),
    }
)


def exit_table(lang: str = "en") -> str:
    """The table as ``--help`` prints it (one line per status)."""
    head = t("exit.head", lang)
    rows = [f"  {int(code):>3}  {code.meaning(lang)}" for code in ExitCode]
    return "\n".join([head, *rows])
