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

import numpy as np
from numba import prange

from .. import _numba
from .._validation import check_positive_int
from ._base import BaseConvolutionTransformer, SeriesBatch

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
    padded = np.zeros((n_channels, length + 2 * margin), dtype=np.float32)
    for c in range(n_channels):
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


# nnan/ninf/nsz let LLVM vectorise the max reduction; inputs are checked
# finite, and max and an integer count do not depend on evaluation order.
@_numba.jit(fastmath={"nnan", "ninf", "nsz"})
def _ppv_max(out, n_out):
    count = 0
    maximum = out[0]
    for t in range(n_out):
        value = out[t]
        count += value > 0
        maximum = max(maximum, value)
    return count / n_out, maximum


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
    for case in prange(len(starts)):
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
            first = True
            w_start = weight_offsets[k]
            for i in range(channel_offsets[k], channel_offsets[k + 1]):
                w = weights[w_start : w_start + kernel_length]
                _accumulate(
                    out, x[channels[i]], base, dilations[k], w, n_out, first, biases[k]
                )
                first = False
                w_start += kernel_length
            ppv, maximum = _ppv_max(out, n_out)
            features[case, 2 * k] = ppv
            features[case, 2 * k + 1] = maximum


# One body, two compilations: the parallel backend's compile time (~3x) is
# only paid when n_jobs > 1.
_transform_serial, _transform_parallel = _numba.serial_and_parallel(_transform)


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
    with a :class:`~rocketconv._validation.ShortSeriesWarning` (SPEC.md).

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
        random_state=None,
    ):
        self.n_kernels = n_kernels
        self.normalise = normalise
        self.missing_values = missing_values
        self.n_jobs = n_jobs
        self.random_state = random_state

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
        return 2 * len(self.lengths_)

    def _transform_into(self, batch: SeriesBatch, out: np.ndarray) -> None:
        # margin of zeros around each case: the largest 'same' padding, which
        # also covers the fallback padding of short unequal-length cases
        margin = int((((self.lengths_ - 1) * self.dilations_) // 2).max())
        transform = _numba.pick(_transform_serial, _transform_parallel)
        transform(
            batch.values,
            batch.starts,
            batch.lengths,
            batch.n_channels,
            bool(self.normalise),
            margin,
            self.lengths_,
            self.weights_,
            self.weight_offsets_,
            self.biases_,
            self.dilations_,
            self.paddings_,
            self.channels_,
            self.channel_offsets_,
            out,
        )
