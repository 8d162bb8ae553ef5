"""InceptionTimeClassifier: the scikit-learn ensemble of Inception networks.

The estimator checks its parameters and input, trains ``n_estimators``
networks (``network.py``) with the reference training loop (``training.py``)
and averages their softmax outputs. See :class:`InceptionTimeClassifier` for
how architecture and training follow the reference Keras code
(hfawaz/InceptionTime).
"""

from __future__ import annotations

import time
from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from .._validation import (
    check_fitted_shape,
    check_positive_int,
    check_random_state,
    check_X,
    check_y,
    output_limit_bytes,
)
from .network import InceptionModule, InceptionNetwork
from .training import (
    progress_bar,
    recalibrate_batchnorm,
    stratified_split,
    train_network,
)

__all__ = ["InceptionTimeClassifier", "InceptionModule", "InceptionNetwork"]

# Checked first with rocketconv's shared wording ("must be a positive integer").
_SIZE_PARAMS = ("n_estimators", "n_epochs", "batch_size", "depth", "n_filters")
_POSITIVE_INT = [Interval(Integral, 1, None, closed="left")]


def _channels_last(X: np.ndarray) -> np.ndarray:
    """``(n, C, L)`` float input as the networks' ``(n, L, C)`` float32."""
    return np.ascontiguousarray(X.transpose(0, 2, 1), dtype=np.float32)


class InceptionTimeClassifier(ClassifierMixin, BaseEstimator):
    """InceptionTime: an ensemble of Inception networks, in numpy (no torch).

    Each network is trained from its own random initialisation and the
    ensemble averages their softmax outputs (Ismail Fawaz et al., 2020).
    Architecture and training follow the reference Keras code
    (hfawaz/InceptionTime):

    * ``depth`` Inception modules. A module: a 1x1 bottleneck convolution to
      ``bottleneck_size`` channels (only when its input has more than one
      channel, so not in the first module of a univariate problem), three
      parallel convolutions of kernel sizes ``kernel_sizes`` = 40, 20, 10
      (the reference's ``kernel_size=41`` minus 1, halved twice) with
      ``n_filters`` each, and a MaxPool(3, stride 1) of the module input
      followed by a 1x1 convolution to ``n_filters``; concatenation (128
      channels), BatchNorm, ReLU. Convolutions use Keras 'same' padding
      (even kernel k: ``(k-1)//2`` zeros left, ``k//2`` right) and no bias.
    * After every third module, a shortcut: 1x1 convolution of the block input
      and BatchNorm, added to the module output, then ReLU.
    * Global average pooling, dense layer with softmax. For a univariate
      problem the network has 420,192 + 129 x n_classes trainable
      parameters and 2,048 BatchNorm running statistics.
    * Glorot-uniform initial weights; BatchNorm momentum 0.99, epsilon 1e-3.
    * Categorical cross-entropy; Adam (Keras: lr 1e-3, beta 0.9/0.999,
      epsilon 1e-7); the training set is reshuffled every epoch; the
      learning rate halves after 50 epochs without the *training* loss
      improving by 1e-4, down to 1e-4; the weights of the epoch with the
      lowest training loss (the mean of its mini-batch losses) are kept.
    * Mini-batches of ``batch_size`` = 64, the whole training set when it is
      smaller. This is what the published results used: the reference passes
      ``batch_size=64`` to Keras. (Its ``int(min(n_train / 10, 16))`` rule
      applies only when ``batch_size=None`` and was not used.)
    * No normalisation of the input beyond what the data already has (the
      reference trains on the UCR archive files as they are).
    * Training runs in float32.

    Parameters
    ----------
    n_estimators : int, default=5
        Number of networks in the ensemble.
    n_epochs : int, default=1500
        Maximum number of training epochs per network.
    batch_size : int, default=64
        Cases per mini-batch (the whole training set when it is smaller).
    depth : int, default=6
        Number of Inception modules.
    n_filters : int, default=32
        Filters per convolution in a module.
    kernel_sizes : tuple of int, default=(40, 20, 10)
        Lengths of a module's parallel convolutions.
    bottleneck_size : int, default=32
        0 disables the bottleneck.
    use_residual : bool, default=True
        Add the residual shortcut after every third module.
    learning_rate : float, default=1e-3
        Adam's initial learning rate (positive, finite).
    validation_fraction : float or None, default=None
        If set, this stratified fraction of the training set is held out; the
        weights with the lowest *validation* loss are kept instead (the
        learning-rate schedule still follows the training loss).
    n_iter_no_change : int or None, default=None
        If set, stop a network early when the monitored loss (validation loss
        if ``validation_fraction`` is set, else training loss) has not
        improved for this many epochs. The reference always trains all epochs.
    random_state : int, RandomState instance or None, default=None
        Seeds every network's initialisation and shuffling. With a fixed
        number of BLAS/numba threads the same seed gives identical results.
    verbose : bool or int, default=False
        Show a tqdm progress bar per network with epoch, loss and rate.
    recalibrate_batchnorm : bool, default=True
        The one departure from the reference, and only at inference: after
        training, each BatchNorm's running statistics (Keras' exponential
        average with momentum 0.99, which lags weights that are still
        moving) are replaced by their average over the training set under
        the final weights ("precise BatchNorm"). Training is unchanged.
        With few epochs the running averages have not caught up and test
        accuracy suffers (GunPoint, one network, 300 epochs: 0.72 with the
        running averages, 1.00 recalibrated); after the published 1500
        epochs the two agree within 0.005 on the benchmark problems.
        ``False`` keeps the reference's running averages.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    networks_ : list of InceptionNetwork
        The trained networks, each holding its best weights.
    n_channels_ : int
        Channels seen in ``fit``.
    n_timepoints_ : int
        Series length seen in ``fit``; ``predict`` requires the same.
    n_features_in_ : int
        ``n_channels_ * n_timepoints_`` (scikit-learn's input-size attribute).
    n_parameters_ : int
        Trainable parameters of one network.
    loss_curves_ : list of ndarray
        Training loss per epoch, per network.
    best_epochs_ : list of int
        The epoch whose weights each network kept (0-based).
    train_time_ : float
        Seconds spent in ``fit``.

    See Also
    --------
    rocketconv.RocketClassifier : the convolution-transform classifiers, as accurate on
        average and orders of magnitude faster to train.

    Notes
    -----
    Unequal-length series are refused (pad or resample them first), and so
    are series at ``predict`` whose length or channel count differs from
    ``fit``'s: the network is convolutional, but its weights were learnt at
    one length.

    References
    ----------
    Ismail Fawaz, H., Lucas, B., Forestier, G., Pelletier, C., Schmidt, D. F.,
    Weber, J., Webb, G. I., Idoumghar, L., Muller, P.-A. and Petitjean, F.
    (2020). InceptionTime: finding AlexNet for time series classification. *Data
    Mining and Knowledge Discovery* 34(6), 1936-1962.
    https://doi.org/10.1007/s10618-020-00710-y

    Examples
    --------
    >>> import numpy as np
    >>> from rocketconv import InceptionTimeClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(20, 1, 30))
    >>> y = np.repeat([0, 1], 10)
    >>> X[y == 1, 0, 10:20] += 3.0
    >>> clf = InceptionTimeClassifier(n_estimators=1, n_epochs=2, random_state=0)
    >>> clf = clf.fit(X, y)  # 2 epochs: a quick run, far from a trained model
    >>> clf.n_parameters_  # 420,192 + 129 x 2 classes, the published network
    420450
    >>> len(clf.loss_curves_[0]), clf.predict_proba(X).shape
    (2, (20, 2))
    >>> bool(np.allclose(clf.predict_proba(X).sum(axis=1), 1.0))
    True
    >>> clf.predict(X[:, :, :20])  # another length than fit's
    Traceback (most recent call last):
    ...
    ValueError: X has 20 features, but InceptionTimeClassifier is expecting 30 ...
    """

    _parameter_constraints: dict = {
        **{name: _POSITIVE_INT for name in _SIZE_PARAMS},
        "kernel_sizes": ["array-like"],
        "bottleneck_size": [Interval(Integral, 0, None, closed="left"), None],
        "use_residual": ["boolean"],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither"), None],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "recalibrate_batchnorm": ["boolean"],
    }

    def __init__(
        self,
        n_estimators: int = 5,
        n_epochs: int = 1500,
        batch_size: int = 64,
        depth: int = 6,
        n_filters: int = 32,
        kernel_sizes: tuple[int, ...] = (40, 20, 10),
        bottleneck_size: int = 32,
        use_residual: bool = True,
        learning_rate: float = 1e-3,
        validation_fraction: float | None = None,
        n_iter_no_change: int | None = None,
        random_state: Any = None,
        verbose: bool = False,
        recalibrate_batchnorm: bool = True,
    ):
        self.n_estimators = n_estimators
        self.n_epochs = n_epochs
        self.batch_size = batch_size
        self.depth = depth
        self.n_filters = n_filters
        self.kernel_sizes = kernel_sizes
        self.bottleneck_size = bottleneck_size
        self.use_residual = use_residual
        self.learning_rate = learning_rate
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.random_state = random_state
        self.verbose = verbose
        self.recalibrate_batchnorm = recalibrate_batchnorm

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.non_deterministic = self.random_state is None
        return tags

    # ------------------------------------------------------------------ checks
    def _check_params(self) -> tuple[int, ...]:
        """Every parameter, before any work; returns the kernel sizes."""
        for name in _SIZE_PARAMS:
            check_positive_int(getattr(self, name), name, self)
        check_random_state(self.random_state, self)  # names a Generator
        self._validate_params()  # types and ranges: sklearn's InvalidParameterError
        where = type(self).__name__
        kernel_sizes = tuple(np.asarray(self.kernel_sizes, dtype=object).ravel())
        if not kernel_sizes:
            raise ValueError(f"{where}: kernel_sizes is empty.")
        kernel_sizes = tuple(
            check_positive_int(k, "each of kernel_sizes", self) for k in kernel_sizes
        )
        self._check_sizes(kernel_sizes)
        return kernel_sizes

    def _check_sizes(self, kernel_sizes: tuple[int, ...]) -> None:
        """Refuse, before allocating, sizes whose weights or per-epoch history
        could never fit in memory (a MemoryError that names the parameter)."""
        limit = output_limit_bytes()
        # float32 weights + Adam's two moments of the widest layers, roughly
        per_network = (
            12 * self.depth * (4 * self.n_filters) ** 2 * (sum(kernel_sizes) + 2)
        )
        for name, n_bytes in (
            ("n_filters", per_network),
            ("n_estimators", self.n_estimators * per_network),
            ("n_epochs", 8 * self.n_epochs),
        ):
            if n_bytes > limit:
                raise MemoryError(
                    f"{type(self).__name__}: {name}={getattr(self, name)} is too "
                    f"large: about {n_bytes / 2**30:.3g} GiB, over the limit of "
                    f"{limit / 2**30:.3g} GiB."
                )

    def _encode_labels(self, y: np.ndarray) -> np.ndarray:
        """Set ``classes_``; return the int64 class codes (two classes needed)."""
        encoder = LabelEncoder().fit(y)
        self.classes_ = encoder.classes_
        if len(self.classes_) < 2:
            raise ValueError(
                f"{type(self).__name__}: y has 1 class ({self.classes_[0]!r}); "
                "classification needs at least two."
            )
        return encoder.transform(y).astype(np.int64)

    def _check_fitted_input(self, X: Any) -> np.ndarray:
        """Predict-time input: validated, the channels and length of fit."""
        X = check_X(X, self, allow_unequal=False, dtype=np.float32)
        check_fitted_shape(X, self.n_channels_, None, self)
        if X.shape[2] != self.n_timepoints_:
            raise ValueError(
                f"X has {X.shape[1] * X.shape[2]} features, but "
                f"{type(self).__name__} is expecting {self.n_features_in_} "
                f"features as input: series of length {X.shape[2]} where fit "
                f"saw length {self.n_timepoints_}. Resample or pad the series "
                "to the training length."
            )
        return X

    # --------------------------------------------------------------------- fit
    def fit(self, X: Any, y: Any) -> InceptionTimeClassifier:
        """Train ``n_estimators`` networks on ``X``, ``y``.

        Parameters
        ----------
        X : array-like of shape (n_cases, n_channels, n_timepoints)
            Equal-length series; 2-D means one channel.
        y : array-like of shape (n_cases,)
            Class labels (at least two classes).

        Returns
        -------
        self : InceptionTimeClassifier
        """
        start = time.perf_counter()
        kernel_sizes = self._check_params()
        X = check_X(X, self, allow_unequal=False, dtype=np.float32)
        codes = self._encode_labels(check_y(y, len(X), self))
        self.n_channels_, self.n_timepoints_ = X.shape[1], X.shape[2]
        self.n_features_in_ = self.n_channels_ * self.n_timepoints_
        X = _channels_last(X)

        rng = check_random_state(self.random_state, self)
        validation = None
        if self.validation_fraction is not None:
            fraction = float(self.validation_fraction)
            train, val = stratified_split(codes, fraction, rng)
            X, codes, validation = X[train], codes[train], (X[val], codes[val])
        seeds = rng.randint(np.iinfo(np.int32).max, size=self.n_estimators)

        self.networks_, self.loss_curves_, self.best_epochs_ = [], [], []
        for index, seed in enumerate(seeds):
            network, curve, best_epoch = self._fit_network(
                X, codes, validation, seed, index, kernel_sizes
            )
            self.networks_.append(network)
            self.loss_curves_.append(curve)
            self.best_epochs_.append(best_epoch)
        self.n_parameters_ = self.networks_[0].n_parameters
        self.train_time_ = time.perf_counter() - start
        return self

    def _fit_network(
        self,
        X: np.ndarray,
        codes: np.ndarray,
        validation: tuple[np.ndarray, np.ndarray] | None,
        seed: int,
        index: int,
        kernel_sizes: tuple[int, ...],
    ) -> tuple[InceptionNetwork, np.ndarray, int]:
        """Build network ``index`` from ``seed``, train it, recalibrate it."""
        network = InceptionNetwork(
            self.n_channels_,
            len(self.classes_),
            depth=self.depth,
            n_filters=self.n_filters,
            kernel_sizes=kernel_sizes,
            bottleneck_size=self.bottleneck_size or 0,
            use_residual=self.use_residual,
            rng=np.random.default_rng(seed),
        )
        desc = f"network {index + 1}/{self.n_estimators}"
        with progress_bar(bool(self.verbose), self.n_epochs, desc) as bar:
            curve, best_epoch = train_network(
                network,
                X,
                codes,
                n_epochs=self.n_epochs,
                batch_size=self.batch_size,
                learning_rate=self.learning_rate,
                seed=seed,
                validation=validation,
                n_iter_no_change=self.n_iter_no_change,
                progress=bar,
            )
        if self.recalibrate_batchnorm:
            recalibrate_batchnorm(network, X, min(self.batch_size, len(X)))
        network.clear_cache()
        return network, curve, best_epoch

    # ----------------------------------------------------------------- predict
    def predict_proba(self, X: Any) -> np.ndarray:
        """Mean of the networks' softmax outputs.

        Parameters
        ----------
        X : array-like of shape (n_cases, n_channels, n_timepoints)
            The channel count and length seen in ``fit``.

        Returns
        -------
        proba : ndarray of shape (n_cases, n_classes)
            Columns in the order of ``classes_``.
        """
        check_is_fitted(self, "networks_")
        X = _channels_last(self._check_fitted_input(X))
        proba = np.zeros((len(X), len(self.classes_)))
        for network in self.networks_:
            proba += network.predict_proba(X)
        return proba / len(self.networks_)

    def predict(self, X: Any) -> np.ndarray:
        """Class with the highest mean probability.

        Parameters
        ----------
        X : array-like of shape (n_cases, n_channels, n_timepoints)

        Returns
        -------
        labels : ndarray of shape (n_cases,)
        """
        return self.predict_with_proba(X)[0]

    def predict_with_proba(self, X: Any) -> tuple[np.ndarray, np.ndarray]:
        """``(predict(X), predict_proba(X))`` from one forward pass of each
        network (the benchmark runner asks for both).

        Parameters
        ----------
        X : array-like of shape (n_cases, n_channels, n_timepoints)

        Returns
        -------
        labels : ndarray of shape (n_cases,)
        proba : ndarray of shape (n_cases, n_classes)
        """
        proba = self.predict_proba(X)  # first: NotFittedError before classes_
        return self.classes_[np.argmax(proba, axis=1)], proba
