"""Same ``random_state`` => bit-identical features and identical labels.

Across repeated fits, a separate Python process (with a different hash
seed), ``n_jobs`` 1 / 2 / -1 and pickle round-trips, for every transformer
(equal-length multivariate input and an unequal-length list), for
RocketClassifier over each of them and for InceptionTimeClassifier.

Run as a script (``python tests/test_determinism.py OUT.npz``) this file
writes the same results from a fresh interpreter; the subprocess test
compares them with the ones computed in the pytest process.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

SEED = 11
N_JOBS = (1, 2, -1)


def make_data():
    rng = np.random.default_rng(5)
    n_cases, length = 12, 40
    y = np.arange(n_cases) % 3
    t = np.linspace(0, 1, length)
    X = np.sin(2 * np.pi * (2 + 2 * y[:, None, None]) * t) + rng.normal(
        scale=0.6, size=(n_cases, 2, length)
    )
    unequal = [case[:, : length - 3 * (i % 4)] for i, case in enumerate(X)]
    return X, unequal, np.array(["p", "q", "r"])[y]


def transformers(n_jobs=1, random_state=SEED):
    """Every transformer, tiny settings (name -> unfitted instance)."""
    from rocketconv import Hydra, MiniRocket, MultiRocket, Rocket
    from rocketconv.transformers.multirocket_hydra import MultiRocketHydra

    common = dict(n_jobs=n_jobs, random_state=random_state)
    return {
        "MiniRocket": MiniRocket(n_features=168, **common),
        "Rocket": Rocket(n_kernels=100, **common),
        "MultiRocket": MultiRocket(n_features=672, **common),
        "Hydra": Hydra(n_kernels=4, n_groups=8, **common),
        "MultiRocketHydra": MultiRocketHydra(
            n_kernels=4, n_groups=8, n_features=672, **common
        ),
    }


def classifiers(n_jobs=1, random_state=SEED):
    """RocketClassifier over each transformer (seeded by the classifier only),
    and a tiny InceptionTime (no n_jobs)."""
    from rocketconv import InceptionTimeClassifier, RocketClassifier

    out = {
        f"RocketClassifier[{name}]": RocketClassifier(
            transformer.set_params(random_state=None, n_jobs=n_jobs),
            n_jobs=n_jobs,
            random_state=random_state,
        )
        for name, transformer in transformers().items()
    }
    out["InceptionTime"] = InceptionTimeClassifier(
        n_estimators=1,
        n_epochs=3,
        depth=1,
        n_filters=2,
        kernel_sizes=(5,),
        bottleneck_size=2,
        random_state=random_state,
    )
    return out


def compute(n_jobs=1) -> dict[str, np.ndarray]:
    """Features (equal and unequal length) and labels/probabilities."""
    X, unequal, y = make_data()
    results = {}
    for name, transformer in transformers(n_jobs).items():
        results[f"{name}/equal"] = transformer.fit(X).transform(X)
        fitted = transformers(n_jobs)[name].fit(unequal)
        results[f"{name}/unequal"] = fitted.transform(unequal)
    for name, classifier in classifiers(n_jobs).items():
        if name == "InceptionTime" and n_jobs != 1:
            continue
        classifier.fit(X, y)
        results[f"{name}/labels"] = classifier.predict(X)
        results[f"{name}/proba"] = classifier.predict_proba(X)
    return results


def assert_identical(actual: dict, expected: dict) -> None:
    assert actual.keys() == expected.keys()
    for key in expected:
        # bit-identical: array_equal on float32/float64, no tolerance
        assert actual[key].dtype == expected[key].dtype, key
        np.testing.assert_array_equal(actual[key], expected[key], err_msg=key)


@pytest.fixture(scope="module")
def reference():
    return compute(n_jobs=1)


def test_results_are_meaningful(reference):
    """Guard: identical-but-degenerate output (all zeros) would prove nothing."""
    for key, value in reference.items():
        if key.endswith("/labels"):
            continue
        assert np.isfinite(value).all(), key
        assert np.unique(value).size > 2, key


def test_repeated_runs_are_identical(reference):
    assert_identical(compute(n_jobs=1), reference)


def test_refitting_the_same_instance_is_identical(reference):
    X, unequal, y = make_data()
    for name, transformer in transformers().items():
        transformer.fit(X)
        transformer.fit(X)
        np.testing.assert_array_equal(
            transformer.transform(X), reference[f"{name}/equal"], err_msg=name
        )


@pytest.mark.parametrize("n_jobs", [2, -1])
def test_n_jobs_does_not_change_anything(reference, n_jobs):
    """Fit and transform with several numba threads, from scratch."""
    results = compute(n_jobs=n_jobs)
    expected = {k: v for k, v in reference.items() if k in results}
    assert_identical(results, expected)


def test_changing_n_jobs_after_fit_does_not_change_features(reference):
    X, _, _ = make_data()
    for name, transformer in transformers(n_jobs=1).items():
        transformer.fit(X)
        for n_jobs in N_JOBS:
            transformer.set_params(n_jobs=n_jobs)
            np.testing.assert_array_equal(
                transformer.transform(X), reference[f"{name}/equal"], err_msg=name
            )


def test_pickle_round_trips(reference):
    X, unequal, y = make_data()
    for name, transformer in transformers().items():
        # fitted: the copy transforms exactly as the original
        fitted = transformer.fit(X)
        copy = pickle.loads(pickle.dumps(fitted))
        np.testing.assert_array_equal(copy.transform(X), reference[f"{name}/equal"])
        # unfitted: the copy fits exactly as a fresh instance
        unfitted = pickle.loads(pickle.dumps(transformers()[name]))
        np.testing.assert_array_equal(
            unfitted.fit(unequal).transform(unequal), reference[f"{name}/unequal"]
        )
    for name, classifier in classifiers().items():
        copy = pickle.loads(pickle.dumps(classifier.fit(X, y)))
        np.testing.assert_array_equal(copy.predict(X), reference[f"{name}/labels"])
        np.testing.assert_array_equal(copy.predict_proba(X), reference[f"{name}/proba"])


def test_a_separate_process_gives_identical_results(reference, tmp_path):
    out = tmp_path / "child.npz"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), str(out)],
        check=True,
        timeout=600,
        env=env,
        cwd=tmp_path,
    )
    with np.load(out, allow_pickle=False) as child:
        results = {key: child[key] for key in child.files}
    assert_identical(results, reference)


def test_different_seeds_give_different_features(reference):
    """The seed is used: another seed changes every transformer's features
    (Rocket, Hydra: random weights; MiniRocket/MultiRocket: the example each
    bias is fitted on)."""
    X, _, _ = make_data()
    for name, transformer in transformers(random_state=SEED + 1).items():
        features = transformer.fit(X).transform(X)
        assert not np.array_equal(features, reference[f"{name}/equal"]), name


# --------------------------------------------------------------------------
# Files: a benchmark run killed with SIGKILL leaves no partial result file and
# resumes to the same results as an uninterrupted run.
# --------------------------------------------------------------------------
BENCH_ARGS = [
    "benchmark",
    "--classifiers",
    "minirocket",
    "--datasets",
    "GunPoint,ItalyPowerDemand",
    "--params",
    "n_features=168",
    "--no-progress",
]


def _benchmark(out: Path, *extra: str, **popen) -> subprocess.Popen:
    command = [
        sys.executable,
        "-c",
        "import sys; from rocketconv.evaluation.cli import main; "
        "sys.exit(main(sys.argv[1:]))",
        *BENCH_ARGS,
        "--out",
        str(out),
        *extra,
    ]
    return subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: killed as a whole
        **popen,
    )


def _result_files(out: Path) -> list[Path]:
    return sorted(out.rglob("testResample*.csv"))


def _kill_when(process: subprocess.Popen, out: Path, n_files: int) -> int:
    """SIGKILL the run as soon as ``n_files`` result files exist."""
    import signal
    import time

    deadline = time.monotonic() + 300
    while len(_result_files(out)) < n_files:
        if process.poll() is not None:
            pytest.fail("the benchmark finished before it could be killed")
        if time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            pytest.fail("no result file appeared within 300 s")
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGKILL)
    process.communicate(timeout=60)
    return process.returncode


def _predictions(path: Path) -> list[str]:
    """Everything but line 3's timings: labels and probabilities per case."""
    lines = path.read_text().splitlines()
    return lines[:2] + [",".join(lines[2].split(",")[:1])] + lines[3:]


def test_killed_benchmark_leaves_no_partial_file_and_resumes(tmp_path):
    from rocketconv.evaluation.tsml_io import read_classification_results

    out = tmp_path / "results"
    n_resamples = 15
    resamples = ("--resamples", str(n_resamples))
    n_tasks = 2 * n_resamples

    # first run: killed right after its first result file
    assert _kill_when(_benchmark(out, *resamples), out, 1) == -9
    first = _result_files(out)
    assert 1 <= len(first) < n_tasks
    for path in first:
        read_classification_results(path)  # complete, or it raises
    stamps = {path: path.stat().st_mtime_ns for path in first}

    # second run: resumes, is killed again a few files later
    assert _kill_when(_benchmark(out, *resamples), out, len(first) + 3) == -9
    for path in _result_files(out):
        read_classification_results(path)

    # third run: finishes
    done = _benchmark(out, *resamples)
    _, stderr = done.communicate(timeout=600)
    assert done.returncode == 0, stderr[-3000:]
    assert "already have results" in stderr
    files = _result_files(out)
    assert len(files) == n_tasks
    for path in files:
        result = read_classification_results(path)
        assert result.accuracy > 0.7
    # finished tasks were not rerun
    assert {p: p.stat().st_mtime_ns for p in first} == stamps
    summary = (out / "summary.csv").read_text().splitlines()
    assert len(summary) == n_tasks + 1
    # a temporary file left by a kill mid-write never looks like a result
    for leftover in out.rglob("*.tmp"):
        assert leftover.name.startswith(".")

    # the same tasks run without interruption give the same predictions
    clean = tmp_path / "clean"
    ids = ("--resample-ids", f"0,{n_resamples // 2},{n_resamples - 1}")
    reference = _benchmark(clean, *ids)
    _, stderr = reference.communicate(timeout=600)
    assert reference.returncode == 0, stderr[-3000:]
    for path in _result_files(clean):
        resumed = out / path.relative_to(clean)
        assert _predictions(resumed) == _predictions(path), path.name


if __name__ == "__main__":
    results = compute(n_jobs=1)
    # labels are str: store them as fixed-width unicode (no pickle needed)
    np.savez(sys.argv[1], **{k: np.asarray(v) for k, v in results.items()})
