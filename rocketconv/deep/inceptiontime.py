"""InceptionTime (Ismail Fawaz et al., 2020) in numpy: the network, its
training loop and the scikit-learn ensemble estimator.

The architecture and training follow the reference Keras code
(hfawaz/InceptionTime, ``classifiers/inception.py``) detail by detail; see
:class:`InceptionTimeClassifier` for the list.
"""

from __future__ import annotations

import numbers
import time
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.validation import check_is_fitted

from .._validation import (
    check_fitted_shape,
    check_positive_int,
    check_random_state,
    check_X,
    check_y,
    output_limit_bytes,
)
from .layers import (
    BatchNorm,
    Conv1D,
    Dense,
    GlobalAvgPool,
    Layer,
    MaxPool1D,
    MultiKernelConv1D,
    ReLU,
    SoftmaxCrossEntropy,
    softmax,
)
from .optim import Adam, ReduceLROnPlateau

__all__ = ["InceptionTimeClassifier", "InceptionModule", "InceptionNetwork"]

# Rows (cases x time points) per inference chunk: bounds prediction memory
# (the im2col matrix of a chunk is rows x 40 x 32 floats, ~80 MB here).
_PREDICT_ROWS = 16_384


class InceptionModule:
    """Bottleneck, three parallel convolutions, max-pool branch, BN, ReLU.

    The bottleneck (1x1 convolution to ``bottleneck_size`` channels) is used
    only when the module's input has more than one channel, as the reference;
    the max-pool branch pools the module *input* (not the bottleneck output)
    and projects it with a 1x1 convolution to ``n_filters`` channels.
    """

    def __init__(
        self, in_channels, n_filters, kernel_sizes, bottleneck_size, rng, dtype
    ):
        self.bottleneck = (
            Conv1D(in_channels, bottleneck_size, 1, rng, dtype)
            if bottleneck_size and in_channels > 1
            else None
        )
        conv_in = bottleneck_size if self.bottleneck is not None else in_channels
        self.convs = MultiKernelConv1D(conv_in, n_filters, kernel_sizes, rng, dtype)
        self.pool = MaxPool1D(3)
        self.pool_conv = Conv1D(in_channels, n_filters, 1, rng, dtype)
        self.out_channels = self.convs.out_channels + n_filters
        self.bn = BatchNorm(self.out_channels, dtype=dtype)
        self.relu = ReLU(inplace=True)

    @property
    def layers(self) -> list[Layer]:
        layers = [self.convs, self.pool, self.pool_conv, self.bn, self.relu]
        return ([self.bottleneck] if self.bottleneck is not None else []) + layers

    def forward(self, x, training=False):
        inner = self.bottleneck.forward(x, training) if self.bottleneck else x
        branches = self.convs.forward(inner, training)
        pooled = self.pool_conv.forward(self.pool.forward(x, training), training)
        out = np.concatenate([branches, pooled], axis=2)
        return self.relu.forward(self.bn.forward(out, training), training)

    def backward(self, dout, need_input_grad=True):
        dout = self.bn.backward(self.relu.backward(dout))
        split = self.convs.out_channels
        need_inner = need_input_grad or self.bottleneck is not None
        dinner = self.convs.backward(dout[:, :, :split], need_inner)
        if self.bottleneck is not None:
            dinner = self.bottleneck.backward(dinner, need_input_grad)
        dpooled = self.pool_conv.backward(dout[:, :, split:], need_input_grad)
        if not need_input_grad:
            return None
        dx = self.pool.backward(dpooled)
        dx += dinner
        return dx


class ShortcutLayer:
    """Residual connection: ReLU(BN(1x1 conv(block input)) + block output)."""

    def __init__(self, in_channels, out_channels, rng, dtype):
        self.conv = Conv1D(in_channels, out_channels, 1, rng, dtype)
        self.bn = BatchNorm(out_channels, dtype=dtype)
        self.relu = ReLU(inplace=True)

    @property
    def layers(self) -> list[Layer]:
        return [self.conv, self.bn, self.relu]

    def forward(self, residual, out, training=False):
        summed = self.bn.forward(self.conv.forward(residual, training), training)
        summed += out
        return self.relu.forward(summed, training)

    def backward(self, dout, need_input_grad=True):
        """Return (gradient for the block input, gradient for the block output)."""
        dsum = self.relu.backward(dout)
        dres = self.conv.backward(self.bn.backward(dsum), need_input_grad)
        return dres, dsum


class InceptionNetwork:
    """One Inception network: ``depth`` modules, shortcuts every 3, GAP, dense.

    All trainable parameters are views of ``self.params`` (gradients of
    ``self.grads``) and all BatchNorm running statistics views of
    ``self.state``; see ``layers.py``.

    Examples
    --------
    >>> import numpy as np
    >>> net = InceptionNetwork(1, 2, rng=np.random.default_rng(0))
    >>> net.n_parameters, net.state.size
    (420450, 2048)
    """

    def __init__(
        self,
        n_channels,
        n_classes,
        depth=6,
        n_filters=32,
        kernel_sizes=(40, 20, 10),
        bottleneck_size=32,
        use_residual=True,
        rng=None,
        dtype=np.float32,
    ):
        rng = np.random.default_rng(rng)
        self.dtype = np.dtype(dtype)
        self.use_residual = use_residual
        self.modules: list[InceptionModule] = []
        self.shortcuts: dict[int, ShortcutLayer] = {}
        channels = residual_channels = n_channels
        for d in range(depth):
            module = InceptionModule(
                channels, n_filters, kernel_sizes, bottleneck_size, rng, dtype
            )
            self.modules.append(module)
            channels = module.out_channels
            if use_residual and d % 3 == 2:
                self.shortcuts[d] = ShortcutLayer(
                    residual_channels, channels, rng, dtype
                )
                residual_channels = channels
        self.gap = GlobalAvgPool()
        self.dense = Dense(channels, n_classes, rng, dtype)
        self.loss = SoftmaxCrossEntropy()
        self._flatten()

    @property
    def layers(self) -> list[Layer]:
        layers = []
        for d, module in enumerate(self.modules):
            layers += module.layers
            if d in self.shortcuts:
                layers += self.shortcuts[d].layers
        return layers + [self.gap, self.dense]

    def _flatten(self):
        """Move every parameter, gradient and running statistic into one buffer."""
        layers = self.layers
        for kind in ("params", "grads", "state"):
            arrays = [a for layer in layers for a in getattr(layer, kind).values()]
            flat = np.empty(sum(a.size for a in arrays), dtype=self.dtype)
            offset = 0
            for layer in layers:
                table = getattr(layer, kind)
                for name, array in table.items():
                    view = flat[offset : offset + array.size].reshape(array.shape)
                    view[...] = array
                    table[name] = view
                    offset += array.size
            setattr(self, kind, flat)

    @property
    def n_parameters(self) -> int:
        """Number of trainable parameters."""
        return int(self.params.size)

    def forward(self, x, training=False):
        """Logits for channels-last input ``(n, L, C)``."""
        residual = x
        for d, module in enumerate(self.modules):
            x = module.forward(x, training)
            if d in self.shortcuts:
                x = self.shortcuts[d].forward(residual, x, training)
                residual = x
        return self.dense.forward(self.gap.forward(x, training), training)

    def backward(self, dlogits, need_input_grad=False):
        """Fill ``self.grads``; return the input gradient if asked."""
        dx = self.gap.backward(self.dense.backward(dlogits))
        pending = None  # gradient reaching the current block input via a shortcut
        for d in range(len(self.modules) - 1, -1, -1):
            if d in self.shortcuts:
                if pending is not None:
                    dx = dx + pending
                first_block = d == 2
                pending, dx = self.shortcuts[d].backward(
                    dx, need_input_grad or not first_block
                )
            dx = self.modules[d].backward(dx, need_input_grad or d > 0)
        if need_input_grad and pending is not None:
            dx = dx + pending
        return dx

    def train_step(self, x, y) -> float:
        """Forward and backward on one batch (gradients in ``self.grads``)."""
        logits = self.forward(x, training=True)
        loss = self.loss.forward(logits, y, training=True)
        self.backward(self.loss.backward())
        return loss

    def predict_proba(self, x) -> np.ndarray:
        """Softmax outputs in inference mode, in chunks of bounded memory."""
        rows = max(1, _PREDICT_ROWS // max(x.shape[1], 1))
        out = [
            softmax(self.forward(x[i : i + rows]).astype(np.float64))
            for i in range(0, len(x), rows)
        ]
        return np.concatenate(out)

    def clear_cache(self):
        for layer in self.layers + [self.loss]:
            layer.clear_cache()

    def recalibrate_batchnorm(self, x, batch_size) -> None:
        """Replace BatchNorm running statistics by their average over ``x``.

        One pass of training-mode forwards over ``x`` in mini-batches, each
        batch's statistics weighted equally (as torch's ``update_bn``). The
        weights do not change.
        """
        norms = [layer for layer in self.layers if isinstance(layer, BatchNorm)]
        for layer in norms:
            layer.momentum, layer._n_batches = None, 0
        try:
            for first in range(0, len(x), batch_size):
                self.forward(x[first : first + batch_size], training=True)
        finally:
            for layer in norms:
                layer.momentum = 0.99
            self.clear_cache()


def _check_fraction(value, name, estimator):
    if value is None:
        return None
    if not isinstance(value, numbers.Real) or not 0.0 < value < 1.0:
        raise ValueError(
            f"{type(estimator).__name__}: {name} must be None or a float in (0, 1), "
            f"got {value!r}."
        )
    return float(value)


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
    depth : int, default=6
        Number of Inception modules.
    n_filters : int, default=32
        Filters per convolution in a module.
    kernel_sizes : tuple of int, default=(40, 20, 10)
    bottleneck_size : int, default=32
        0 disables the bottleneck.
    use_residual : bool, default=True
    learning_rate : float, default=1e-3
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
    verbose : bool, default=False
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
    n_parameters_ : int
        Trainable parameters of one network.
    loss_curves_ : list of ndarray
        Training loss per epoch, per network.
    best_epochs_ : list of int
        The epoch whose weights each network kept (0-based).
    train_time_ : float
        Seconds spent in ``fit``.

    Notes
    -----
    Unequal-length series are refused (pad or resample them first). The
    network is fully convolutional, so ``predict`` accepts series of any
    length with the channels seen in ``fit``.

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
    """

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
    def _check_params(self):
        for name in ("n_estimators", "n_epochs", "batch_size", "depth", "n_filters"):
            check_positive_int(getattr(self, name), name, self)
        kernel_sizes = tuple(self.kernel_sizes)
        if not kernel_sizes:
            raise ValueError(f"{type(self).__name__}: kernel_sizes is empty.")
        for k in kernel_sizes:
            check_positive_int(k, "each of kernel_sizes", self)
        if isinstance(self.bottleneck_size, bool) or not isinstance(
            self.bottleneck_size, numbers.Integral | type(None)
        ):
            raise TypeError(
                f"{type(self).__name__}: bottleneck_size must be an int >= 0."
            )
        if self.bottleneck_size is not None and self.bottleneck_size < 0:
            raise ValueError(
                f"{type(self).__name__}: bottleneck_size must be >= 0, "
                f"got {self.bottleneck_size}."
            )
        if not isinstance(self.learning_rate, numbers.Real) or not (
            self.learning_rate > 0
        ):
            raise ValueError(
                f"{type(self).__name__}: learning_rate must be a positive float, "
                f"got {self.learning_rate!r}."
            )
        _check_fraction(self.validation_fraction, "validation_fraction", self)
        if self.n_iter_no_change is not None:
            check_positive_int(self.n_iter_no_change, "n_iter_no_change", self)
        self._check_sizes(kernel_sizes)
        return kernel_sizes

    def _check_sizes(self, kernel_sizes) -> None:
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

    @staticmethod
    def _channels_last(X: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(X.transpose(0, 2, 1), dtype=np.float32)

    # --------------------------------------------------------------------- fit
    def fit(self, X, y) -> InceptionTimeClassifier:
        """Train ``n_estimators`` networks on ``X``, ``y``; return self."""
        start = time.perf_counter()
        kernel_sizes = self._check_params()
        X = check_X(X, self, allow_unequal=False, dtype=np.float32)
        y = check_y(y, len(X), self)
        encoder = LabelEncoder().fit(y)
        self.classes_ = encoder.classes_
        if len(self.classes_) < 2:
            raise ValueError(
                f"{type(self).__name__}: y has a single class "
                f"({self.classes_[0]!r}); at least two are needed."
            )
        codes = encoder.transform(y).astype(np.int64)
        self.n_channels_ = X.shape[1]
        self.n_timepoints_ = X.shape[2]
        X = self._channels_last(X)

        rng = check_random_state(self.random_state, self)
        X_val = y_val = None
        fraction = _check_fraction(self.validation_fraction, "", self)
        if fraction is not None:
            train, val = self._split(codes, fraction, rng)
            X, X_val, codes, y_val = X[train], X[val], codes[train], codes[val]
        seeds = rng.randint(np.iinfo(np.int32).max, size=self.n_estimators)

        self.networks_, self.loss_curves_, self.best_epochs_ = [], [], []
        for i, seed in enumerate(seeds):
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
            curve, best_epoch = self._train(network, X, codes, X_val, y_val, seed, i)
            if self.recalibrate_batchnorm:
                network.recalibrate_batchnorm(X, min(self.batch_size, len(X)))
            network.clear_cache()
            self.networks_.append(network)
            self.loss_curves_.append(curve)
            self.best_epochs_.append(best_epoch)
        self.n_parameters_ = self.networks_[0].n_parameters
        self.train_time_ = time.perf_counter() - start
        return self

    @staticmethod
    def _split(codes, fraction, rng):
        """Stratified hold-out: ``fraction`` of each class, at least one case."""
        train, val = [], []
        for label in np.unique(codes):
            members = rng.permutation(np.flatnonzero(codes == label))
            n_val = min(max(1, round(fraction * len(members))), len(members) - 1)
            val.append(members[:n_val])
            train.append(members[n_val:])
        return np.sort(np.concatenate(train)), np.sort(np.concatenate(val))

    def _train(self, network, X, y, X_val, y_val, seed, index):
        n_cases = len(X)
        batch_size = min(self.batch_size, n_cases)
        shuffle_rng = np.random.default_rng([seed, 1])
        optimizer = Adam(self.learning_rate)
        schedule = ReduceLROnPlateau(factor=0.5, patience=50, min_lr=1e-4)
        lr = float(self.learning_rate)
        best_loss, best_epoch = np.inf, -1
        best_params, best_state = network.params.copy(), network.state.copy()
        since_best = 0
        curve = np.full(self.n_epochs, np.nan)
        progress = None
        if self.verbose:
            from tqdm.auto import tqdm

            progress = tqdm(
                total=self.n_epochs,
                desc=f"network {index + 1}/{self.n_estimators}",
                unit="epoch",
            )
        try:
            for epoch in range(self.n_epochs):
                order = shuffle_rng.permutation(n_cases)
                total = 0.0
                for first in range(0, n_cases, batch_size):
                    batch = order[first : first + batch_size]
                    loss = network.train_step(X[batch], y[batch])
                    optimizer.learning_rate = lr
                    optimizer.step(network.params, network.grads)
                    total += loss * len(batch)
                train_loss = total / n_cases
                curve[epoch] = train_loss
                lr = schedule.step(train_loss, lr)
                monitored = train_loss
                if X_val is not None:
                    proba = network.predict_proba(X_val)
                    monitored = float(
                        -np.mean(
                            np.log(
                                np.clip(proba[np.arange(len(y_val)), y_val], 1e-7, 1)
                            )
                        )
                    )
                # the checkpoint saves the weights as they are after the epoch
                if monitored < best_loss:
                    best_loss, best_epoch, since_best = monitored, epoch, 0
                    best_params[...] = network.params
                    best_state[...] = network.state
                else:
                    since_best += 1
                if progress is not None:
                    progress.update(1)
                    progress.set_postfix(loss=f"{train_loss:.4f}", lr=f"{lr:.1e}")
                if (
                    self.n_iter_no_change is not None
                    and since_best >= self.n_iter_no_change
                ):
                    curve = curve[: epoch + 1]
                    break
        finally:
            if progress is not None:
                progress.close()
        network.params[...] = best_params
        network.state[...] = best_state
        return curve, best_epoch

    # ----------------------------------------------------------------- predict
    def predict_proba(self, X) -> np.ndarray:
        """Mean of the networks' softmax outputs, ``(n_cases, n_classes)``."""
        check_is_fitted(self, "networks_")
        X = check_X(X, self, allow_unequal=False, dtype=np.float32)
        check_fitted_shape(X, self.n_channels_, None, self)
        X = self._channels_last(X)
        proba = np.zeros((len(X), len(self.classes_)))
        for network in self.networks_:
            proba += network.predict_proba(X)
        return proba / len(self.networks_)

    def predict(self, X) -> np.ndarray:
        """Class with the highest mean probability."""
        proba = self.predict_proba(X)  # first: NotFittedError before classes_
        return self.classes_[np.argmax(proba, axis=1)]
