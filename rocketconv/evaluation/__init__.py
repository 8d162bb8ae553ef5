"""Benchmarking rocketconv classifiers and comparing with published results.

The library behind the ``rocketconv benchmark`` and ``rocketconv compare``
commands, one module per job:

* :mod:`~rocketconv.evaluation.registry`: the classifiers that can be run,
  by name (from :data:`rocketconv._registry.ALGORITHMS`);
* :mod:`~rocketconv.evaluation.resampling`: ``--datasets`` values and the
  train/test split of each resample;
* :mod:`~rocketconv.evaluation.tasks`: one task (classifier, dataset,
  resample): running it, its summary row, resuming, ``errors.csv``;
* :mod:`~rocketconv.evaluation.runner`: many tasks, serially or on Dask;
* :mod:`~rocketconv.evaluation.tsml_io`: tsml results files;
* :mod:`~rocketconv.evaluation.published`: the shipped published tables;
* :mod:`~rocketconv.evaluation.stats`: ranks, Wilcoxon, Friedman, cliques;
* :mod:`~rocketconv.evaluation.comparison`: lining results up;
* :mod:`~rocketconv.evaluation.plots`: CD diagrams and scatter plots;
* :mod:`~rocketconv.evaluation.report`: printed text and written files;
* :mod:`~rocketconv.evaluation.cli`: the argument parser.
"""
