"""The scalers of the published ridge heads.

:class:`L2ColumnScaler` is what ROCKET's and MiniRocket's papers used
(scikit-learn's old ``normalize=True``); :class:`SparseScaler` is Hydra's.
Which transformer gets which is declared in ``rocketconv._registry``.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = ["L2ColumnScaler", "SparseScaler"]


class L2ColumnScaler(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Centre each column and divide it by its L2 norm.

    What ``normalize=True`` did in scikit-learn's linear models before 1.2,
    and so what the published ROCKET and MiniRocket results used. Constant
    columns keep a scale of 1.

    Takes no parameters. float32 features (what the transformers give) are
    read as they are; the means, scales and output are float64. The work is
    three numba passes over the features (``rocketconv._column_scaling``),
    with every sum taken down the rows in order, so ``fit_transform(X)``
    equals ``fit(X).transform(X)`` bit for bit.

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,)
    scale_ : ndarray of shape (n_features,)

    See Also
    --------
    SparseScaler : the scaler of Hydra's published head.
    rocketconv.RocketClassifier : uses it in the published ridge head of ROCKET
        and MiniRocket.

    References
    ----------
    ROCKET (Dempster, Petitjean and Webb 2020,
    https://doi.org/10.1007/s10618-020-00701-z) and MiniRocket (Dempster,
    Schmidt and Webb 2021, https://doi.org/10.1145/3447548.3467231) fitted
    their ridge head with ``normalize=True``, which this scaler reproduces.

    Examples
    --------
    >>> import numpy as np
    >>> from rocketconv.scalers import L2ColumnScaler
    >>> X = np.array([[1.0, 5.0], [3.0, 5.0]])
    >>> L2ColumnScaler().fit_transform(X)  # column 2 is constant: scale 1
    array([[-0.70710678,  0.        ],
           [ 0.70710678,  0.        ]])
    """

    def fit(self, X: np.ndarray, y: object = None) -> L2ColumnScaler:
        self._fit(X)
        return self

    def fit_transform(self, X: np.ndarray, y: object = None) -> np.ndarray:
        """``fit(X).transform(X)``, bit for bit, checking ``X`` once."""
        return self._scaled(self._fit(X))

    def _fit(self, X: np.ndarray) -> np.ndarray:
        """Sets ``mean_`` and ``scale_``; returns the checked ``X``."""
        # the kernels take C-contiguous arrays (a copy only if X is not)
        X = np.ascontiguousarray(validate_data(self, X, dtype=[np.float64, np.float32]))
        kernels = _kernels()
        self.mean_ = kernels.column_means(X)
        scale = np.sqrt(kernels.centred_sum_squares(X, self.mean_))
        scale[scale == 0] = 1.0
        self.scale_ = scale
        return X

    def transform(self, X: np.ndarray) -> np.ndarray:
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        return self._scaled(np.ascontiguousarray(X))

    def _scaled(self, X: np.ndarray) -> np.ndarray:
        out = np.empty(X.shape, dtype=np.float64)
        _kernels().scale_into(out, X, self.mean_, self.scale_)
        return out


def _kernels() -> ModuleType:
    """The numba kernels, imported at the first fit: importing this module
    does not load numba."""
    from rocketconv import _column_scaling

    return _column_scaling


class SparseScaler(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Hydra's scaler for sparse count features (reference / aeon ``SparseScaler``).

    ``fit``: with ``Z = sqrt(max(X, 0))``, ``mu = mean(Z)``, ``sigma =
    std(Z, ddof=1) + mean(Z == 0) ** exponent + 1e-8`` per column (ddof=1 as
    ``torch.std``; ddof=0 for a single row). ``transform``:
    ``(Z - mu) * (Z != 0) / sigma`` with ``mask=True`` (zeros stay zero: a
    count that never happened carries no evidence), ``(Z - mu) / sigma``
    without. The ``mean(Z == 0) ** exponent`` term inflates the scale of
    mostly-zero columns.

    Parameters
    ----------
    mask : bool, default=True
    exponent : float, default=4

    Attributes
    ----------
    mean_, scale_ : ndarray of shape (n_features,)

    See Also
    --------
    L2ColumnScaler : the scaler of ROCKET's and MiniRocket's published head.
    rocketconv.Hydra : the transformer whose count features this scales.

    References
    ----------
    The scaler of Hydra's published head: Dempster, Schmidt and Webb 2023,
    https://doi.org/10.1007/s10618-023-00939-3 (full citation on
    :class:`rocketconv.Hydra`).

    Examples
    --------
    >>> import numpy as np
    >>> from rocketconv.scalers import SparseScaler
    >>> X = np.array([[0.0, 4.0], [4.0, 16.0], [16.0, 0.0]])
    >>> Z = SparseScaler().fit_transform(X)
    >>> bool(Z[0, 0] == 0.0 and Z[2, 1] == 0.0)
    True
    """

    def __init__(self, mask: bool = True, exponent: float = 4) -> None:
        self.mask = mask
        self.exponent = exponent

    def fit(self, X: np.ndarray, y: object = None) -> SparseScaler:
        X = validate_data(self, X, dtype=[np.float64, np.float32])
        Z = np.sqrt(np.clip(X, 0, None))
        epsilon = (Z == 0).mean(axis=0) ** self.exponent + 1e-8
        self.mean_ = Z.mean(axis=0)
        ddof = 1 if len(Z) > 1 else 0
        self.scale_ = Z.std(axis=0, ddof=ddof) + epsilon
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        check_is_fitted(self, "mean_")
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        Z = np.sqrt(np.clip(X, 0, None))
        out = Z - self.mean_
        if self.mask:
            out *= Z != 0
        out /= self.scale_
        return out
