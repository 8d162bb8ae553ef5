"""What the writers of the three formats share: values, cases and labels.

Values are written with ``repr``, the shortest text that reads back as the
same float, so that every ``write_*`` followed by its ``load_*`` is
bit-exact. Each writer refuses, with a ValueError naming the writer, what its
format cannot hold rather than writing a file that reads back differently.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from rocketconv._validation import check_X
from rocketconv.datasets._parsing import _NUMBER_RE


def _format_values(values: np.ndarray, missing: str) -> list[str]:
    """repr() of each float: the shortest text that reads back bit-exactly."""
    return [missing if math.isnan(v) else repr(v) for v in values.tolist()]


def _cases_for_writing(X: Any, writer: str) -> list[np.ndarray]:
    X = check_X(X, writer, allow_nan=True, max_abs=None)  # files hold any float
    return list(X)


def _labels_for_writing(
    y: Any, n_cases: int, writer: str, forbidden: str, *, spaces: bool = False
) -> list[str]:
    """Labels as str, refusing those that the format cannot hold."""
    labels = [str(label) for label in np.asarray(y).ravel().tolist()]
    if len(labels) != n_cases:
        raise ValueError(f"{writer}: X has {n_cases} cases but y has {len(labels)}.")
    for label in labels:
        bad = [c for c in label if c in forbidden or (c.isspace() and not spaces)]
        if not label or bad:
            rule = "line breaks" if spaces else "white space"
            raise ValueError(
                f"{writer}: label {label!r} cannot be written: labels must be "
                f"non-empty, without {rule} or any of {forbidden!r}."
            )
    return labels


def _sorted_labels(labels: Sequence[str]) -> list[str]:
    """Declared class order: numeric order when every label is a number."""
    unique = sorted(set(labels))
    if all(_NUMBER_RE.fullmatch(label) for label in unique):
        return sorted(unique, key=float)
    return unique


def _refuse_trailing_nan(cases: list[np.ndarray], writer: str) -> None:
    """Padding formats cannot tell a final NaN from padding: refuse it."""
    for i, case in enumerate(cases):
        if np.isnan(case[:, -1]).all():
            raise ValueError(
                f"{writer}: case {i} ends with a missing value (NaN) in every "
                "channel, which this fixed-width format would read back as "
                "padding; use write_ts, or impute the value."
            )
