"""Sample-rate conversion to 8 kHz in numpy: windowed-sinc low-pass + linear interpolation.

Why this design: sound cards should be opened at their native rate (hw: devices refuse
8 kHz, reference notes §4) and WAV files come at any rate.  A Hamming-windowed sinc FIR
(cut-off 3.4 kHz, about ``rate/400`` taps: 121 at 48 kHz, -40 dB at 4 kHz) removes what
would alias above the 4 kHz Nyquist of the telephone band; the filtered signal is then so
oversampled that linear interpolation at the exact output instants (integer arithmetic,
so 44.1 kHz -> 8 kHz never drifts) is accurate.  Integer ratios (48k, 16k) reduce to plain
decimation.  Upsampling (< 8 kHz input) skips the filter.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from drivers.audio.errors import AudioConfigError

FloatArray = npt.NDArray[np.float64]

CUTOFF_HZ = 3400.0

__all__ = ["Resampler", "lowpass_taps", "resample"]


def lowpass_taps(rate: int, cutoff: float = CUTOFF_HZ, taps: int | None = None) -> FloatArray:
    """Unity-gain Hamming-windowed sinc low-pass for ``rate`` Hz input."""
    n = taps if taps is not None else max(int(rate / 400), 3) | 1
    m = np.arange(n) - (n - 1) / 2
    fc = cutoff / rate
    h = 2 * fc * np.sinc(2 * fc * m) * np.hamming(n)
    result: FloatArray = h / h.sum()
    return result


def _check_rates(rate_in: int, rate_out: int) -> None:
    if rate_in <= 0 or rate_out <= 0 or int(rate_in) != rate_in or int(rate_out) != rate_out:
        raise AudioConfigError(f"sample rates must be positive integers ({rate_in}, {rate_out})")


def _fir_same(x: FloatArray, h: FloatArray) -> FloatArray:
    """Zero-phase ('same') FIR; FFT convolution for long inputs (files)."""
    if len(h) == 1:
        scaled: FloatArray = x * h[0]
        return scaled
    if len(x) < 16384:
        direct: FloatArray = np.convolve(x, h, mode="same")
        return direct
    n = len(x) + len(h) - 1
    size = 1 << (n - 1).bit_length()
    full = np.fft.irfft(np.fft.rfft(x, size) * np.fft.rfft(h, size), size)[:n]
    start = (len(h) - 1) // 2
    out: FloatArray = full[start : start + len(x)]
    return out


def _interp(
    filtered: FloatArray, ns: npt.NDArray[np.int64], rate_in: int, rate_out: int, base: int
) -> FloatArray:
    num = ns * rate_in
    idx = num // rate_out - base
    frac = (num % rate_out) / rate_out
    nxt = np.minimum(idx + 1, len(filtered) - 1)
    out: FloatArray = filtered[idx] * (1.0 - frac) + filtered[nxt] * frac
    return out


def resample(x: npt.ArrayLike, rate_in: int, rate_out: int = 8000) -> FloatArray:
    """Resample a whole mono signal (float out, same scale as the input)."""
    _check_rates(rate_in, rate_out)
    data = np.asarray(x, dtype=np.float64)
    if rate_in == rate_out or len(data) == 0:
        return data.copy()
    if rate_in > rate_out:
        data = _fir_same(data, lowpass_taps(rate_in, min(CUTOFF_HZ, 0.425 * rate_out)))
    count = -(-len(data) * rate_out // rate_in)
    return _interp(data, np.arange(count, dtype=np.int64), rate_in, rate_out, 0)


class Resampler:
    """Streaming version for live capture: feed blocks of any size, get 8 kHz samples.

    Keeps the FIR history and the exact output phase between blocks, so the output is the
    same whatever the block sizes (the FIR adds a constant delay of half its length,
    1.25 ms at 48 kHz).
    """

    def __init__(self, rate_in: int, rate_out: int = 8000) -> None:
        _check_rates(rate_in, rate_out)
        self.rate_in = int(rate_in)
        self.rate_out = int(rate_out)
        if rate_in > rate_out:
            self.taps = lowpass_taps(self.rate_in, min(CUTOFF_HZ, 0.425 * rate_out))
        else:
            self.taps = np.ones(1)
        self._history: FloatArray = np.zeros(len(self.taps) - 1)
        self._filtered: FloatArray = np.zeros(0)
        self._base = 0  # absolute index of _filtered[0]
        self._next = 0  # index of the next output sample

    def process(self, block: npt.ArrayLike) -> FloatArray:
        """Filter and resample one block; returns the output samples now computable."""
        x = np.asarray(block, dtype=np.float64).reshape(-1)
        if len(x) == 0:
            return np.zeros(0)
        if len(self.taps) > 1:
            buf = np.concatenate((self._history, x))
            y = np.convolve(buf, self.taps, mode="valid")
            self._history = buf[len(buf) - (len(self.taps) - 1) :]
        else:
            y = x
        f = np.concatenate((self._filtered, y)) if len(self._filtered) else y
        last = self._base + len(f) - 1  # absolute index of the newest filtered sample
        # Output n sits at n*rate_in/rate_out; it needs samples floor(pos) and floor(pos)+1.
        end = -(-last * self.rate_out // self.rate_in)
        if end <= self._next:
            self._filtered = f
            return np.zeros(0)
        ns = np.arange(self._next, end, dtype=np.int64)
        out = _interp(f, ns, self.rate_in, self.rate_out, self._base)
        self._next = end
        # Drop what no later output needs (never past what we actually have).
        keep_from = min(end * self.rate_in // self.rate_out, self._base + len(f))
        self._filtered = f[keep_from - self._base :]
        self._base = keep_from
        return out
