"""The ``rocketconv`` command line: ``benchmark`` and ``compare``.

Examples
--------
::

    rocketconv benchmark --datasets GunPoint,ItalyPowerDemand,BasicMotions
    rocketconv benchmark --classifiers minirocket,rocket --datasets ucr112 \\
        --data-dir ~/UCRArchive --resamples 30 --out results/ --dask-local 8
    rocketconv compare results/ --reference minirocket,rocket,hc2 --out report/
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Callable, Sequence

from rocketconv._registry import ALGORITHMS

__all__ = ["main", "build_parser"]


def _ints(text: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma separated integers, got {text!r}"
        ) from None
    if not values or min(values) < 0:
        raise argparse.ArgumentTypeError("resample ids must be integers >= 0")
    return values


def _params(text: str) -> dict:
    out = {}
    for item in text.split(","):
        if not item.strip():
            continue
        if "=" not in item:
            raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {item!r}")
        key, value = item.split("=", 1)
        try:
            out[key.strip()] = ast.literal_eval(value.strip())
        except (ValueError, SyntaxError):
            out[key.strip()] = value.strip()
    return out


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


# --------------------------------------------------------------------------
# The parser: one builder per sub-command
# --------------------------------------------------------------------------


def _add_benchmark_data_arguments(bench: argparse.ArgumentParser) -> None:
    """What to run: classifiers, datasets, resamples."""
    runnable = [key for key, a in ALGORITHMS.items() if a.module is not None]
    bench.add_argument(
        "--classifiers",
        default="minirocket",
        help=f"comma separated: {', '.join(runnable)} (default: minirocket)",
    )
    bench.add_argument(
        "--datasets",
        required=True,
        help='comma separated names, a file with one name per line, "ucr112", '
        '"bundled" or "all"',
    )
    bench.add_argument(
        "--data-dir",
        default=None,
        help="folder laid out like the UCR/UEA archives (default: ROCKETCONV_DATA, "
        "then the bundled problems)",
    )
    group = bench.add_mutually_exclusive_group()
    group.add_argument(
        "--resamples", type=int, default=None, help="run resamples 0..N-1 (default 1)"
    )
    group.add_argument("--resample-ids", type=_ints, default=None, help="e.g. 0,3,5")
    bench.add_argument(
        "--resample-indices",
        default=None,
        help="folder of published <Name>_INDICES_TRAIN.txt/_TEST.txt files; "
        "resamples then use exactly those indices",
    )
    bench.add_argument(
        "--skip-missing",
        action="store_true",
        help="drop unknown datasets with a warning",
    )


def _add_benchmark_run_arguments(bench: argparse.ArgumentParser) -> None:
    """How to run: output, threads, Dask, seed, parameters, progress."""
    bench.add_argument("--out", default=None, help="results folder (resumable)")
    bench.add_argument(
        "--n-jobs", type=int, default=1, help="threads per task (default 1)"
    )
    dist = bench.add_mutually_exclusive_group()
    dist.add_argument(
        "--scheduler", default=None, help="Dask scheduler address, tcp://host:port"
    )
    dist.add_argument(
        "--dask-local",
        type=int,
        default=None,
        help="start a local Dask cluster of N workers",
    )
    bench.add_argument(
        "--seed", type=int, default=0, help="classifier random_state = seed + resample"
    )
    bench.add_argument(
        "--params",
        type=_params,
        default={},
        help="extra constructor arguments, e.g. n_features=840 (results go to "
        "a folder named after them)",
    )
    bench.add_argument("--no-progress", action="store_true", help="no progress bar")
    bench.add_argument(
        "--no-warmup",
        action="store_true",
        help="do not compile on tiny data first (then the first task's fit "
        "time includes numba compilation)",
    )


def _add_compare_arguments(comp: argparse.ArgumentParser) -> None:
    """The results to compare, the published references, the outputs."""
    comp.add_argument("results", help="a folder written by rocketconv benchmark --out")
    comp.add_argument(
        "--reference",
        default="",
        help=f"published classifiers: {', '.join(ALGORITHMS)} (comma separated)",
    )
    comp.add_argument(
        "--datasets", default=None, help="restrict to these (same forms as benchmark)"
    )
    comp.add_argument("--metrics", default="accuracy,balacc,auroc,logloss")
    comp.add_argument(
        "--source",
        choices=["bakeoff_redux_2023", "authors"],
        default="bakeoff_redux_2023",
        help="published table: the bake-off redux (4 metrics, default) or the "
        "authors' repositories (accuracy)",
    )
    comp.add_argument(
        "--test",
        choices=["holm", "nemenyi"],
        default="holm",
        help="CD cliques (default holm)",
    )
    comp.add_argument(
        "--out",
        default=None,
        help="write CSV tables, CD diagrams and scatter plots here",
    )
    comp.add_argument("--markdown", action="store_true", help="print markdown tables")
    comp.add_argument(
        "--no-per-dataset", action="store_true", help="omit the per-dataset tables"
    )


# Each sub-command: its one-line help, its description and the builders of
# its arguments.
_COMMANDS: dict[
    str, tuple[str, str, tuple[Callable[[argparse.ArgumentParser], None], ...]]
] = {
    "benchmark": (
        "fit and test classifiers on datasets and resamples",
        "Fit and test classifiers on datasets and resamples. Without --out, "
        "prints a table; with --out, writes tsml results files "
        "(<out>/<Classifier>/Predictions/<Dataset>/testResample<i>.csv), "
        "summary.csv and errors.csv, and resumes an interrupted run.",
        (_add_benchmark_data_arguments, _add_benchmark_run_arguments),
    ),
    "compare": (
        "compare results with each other and with published ones",
        "Line results written by `rocketconv benchmark --out` up with "
        "published results: per-dataset tables, means, average ranks, "
        "wins/ties/losses, Wilcoxon p-values, critical-difference diagrams.",
        (_add_compare_arguments,),
    ),
}


def build_parser() -> argparse.ArgumentParser:
    """The ``rocketconv`` argument parser."""
    parser = argparse.ArgumentParser(
        prog="rocketconv",
        description="Benchmark rocketconv classifiers on UCR/UEA problems and "
        "compare with published results.",
    )
    from rocketconv import __version__

    parser.add_argument(
        "--version", action="version", version=f"rocketconv {__version__}"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (help_text, description, builders) in _COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=description)
        for add_arguments in builders:
            add_arguments(command)
    return parser


# --------------------------------------------------------------------------
# The sub-commands
# --------------------------------------------------------------------------


def _resamples(args: argparse.Namespace) -> list[int]:
    if args.resample_ids is not None:
        return args.resample_ids
    resamples = list(range(args.resamples if args.resamples is not None else 1))
    if not resamples:
        raise ValueError("--resamples must be at least 1.")
    return resamples


def _benchmark(args: argparse.Namespace) -> int:
    from rocketconv.evaluation.registry import check_classifier_names
    from rocketconv.evaluation.report import benchmark_report
    from rocketconv.evaluation.resampling import resolve_datasets
    from rocketconv.evaluation.runner import run_benchmark
    from rocketconv.evaluation.tasks import RunConfig, make_tasks

    classifiers = check_classifier_names(_split(args.classifiers))
    datasets = resolve_datasets(args.datasets, args.data_dir, args.skip_missing)
    config = RunConfig(
        out=args.out,
        data_home=args.data_dir,
        resample_indices=args.resample_indices,
        n_jobs=args.n_jobs,
        seed=args.seed,
        params=tuple(sorted(args.params.items())),
    )
    summary = run_benchmark(
        make_tasks(classifiers, datasets, _resamples(args)),
        config,
        scheduler=args.scheduler,
        dask_local=args.dask_local,
        progress=not args.no_progress,
        warmup=not args.no_warmup,
    )
    print(benchmark_report(summary, args.out))
    errors = summary[summary["status"] == "error"]
    for _, row in errors.iterrows():
        print(
            f"FAILED {row['classifier']} {row['dataset']} resample "
            f"{row['resample']}: {row['error']}",
            file=sys.stderr,
        )
    return 1 if len(errors) else 0


def _compare_datasets(spec: str | None) -> list[str] | None:
    """``--datasets`` of compare: names need not be installed here."""
    from rocketconv.evaluation.resampling import resolve_datasets

    if not spec:
        return None
    try:
        return resolve_datasets(spec, skip_missing=True)
    except ValueError:
        return _split(spec)


def _compare(args: argparse.Namespace) -> int:
    from rocketconv.evaluation.comparison import compare
    from rocketconv.evaluation.report import report, write_outputs

    comparison = compare(
        args.results,
        _split(args.reference),
        datasets=_compare_datasets(args.datasets),
        metrics=_split(args.metrics),
        test=args.test,
        source=args.source,
    )
    print(
        report(comparison, markdown=args.markdown, per_dataset=not args.no_per_dataset)
    )
    if args.out:
        written = write_outputs(comparison, args.out)
        print(f"\nWrote {len(written)} files to {args.out}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``rocketconv`` console script; returns the exit
    status (0 success, 1 some tasks failed, 2 usage or input error)."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "benchmark":
            return _benchmark(args)
        return _compare(args)
    except (ValueError, FileNotFoundError, ImportError) as error:
        print(f"rocketconv {args.command}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
