"""ROCKET (Dempster, Petitjean & Webb, 2020): random convolutional kernels,
PPV and max pooling, with a transform that vectorises over time.

The published transform loops kernel by kernel and, inside, timepoint by
timepoint over the taps, which no compiler vectorises. Here each case is
z-normalised once into a zero-padded float32 buffer, and a kernel's output is
accumulated tap by tap into a scratch row: ``out[t] += w_j * x[t + j*d]`` is
a contiguous, branch-free loop over ``t`` that LLVM turns into SIMD code.
Taps are added three or four at a time in one pass (each pass keeps the
summation order ``bias + w_0 x_0 + w_1 x_1 + ...``, so the output is
bit-identical to the sequential loop) and a last pass counts positive values
and takes the maximum. Zeros in the padding add ``w * 0``, which changes no
sum, so padded and unpadded kernels share the same code.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _numba
from .._validation import check_positive_int
from ._base import BaseConvolutionTransformer, SeriesBatch
from ._pooling import SMALLEST_KEY, from_max_key, max_key
from ._restriction import select_columns

CANDIDATE_LENGTHS = np.array((7, 9, 11), dtype=np.int32)
# Added to the standard deviation when z-normalising, as the reference
# experiments do: a constant series becomes zeros instead of NaN.
NORMALISE_EPSILON = 1e-8


def generate_kernels(
    n_kernels: int, length: int, n_channels: int, rng: np.random.RandomState
) -> dict[str, np.ndarray]:
    """Draw ROCKET kernels with the published distributions.

    Lengths uniform on {7, 9, 11}; weights N(0, 1), mean-centred per channel;
    bias U(-1, 1); dilation ``int(2 ** U(0, log2((length - 1) / (len - 1))))``;
    padding ``((len - 1) * dilation) // 2`` with probability 1/2, else 0;
    ``int(2 ** U(0, log2(min(n_channels, len) + 1)))`` channels drawn without
    replacement (always 1 for univariate input). Draws are vectorised, so the
    random stream differs from the reference code's, not the distributions.

    Returns
    -------
    kernels : dict of ndarray
        ``lengths``, ``weights`` (flat, per kernel a row-major
        ``(n_kernel_channels, len)`` block), ``weight_offsets``, ``biases``,
        ``dilations``, ``paddings``, ``channels`` (flat) and
        ``channel_offsets``; offsets have ``n_kernels + 1`` entries.
    """
    lengths = rng.choice(CANDIDATE_LENGTHS, n_kernels).astype(np.int32)
    limit = np.minimum(n_channels, lengths)
    n_kernel_channels = (2 ** rng.uniform(0, np.log2(limit + 1))).astype(np.int32)
    sizes = n_kernel_channels.astype(np.int64) * lengths
    weight_offsets = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
    weights = rng.normal(0.0, 1.0, int(weight_offsets[-1]))
    # mean-centre each (kernel, channel) row of ``len`` weights
    row_lengths = np.repeat(lengths, n_kernel_channels)
    row_starts = np.concatenate(([0], np.cumsum(row_lengths)[:-1]))
    row_means = np.add.reduceat(weights, row_starts) / row_lengths
    weights = (weights - np.repeat(row_means, row_lengths)).astype(np.float32)
    if n_channels == 1:
        channels = np.zeros(n_kernels, dtype=np.int32)
    else:
        channels = np.concatenate(
            [rng.choice(n_channels, size, replace=False) for size in n_kernel_channels]
        ).astype(np.int32)
    channel_offsets = np.concatenate(([0], np.cumsum(n_kernel_channels))).astype(
        np.int64
    )
    biases = rng.uniform(-1.0, 1.0, n_kernels).astype(np.float32)
    max_exponent = np.log2((length - 1) / (lengths - 1))
    dilations = (2 ** rng.uniform(0.0, max_exponent)).astype(np.int32)
    padded = rng.randint(2, size=n_kernels) == 1
    paddings = np.where(padded, ((lengths - 1) * dilations) // 2, 0).astype(np.int32)
    return {
        "lengths": lengths,
        "weights": weights,
        "weight_offsets": weight_offsets,
        "biases": biases,
        "dilations": dilations,
        "paddings": paddings,
        "channels": channels,
        "channel_offsets": channel_offsets,
    }


@_numba.jit
def _normalised_padded(values, start, length, n_channels, margin, normalise):
    """Case as a ``(n_channels, margin + length + margin)`` zero-padded buffer,
    z-normalised per channel (mean and std accumulated in float64)."""
    # np.empty and zeroed margins: np.zeros would compile one more overload
    padded = np.empty((n_channels, length + 2 * margin), dtype=np.float32)
    for c in range(n_channels):
        for t in range(margin):
            padded[c, t] = 0.0
            padded[c, margin + length + t] = 0.0
        row = values[start + c * length : start + (c + 1) * length]
        if normalise:
            mean = 0.0
            for t in range(length):
                mean += row[t]
            mean /= length
            variance = 0.0
            for t in range(length):
                variance += (row[t] - mean) ** 2
            scale = 1.0 / (np.sqrt(variance / length) + NORMALISE_EPSILON)
            for t in range(length):
                padded[c, margin + t] = (row[t] - mean) * scale
        else:
            for t in range(length):
                padded[c, margin + t] = row[t]
    return padded


@_numba.jit
def _accumulate(out, x, base, dilation, w, n_out, first, bias):
    """Add one channel's taps to ``out[:n_out]``; ``first`` starts from bias.

    Output ``t`` reads ``x[base + t + j * dilation]`` for tap ``j``. Each
    loop adds a few taps in order, so the sum is the sequential
    ``bias + w_0 x_0 + w_1 x_1 + ...`` (bit for bit) while ``out`` is loaded
    and stored once per pass rather than once per tap.
    """
    n_taps = len(w)
    x0 = x[base : base + n_out]
    x1 = x[base + dilation : base + dilation + n_out]
    x2 = x[base + 2 * dilation : base + 2 * dilation + n_out]
    w0, w1, w2 = w[0], w[1], w[2]
    if first:
        for t in range(n_out):
            out[t] = ((bias + w0 * x0[t]) + w1 * x1[t]) + w2 * x2[t]
    else:
        for t in range(n_out):
            out[t] = ((out[t] + w0 * x0[t]) + w1 * x1[t]) + w2 * x2[t]
    # 7, 9, 11 taps leave 4, 6, 8: passes of four, then a pair if needed
    j = 3
    while j + 4 <= n_taps:
        s0 = base + j * dilation
        xa = x[s0 : s0 + n_out]
        xb = x[s0 + dilation : s0 + dilation + n_out]
        xc = x[s0 + 2 * dilation : s0 + 2 * dilation + n_out]
        xd = x[s0 + 3 * dilation : s0 + 3 * dilation + n_out]
        wa, wb, wc, wd = w[j], w[j + 1], w[j + 2], w[j + 3]
        for t in range(n_out):
            out[t] = (((out[t] + wa * xa[t]) + wb * xb[t]) + wc * xc[t]) + wd * xd[t]
        j += 4
    while j < n_taps:
        s0 = base + j * dilation
        xa = x[s0 : s0 + n_out]
        wa = w[j]
        for t in range(n_out):
            out[t] = out[t] + wa * xa[t]
        j += 1


@_numba.jit
def _ppv_max(out, n_out):
    """PPV and maximum of ``out[:n_out]`` in one vectorised pass (the maximum
    over integer keys, see ``_pooling``); both are exact, whatever the order."""
    count = np.int32(0)
    top = SMALLEST_KEY
    for t in range(n_out):
        value = out[t]
        count = np.int32(count + (value > 0))
        top = max(top, max_key(value))
    return count / n_out, from_max_key(top)


@_numba.jit(inline="always")
def _one_channel_ppv_max(x, base, dilation, w, n_out, bias):
    """PPV and maximum of a one-channel kernel, its output never stored.

    The taps stay in registers and every output is summed in the order of
    :func:`_accumulate` (``bias + w_0 x_0 + w_1 x_1 + ...``, left to right),
    so the features are bit-identical to the multi-channel path; one loop
    per kernel length because LLVM vectorises a loop over ``t`` only when
    the taps inside it are unrolled. Each loop takes its tap views right
    beside it: numba then drops their reference counting, which (views
    taken once for all three loops) cost more than the arithmetic of a
    150-point output; inlined into the transform, it also
    saves the call (docs/results/speed.md).
    """
    if len(w) == 7:
        return _ppv_max_7(x, base, dilation, w, n_out, bias)
    if len(w) == 9:
        return _ppv_max_9(x, base, dilation, w, n_out, bias)
    return _ppv_max_11(x, base, dilation, w, n_out, bias)


@_numba.jit(inline="always")
def _ppv_max_7(x, base, d, w, n_out, bias):
    """:func:`_one_channel_ppv_max` of a kernel of length 7."""
    w0, w1, w2, w3, w4, w5, w6 = w[0], w[1], w[2], w[3], w[4], w[5], w[6]
    x0, x1, x2, x3 = x[base:], x[base + d :], x[base + 2 * d :], x[base + 3 * d :]
    x4, x5, x6 = x[base + 4 * d :], x[base + 5 * d :], x[base + 6 * d :]
    count = np.int32(0)
    top = SMALLEST_KEY
    for t in range(n_out):
        v = bias + w0 * x0[t] + w1 * x1[t] + w2 * x2[t] + w3 * x3[t]
        v = v + w4 * x4[t] + w5 * x5[t] + w6 * x6[t]
        count = np.int32(count + (v > 0))
        top = max(top, max_key(v))
    return count / n_out, from_max_key(top)


@_numba.jit(inline="always")
def _ppv_max_9(x, base, d, w, n_out, bias):
    """:func:`_one_channel_ppv_max` of a kernel of length 9."""
    w0, w1, w2, w3, w4, w5, w6 = w[0], w[1], w[2], w[3], w[4], w[5], w[6]
    w7, w8 = w[7], w[8]
    x0, x1, x2, x3 = x[base:], x[base + d :], x[base + 2 * d :], x[base + 3 * d :]
    x4, x5, x6 = x[base + 4 * d :], x[base + 5 * d :], x[base + 6 * d :]
    x7, x8 = x[base + 7 * d :], x[base + 8 * d :]
    count = np.int32(0)
    top = SMALLEST_KEY
    for t in range(n_out):
        v = bias + w0 * x0[t] + w1 * x1[t] + w2 * x2[t] + w3 * x3[t]
        v = v + w4 * x4[t] + w5 * x5[t] + w6 * x6[t] + w7 * x7[t] + w8 * x8[t]
        count = np.int32(count + (v > 0))
        top = max(top, max_key(v))
    return count / n_out, from_max_key(top)


@_numba.jit(inline="always")
def _ppv_max_11(x, base, d, w, n_out, bias):
    """:func:`_one_channel_ppv_max` of a kernel of length 11."""
    w0, w1, w2, w3, w4, w5, w6 = w[0], w[1], w[2], w[3], w[4], w[5], w[6]
    w7, w8, w9, w10 = w[7], w[8], w[9], w[10]
    x0, x1, x2, x3 = x[base:], x[base + d :], x[base + 2 * d :], x[base + 3 * d :]
    x4, x5, x6 = x[base + 4 * d :], x[base + 5 * d :], x[base + 6 * d :]
    x7, x8 = x[base + 7 * d :], x[base + 8 * d :]
    x9, x10 = x[base + 9 * d :], x[base + 10 * d :]
    count = np.int32(0)
    top = SMALLEST_KEY
    for t in range(n_out):
        v = bias + w0 * x0[t] + w1 * x1[t] + w2 * x2[t] + w3 * x3[t]
        v = v + w4 * x4[t] + w5 * x5[t] + w6 * x6[t] + w7 * x7[t] + w8 * x8[t]
        v = v + w9 * x9[t] + w10 * x10[t]
        count = np.int32(count + (v > 0))
        top = max(top, max_key(v))
    return count / n_out, from_max_key(top)


@_numba.jit
def _kernel_geometry(series_length, kernel_length, dilation, padding):
    """Padding and output length of one kernel on one case.

    A case shorter than the kernel's dilated span (possible only with
    unequal-length input) gets 'same' padding instead of an empty output.
    """
    span = (kernel_length - 1) * dilation
    if padding == 0 and series_length <= span:
        padding = span // 2
    return padding, series_length + 2 * padding - span


@_numba.case_kernel
def _transform(
    values,
    starts,
    series_lengths,
    n_channels,
    normalise,
    margin,
    lengths,
    weights,
    weight_offsets,
    biases,
    dilations,
    paddings,
    channels,
    channel_offsets,
    features,
):
    """ROCKET features of a packed batch, written into ``features``."""
    for case in range(len(starts)):
        length = series_lengths[case]
        x = _normalised_padded(
            values, starts[case], length, n_channels, margin, normalise
        )
        out = np.empty(length + 2 * margin, dtype=np.float32)
        for k in range(len(lengths)):
            kernel_length = lengths[k]
            padding, n_out = _kernel_geometry(
                length, kernel_length, dilations[k], paddings[k]
            )
            base = margin - padding
            w_start = weight_offsets[k]
            if channel_offsets[k + 1] - channel_offsets[k] == 1:
                ppv, maximum = _one_channel_ppv_max(
                    x[channels[channel_offsets[k]]],
                    base,
                    dilations[k],
                    weights[w_start : w_start + kernel_length],
                    n_out,
                    biases[k],
                )
            else:
                for i in range(channel_offsets[k], channel_offsets[k + 1]):
                    w = weights[w_start : w_start + kernel_length]
                    _accumulate(
                        out,
                        x[channels[i]],
                        base,
                        dilations[k],
                        w,
                        n_out,
                        i == channel_offsets[k],  # the first channel
                        biases[k],
                    )
                    w_start += kernel_length
                ppv, maximum = _ppv_max(out, n_out)
            features[case, 2 * k] = ppv
            features[case, 2 * k + 1] = maximum


# the kernel arrays, in the order the numba transform takes them
_KERNEL_FIELDS = (
    "lengths",
    "weights",
    "weight_offsets",
    "biases",
    "dilations",
    "paddings",
    "channels",
    "channel_offsets",
)


def _offsets(rows: list[np.ndarray]) -> np.ndarray:
    """Start of each row in their concatenation, and the end (int64)."""
    return np.concatenate(([0], np.cumsum([len(row) for row in rows]))).astype(np.int64)


class Rocket(BaseConvolutionTransformer):
    """ROCKET: random convolutional kernels with PPV and max pooling.

    The published ROCKET (Dempster, Petitjean & Webb, 2020), univariate and
    multivariate, in float32 with Numba. Each of ``n_kernels`` kernels has

    * length uniform on {7, 9, 11}, weights N(0, 1) then mean-centred, bias
      U(-1, 1), stride 1;
    * dilation ``int(2 ** U(0, log2((L - 1) / (length - 1))))``, with ``L``
      the training length (the longest training series for unequal length);
    * padding ``((length - 1) * dilation) // 2`` with probability 1/2, else 0;
    * two features, interleaved per kernel as published
      (``[ppv_0, max_0, ppv_1, max_1, ...]``): PPV, the fraction of outputs
      (bias included) greater than 0, and the maximum output.

    Multivariate: each kernel draws ``int(2 ** U(0, log2(min(C, length) + 1)))``
    channels without replacement, has its own mean-centred weights per
    channel, and sums its output over them (as the reference multivariate
    code and aeon/sktime).

    With ``normalise=True`` each case is z-normalised per channel before the
    transform, ``(x - mean) / (std + 1e-8)`` as in the reference experiments,
    so a constant series becomes zeros. Statistics are accumulated in float64
    from the float32 copy of the input.

    Unequal length (a list of arrays): each case is convolved on its own
    length. A kernel without padding whose dilated span is longer than a
    (shorter) case is applied to that case with 'same' padding rather than
    giving an empty output. Series shorter than 11 are zero-padded to 11
    with a :class:`~rocketconv._validation.ShortSeriesWarning`
    (user guide, "Input and data").

    Kernels are drawn with vectorised NumPy calls from ``random_state``: the
    distributions are the published ones, the random stream is not the
    reference code's.

    Parameters
    ----------
    n_kernels : int, default=10_000
        Number of random kernels; the output has ``2 * n_kernels`` features.
    normalise : bool, default=True
        Z-normalise each case and channel before the transform.
    missing_values : {None, "interpolate"}, default=None
        None raises on NaN; "interpolate" fills NaN by linear interpolation.
    n_jobs : int, default=1
        Numba threads over cases; -1 uses all cores. Output does not depend
        on it.
    random_state : int, RandomState instance or None, default=None
        Seeds the kernel draws.

    Attributes
    ----------
    lengths_, dilations_, paddings_ : ndarray of int32, shape (n_kernels,)
    biases_ : ndarray of float32, shape (n_kernels,)
    weights_ : ndarray of float32
        All weights, flat; kernel ``k`` owns
        ``weights_[weight_offsets_[k]:weight_offsets_[k + 1]]``, a row-major
        ``(n_kernel_channels, length)`` block.
    channels_ : ndarray of int32
        Flat channel lists; kernel ``k`` owns
        ``channels_[channel_offsets_[k]:channel_offsets_[k + 1]]``.
    weight_offsets_, channel_offsets_ : ndarray of int64, shape (n_kernels + 1,)
    fit_length_ : int
        Length the dilations were drawn for.
    n_channels_ : int
    n_timepoints_ : int or None
        Training length (None when fitted on unequal-length series).

    See Also
    --------
    rocketconv.MiniRocket : fixed kernels, much faster at the same accuracy.
    rocketconv.MultiRocket : MiniRocket's kernels with four pooling operators.
    rocketconv.RocketClassifier : a transformer and its published linear head.

    References
    ----------
    Dempster, A., Petitjean, F. and Webb, G. I. (2020). ROCKET: exceptionally
    fast and accurate time series classification using random convolutional
    kernels. *Data Mining and Knowledge Discovery* 34(5), 1454-1495.
    https://doi.org/10.1007/s10618-020-00701-z

    Examples
    --------
    >>> import numpy as np
    >>> from rocketconv import Rocket
    >>> X = np.random.default_rng(0).normal(size=(10, 1, 50))
    >>> features = Rocket(n_kernels=100, random_state=0).fit_transform(X)
    >>> features.shape
    (10, 200)
    >>> bool(((features[:, 0::2] >= 0) & (features[:, 0::2] <= 1)).all())
    True
    """

    _min_length = 11

    def __init__(
        self,
        n_kernels: int = 10_000,
        normalise: bool = True,
        missing_values: str | None = None,
        n_jobs: int | None = 1,
        random_state: int | np.random.RandomState | None = None,
    ) -> None:
        self._store_parameters(locals())

    def _check_params(self) -> None:
        check_positive_int(self.n_kernels, "n_kernels", self)
        if not isinstance(self.normalise, bool | np.bool_):
            raise TypeError(
                f"Rocket: normalise must be True or False, got {self.normalise!r}."
            )

    def _fit(self, batch: SeriesBatch, rng: np.random.RandomState) -> None:
        self.fit_length_ = int(batch.lengths.max())
        kernels = generate_kernels(
            self.n_kernels, self.fit_length_, batch.n_channels, rng
        )
        for name, array in kernels.items():
            setattr(self, f"{name}_", array)

    def _n_output_features(self) -> int:
        kept = getattr(self, "kept_features_", None)
        return 2 * len(self.lengths_) if kept is None else len(kept)

    def _transform_into(self, batch: SeriesBatch, out: np.ndarray) -> None:
        kernels = getattr(self, "_plan", None)
        if kernels is None:
            kernels = {name: getattr(self, f"{name}_") for name in _KERNEL_FIELDS}
        # margin of zeros around each case: the largest 'same' padding, which
        # also covers the fallback padding of short unequal-length cases
        margin = int((((kernels["lengths"] - 1) * kernels["dilations"]) // 2).max())
        arguments = (
            batch.values,
            batch.starts,
            batch.lengths,
            batch.n_channels,
            bool(self.normalise),
            margin,
            *(kernels[name] for name in _KERNEL_FIELDS),
        )
        if not hasattr(self, "_columns"):
            _transform(*arguments, out)
            return
        # a kept kernel computes both its features; the kept ones are picked
        width = 2 * len(kernels["lengths"])
        out[:] = select_columns(
            lambda block: _transform(*arguments, block),
            len(batch),
            width,
            self._columns,
        )

    def _feature_units(self) -> np.ndarray:
        """Unit of each feature of the full output: its kernel
        (``rocketconv.pruning``)."""
        return np.repeat(np.arange(len(self.lengths_)), 2)

    def _restriction(self, full: np.ndarray) -> dict[str, Any]:
        """Compute only the kernels that the columns ``full`` need."""
        kernel, feature = np.divmod(full, 2)
        kernels = np.unique(kernel)
        weight_rows = [
            self.weights_[self.weight_offsets_[k] : self.weight_offsets_[k + 1]]
            for k in kernels
        ]
        channel_rows = [
            self.channels_[self.channel_offsets_[k] : self.channel_offsets_[k + 1]]
            for k in kernels
        ]
        plan = {
            "lengths": self.lengths_[kernels],
            "weights": np.concatenate(weight_rows),
            "weight_offsets": _offsets(weight_rows),
            "biases": self.biases_[kernels],
            "dilations": self.dilations_[kernels],
            "paddings": self.paddings_[kernels],
            "channels": np.concatenate(channel_rows),
            "channel_offsets": _offsets(channel_rows),
        }
        columns = 2 * np.searchsorted(kernels, kernel) + feature
        return {"_plan": plan, "_columns": columns}
