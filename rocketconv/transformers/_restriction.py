"""What a fitted transformer computes: all of its units, or only those that
some kept feature needs (``rocketconv.pruning``).

A *unit* is the smallest piece of computation whose features can be dropped
together: a (dilation, kernel) pair of MiniRocket (per representation for
MultiRocket), a ROCKET kernel, a Hydra group. A restricted transformer keeps
its fitted parameters as fitted (so ``feature_info`` and friends describe the
full transformer) and adds

* ``kept_features_``: the sorted columns of the full transformer's output it
  computes, in that order;
* a private plan of the kept units only, which its numba kernel runs.

:class:`ComputePlan` is that plan for one MiniRocket representation: the
transform loops over its dilations and, per dilation, over its own list of
(kernel, channel subset, biases) combinations, so a combination that no kept
feature needs costs nothing, and a dilation without one is not even
prepared. The plan of an unrestricted representation visits every
combination in the fitted order, so its output is the fitted transformer's.
"""

from __future__ import annotations

import copy
from typing import Any, NamedTuple

import numpy as np
from sklearn.utils.validation import check_is_fitted

N_KERNELS = 84  # as _dilations.N_KERNELS (that module imports nothing from here)


class ComputePlan(NamedTuple):
    """The (dilation, kernel) combinations a MiniRocket kernel computes.

    Attributes
    ----------
    dilations : ndarray of int32, shape (n_dilations,)
        Dilations computed, in fitted order.
    dilation_indices : ndarray of int32, shape (n_dilations,)
        Their positions among the fitted dilations (padding alternates with
        ``(dilation index + kernel) % 2``, so the fitted index is needed).
    combination_offsets : ndarray of int64, shape (n_dilations + 1,)
        Dilation ``d`` computes combinations
        ``combination_offsets[d]:combination_offsets[d + 1]``.
    kernels : ndarray of int32, shape (n_combinations,)
        Kernel (0..83) of each combination.
    channels, channel_offsets : ndarray of int32, int64
        Channel subset of each combination, flat, as FittedRepresentation.
    biases : ndarray of float32
        Biases computed, combination by combination.
    feature_offsets : ndarray of int64, shape (n_combinations + 1,)
        Combination ``m`` writes the features
        ``feature_offsets[m]:feature_offsets[m + 1]`` (one per bias).
    """

    dilations: np.ndarray
    dilation_indices: np.ndarray
    combination_offsets: np.ndarray
    kernels: np.ndarray
    channels: np.ndarray
    channel_offsets: np.ndarray
    biases: np.ndarray
    feature_offsets: np.ndarray

    @property
    def n_combinations(self) -> int:
        """Number of (dilation, kernel) pairs computed."""
        return len(self.kernels)


def combination_of_features(fitted: Any) -> np.ndarray:
    """For each feature (bias) of a FittedRepresentation, its combination
    ``dilation index * 84 + kernel``."""
    per_combination = np.repeat(fitted.n_features_per_dilation, N_KERNELS)
    return np.repeat(np.arange(len(per_combination)), per_combination)


def full_plan(fitted: Any) -> ComputePlan:
    """The plan of every combination of a FittedRepresentation, in order.

    It holds the representation's own dilations, channels and biases (not
    copies), so a plan built at fit follows edits of the fitted arrays.
    """
    plan = restricted_plan(fitted, np.arange(fitted.n_features))
    return plan._replace(
        dilations=np.asarray(fitted.dilations, dtype=np.int32),
        channels=np.asarray(fitted.channels, dtype=np.int32),
        biases=np.asarray(fitted.biases, dtype=np.float32),
    )


def restricted_plan(fitted: Any, kept: np.ndarray) -> ComputePlan:
    """The plan computing only the features ``kept`` (sorted indices into the
    representation's features), in their fitted order."""
    combination = combination_of_features(fitted)[kept]
    combinations, first = np.unique(combination, return_index=True)
    n_biases = np.diff(np.append(first, len(kept)))
    dilation_of = combinations // N_KERNELS
    dilation_indices, per_dilation = np.unique(dilation_of, return_counts=True)
    offsets = fitted.channel_offsets
    sizes = offsets[combinations + 1] - offsets[combinations]
    # the channel ranges offsets[m]:offsets[m + 1] of the kept combinations,
    # end to end, without a Python loop (about 2 ms per transform chunk)
    starts_in_plan = np.cumsum(sizes) - sizes
    within = np.arange(sizes.sum()) - np.repeat(starts_in_plan, sizes)
    channels = fitted.channels[np.repeat(offsets[combinations], sizes) + within]
    return ComputePlan(
        dilations=fitted.dilations[dilation_indices].astype(np.int32),
        dilation_indices=dilation_indices.astype(np.int32),
        combination_offsets=np.append(0, np.cumsum(per_dilation)).astype(np.int64),
        kernels=(combinations % N_KERNELS).astype(np.int32),
        channels=channels.astype(np.int32),
        channel_offsets=np.append(0, np.cumsum(sizes)).astype(np.int64),
        biases=fitted.biases[kept].astype(np.float32),
        feature_offsets=np.append(0, np.cumsum(n_biases)).astype(np.int64),
    )


def empty_plan() -> ComputePlan:
    """A plan that computes nothing (a representation without kept features)."""
    ints = np.zeros(0, dtype=np.int32)
    return ComputePlan(
        ints, ints, np.zeros(1, np.int64), ints, ints, np.zeros(1, np.int64),
        np.zeros(0, np.float32), np.zeros(1, np.int64),
    )  # fmt: skip


def check_kept(transformer: Any, kept: Any) -> np.ndarray:
    """``kept`` as sorted, unique int64 indices into the transformer's output.

    Raises ValueError when it is empty, repeats or leaves the output's range.
    """
    check_is_fitted(transformer)
    kept = np.asarray(kept)
    n = transformer._n_output_features()
    name = type(transformer).__name__
    if kept.ndim != 1 or kept.size == 0 or not np.issubdtype(kept.dtype, np.integer):
        raise ValueError(f"{name}: kept features must be a non-empty 1-D int array.")
    if kept.min() < 0 or kept.max() >= n or len(np.unique(kept)) != len(kept):
        raise ValueError(
            f"{name}: kept features must be distinct columns in [0, {n}), got "
            f"{len(kept)} values in [{kept.min()}, {kept.max()}]."
        )
    return np.sort(kept).astype(np.int64)


def restricted_copy(transformer: Any, kept: np.ndarray) -> tuple[Any, np.ndarray]:
    """A shallow copy to restrict, and ``kept`` as columns of the FULL output.

    Restricting a restricted transformer composes: ``kept`` indexes its own
    output, which is ``kept_features_`` of the full one.
    """
    kept = check_kept(transformer, kept)
    previous = getattr(transformer, "kept_features_", None)
    full = kept if previous is None else previous[kept]
    restricted = copy.copy(transformer)
    restricted._n_full_features = n_full_features(transformer)
    restricted.kept_features_ = full
    restricted._n_features_out = len(full)
    return restricted, full


def n_full_features(transformer: Any) -> int:
    """Width of the unrestricted output of a fitted transformer."""
    n = getattr(transformer, "_n_full_features", None)
    return transformer._n_output_features() if n is None else n


def kept_feature_names(transformer: Any, full_names: Any) -> np.ndarray:
    """``full_names`` (of the full output), restricted to the kept columns."""
    kept = getattr(transformer, "kept_features_", None)
    names = np.asarray(full_names, dtype=object)
    return names if kept is None else names[kept]


def prefix_names(transformer: Any) -> np.ndarray:
    """``<classname lower-case><i>`` for every column of the full output, as
    scikit-learn's ClassNamePrefixFeaturesOutMixin names an unrestricted
    transformer's, restricted to the kept columns."""
    check_is_fitted(transformer, "_n_features_out")
    prefix = type(transformer).__name__.lower()
    n = n_full_features(transformer)
    return kept_feature_names(transformer, [f"{prefix}{i}" for i in range(n)])


def select_columns(
    transform: Any, n_cases: int, width: int, columns: np.ndarray
) -> np.ndarray:
    """Run ``transform(block)`` on a fresh ``(n_cases, width)`` float32 block
    and return the block's ``columns`` (the restricted output)."""
    block = np.empty((n_cases, width), dtype=np.float32)
    transform(block)
    return block[:, columns]
