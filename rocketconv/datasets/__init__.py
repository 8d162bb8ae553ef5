"""Read, write, find and download UCR/UEA time-series classification problems.

* ``load_ucr(name)`` loads a problem by name from ``data_home``, the
  ``ROCKETCONV_DATA`` folders, the bundled problems (GunPoint,
  ItalyPowerDemand, BasicMotions, JapaneseVowels) or the download cache;
  ``list_datasets()`` lists what is there; ``fetch_ucr(name)`` downloads one.
* ``load_ts``, ``load_tsv``, ``load_arff`` read one file of the sktime/aeon
  ``.ts``, UCR ``.tsv`` or Weka ``.arff`` format; ``write_ts``, ``write_tsv``
  and ``write_arff`` write them, bit-exactly.

``X`` is a float64 array ``(n_cases, n_channels, n_timepoints)``, or a list of
``(n_channels, n_timepoints_i)`` arrays when the lengths differ; ``y`` holds
the labels as written in the file (str).
"""

from rocketconv.datasets._arff import load_arff, write_arff
from rocketconv.datasets._fetch import fetch_ucr
from rocketconv.datasets._loaders import load_ucr
from rocketconv.datasets._locations import list_datasets
from rocketconv.datasets._ts import load_ts, write_ts
from rocketconv.datasets._tsv import load_tsv, write_tsv

__all__ = [
    "load_ucr",
    "list_datasets",
    "fetch_ucr",
    "load_ts",
    "load_tsv",
    "load_arff",
    "write_ts",
    "write_tsv",
    "write_arff",
]
