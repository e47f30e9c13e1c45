"""Errors of the radio voice path (sound devices, PTT), and their words in zh-CN / English."""

from __future__ import annotations

from console.errors import ConsoleError
from console.i18n import Phrase, register

WORDS = register(
    {
        "voice.hint": ("见 docs/broadcast.md（语音通路）。", "See docs/broadcast.md (voice path)."),
        "voice.hint.device": (
            "请检查耳机/声卡是否插好，并与配置文件 [audio] 中的名称一致；"
            "python -m sounddevice 可列出声卡设备",
            "check that the headset / sound card is plugged in and named as in [audio] of the "
            "station file; `python -m sounddevice` lists devices",
        ),
        "voice.hint.portaudio": (
            "安装 PortAudio（apt-get install libportaudio2）；电台呼叫、短信和音柱提示音不受影响",
            "install PortAudio (apt-get install libportaudio2); radio paging, texts and "
            "loudspeaker tones still work without it",
        ),
        "voice.hint.ptt": (
            "请检查网关连接；集群网络可能正忙，请重试",
            "check the gateway link; the radio network may be busy, try again",
        ),
        "voice.no_portaudio": ("声卡不可用：未安装 PortAudio 库", "sound cards unavailable"),
        "voice.input_failed": ("无法打开声卡输入 {name!r}", "sound input {name!r}"),
        "voice.output_failed": ("无法打开声卡输出 {name!r}", "sound output {name!r}"),
        "voice.not_configured": (
            "未配置声卡：{devices}",
            "no sound device configured for {devices}",
        ),
        "voice.device.headset_input": ("耳机麦克风", "headset_input"),
        "voice.device.headset_output": ("耳机听筒", "headset_output"),
        "voice.device.radio_input": ("电台音频输入", "radio_input"),
        "voice.device.radio_output": ("电台音频输出", "radio_output"),
        "voice.hint.name_devices": (
            "请在配置文件的 [audio] 中写明声卡名称",
            "name the devices in [audio] of the station file",
        ),
    }
)


class VoiceError(ConsoleError):
    """Base of voice-path errors."""

    default_hint = Phrase("voice.hint")


class DeviceUnavailable(VoiceError):
    """PortAudio or a named sound device is missing; the rest of the console keeps working."""

    default_hint = Phrase("voice.hint.device")


class PortAudioMissing(DeviceUnavailable):
    """``import sounddevice`` failed: the PortAudio library is not installed."""

    default_hint = Phrase("voice.hint.portaudio")


class PttError(VoiceError):
    """The gateway refused or failed a call set-up / PTT command."""

    default_hint = Phrase("voice.hint.ptt")
