"""The one error hierarchy of the ``console`` package.

Every error a user can cause (a bad station file, an unknown unit, a missing simulator)
is a :class:`ConsoleError` carrying a ``hint``: one sentence the duty officer or the
radio technician can act on.  The CLI prints :func:`say_error` (the error in the
station's language) and exits 2; nobody ever needs a traceback to understand what went
wrong.

``str(err)`` stays English (logs, tests, the technician's export).  A message or hint
that is a :class:`~console.i18n.Phrase` is said again in the officer's language by
:meth:`ConsoleError.say`; the drivers' errors (which cannot know the console's
vocabulary) keep their English message, with their class's default hint said from the
``hint.driver.<class>`` words here.
"""

from __future__ import annotations

from collections.abc import Sequence

from console.i18n import Phrase, is_english, known, register, say, t

WORDS = register(
    {
        "err.with_hint": ("{message}（提示：{hint}）", "{message} (hint: {hint})"),
        "err.more_problems": ("（另有 {n} 处问题）", " (and {n} more problem(s))"),
        "err.not_found": ("文件不存在", "No such file or directory"),
        "err.no_permission": ("没有读取权限", "Permission denied"),
        "err.is_directory": ("这是一个目录，不是文件", "Is a directory"),
        "err.os": ("系统错误：{why}", "{why}"),
        "hint.config": (
            "请修改配置文件；docs/station-config.md 说明了每个字段。",
            "Fix the station file; docs/station-config.md describes every field.",
        ),
        "err.unknown_target": (
            "没有名为「{token}」的单元或通话组",
            "unknown unit or group {token!r}",
        ),
        "err.did_you_mean": ("{message}；是否要找 {names}？", "{message}; did you mean {names}?"),
        "hint.unknown_target": (
            "请用单元名称、通话组名称或 ISSI/GSSI 号码。",
            "Use a unit alias, a group name, or a raw ISSI/GSSI number.",
        ),
        "hint.simulator": (
            "安装带模拟网关的完整程序（pip install -e .），或用 --config 指定真实网关的配置文件。",
            "Install the project with its simulator (pip install -e .) or pass --config with a "
            "real gateway url.",
        ),
        # the drivers' default hints (drivers.errors, drivers.audio.errors), by class
        "hint.driver.DriverError": (
            "请检查网关及其连线，然后重试。",
            "Check the radio gateway and its cable, then try again.",
        ),
        "hint.driver.ProtocolError": (
            "网关发来的不是 PEI 协议数据；请检查波特率和协议方言。",
            "The gateway sent something that is not PEI; check the baud rate and the dialect.",
        ),
        "hint.driver.CommandError": (
            "见网关返回的错误码；该指令未执行。",
            "See the gateway's error code; the command was not carried out.",
        ),
        "hint.driver.CommandTimeout": (
            "网关未按时应答；请检查连线、电源和波特率。",
            "The gateway did not answer in time; check the cable, power and baud rate.",
        ),
        "hint.driver.LinkDown": (
            "请检查网关的 USB/串口线是否插好，且没有其他程序占用该端口；控制台会继续尝试重连。",
            "Check that the gateway's USB/serial cable is plugged in and that no other program "
            "holds the port; the console keeps trying to reconnect.",
        ),
        "hint.driver.PortError": (
            "请检查端口名（如 /dev/ttyUSB0）、当前用户是否在 dialout 组，"
            "以及是否有其他程序（ModemManager、另一个控制台）占用该端口。",
            "Check the port name (e.g. /dev/ttyUSB0), that you are in the 'dialout' group, "
            "and that no other program (ModemManager, another console) holds the port.",
        ),
        "hint.driver.AudioFileError": (
            "请使用 WAV（PCM 或浮点，任意采样率，单声道或立体声）或 FLAC 文件；"
            "未安装 soundfile 时只能读取整数 PCM 的 WAV（8/16/24/32 位）。",
            "Use a WAV file (PCM or float, any rate, mono or stereo) or FLAC; without the "
            "soundfile package only integer PCM WAV (8/16/24/32-bit) is read.",
        ),
        "hint.driver.TtsUnavailable": (
            "安装语音合成：pip install espeakng-loader，或 apt-get install espeak-ng",
            "pip install espeakng-loader (the espeak-ng wheel), "
            "or install espeak-ng (apt-get install espeak-ng)",
        ),
        "hint.driver.AudioBackendMissing": (
            "安装 PortAudio（apt-get install libportaudio2）；音频文件、提示音和语音合成不受影响",
            "install PortAudio (apt-get install libportaudio2); files, tones and speech still work",
        ),
        "hint.driver.AudioDeviceError": (
            "请检查麦克风/耳机是否插好；python -m sounddevice 可列出声卡设备。",
            "Check that the microphone/headset is plugged in; `python -m sounddevice` lists "
            "devices.",
        ),
        "hint.driver.SendError": (
            "请检查该音柱的地址和本机的网络连接。",
            "Check the speaker's address and this PC's network connection.",
        ),
    }
)


class ConsoleError(Exception):
    """Base of every error the console raises for a user mistake or a missing resource."""

    default_hint: str = ""
    """English, or a :class:`~console.i18n.Phrase` that can be said in zh-CN too."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint if hint is not None else self.default_hint

    def __str__(self) -> str:
        return f"{self.message} (hint: {self.hint})" if self.hint else self.message

    def say(self, lang: str) -> str:
        """The error (and its hint) as the officer reads it in ``lang``; English is
        ``str(self)`` exactly, a message or hint with no Chinese words stays English."""
        if is_english(lang) or not any(isinstance(x, Phrase) for x in (self.message, self.hint)):
            return str(self)  # nothing in it has Chinese words: no Chinese frame around it
        return with_hint(say(self.message, lang), say(self.hint, lang), lang)


class ConfigError(ConsoleError):
    """A station file (or another config file) is wrong; names file, line and field.

    ``str()`` reads like a compiler message so editors can jump to it::

        station.toml:42: units[3].issi: expected an integer 1..16777215, got "abc" (hint: ...)

    When the loader found several problems, the first is this error and the rest are in
    :attr:`others`, so ``config check`` can list them all in one pass.
    """

    default_hint = Phrase("hint.config")

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        field: str | None = None,
        hint: str | None = None,
        others: Sequence[ConfigError] = (),
    ) -> None:
        super().__init__(message, hint=hint)
        self.path = path
        self.line = line
        self.field = field
        self.others: tuple[ConfigError, ...] = tuple(others)

    @property
    def location(self) -> str:
        """``file:line: field`` prefix (the parts that are known)."""
        parts: list[str] = []
        if self.path is not None:
            parts.append(self.path if self.line is None else f"{self.path}:{self.line}")
        if self.field:
            parts.append(self.field)
        return ": ".join(parts)

    def describe(self) -> str:
        """This one problem, without the count of other problems."""
        text = f"{self.location}: {self.message}" if self.location else self.message
        return f"{text} (hint: {self.hint})" if self.hint else text

    def __str__(self) -> str:
        text = self.describe()
        if self.others:
            more = len(self.others)
            text += f" (and {more} more problem{'s' if more != 1 else ''})"
        return text

    def say(self, lang: str) -> str:
        if is_english(lang):
            return str(self)
        text = self.say_one(lang)
        if self.others:
            text += t("err.more_problems", lang, n=len(self.others))
        return text

    def say_one(self, lang: str) -> str:
        """:meth:`describe` in ``lang`` (``config check`` lists every problem so)."""
        if is_english(lang):
            return self.describe()
        message = say(self.message, lang)
        text = f"{self.location}: {message}" if self.location else message
        return with_hint(text, say(self.hint, lang), lang)

    @property
    def all_problems(self) -> tuple[ConfigError, ...]:
        """This problem followed by every other one found in the same file."""
        return (self, *self.others)


class UnknownNameError(ConsoleError):
    """A name typed for a page or roll call is no unit, group or number of the station."""

    default_hint = Phrase("hint.unknown_target")

    def __init__(self, token: str, suggestions: Sequence[str] = ()) -> None:
        self.token = token
        self.suggestions: tuple[str, ...] = tuple(suggestions)
        super().__init__(did_you_mean(Phrase("err.unknown_target", token=token), suggestions))


class SimulatorUnavailable(ConsoleError):
    """The simulated gateway (the ``fakes`` package) is not installed or failed to start."""

    default_hint = Phrase("hint.simulator")


def with_hint(message: str, hint: str, lang: str) -> str:
    """``message (hint: ...)`` in ``lang`` (just ``message`` without a hint)."""
    return t("err.with_hint", lang, message=message, hint=hint) if hint else message


def did_you_mean(message: Phrase, suggestions: Sequence[str]) -> Phrase:
    """``message; did you mean 'a', 'b'?`` (``message`` alone without suggestions)."""
    if not suggestions:
        return message
    return Phrase("err.did_you_mean", message=message, names=tuple(repr(s) for s in suggestions))


def os_reason(exc: OSError) -> Phrase:
    """Why a file could not be opened, said in either language (``strerror`` is English)."""
    english = str(exc.strerror or exc)
    for kind, key in (
        (FileNotFoundError, "err.not_found"),
        (PermissionError, "err.no_permission"),
        (IsADirectoryError, "err.is_directory"),
    ):
        if isinstance(exc, kind):
            return Phrase(key, english)
    return Phrase("err.os", english, why=english)


def say_error(exc: BaseException, lang: str) -> str:
    """Any error the command line or a screen shows a user, in ``lang``.

    A :class:`ConsoleError` says itself.  Another package's error with a hint (the
    drivers' ``DriverError``, which cannot know the console's vocabulary; the event
    log's) says its message and hint when they are phrases, else its English message
    with its class's default hint from the vocabulary.  English is ``str(exc)``.
    """
    if isinstance(exc, ConsoleError):
        return exc.say(lang)
    if is_english(lang) or not hasattr(exc, "default_hint"):
        return str(exc)
    hint = getattr(exc, "hint", "")
    said = say(hint, lang) if isinstance(hint, Phrase) else driver_hint(exc, lang)
    return with_hint(say_message(exc, lang), said, lang)


def say_message(exc: BaseException, lang: str) -> str:
    """Only the message of an error (a toast that has no room for the hint), in ``lang``."""
    message = getattr(exc, "message", None)
    if message is None:
        return str(exc)
    return str(message) if is_english(lang) else say(message, lang)


def driver_hint(exc: BaseException, lang: str) -> str:
    """A driver error's hint in ``lang``: the default hint of its class (or the nearest
    base that defines it) from the vocabulary; a hint written for this one error as is."""
    hint = str(getattr(exc, "hint", "") or "")
    for cls in type(exc).__mro__:
        if "default_hint" in vars(cls):
            key = f"hint.driver.{cls.__name__}"
            if hint == vars(cls)["default_hint"] and known(key):
                return t(key, lang)
            break
    return hint
