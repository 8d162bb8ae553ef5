"""Feature provenance: one row per output column of a fitted transformer.

Columns (every transformer; see ``docs/user_guide/explain.md``):

``feature``
    The name ``get_feature_names_out`` gives the column.
``transformer``
    The class that computes it (for MultiRocketHydra, the part).
``representation``
    ``"X"`` or ``"diff"`` (the first difference ``X[t + 1] - X[t]``).
``kernel``, ``group``
    The kernel's index (MiniRocket's 0..83, ROCKET's 0..n_kernels-1,
    Hydra's within its group) and Hydra's group (-1 elsewhere).
``weights``
    The kernel's weights: ``(9,)`` for MiniRocket/MultiRocket/Hydra,
    ``(n_kernel_channels, length)`` for ROCKET.
``dilation``, ``padding``
    Padding is the zeros each side of the series that the pooled outputs
    may reach: ``4 d`` ('same') or 0 (valid outputs only).
``left_shift``
    1 where taps left of the centre read one point later (MultiRocket's
    reference alignment of ``diff(X)``), else 0.
``bias``
    MiniRocket/MultiRocket: the threshold ``b`` of ``C > b``; ROCKET: added
    to the output (``C + b > 0``); Hydra: NaN.
``channels``
    The channel subset (tuple; Hydra's draws may repeat a channel).
``pooling``
    ``ppv``, ``max``, ``lspv``, ``mpv``, ``mipv``; Hydra's ``max_sum`` (the
    summed winning responses) and ``min_count`` (how often the kernel is
    the arg-min).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..transformers._dilations import N_KERNELS, kernel_weights

COLUMNS = [
    "feature", "transformer", "representation", "kernel", "group", "weights",
    "dilation", "padding", "left_shift", "bias", "channels", "pooling",
]  # fmt: skip
MULTIROCKET_POOLING = ("ppv", "lspv", "mpv", "mipv")


def _objects(items: list[Any]) -> np.ndarray:
    """A 1-D object array of the items (arrays stay whole)."""
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def representation_table(
    representation: Any, transformer: str, name: str, left_shift: int
) -> pd.DataFrame:
    """Rows of a FittedRepresentation's (dilation, kernel, bias) triples."""
    per_dilation = representation.n_features_per_dilation.astype(int)
    n_dilations = len(per_dilation)
    d_index = np.repeat(np.arange(n_dilations), N_KERNELS * per_dilation)
    kernel = np.concatenate([np.repeat(np.arange(N_KERNELS), n) for n in per_dilation])
    combination = d_index * N_KERNELS + kernel
    dilation = representation.dilations[d_index].astype(int)
    padded = (d_index + kernel) % 2 == 0
    offsets = representation.channel_offsets
    subsets = [
        tuple(int(c) for c in representation.channels[offsets[m] : offsets[m + 1]])
        for m in range(len(offsets) - 1)
    ]
    weights = kernel_weights()
    return pd.DataFrame(
        {
            "transformer": transformer,
            "representation": name,
            "kernel": kernel,
            "group": -1,
            "weights": _objects([weights[k] for k in kernel]),
            "dilation": dilation,
            "padding": np.where(padded, 4 * dilation, 0),
            "left_shift": left_shift,
            "bias": representation.biases.astype(np.float64),
            "channels": _objects([subsets[m] for m in combination]),
        }
    )


def minirocket_table(transformer: Any) -> pd.DataFrame:
    table = representation_table(transformer.representation_, "MiniRocket", "X", 0)
    table["pooling"] = "ppv"
    return table


def multirocket_table(transformer: Any) -> pd.DataFrame:
    """``[X: PPV | LSPV | MPV | MIPV, diff: PPV | LSPV | MPV | MIPV]``."""
    blocks = []
    for rep, name, shift in (
        (transformer.representation_, "X", 0),
        (transformer.diff_representation_, "diff", 1),
    ):
        triples = representation_table(rep, "MultiRocket", name, shift)
        for pooling in MULTIROCKET_POOLING:
            blocks.append(triples.assign(pooling=pooling))
    return pd.concat(blocks, ignore_index=True)


def rocket_table(transformer: Any) -> pd.DataFrame:
    """Kernel by kernel: PPV then max (the transform's interleaved layout)."""
    n_kernels = len(transformer.lengths_)
    weights, subsets = [], []
    for k in range(n_kernels):
        block = transformer.weights_[
            transformer.weight_offsets_[k] : transformer.weight_offsets_[k + 1]
        ]
        weights.append(block.reshape(-1, int(transformer.lengths_[k])))
        channels = transformer.channels_[
            transformer.channel_offsets_[k] : transformer.channel_offsets_[k + 1]
        ]
        subsets.append(tuple(int(c) for c in channels))
    kernel = np.repeat(np.arange(n_kernels), 2)
    return pd.DataFrame(
        {
            "transformer": "Rocket",
            "representation": "X",
            "kernel": kernel,
            "group": -1,
            "weights": _objects([weights[k] for k in kernel]),
            "dilation": transformer.dilations_[kernel].astype(int),
            "padding": transformer.paddings_[kernel].astype(int),
            "left_shift": 0,
            "bias": transformer.biases_[kernel].astype(np.float64),
            "channels": _objects([subsets[k] for k in kernel]),
            "pooling": np.tile(["ppv", "max"], n_kernels),
        }
    )


def hydra_table(transformer: Any, n_channels: int) -> pd.DataFrame:
    """Per dilation, ``X`` then ``diff``: max features, then min features.

    One channel: every group reads channel 0 (its draws are unused).
    """
    shape = transformer.weights_.shape[:4]
    # the output order: dilation, representation, (max, min), group, kernel
    d, r, pooled, g, k = (
        index.ravel()
        for index in np.indices((shape[0], shape[1], 2, shape[2], shape[3]))
    )
    if n_channels > 1:
        draws = transformer.channels_[d, r, g]
        channels = [tuple(int(c) for c in row) for row in draws]
    else:
        channels = [(0,)] * len(d)
    dilations = transformer.dilations_[d].astype(int)
    return pd.DataFrame(
        {
            "transformer": "Hydra",
            "representation": np.where(r == 0, "X", "diff"),
            "kernel": k,
            "group": g,
            "weights": _objects(list(transformer.weights_[d, r, g, k])),
            "dilation": dilations,
            "padding": 4 * dilations,
            "left_shift": 0,
            "bias": np.nan,
            "channels": _objects(channels),
            "pooling": np.where(pooled == 0, "max_sum", "min_count"),
        }
    )


def feature_info(transformer: Any) -> pd.DataFrame:
    """Where each feature of a fitted transformer comes from.

    Parameters
    ----------
    transformer : fitted Rocket, MiniRocket, MultiRocket, Hydra or
        MultiRocketHydra

    Returns
    -------
    info : pandas.DataFrame
        One row per output column, in column order (for a pruned
        transformer, its kept columns); the columns of this module's
        docstring.

    Examples
    --------
    >>> import numpy as np
    >>> from rocketconv import MiniRocket
    >>> from rocketconv.explain import feature_info
    >>> X = np.random.default_rng(0).normal(size=(5, 1, 30))
    >>> info = feature_info(MiniRocket(n_features=168, random_state=0).fit(X))
    >>> row = info.iloc[0]
    >>> int(row.kernel), int(row.dilation), int(row.padding), row.pooling
    (0, 1, 4, 'ppv')
    """
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(transformer, "_n_features_out")
    name = type(transformer).__name__
    if name == "MultiRocketHydra":
        table = pd.concat(
            [
                hydra_table(transformer.hydra_, transformer.n_channels_),
                multirocket_table(transformer.multirocket_),
            ],
            ignore_index=True,
        )
    else:
        builders = {
            "MiniRocket": minirocket_table,
            "MultiRocket": multirocket_table,
            "Rocket": rocket_table,
            "Hydra": lambda t: hydra_table(t, t.n_channels_),
        }
        if name not in builders:
            raise TypeError(f"feature_info does not know the transformer {name}.")
        table = builders[name](transformer)
    kept = getattr(transformer, "kept_features_", None)
    if kept is not None:  # a pruned transformer: its own output columns
        table = table.iloc[np.asarray(kept)].reset_index(drop=True)
    table.insert(0, "feature", transformer.get_feature_names_out())
    return table[COLUMNS]
