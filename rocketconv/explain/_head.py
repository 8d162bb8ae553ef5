"""A fitted head as per-feature weights, the sparse features' scaling, and a
baseline: what turns feature shares into decision-function shares.

Every head of :class:`~rocketconv.RocketClassifier` computes
``decision = scaler(features) @ coef.T + intercept``. For the affine scalers
(:class:`~rocketconv.scalers.L2ColumnScaler`, ``StandardScaler``) that is
``features @ (coef / scale).T + (intercept - coef @ (mean / scale))``: a
weight per feature and a baseline (the centring term and the intercept).
Hydra's :class:`~rocketconv.scalers.SparseScaler` is not affine (a square
root and a mask), so its features keep their ``coef``, ``mean`` and
``scale`` and their scaled value is shared out by :meth:`LinearHead.distribute`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from .._softmax import MiniBatchSoftmax
from ..scalers import L2ColumnScaler, SparseScaler


@dataclass(frozen=True)
class LinearHead:
    """The decision function of a head, feature by feature.

    Attributes
    ----------
    coef : ndarray of shape (n_outputs, n_features)
        The linear model's coefficients on the scaled features.
    mean, scale : ndarray of shape (n_features,)
        The scaler's centre and divisor per feature.
    sparse : ndarray of bool, shape (n_features,)
        Features scaled by SparseScaler (``sqrt``, masked).
    mask : bool
        SparseScaler's ``mask`` (zeros stay zero).
    intercept : ndarray of shape (n_outputs,)
    """

    coef: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    sparse: np.ndarray
    mask: bool
    intercept: np.ndarray

    @property
    def n_outputs(self) -> int:
        return int(self.coef.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.coef.shape[1])

    @cached_property
    def used(self) -> np.ndarray:
        """Features with a non-zero coefficient for some output."""
        return (self.coef != 0).any(axis=0)

    @property
    def weights(self) -> np.ndarray:
        """Per-feature weights of the affine features (0 for sparse ones)."""
        return np.where(self.sparse, 0.0, self.coef / self.scale)

    @property
    def baseline(self) -> np.ndarray:
        """Intercept minus the centring term of the affine features."""
        centring = np.where(self.sparse, 0.0, self.coef * (self.mean / self.scale))
        return self.intercept - centring.sum(axis=1)

    def distribute(
        self,
        columns: np.ndarray,
        shares: np.ndarray,
        support: np.ndarray,
        constant: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Decision-function shares of some features, per timepoint.

        Parameters
        ----------
        columns : ndarray of int, shape (m,)
            The features' columns.
        shares : ndarray of shape (n_cases, m, n_timepoints)
            Each feature's value split over the timepoints that produced it.
        support : ndarray of bool, same shape
            Where the feature's condition held.
        constant : ndarray of shape (n_cases, m), optional
            The part of each value that belongs to no timepoint.

        Returns
        -------
        timed : ndarray of shape (n_cases, n_outputs, n_timepoints)
        spread : ndarray of shape (n_cases, n_outputs)
            To be spread evenly over the case's timepoints.
        """
        n_cases, _, n_timepoints = shares.shape
        timed = np.zeros((n_cases, self.n_outputs, n_timepoints))
        spread = np.zeros((n_cases, self.n_outputs))
        affine = ~self.sparse[columns]
        if affine.any():
            weights = self.coef[:, columns[affine]] / self.scale[columns[affine]]
            timed += np.matmul(weights, shares[:, affine])
            if constant is not None:
                spread += constant[:, affine] @ weights.T
        if not affine.all():
            extra = None if constant is None else constant[:, ~affine]
            sparse_timed, sparse_spread = self._distribute_sparse(
                columns[~affine], shares[:, ~affine], support[:, ~affine], extra
            )
            timed += sparse_timed
            spread += sparse_spread
        return timed, spread

    def _distribute_sparse(
        self,
        columns: np.ndarray,
        shares: np.ndarray,
        support: np.ndarray,
        constant: np.ndarray | None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """SparseScaler features: the scaled value times ``coef``, shared in
        proportion to the raw shares where those share a sign, evenly over
        the supporting timepoints otherwise (nowhere held: over the case)."""
        raw = np.where(support, shares, 0.0)
        total = raw.sum(axis=-1) + (0.0 if constant is None else constant)
        # the transform stores float32 features; the scaler sees those
        value = total.astype(np.float32).astype(np.float64)
        root = np.sqrt(np.clip(value, 0.0, None))
        scaled = root - self.mean[columns]
        if self.mask:
            scaled *= root != 0
        scaled /= self.scale[columns]
        contribution = scaled[:, None, :] * self.coef[None, :, columns]
        raw_sum = raw.sum(axis=-1)
        one_sign = ((raw >= 0).all(axis=-1) | (raw <= 0).all(axis=-1)) & (raw_sum != 0)
        n_support = support.sum(axis=-1)
        proportional = raw / np.where(one_sign, raw_sum, 1.0)[..., None]
        even = support / np.maximum(n_support, 1)[..., None]
        weights = np.where(one_sign[..., None], proportional, even)
        timed = np.matmul(contribution, weights)
        nowhere = (n_support == 0)[:, None, :]
        spread = np.where(nowhere, contribution, 0.0).sum(axis=-1)
        return timed, spread


def _model_of(head: Any) -> tuple[Any, Any]:
    """(scaler, linear model) of a RocketClassifier head."""
    if isinstance(head, MiniBatchSoftmax):
        return head.scaler_, head.sgd_
    if isinstance(head, Pipeline) and len(head.steps) == 2:
        return head.steps[0][1], head.steps[1][1]
    raise TypeError(
        f"explain supports the heads of RocketClassifier (a scaler and a linear "
        f"model, or the mini-batch softmax), got {type(head).__name__}."
    )


def _scaling(scaler: Any, n_features: int) -> tuple[np.ndarray, ...]:
    """(mean, scale, sparse, mask, output_order) of a fitted scaler.

    ``output_order[i]`` is the input column of output column ``i`` (a
    ColumnTransformer concatenates its blocks).
    """
    identity = np.arange(n_features)
    if isinstance(scaler, L2ColumnScaler | SparseScaler):
        sparse = np.full(n_features, isinstance(scaler, SparseScaler))
        mask = np.array(getattr(scaler, "mask", False))
        return scaler.mean_, scaler.scale_, sparse, mask, identity
    if isinstance(scaler, StandardScaler):
        mean = np.zeros(n_features) if scaler.mean_ is None else scaler.mean_
        scale = np.ones(n_features) if scaler.scale_ is None else scaler.scale_
        return mean, scale, np.zeros(n_features, bool), np.array(False), identity
    if isinstance(scaler, ColumnTransformer):
        return _block_scaling(scaler, n_features)
    raise TypeError(
        f"explain supports L2ColumnScaler, StandardScaler, SparseScaler and a "
        f"ColumnTransformer of them, got {type(scaler).__name__}."
    )


def _block_scaling(
    scaler: ColumnTransformer, n_features: int
) -> tuple[np.ndarray, ...]:
    """A ColumnTransformer of scalers, block by block, in input column order."""
    mean, scale = np.zeros(n_features), np.ones(n_features)
    sparse = np.zeros(n_features, bool)
    mask = np.array(False)
    order = []
    for _, part, where in scaler.transformers_:
        if isinstance(part, str):  # "drop"; "passthrough" is not used
            continue
        cols = np.arange(n_features)[where]
        m, s, sp, mk, _ = _scaling(part, len(cols))
        mean[cols], scale[cols], sparse[cols] = m, s, sp
        mask = mask | mk
        order.append(cols)
    return mean, scale, sparse, mask, np.concatenate(order)


def linear_head(
    head: Any, n_full_features: int, kept: np.ndarray | None = None
) -> LinearHead:
    """The :class:`LinearHead` of a fitted RocketClassifier head, on the
    columns of the full (unrestricted) transformer output.

    Parameters
    ----------
    head : Pipeline or MiniBatchSoftmax
        ``RocketClassifier.head_``.
    n_full_features : int
        The full transformer's feature count.
    kept : ndarray of int, optional
        The full-output columns the head sees (a pruned transformer's
        ``kept_features_``); None: all. Other features get zero weight.

    Returns
    -------
    LinearHead
    """
    columns = np.arange(n_full_features) if kept is None else np.asarray(kept)
    scaler, model = _model_of(head)
    mean_in, scale_in, sparse_in, mask, order = _scaling(scaler, len(columns))
    coef_out = np.atleast_2d(np.asarray(model.coef_, dtype=np.float64))
    if coef_out.shape[1] != len(columns):
        raise ValueError(
            f"the head has {coef_out.shape[1]} inputs but the transformer makes "
            f"{len(columns)} features."
        )
    coef = np.zeros((coef_out.shape[0], n_full_features))
    coef[:, columns[order]] = coef_out
    mean, scale = np.zeros(n_full_features), np.ones(n_full_features)
    sparse = np.zeros(n_full_features, dtype=bool)
    mean[columns], scale[columns], sparse[columns] = mean_in, scale_in, sparse_in
    intercept = np.atleast_1d(np.asarray(model.intercept_, dtype=np.float64))
    return LinearHead(coef, mean, scale, sparse, bool(mask), intercept)
