"""Training one InceptionTime network as the reference Keras code trains it.

* :func:`train_network`: epochs of shuffled mini-batches, Adam, the
  learning rate halved on a plateau of the training loss, the weights of the
  best epoch kept (:class:`Checkpoint`), optional early stopping;
* :func:`stratified_split`: the optional validation hold-out;
* :func:`recalibrate_batchnorm`: BatchNorm running statistics recomputed on
  the training set under the final weights (the estimator's default).

A network here is an :class:`~rocketconv.deep.network.InceptionNetwork`: its
weights, gradients and BatchNorm statistics are three flat arrays
(``params``, ``grads``, ``state``), so a checkpoint is one copy of each.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np

from .layers import BatchNorm
from .optim import Adam, ReduceLROnPlateau

__all__ = [
    "Checkpoint",
    "progress_bar",
    "recalibrate_batchnorm",
    "run_epoch",
    "stratified_split",
    "train_network",
    "validation_loss",
]

# Keras' ReduceLROnPlateau of the reference: halve after 50 flat epochs.
PLATEAU: dict[str, Any] = dict(factor=0.5, patience=50, min_lr=1e-4)


class Checkpoint:
    """The weights and BatchNorm statistics of the best epoch so far.

    ``update`` saves the network as it is after an epoch whose monitored loss
    is the lowest yet (strictly), and counts the epochs since; ``restore``
    writes the saved arrays back. Before any epoch it holds the initial
    weights (``epoch`` -1).

    Examples
    --------
    >>> import numpy as np
    >>> from rocketconv.deep.network import InceptionNetwork
    >>> net = InceptionNetwork(1, 2, depth=1, n_filters=2, kernel_sizes=(3,))
    >>> best = Checkpoint(net)
    >>> best.update(0.5, 0, net), best.update(0.7, 1, net)
    (True, False)
    >>> best.epoch, best.since_best
    (0, 1)
    """

    def __init__(self, network: Any) -> None:
        self.loss = np.inf
        self.epoch = -1
        self.since_best = 0
        self.params = network.params.copy()
        self.state = network.state.copy()

    def update(self, loss: float, epoch: int, network: Any) -> bool:
        """Record one epoch's monitored loss; True if it is the best so far."""
        if loss < self.loss:
            self.loss, self.epoch, self.since_best = loss, epoch, 0
            self.params[...] = network.params
            self.state[...] = network.state
            return True
        self.since_best += 1
        return False

    def restore(self, network: Any) -> None:
        """Put the saved weights and statistics back into ``network``."""
        network.params[...] = self.params
        network.state[...] = self.state


def run_epoch(
    network: Any,
    optimizer: Adam,
    X: np.ndarray,
    y: np.ndarray,
    order: np.ndarray,
    batch_size: int,
) -> float:
    """One pass over ``X[order]`` in mini-batches; returns the mean batch loss.

    Each batch's loss is weighted by its size, so a smaller last batch counts
    for what it holds (Keras' epoch loss).

    Examples
    --------
    >>> import numpy as np
    >>> from rocketconv.deep.network import InceptionNetwork
    >>> net = InceptionNetwork(1, 2, depth=1, n_filters=2, kernel_sizes=(3,))
    >>> X = np.random.default_rng(0).normal(size=(5, 8, 1)).astype(np.float32)
    >>> loss = run_epoch(net, Adam(), X, np.array([0, 1, 0, 1, 0]), np.arange(5), 2)
    >>> loss > 0
    True
    """
    total = 0.0
    for first in range(0, len(order), batch_size):
        batch = order[first : first + batch_size]
        loss = network.train_step(X[batch], y[batch])
        optimizer.step(network.params, network.grads)
        total += loss * len(batch)
    return total / len(order)


def validation_loss(network: Any, X: np.ndarray, y: np.ndarray) -> float:
    """Mean cross-entropy of ``network`` on held-out ``(X, y)``, inference mode.

    Probabilities are clipped to [1e-7, 1] as Keras does.

    Examples
    --------
    >>> import numpy as np
    >>> from rocketconv.deep.network import InceptionNetwork
    >>> net = InceptionNetwork(1, 2, depth=1, n_filters=2, kernel_sizes=(3,))
    >>> X = np.zeros((2, 8, 1), dtype=np.float32)  # zero input: uniform softmax
    >>> round(validation_loss(net, X, np.array([0, 1])), 4)  # log(2)
    0.6931
    """
    proba = network.predict_proba(X)
    chosen = np.clip(proba[np.arange(len(y)), y], 1e-7, 1)
    return float(-np.mean(np.log(chosen)))


@contextlib.contextmanager
def progress_bar(show: bool, total: int, desc: str) -> Iterator[Any]:
    """A tqdm bar of ``total`` epochs when ``show``, else None; always closed.

    Examples
    --------
    >>> with progress_bar(False, 10, "network 1/1") as bar:
    ...     bar is None
    True
    """
    if not show:
        yield None
        return
    from tqdm.auto import tqdm

    bar = tqdm(total=total, desc=desc, unit="epoch")
    try:
        yield bar
    finally:
        bar.close()


def train_network(
    network: Any,
    X: np.ndarray,
    y: np.ndarray,
    *,
    n_epochs: int,
    batch_size: int,
    learning_rate: float,
    seed: int,
    validation: tuple[np.ndarray, np.ndarray] | None = None,
    n_iter_no_change: int | None = None,
    progress: Any = None,
) -> tuple[np.ndarray, int]:
    """Train ``network`` in place and leave it holding its best weights.

    Parameters
    ----------
    network : InceptionNetwork
    X : ndarray of shape (n_cases, n_timepoints, n_channels), float32
        Channels-last training series.
    y : ndarray of shape (n_cases,), int
        Class codes ``0 .. n_classes - 1``.
    n_epochs, batch_size : int
        ``batch_size`` is capped at ``n_cases``.
    learning_rate : float
        Adam's initial rate; halved after 50 epochs without the training loss
        improving by 1e-4, down to 1e-4.
    seed : int
        Seeds the per-epoch shuffling (``default_rng([seed, 1])``).
    validation : (X_val, y_val), optional
        If given, the kept weights are those of the lowest validation loss
        (the schedule still follows the training loss).
    n_iter_no_change : int, optional
        Stop after this many epochs without a new best monitored loss.
    progress : tqdm bar, optional
        Advanced by one per epoch, with the loss and rate shown.

    Returns
    -------
    curve : ndarray of shape (n_epochs_run,)
        The training loss of each epoch run.
    best_epoch : int
        The epoch (0-based) whose weights the network now holds.

    Examples
    --------
    >>> import numpy as np
    >>> from rocketconv.deep.network import InceptionNetwork
    >>> net = InceptionNetwork(1, 2, depth=1, n_filters=2, kernel_sizes=(3,))
    >>> X = np.random.default_rng(0).normal(size=(6, 8, 1)).astype(np.float32)
    >>> y = np.array([0, 1] * 3)
    >>> curve, best = train_network(
    ...     net, X, y, n_epochs=3, batch_size=4, learning_rate=1e-3, seed=0
    ... )
    >>> len(curve), best == int(np.argmin(curve))
    (3, True)
    """
    n_cases = len(X)
    batch_size = min(batch_size, n_cases)
    shuffle_rng = np.random.default_rng([seed, 1])
    optimizer = Adam(learning_rate)
    schedule = ReduceLROnPlateau(**PLATEAU)
    checkpoint = Checkpoint(network)
    curve = np.full(n_epochs, np.nan)
    for epoch in range(n_epochs):
        order = shuffle_rng.permutation(n_cases)
        curve[epoch] = train_loss = run_epoch(
            network, optimizer, X, y, order, batch_size
        )
        optimizer.learning_rate = schedule.step(train_loss, optimizer.learning_rate)
        monitored = train_loss
        if validation is not None:
            monitored = validation_loss(network, *validation)
        # the checkpoint saves the weights as they are after the epoch
        checkpoint.update(monitored, epoch, network)
        if progress is not None:
            progress.update(1)
            rate = f"{optimizer.learning_rate:.1e}"
            progress.set_postfix(loss=f"{train_loss:.4f}", lr=rate)
        if n_iter_no_change is not None and checkpoint.since_best >= n_iter_no_change:
            curve = curve[: epoch + 1]
            break
    checkpoint.restore(network)
    return curve, checkpoint.epoch


def stratified_split(
    codes: np.ndarray, fraction: float, rng: np.random.RandomState
) -> tuple[np.ndarray, np.ndarray]:
    """Stratified hold-out: ``fraction`` of each class, at least one case.

    Every class keeps at least one case on each side. Returns sorted index
    arrays ``(train, validation)``.

    Examples
    --------
    >>> import numpy as np
    >>> codes = np.array([0, 0, 0, 0, 1, 1])
    >>> train, val = stratified_split(codes, 0.25, np.random.RandomState(0))
    >>> len(train), len(val), codes[val].tolist()
    (4, 2, [0, 1])
    """
    train, val = [], []
    for label in np.unique(codes):
        members = rng.permutation(np.flatnonzero(codes == label))
        n_val = min(max(1, round(fraction * len(members))), len(members) - 1)
        val.append(members[:n_val])
        train.append(members[n_val:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(val))


def recalibrate_batchnorm(network: Any, X: np.ndarray, batch_size: int) -> None:
    """Replace BatchNorm running statistics by their average over ``X``.

    One pass of training-mode forwards over ``X`` in mini-batches, each
    batch's statistics weighted equally (as torch's ``update_bn``). The
    weights do not change.

    Examples
    --------
    >>> import numpy as np
    >>> from rocketconv.deep.network import InceptionNetwork
    >>> net = InceptionNetwork(1, 2, depth=1, n_filters=2, kernel_sizes=(3,))
    >>> X = np.random.default_rng(0).normal(size=(4, 8, 1)).astype(np.float32)
    >>> before = net.params.copy()
    >>> recalibrate_batchnorm(net, X, batch_size=4)
    >>> bool((net.params == before).all()), bool((net.state != 0).any())
    (True, True)
    """
    norms = [layer for layer in network.layers if isinstance(layer, BatchNorm)]
    for layer in norms:
        layer.momentum, layer._n_batches = None, 0
    try:
        for first in range(0, len(X), batch_size):
            network.forward(X[first : first + batch_size], training=True)
    finally:
        for layer in norms:
            layer.momentum = 0.99
        network.clear_cache()
