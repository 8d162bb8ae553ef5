"""Pruning: keep a fraction of a RocketClassifier's features, computed by
whole units, so predict is proportionally faster.

``RocketClassifier(keep_features=f)`` fits the transformer and the head as
usual, then

1. **scores** every feature as Detach-ROCKET does (Uribarri et al., 2024,
   ``gon-uri/detach_rocket``): the absolute ridge coefficient on the scaled
   features, its L2 norm over the classes for more than two classes;
2. **scores every unit** (a MiniRocket (dilation, kernel) pair; a
   MultiRocket (representation, dilation, kernel) triple; a ROCKET kernel; a
   Hydra (dilation, representation, group)) by the MEAN score of its alive
   features (``UNIT_SCORE``). The sum would favour units with many
   features: MiniRocket's small dilations hold most biases per pair, and
   summing dropped the large dilations first, losing 0.06 of accuracy at
   f = 0.1 where the mean lost none (``docs/user_guide/pruning.md``);
3. **detaches whole units sequentially**: each step drops the lowest-scoring
   5 % of the alive units (at least one), downdates the ridge, refits it
   (same alpha, as Detach-ROCKET) and rescores, until ``UNIT_SLACK`` (2)
   times the target number of features is left (no unit is dropped that
   would go below it; units too large are passed over);
4. **detaches single features** within the alive units, Detach-ROCKET's
   own sequential detachment (5 % of the alive features per step), down to
   exactly ``max(1, round(f * n_features))`` features; a unit whose
   features all go is no longer computed;
5. **refits** the head of the same kind (ridge with the published scaler and
   its alpha chosen again by leave-one-out, or logistic) on the kept
   features, and **restricts** the transformer (``transformer._restrict``):
   it computes only the units that hold a kept feature, and outputs exactly
   the kept columns of the full transformer's output, in their order.

Why units: keeping 10 % of MiniRocket's features scattered leaves about
38 % of its (dilation, kernel) pairs alive, since a pair's convolution is
paid as soon as one of its biases is kept.

The ridge is solved in dual form (``(K + alpha I)^-1 Y`` with ``K`` the
n x n Gram matrix of the centred, weighted, scaled features), so a step
costs one n x n solve and ``n x alive features`` for the coefficients;
dropping columns downdates ``K``. The ridge head's scaler and alpha are
used as fitted; for a logistic head, StandardScaler and an alpha chosen by
``RidgeClassifierCV``. At most ``MAX_DETACH_CASES`` cases (a seeded random
subset; alpha scaled by the subset's share, as the data term is) enter the
detachment; the head is refitted on all of them. Fit-time overhead: the
detachment's ridge refits (about ``log(2 f) / log(0.95)`` for the units,
plus about 14 for single features) and one more head fit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.linalg
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import RidgeClassifierCV
from sklearn.preprocessing import LabelBinarizer, StandardScaler
from sklearn.utils.class_weight import compute_sample_weight
from threadpoolctl import threadpool_limits

from . import _heads
from ._registry import published_scaler
from ._sources import FeatureStream

__all__ = [
    "PruningSummary",
    "n_kept_features",
    "detach_units",
    "restrict_transformer",
]

# Share of the alive units detached per step (Detach-ROCKET drops 5 % of the
# alive features per step).
DROP_FRACTION = 0.05
# A unit's score: the mean (or "sum") of its alive features' scores.
UNIT_SCORE = "mean"
# Whole units are detached down to this many times the target feature count,
# single features after.
UNIT_SLACK = 2.0
# Cases entering the detachment's ridge (its n x n Gram matrix).
MAX_DETACH_CASES = 4096
# Columns per block when forming products with the scaled features.
_BLOCK = 2048


@dataclass(frozen=True)
class PruningSummary:
    """What a pruned RocketClassifier kept (its ``pruning_`` attribute).

    Attributes
    ----------
    n_features, n_features_kept : int
        Features of the full transformer, and kept.
    n_units, n_units_kept : int
        Units of computation (see the module docstring), and those computed.
    n_ridge_fits : int
        Ridge refits of the detachment (the fit-time overhead, with one more
        head fit).
    alpha : float
        Ridge penalty of the detachment.
    seconds : float
        Wall time of the detachment and the head refit.
    """

    n_features: int
    n_features_kept: int
    n_units: int
    n_units_kept: int
    n_ridge_fits: int
    alpha: float
    seconds: float


def n_kept_features(keep_features: float, n_features: int) -> int:
    """``max(1, round(keep_features * n_features))`` (halves round up).

    Examples
    --------
    >>> n_kept_features(0.1, 9996), n_kept_features(0.0001, 9996)
    (1000, 1)
    """
    return int(min(n_features, max(1, np.floor(keep_features * n_features + 0.5))))


class _DualRidge:
    """Ridge on centred, weighted features in dual form, columns removable.

    ``scaled`` (float32, n x p) is centred and weighted in place.
    """

    def __init__(
        self, scaled: np.ndarray, targets: np.ndarray, weights: np.ndarray, alpha: float
    ) -> None:
        root = np.sqrt(weights / weights.mean())[:, None]
        mean = (weights @ scaled.astype(np.float64)) / weights.sum()
        scaled -= mean.astype(np.float32)
        scaled *= root.astype(np.float32)
        self.scaled = scaled
        mean_targets = (weights @ targets) / weights.sum()
        self.targets = (targets - mean_targets) * root
        self.alpha = alpha
        self.gram = self._gram(np.arange(scaled.shape[1]))
        self.exact_at = scaled.shape[1]  # alive columns when gram was formed

    def _gram(self, columns: np.ndarray) -> np.ndarray:
        gram = np.zeros((len(self.scaled), len(self.scaled)))
        for start in range(0, len(columns), _BLOCK):
            block = self.scaled[:, columns[start : start + _BLOCK]].astype(np.float64)
            gram += block @ block.T
        return gram

    def coefficients(self, alive: np.ndarray) -> np.ndarray:
        """Coefficients (len(alive) x n_targets) of the alive columns."""
        system = self.gram + self.alpha * np.eye(len(self.gram))
        # one BLAS thread for the n x n factorisation: for the small n of
        # most problems, threaded OpenBLAS took 0.2 s instead of 0.7 ms for
        # n = 200 on a loaded 2-core machine
        with threadpool_limits(1 if len(system) <= 2048 else None, "blas"):
            try:
                factor = scipy.linalg.cho_factor(system)
                dual = scipy.linalg.cho_solve(factor, self.targets)
            except np.linalg.LinAlgError:  # downdates drifted: form K afresh
                self.gram, self.exact_at = self._gram(alive), len(alive)
                system = self.gram + self.alpha * np.eye(len(self.gram))
                dual = scipy.linalg.solve(system, self.targets, assume_a="sym")
        parts = [
            self.scaled[:, alive[start : start + _BLOCK]].astype(np.float64).T @ dual
            for start in range(0, len(alive), _BLOCK)
        ]
        return np.concatenate(parts)

    def drop(self, columns: np.ndarray, alive: np.ndarray) -> None:
        """Remove ``columns`` (``alive`` are those left): downdate K, or form
        it afresh once half of the columns it was formed from are gone."""
        if 2 * len(alive) < self.exact_at:
            self.gram, self.exact_at = self._gram(alive), len(alive)
            return
        for start in range(0, len(columns), _BLOCK):
            block = self.scaled[:, columns[start : start + _BLOCK]].astype(np.float64)
            self.gram -= block @ block.T


def _units_to_drop(
    unit_scores: np.ndarray, unit_sizes: np.ndarray, budget: int
) -> np.ndarray:
    """The lowest-scoring alive units, up to DROP_FRACTION of them, whose
    features add up to at most ``budget`` (units too large are passed over)."""
    alive = np.flatnonzero(unit_sizes > 0)
    quota = max(1, int(DROP_FRACTION * len(alive)))
    order = alive[np.lexsort((alive, unit_scores[alive]))]
    quota = min(quota, len(order))
    if np.sum(unit_sizes[order[:quota]]) > budget:
        # the first ones do not all fit: walk, passing over units too large
        chosen: list[int] = []
        for unit in order:
            if len(chosen) == quota:
                break
            if unit_sizes[unit] <= budget:
                chosen.append(unit)
                budget -= unit_sizes[unit]
        return np.asarray(chosen, dtype=np.int64)
    return order[:quota]


def detach_units(
    scaled: np.ndarray,
    targets: np.ndarray,
    units: np.ndarray,
    n_keep: int,
    alpha: float,
    weights: np.ndarray | None = None,
) -> tuple[np.ndarray, int]:
    """Sequential detachment of whole units down to exactly ``n_keep`` features.

    Parameters
    ----------
    scaled : ndarray of shape (n_cases, n_features)
        Scaled features (as the head sees them); copied to float32.
    targets : ndarray of shape (n_cases, n_targets)
        Ridge targets (+1/-1 per class, one column for two classes).
    units : ndarray of int, shape (n_features,)
        Unit of each feature (``0 .. n_units - 1``).
    n_keep : int
        Features to keep, at least 1.
    alpha : float
        Ridge penalty.
    weights : ndarray of shape (n_cases,), optional
        Case weights.

    Returns
    -------
    kept : ndarray of int64
        Sorted indices of the kept features.
    n_ridge_fits : int

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(40, 60))
    >>> y = np.where(X[:, 7] + X[:, 8] > 0, 1.0, -1.0)[:, None]
    >>> units = np.arange(60) // 3  # units of three features: 7 and 8 in unit 2
    >>> kept, _ = detach_units(X, y, units, 4, alpha=1.0)
    >>> len(kept), bool({7, 8} <= set(kept.tolist()))
    (4, True)
    """
    n_features = scaled.shape[1]
    weights = np.ones(len(scaled)) if weights is None else np.asarray(weights, float)
    ridge = _DualRidge(np.array(scaled, dtype=np.float32), targets, weights, alpha)
    n_units = int(units.max()) + 1
    alive = np.arange(n_features)
    n_fits = 0
    while len(alive) > n_keep:
        scores = np.linalg.norm(ridge.coefficients(alive), axis=1)
        n_fits += 1
        unit_sizes = np.bincount(units[alive], minlength=n_units)
        unit_scores = np.bincount(units[alive], scores, minlength=n_units)
        if UNIT_SCORE == "mean":
            unit_scores = unit_scores / np.maximum(unit_sizes, 1).astype(float)
        dropped = _units_to_drop(unit_scores, unit_sizes, len(alive) - n_keep)
        if len(dropped) == 0:  # no whole unit fits: trim single features
            order = np.lexsort((alive, scores))
            columns = np.sort(alive[order[: len(alive) - n_keep]])
        else:
            columns = alive[np.isin(units[alive], dropped)]
        alive = np.setdiff1d(alive, columns, assume_unique=True)
        if len(alive) > n_keep:
            ridge.drop(columns, alive)
    return alive.astype(np.int64), n_fits


def restrict_transformer(transformer: Any, kept: Any) -> Any:
    """A fitted transformer of the same class computing only columns ``kept``.

    The copy computes only the units (see the module docstring) that hold a
    kept column and outputs exactly ``transformer.transform(X)[:, kept]``
    (``kept`` sorted); ``kept_features_`` holds the columns of the full
    output it computes, and ``get_feature_names_out`` their names.

    Parameters
    ----------
    transformer : fitted MiniRocket, MultiRocket, Rocket, Hydra or
        MultiRocketHydra
    kept : array-like of int
        Distinct columns of the transformer's output.

    Returns
    -------
    restricted : transformer

    Examples
    --------
    >>> from rocketconv import MiniRocket
    >>> X = np.random.default_rng(0).normal(size=(4, 1, 50))
    >>> full = MiniRocket(n_features=840, random_state=0).fit(X)
    >>> small = restrict_transformer(full, [0, 1, 700])
    >>> bool((small.transform(X) == full.transform(X)[:, [0, 1, 700]]).all())
    True
    """
    if not hasattr(transformer, "_restrict"):
        raise TypeError(
            f"{type(transformer).__name__} cannot be restricted to kept "
            "features: pruning supports rocketconv's MiniRocket, MultiRocket, "
            "Rocket, Hydra and MultiRocketHydra."
        )
    return transformer._restrict(kept)


def _detachment_problem(
    classifier: Any,
    features: np.ndarray,
    codes: np.ndarray,
    alphas: np.ndarray,
    class_weight: Any,
    sample_weight: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """(scaled features, ridge targets, case weights, alpha) of the
    detachment, on at most MAX_DETACH_CASES cases."""
    n_cases = len(features)
    rows = np.arange(n_cases)
    if n_cases > MAX_DETACH_CASES:
        rng = np.random.RandomState(_heads.seed_of(classifier.random_state))
        rows = np.sort(rng.choice(n_cases, MAX_DETACH_CASES, replace=False))
    weights = np.ones(n_cases) if sample_weight is None else np.asarray(sample_weight)
    if class_weight is not None:
        weights = weights * compute_sample_weight(class_weight, codes)
    weights, codes_used = weights[rows], codes[rows]
    alpha: float | None = None
    if classifier.head_kind_ == "ridge":
        scaler = classifier.head_[:-1]
        # the data term shrinks with the subset, so must the penalty
        alpha = float(classifier.head_[-1].alpha_) * len(rows) / n_cases
    else:
        scaler = StandardScaler().fit(features[rows])
    scaled = np.empty((len(rows), features.shape[1]), dtype=np.float32)
    for start in range(0, len(rows), 1024):
        chunk = rows[start : start + 1024]
        scaled[start : start + len(chunk)] = scaler.transform(features[chunk])
    if alpha is None:
        ridge = RidgeClassifierCV(alphas=alphas).fit(scaled, codes_used, weights)
        alpha = float(ridge.alpha_)
    targets = LabelBinarizer(pos_label=1, neg_label=-1).fit_transform(codes_used)
    return scaled, targets.astype(np.float64), weights, alpha


def _published_scaler(transformer: Any) -> Any:
    """The published scaler of a restricted transformer: a block scaler
    (MultiRocket-Hydra) loses the blocks that no kept column is in."""
    scaler = published_scaler(transformer)
    if not isinstance(scaler, ColumnTransformer):
        return scaler
    blocks = [
        (name, part, columns)
        for name, part, columns in scaler.transformers
        if columns.stop > columns.start
    ]
    return ColumnTransformer(blocks) if len(blocks) > 1 else blocks[0][1]


def prune_fitted_classifier(
    classifier: Any,
    features: np.ndarray | None,
    codes: np.ndarray,
    alphas: np.ndarray,
    class_weight: Any,
    sample_weight: np.ndarray | None,
) -> None:
    """The end of ``RocketClassifier.fit`` when ``keep_features`` is set.

    ``features`` are the full transformer's training features (None for
    out-of-core input, which is refused), ``codes`` the encoded labels; the
    other arguments as the head was fitted with. Sets
    ``transformer_`` (restricted), ``head_`` (and ``calibrator_``),
    ``kept_features_`` and ``pruning_``.
    """
    if classifier.keep_features is None:
        return
    if features is None:
        raise ValueError(
            f"{type(classifier).__name__}: keep_features needs the training "
            "features in memory; it does not support out-of-core input yet."
        )
    start = time.perf_counter()
    transformer = classifier.transformer_
    if not hasattr(transformer, "_feature_units"):
        restrict_transformer(transformer, [0])  # raises the TypeError
    units = transformer._feature_units()
    n_features = features.shape[1]
    n_keep = n_kept_features(classifier.keep_features, n_features)
    kept, n_fits, alpha = np.arange(n_features), 0, float("nan")
    if n_keep < n_features:
        problem = _detachment_problem(
            classifier, features, codes, alphas, class_weight, sample_weight
        )
        scaled, targets, weights, alpha = problem
        n_units_phase = min(n_features, int(np.ceil(UNIT_SLACK * n_keep)))
        kept, n_fits = detach_units(
            scaled, targets, units, n_units_phase, alpha, weights
        )
        if n_units_phase > n_keep:
            within, more = detach_units(
                scaled[:, kept], targets, np.arange(len(kept)), n_keep, alpha, weights
            )
            kept, n_fits = kept[within], n_fits + more
        del scaled
        classifier.transformer_ = restrict_transformer(transformer, kept)
        # the head of the same kind, fitted again on the kept features
        classifier.head_, classifier.calibrator_ = _heads.fit_head(
            classifier.head_kind_,
            _published_scaler(classifier.transformer_),
            FeatureStream.from_matrix(features[:, kept]),
            codes,
            len(classifier.classes_),
            alphas,
            class_weight,
            sample_weight,
            classifier.random_state,
        )
    classifier.kept_features_ = kept
    classifier.pruning_ = PruningSummary(
        n_features=n_features,
        n_features_kept=len(kept),
        n_units=len(np.unique(units)),
        n_units_kept=len(np.unique(units[kept])),
        n_ridge_fits=n_fits,
        alpha=alpha,
        seconds=time.perf_counter() - start,
    )
