"""The compiled fit of MiniRocket's biases for long series: each example's
kernel output, and only the order statistics its quantiles need.

A bias is a quantile of one example's output, interpolated between two
neighbouring values of the sorted output, so only a few ranks are needed,
not a sort. A histogram of the output over ``N_BINS`` equal-width bins says
which bin holds each wanted rank; only the values of those bins are kept
and sorted. A value's bin is a non-decreasing function of the value, so
every value of a lower bin is smaller than every value of a higher one: the
sorted output is the bins' sorted contents end to end, and the values found
are exactly those a full sort puts at the ranks. A row whose wanted bins
hold more than ``MAX_GROUP`` values (heavy ties, an outlier stretching the
range) is left to the caller, which sorts it (``unresolved``).

The outputs are finite: the input is (``_validation`` rejects NaN, inf and
values above 1e15 in magnitude), and so are sums of twelve such values in
float32. The output is computed with the transform's float32 operations in
the transform's order (``_dilations.dilation_alpha``, then
``_dilations.kernel_output``), fused into one loop per channel, so it
equals the transform's output.
"""

from __future__ import annotations

import numpy as np

from .. import _numba
from ._base import case_view
from ._dilations import KERNEL_INDICES

# equal-width bins of the histogram that locates each wanted rank
N_BINS = 1024
# a wanted bin holding more values than this is left to the caller's sort
MAX_GROUP = 256
# interleaved histograms: consecutive values in one bin do not wait for each
# other's increment
N_HISTOGRAMS = 4


@_numba.case_kernel
def ranked_outputs(
    values, starts, lengths, n_channels, dilation, kernels, examples,
    channels, channel_starts, channel_ends, ranks, outputs, found, unresolved,
):  # fmt: skip
    """For each row ``i``: kernel ``kernels[i]``'s 'same' output at
    ``dilation`` on case ``examples[i]`` (all of length ``outputs.shape[1]``),
    summed over ``channels[channel_starts[i]:channel_ends[i]]`` in order,
    into ``outputs[i]``; and ``found[i, j]`` = its ``ranks[i, j]``-th
    smallest value (each row of ``ranks`` ascending), unless
    ``unresolved[i]`` is set.
    """
    length = outputs.shape[1]
    pad = 4 * dilation
    xp = np.empty(length + 2 * pad, dtype=np.float32)
    for t in range(len(xp)):
        xp[t] = 0.0  # the margins stay zero: only the middle is written
    bins = np.empty(length, dtype=np.int32)
    counts = np.empty((N_HISTOGRAMS, N_BINS), dtype=np.int32)
    group_start = np.full(N_BINS, -1, dtype=np.int64)
    slots = np.empty(ranks.shape[1], dtype=np.int64)
    wanted = np.empty(ranks.shape[1], dtype=np.int64)
    groups = np.empty(MAX_GROUP * ranks.shape[1], dtype=np.float32)
    for i in range(len(kernels)):
        series = case_view(values, starts, lengths, n_channels, examples[i])
        out = outputs[i]
        for n in range(channel_starts[i], channel_ends[i]):
            channel = series[channels[n]]
            for t in range(length):
                xp[pad + t] = channel[t]
            add_output(xp, pad, dilation, kernels[i], n == channel_starts[i], out)
        settled = select(
            out, ranks[i], found[i], bins, counts, group_start, slots, wanted, groups
        )
        unresolved[i] = not settled


@_numba.jit(inline="always")
def add_output(xp, pad, dilation, kernel, first, out):
    """``out`` = (or, after the first channel, ``+=``) kernel ``kernel``'s
    output on the zero-padded channel ``xp``: ``alpha`` subtracted tap by tap
    in the order 4, 0, 1, 2, 3, 5, 6, 7, 8, then ``(alpha + 3 x_i0) + 3 x_i1``,
    then ``+ 3 x_i2``, each a float32 operation as in the transform."""
    three = np.float32(3.0)
    n = len(out)
    s = pad - 4 * dilation  # tap j starts at s + j * dilation
    d = dilation
    # contiguous views: the loop's indices cannot be negative, so it
    # vectorises (see _dilations.kernel_output)
    x0 = xp[s : s + n]
    x1 = xp[s + d : s + d + n]
    x2 = xp[s + 2 * d : s + 2 * d + n]
    x3 = xp[s + 3 * d : s + 3 * d + n]
    x4 = xp[s + 4 * d : s + 4 * d + n]
    x5 = xp[s + 5 * d : s + 5 * d + n]
    x6 = xp[s + 6 * d : s + 6 * d + n]
    x7 = xp[s + 7 * d : s + 7 * d + n]
    x8 = xp[s + 8 * d : s + 8 * d + n]
    g0 = xp[s + KERNEL_INDICES[kernel, 0] * d :][:n]
    g1 = xp[s + KERNEL_INDICES[kernel, 1] * d :][:n]
    g2 = xp[s + KERNEL_INDICES[kernel, 2] * d :][:n]
    for t in range(n):
        a = -x4[t]
        a -= x0[t]
        a -= x1[t]
        a -= x2[t]
        a -= x3[t]
        a -= x5[t]
        a -= x6[t]
        a -= x7[t]
        a -= x8[t]
        value = ((a + three * g0[t]) + three * g1[t]) + three * g2[t]
        if first:
            out[t] = value
        else:
            out[t] += value


@_numba.jit(fastmath={"nnan", "nsz"})
def value_range(row):
    """Smallest and largest value of a finite ``row``.

    The flags (no NaN, sign of zero irrelevant) let LLVM vectorise the two
    reductions; the minimum and maximum of finite values do not depend on
    the order they are taken in (a -0.0 may come back as +0.0).
    """
    lowest = row[0]
    highest = row[0]
    for value in row:
        lowest = min(lowest, value)
        highest = max(highest, value)
    return lowest, highest


@_numba.jit(inline="always")
def select(row, ranks, found, bins, counts, group_start, slots, wanted, groups):
    """``found[j]`` = the ``ranks[j]``-th smallest value of ``row`` for
    ascending ``ranks``; False (``found`` unset) when the histogram cannot
    settle it. The other arguments are scratch space (``group_start`` all
    -1 on entry and on return)."""
    lowest, highest = value_range(row)
    if lowest == highest:
        for j in range(len(ranks)):
            found[j] = lowest
        return True
    scale = N_BINS / (np.float64(highest) - np.float64(lowest))
    if not scale < 1e30:  # a range too narrow for float32 bins
        return False
    fill_bins(row, lowest, np.float32(scale), bins)
    count_bins(bins, counts)
    total = counts[0]
    # the bin of each rank, walking the bins once; each wanted bin a group
    b, below, used, n_wanted = 0, 0, 0, 0
    for j in range(len(ranks)):
        while below + total[b] <= ranks[j]:
            below += total[b]
            b += 1
        if group_start[b] < 0:
            group_start[b] = used
            used += total[b]
            wanted[n_wanted] = b
            n_wanted += 1
        slots[j] = group_start[b] + ranks[j] - below
    crowded = False
    for w in range(n_wanted):
        crowded = crowded or total[wanted[w]] > MAX_GROUP
    if not crowded:
        gather_groups(row, bins, group_start, counts[1], groups)
        for w in range(n_wanted):
            first = group_start[wanted[w]]
            insertion_sort(groups, first, first + total[wanted[w]])
        for j in range(len(ranks)):
            found[j] = groups[slots[j]]
    for w in range(n_wanted):
        group_start[wanted[w]] = -1
    return not crowded


@_numba.jit(inline="always")
def fill_bins(row, lowest, scale, bins):
    """``bins[t]`` = the bin of ``row[t]``: float32 ``(value - lowest) *
    scale`` truncated, which does not decrease as the value grows, clipped
    to the bins."""
    for t in range(len(row)):
        b = np.int32((row[t] - lowest) * scale)
        bins[t] = min(max(b, 0), N_BINS - 1)


@_numba.jit(inline="always")
def count_bins(bins, counts):
    """``counts[0, b]`` = number of values in bin ``b`` (the other rows of
    ``counts`` are overwritten on the way)."""
    for h in range(N_HISTOGRAMS):
        for b in range(N_BINS):
            counts[h, b] = 0
    whole = len(bins) - len(bins) % N_HISTOGRAMS
    for t in range(0, whole, N_HISTOGRAMS):
        for h in range(N_HISTOGRAMS):
            counts[h, bins[t + h]] += 1
    for t in range(whole, len(bins)):
        counts[0, bins[t]] += 1
    for h in range(1, N_HISTOGRAMS):
        for b in range(N_BINS):
            counts[0, b] += counts[h, b]


@_numba.jit(inline="always")
def gather_groups(row, bins, group_start, filled, groups):
    """Copy each value of a wanted bin (``group_start >= 0``) into its group;
    ``filled`` (scratch) counts the values placed per bin."""
    for b in range(N_BINS):
        filled[b] = 0
    for t in range(len(row)):
        b = bins[t]
        if group_start[b] >= 0:
            groups[group_start[b] + filled[b]] = row[t]
            filled[b] += 1


@_numba.jit(inline="always")
def insertion_sort(values, lo, hi):
    """Sort ``values[lo:hi]`` in place (a short group)."""
    for i in range(lo + 1, hi):
        value = values[i]
        j = i - 1
        while j >= lo and values[j] > value:
            values[j + 1] = values[j]
            j -= 1
        values[j + 1] = value
