"""Where a share lands: from a representation's timepoint and a kernel's
channel subset to the (channel, timepoint) cells of the input series.

The rules (docs/user_guide/explain.md):

* a kernel output at ``t`` belongs to the timepoint where the kernel is
  centred;
* ``diff(X)[t] = X[t + 1] - X[t]`` belongs half to ``t`` and half to
  ``t + 1``;
* a share of a multi-channel kernel is split equally over the channels of
  its subset (a channel drawn twice, as Hydra may, gets two parts);
* a value that belongs to no timepoint is spread evenly over the case's
  timepoints (in the channels of the subset);
* a share landing on the zeros appended to a short series moves to the
  series' last real timepoint, so the padding itself gets nothing.
"""

from __future__ import annotations

import numpy as np


class TimepointAccumulator:
    """Attributions of a chunk of cases of one length, summed share by share.

    Parameters
    ----------
    n_cases, n_outputs, n_channels : int
    length : int
        The (possibly zero-padded) length the transform sees.
    real_length : int
        The cases' own length (``<= length``).
    """

    def __init__(
        self,
        n_cases: int,
        n_outputs: int,
        n_channels: int,
        length: int,
        real_length: int,
    ) -> None:
        self.values = np.zeros((n_cases, n_outputs, n_channels, length))
        self.real_length = real_length

    def add(
        self,
        timed: np.ndarray,
        first: int,
        channels: np.ndarray,
        diff: bool = False,
        spread: np.ndarray | None = None,
    ) -> None:
        """Add shares of one kernel.

        Parameters
        ----------
        timed : ndarray of shape (n_cases, n_outputs, n)
            Shares at representation timepoints ``first .. first + n - 1``.
        first : int
        channels : ndarray of int
            The kernel's channel subset (repeats count).
        diff : bool
            The representation is ``diff(X)``.
        spread : ndarray of shape (n_cases, n_outputs), optional
            Amounts that belong to no timepoint.
        """
        n_cases, n_outputs, n = timed.shape
        if diff:
            half = 0.5 * timed
            cells = np.zeros((n_cases, n_outputs, n + 1))
            cells[..., :n] += half
            cells[..., 1:] += half
        else:
            cells = timed
        stop = first + cells.shape[2]
        unique, counts = np.unique(channels, return_counts=True)
        parts = counts / len(channels)
        for channel, part in zip(unique, parts, strict=True):
            self.values[:, :, channel, first:stop] += part * cells
            if spread is not None:
                even = spread * (part / self.real_length)
                self.values[:, :, channel, : self.real_length] += even[..., None]

    def result(self) -> np.ndarray:
        """``(n_cases, n_outputs, n_channels, real_length)``, padding folded
        into the last real timepoint."""
        real = self.real_length
        values = self.values[..., :real].copy()
        values[..., real - 1] += self.values[..., real:].sum(axis=-1)
        return values
