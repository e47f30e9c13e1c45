"""Sources: generated tones and chimes, WAV files and resampling, espeak-ng speech."""

from __future__ import annotations

import shutil
import struct
import wave
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from drivers.audio import tts, wavio
from drivers.audio.errors import AudioConfigError, AudioFileError, TtsError, TtsUnavailable
from drivers.audio.pcm import ArraySource, AudioSource, concat, silence
from drivers.audio.resample import Resampler, resample
from drivers.audio.sources import chime, tone, tts_source, two_tone_alarm, wav_source
from drivers.audio.wavio import read_wav, write_wav


def peak_hz(x: npt.NDArray[np.generic], rate: int = 8000) -> float:
    data = np.asarray(x, dtype=np.float64)
    spec = np.abs(np.fft.rfft(data * np.hanning(len(data))))
    return float(np.argmax(spec) * rate / len(data))


def dbfs(x: npt.NDArray[np.generic]) -> tuple[float, float]:
    """(peak, RMS) in dBFS."""
    f = np.asarray(x, dtype=np.float64) / 32768
    return 20 * np.log10(np.max(np.abs(f))), 20 * np.log10(np.sqrt(np.mean(f**2)))


def all_frames(src: AudioSource) -> list[npt.NDArray[np.int16]]:
    return list(src.frames())


def test_tone_frequency_level_and_framing() -> None:
    src = tone(1000, 1.0, dbfs=-6)
    frames = all_frames(src)
    assert len(frames) == 50 and all(f.shape == (160,) and f.dtype == np.int16 for f in frames)
    pcm = np.concatenate(frames)
    assert peak_hz(pcm) == pytest.approx(1000, abs=8)
    peak, rms = dbfs(pcm)
    assert peak == pytest.approx(-6, abs=0.1) and rms == pytest.approx(-9, abs=0.2)
    assert abs(int(pcm[0])) < 200 and abs(int(pcm[-1])) < 200  # faded ends, no click
    assert all_frames(src)[10].tolist() == frames[10].tolist()  # re-iterable


@pytest.mark.parametrize("kind", ["pre", "post", "three-pre", "three-post", "single"])
def test_chime_levels_per_praesensa(kind: str) -> None:
    pcm = chime(kind).pcm  # type: ignore[arg-type]
    peak, rms = dbfs(pcm)
    assert peak == pytest.approx(-6, abs=0.1)
    assert rms < -10


def test_two_tone_chime_notes_are_a4_then_c_sharp5() -> None:
    pcm = chime("pre").pcm
    half = len(pcm) // 2
    assert len(pcm) == 16000
    assert peak_hz(pcm[:half]) == pytest.approx(440, abs=8)
    assert peak_hz(pcm[half:]) == pytest.approx(554.37, abs=8)


def test_two_tone_alarm_alternates() -> None:
    pcm = two_tone_alarm(2.0).pcm
    assert len(pcm) == 16000
    assert peak_hz(pcm[400:3600]) == pytest.approx(560, abs=8)
    assert peak_hz(pcm[4400:7600]) == pytest.approx(440, abs=8)
    assert dbfs(pcm)[0] == pytest.approx(-3, abs=0.1)
    # Phase-continuous: no sample-to-sample jump larger than the sine's own slope allows.
    assert np.max(np.abs(np.diff(pcm.astype(np.int64)))) < 32767 * 0.71 * 2 * np.pi * 560 / 8000


def test_invalid_tone_parameters() -> None:
    with pytest.raises(AudioConfigError):
        tone(5000)
    with pytest.raises(AudioConfigError):
        chime("bogus")  # type: ignore[arg-type]
    with pytest.raises(AudioConfigError):
        two_tone_alarm(0)
    with pytest.raises(AudioConfigError):
        ArraySource(np.zeros((10, 2), dtype=np.int16))


def test_concat_and_silence() -> None:
    src = concat(tone(500, 0.1), silence(0.05), ArraySource(np.ones(10, dtype=np.int16)))
    frames = all_frames(src)
    assert len(frames) == 5 + 3 + 1
    assert frames[-1][:10].tolist() == [1] * 10 and frames[-1][10:].any() == np.False_


def write_raw_wav(path: Path, data: bytes, *, channels: int, width: int, rate: int) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(data)


def test_wav_44k1_stereo_to_8k_mono_keeps_the_tone(tmp_path: Path) -> None:
    rate, seconds, f = 44100, 1.0, 1234.0
    t = np.arange(int(rate * seconds)) / rate
    left = 0.5 * np.sin(2 * np.pi * f * t)
    right = 0.3 * np.sin(2 * np.pi * f * t)
    stereo = np.round(np.stack([left, right], axis=1) * 32767).astype("<i2")
    path = tmp_path / "announce.wav"
    write_raw_wav(path, stereo.tobytes(), channels=2, width=2, rate=rate)
    src = wav_source(path)
    assert src.name == "announce.wav"
    assert len(src.pcm) == 8000
    assert peak_hz(src.pcm) == pytest.approx(f, abs=8)
    # Mono mix is the mean of the channels: amplitude 0.4 FS (the 3.4 kHz filter passes 1.2 kHz).
    middle = src.pcm[400:-400].astype(np.float64)
    assert np.max(np.abs(middle)) / 32767 == pytest.approx(0.4, abs=0.01)


def test_resampling_removes_what_would_alias() -> None:
    rate = 48000
    t = np.arange(rate) / rate
    high = 0.5 * np.sin(2 * np.pi * 6000 * t)  # would alias to 2 kHz at 8 kHz
    out = resample(high, rate, 8000)
    assert np.sqrt(np.mean(out[200:-200] ** 2)) < 0.5 / np.sqrt(2) * 10 ** (-40 / 20)


def test_streaming_resampler_is_block_size_independent() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(0, 3000, 44100)
    outputs = []
    for blocks in ([44100], [441] * 100, [1, 2, 3, 500, 7000, 36594]):
        r = Resampler(44100)
        parts, pos = [], 0
        for b in blocks:
            parts.append(r.process(x[pos : pos + b]))
            pos += b
        outputs.append(np.concatenate(parts))
    n = min(len(o) for o in outputs)
    assert n >= 7990
    for o in outputs[1:]:
        assert np.allclose(o[:n], outputs[0][:n])


def test_wav_8bit_24bit_and_8k_passthrough(tmp_path: Path) -> None:
    p8 = tmp_path / "u8.wav"
    write_raw_wav(p8, bytes([128, 255, 0]), channels=1, width=1, rate=8000)
    data, rate = read_wav(p8)
    assert rate == 8000 and data[:, 0].tolist() == [0, 127 << 8, -32768]
    p24 = tmp_path / "s24.wav"
    write_raw_wav(p24, b"\x00\x34\x12" + b"\x00\x00\x80", channels=1, width=3, rate=8000)
    assert read_wav(p24)[0][:, 0].tolist() == [0x1234, -32768]
    pcm = (np.arange(-800, 800) * 20).astype(np.int16)
    p16 = write_wav(tmp_path / "s16.wav", pcm)
    assert np.array_equal(wav_source(p16).pcm, pcm)


def test_unreadable_files_give_typed_errors_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(AudioFileError, match=r"missing\.wav: no such file"):
        wav_source(tmp_path / "missing.wav")
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"this is not a wav file at all")
    with pytest.raises(AudioFileError, match=r"junk\.wav: not a readable (PCM WAV|WAV or FLAC)"):
        wav_source(junk)
    with pytest.raises(AudioFileError, match="is a directory"):
        wav_source(tmp_path)


def float_wav(path: Path, values: list[float]) -> Path:
    """A 32-bit float WAV (format tag 3), which the stdlib ``wave`` cannot read."""
    fmt = struct.pack("<HHIIHH", 3, 1, 8000, 32000, 4, 32)
    body = struct.pack(f"<{len(values)}f", *values)
    riff = b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt + b"data"
    riff += struct.pack("<I", len(body)) + body
    path.write_bytes(b"RIFF" + struct.pack("<I", len(riff)) + riff)
    return path


def test_without_soundfile_the_stdlib_reads_pcm_and_refuses_float(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wavio, "soundfile_module", lambda: None)
    pcm = (np.arange(-800, 800) * 20).astype(np.int16)
    assert np.array_equal(wav_source(write_wav(tmp_path / "s16.wav", pcm)).pcm, pcm)
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"this is not a wav file at all")
    with pytest.raises(AudioFileError, match=r"junk\.wav: not a readable PCM WAV"):
        wav_source(junk)
    with pytest.raises(AudioFileError) as info:
        wav_source(float_wav(tmp_path / "float.wav", [0.0, 0.5, -0.5, 0.25]))
    assert "float.wav" in str(info.value) and "integer PCM WAV" in str(info.value)
    with pytest.raises(AudioFileError, match=r"missing\.wav: no such file"):
        wav_source(tmp_path / "missing.wav")


needs_soundfile = pytest.mark.skipif(
    wavio.soundfile_module() is None, reason="the soundfile package (libsndfile) is not installed"
)


@needs_soundfile
def test_float_extensible_and_flac_are_read_with_soundfile(tmp_path: Path) -> None:
    sf = wavio.soundfile_module()
    assert sf is not None
    data, rate = read_wav(float_wav(tmp_path / "float.wav", [0.0, 0.5, -0.5, 0.25]))
    assert rate == 8000 and data[:, 0].tolist() == [0, 16384, -16384, 8192]
    tone_44k = (8000 * np.sin(2 * np.pi * 1000 * np.arange(44100) / 44100)).astype(np.int16)
    ext = tmp_path / "ext.wav"  # WAVE_FORMAT_EXTENSIBLE, 24-bit stereo
    sf.write(str(ext), np.stack([tone_44k, tone_44k], axis=1), 44100, subtype="PCM_24",
             format="WAVEX")  # fmt: skip
    assert struct.unpack("<H", ext.read_bytes()[20:22])[0] == 0xFFFE
    flac = tmp_path / "tone.flac"
    sf.write(str(flac), tone_44k, 44100, format="FLAC")
    for path in (ext, flac):
        src = wav_source(path)
        assert src.duration == pytest.approx(1.0, abs=0.01)
        assert peak_hz(src.pcm[400:-400]) == pytest.approx(1000, abs=5)


LIBRARY, COMMAND = tts.EspeakLibrary(), tts.EspeakCommand()


@pytest.mark.parametrize(
    "engine",
    [
        pytest.param(
            LIBRARY,
            id="wheel",
            marks=pytest.mark.skipif(
                not LIBRARY.available(), reason="the espeakng-loader wheel is not installed"
            ),
        ),
        pytest.param(
            COMMAND,
            id="command",
            marks=pytest.mark.skipif(
                shutil.which("espeak-ng") is None, reason="espeak-ng is not installed"
            ),
        ),
    ],
)
def test_tts_mandarin_produces_speech(engine: tts.TtsEngine) -> None:
    src = tts_source("河边危险，请勿游泳", engine=engine)
    assert 0.8 < src.duration < 10
    peak, rms = dbfs(src.pcm)
    assert peak > -20 and rms > -40
    frames = all_frames(src)
    assert all(f.shape == (160,) for f in frames)
    with pytest.raises(TtsError):
        tts_source("   ", engine=engine)


def test_the_wheel_is_tried_before_the_system_command() -> None:
    names = [e.name for e in tts.engines()]
    assert names.index("espeakng-loader") < names.index("espeak-ng")


def test_tts_with_no_engine_gives_both_install_hints(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr(tts, "_ENGINES", [tts.EspeakCommand()])  # as without the wheel
    assert tts.available_engine() is None
    with pytest.raises(TtsUnavailable) as info:
        tts_source("测试")
    said = str(info.value)
    assert "pip install espeakng-loader" in said
    assert "install espeak-ng (apt-get install espeak-ng)" in said


def test_a_registered_engine_speaks_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """A better Mandarin voice plugs in: it is tried before espeak-ng."""
    heard: list[tuple[str, str]] = []

    class Tone:
        name = "test-voice"

        def available(self) -> bool:
            return True

        def speak(
            self, text: str, *, voice: str, speed: int, amplitude: int, timeout: float
        ) -> tuple[npt.NDArray[np.int16], int]:
            heard.append((text, voice))
            t = np.arange(16000) / 16000
            return (8000 * np.sin(2 * np.pi * 500 * t)).astype(np.int16), 16000

    monkeypatch.setattr(tts, "_ENGINES", list(tts.engines()))
    tts.register_engine(Tone())
    assert tts.available_engine() is not None and tts.available_engine().name == "test-voice"  # type: ignore[union-attr]
    src = tts_source("注意安全")
    assert heard == [("注意安全", "cmn")]
    assert src.duration == pytest.approx(1.0) and peak_hz(src.pcm) == pytest.approx(500, abs=5)
