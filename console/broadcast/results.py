"""Each loudspeaker's own outcome of a broadcast, from the driver's per-destination stats.

Why: one "finished" for the whole broadcast hid the speaker that got nothing (a host that
does not resolve, a network that is unreachable).  The log already holds each speaker's
packets and send errors (``broadcast.finished`` ``stats.destinations``); this reads them
back into one line per speaker and a verdict.  RTP over UDP has no receipt, so "sent" is
the most that can be said of a speaker that took every packet -- never "heard".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from console.i18n import is_english, known, register, t


@dataclass(frozen=True)
class SpeakerResult:
    """One loudspeaker: how many packets went out and how many sends failed."""

    name: str
    address: str
    packets: int
    errors: int
    error: str | None = None

    @property
    def failed(self) -> bool:
        """Any send failed, or nothing went out: that speaker did not get the broadcast."""
        return self.errors > 0 or self.packets == 0

    def line(self, lang: str = "en") -> str:
        """``✓ 1号点 江滨公园码头 (10.0.0.1:5004): 250 packets sent`` (or ✗ and why)."""
        who = t("broadcast.who", lang, name=self.name, address=self.address)
        if not self.name:
            who = self.address
        if not self.failed:
            return t("broadcast.speaker.sent", lang, who=who, packets=self.packets)
        why = t("broadcast.speaker.why", lang, error=self.error) if self.error else ""
        return t(
            "broadcast.speaker.failed",
            lang,
            who=who,
            packets=self.packets,
            errors=self.errors,
            why=why,
        )


def speaker_results(stats: Mapping[str, Any] | None) -> tuple[SpeakerResult, ...]:
    """The per-speaker results in a broadcast's logged ``stats`` (empty without them)."""
    out: list[SpeakerResult] = []
    for entry in (stats or {}).get("destinations") or ():
        if not isinstance(entry, Mapping):
            continue
        dest = entry.get("destination")
        dest = dest if isinstance(dest, Mapping) else {}
        host, port = str(dest.get("host", "?")), dest.get("port", "?")
        address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        error = entry.get("last_error")
        out.append(
            SpeakerResult(
                name=str(dest.get("name") or ""),
                address=address,
                packets=int(entry.get("packets_sent") or 0),
                errors=int(entry.get("errors") or 0),
                error=str(error) if error else None,
            )
        )
    return tuple(out)


def summary_line(broadcast_id: str, results: Sequence[SpeakerResult], lang: str = "en") -> str:
    """``broadcast B-1: 8 of 9 speakers sent, 1 failed``."""
    failed = sum(r.failed for r in results)
    sent = len(results) - failed
    tail = t("broadcast.summary.failed", lang, n=failed) if failed else ""
    return t("broadcast.summary", lang, id=broadcast_id, sent=sent, total=len(results), tail=tail)


def end_line(broadcast_id: str, state: str, reason: str, frames: object, lang: str = "en") -> str:
    """``broadcast B-1 finished: 100 frames`` (with the reason it stopped, if any)."""
    key = f"broadcast.state.{state}"
    said = t(key, lang) if known(key) else state
    why = t("broadcast.speaker.why", lang, error=reason) if reason else ""
    return t("broadcast.end", lang, id=broadcast_id, state=said, why=why, frames=frames)


def start_line(broadcast: Any, speakers: str, lang: str = "en") -> str:
    """``broadcast B-1 (routine): tone chime -> 9 speaker(s): 1号点 ...``."""
    source = broadcast.source
    english = source.describe()
    key = f"broadcast.source.{source.kind}"
    said = t(key, lang, value=source.value) if known(key) else english
    if source.chime_first and known(key):
        said = t("broadcast.source.chime_first", lang, source=said)
    return t(
        "broadcast.start",
        lang,
        id=broadcast.id,
        priority=t(f"broadcast.priority.{broadcast.priority.label}", lang),
        source=english if is_english(lang) else said,
        n=len(broadcast.endpoints),
        speakers=speakers,
    )


WORDS = register(
    {
        "broadcast.start": (
            "广播 {id}（{priority}）：{source} → {n} 个音柱：{speakers}",
            "broadcast {id} ({priority}): {source} -> {n} speaker(s): {speakers}",
        ),
        "broadcast.on_service": (
            "广播 {id} 由值班服务播放：分区 {zones}",
            "broadcast {id} on the station service: zones {zones}",
        ),
        "broadcast.priority.routine": ("常规", "routine"),
        "broadcast.priority.urgent": ("紧急", "urgent"),
        "broadcast.priority.emergency": ("特急", "emergency"),
        "broadcast.source.tone": ("提示音 {value}", "tone {value}"),
        "broadcast.source.wav": ("音频文件 {value}", "wav {value}"),
        "broadcast.source.tts": ("语音合成「{value}」", "tts {value}"),
        "broadcast.source.mic": ("麦克风 {value}", "mic {value}"),
        "broadcast.source.chime_first": ("提示音 + {source}", "chime + {source}"),
        "broadcast.who": ("{name}（{address}）", "{name} ({address})"),
        "broadcast.speaker.sent": (
            "✓ {who}：已发出 {packets} 个数据包",
            "✓ {who}: {packets} packets sent",
        ),
        "broadcast.speaker.failed": (
            "✗ {who}：失败，已发出 {packets} 个数据包，发送出错 {errors} 次{why}",
            "✗ {who}: FAILED, {packets} packets sent, {errors} send errors{why}",
        ),
        "broadcast.speaker.why": ("（{error}）", " ({error})"),
        "broadcast.summary": (
            "广播 {id}：{total} 个音柱中 {sent} 个已发出{tail}",
            "broadcast {id}: {sent} of {total} speaker(s) sent{tail}",
        ),
        "broadcast.summary.failed": ("，{n} 个失败", ", {n} failed"),
        "broadcast.end": (
            "广播 {id} {state}{why}：{frames} 帧",
            "broadcast {id} {state}{why}: {frames} frames",
        ),
        "broadcast.state.finished": ("已播完", "finished"),
        "broadcast.state.stopped": ("已停止", "stopped"),
        "broadcast.state.preempted": ("被抢占", "preempted"),
        "broadcast.state.failed": ("失败", "failed"),
    }
)
