"""Scale plumbing: chunked transforms, vectorised bias quantiles, numpy fit
helpers and the numba cache-folder fallback (fast tests only; speed and
memory figures come from benchmarks/compare_peers.py, memory_scale.py and
first_call.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import rocketconv
from rocketconv import MiniRocket, MultiRocket
from rocketconv.transformers import _base
from rocketconv.transformers._dilations import quantiles
from rocketconv.transformers._fitting import linear_quantiles

RNG = np.random.default_rng(7)


@pytest.mark.parametrize("cls", [MiniRocket, MultiRocket])
def test_chunked_transform_equals_unchunked(cls, monkeypatch):
    X = RNG.normal(size=(11, 2, 40))
    model = cls(n_features=cls().n_features // 10, random_state=0).fit(X)
    whole = model.transform(X)
    monkeypatch.setattr(_base, "CHUNK_SIZE", 3)
    chunked = model.transform(X)
    np.testing.assert_array_equal(chunked, whole)
    model.set_params(n_jobs=2)
    np.testing.assert_array_equal(model.transform(X), whole)


def test_chunked_unequal_length(monkeypatch):
    X = [RNG.normal(size=(1, n)) for n in (20, 35, 9, 60, 41, 12, 25)]
    model = MiniRocket(n_features=840, random_state=1).fit(X)
    whole = model.transform(X)
    monkeypatch.setattr(_base, "CHUNK_SIZE", 2)
    np.testing.assert_array_equal(model.transform(X), whole)
    # a case transformed alone gives its row of the batch
    np.testing.assert_array_equal(model.transform(X[3:4])[0], whole[3])


@pytest.mark.parametrize("cls", [MiniRocket, MultiRocket])
def test_transform_reuses_the_plan_built_at_fit(cls, monkeypatch):
    """The full plan is built once by fit, not again for every chunk (it
    cost a single-case transform as much as the kernel did)."""
    from rocketconv.transformers import minirocket, multirocket

    X = RNG.normal(size=(7, 1, 30))
    model = cls(n_features=cls().n_features // 10, random_state=0).fit(X)
    whole = model.transform(X)

    def no_rebuild(fitted):
        raise AssertionError("transform rebuilt the full plan")

    monkeypatch.setattr(minirocket, "full_plan", no_rebuild)
    monkeypatch.setattr(multirocket, "full_plan", no_rebuild)
    monkeypatch.setattr(_base, "CHUNK_SIZE", 2)
    np.testing.assert_array_equal(model.transform(X), whole)


def test_one_thread_does_not_count_cores(monkeypatch):
    """n_jobs=1 resolves without reading the core count (joblib's reads
    cgroup files, at every transform)."""
    from rocketconv import _params

    def no_count():
        raise AssertionError("n_jobs=1 counted the cores")

    monkeypatch.setattr(_params, "available_threads", no_count)
    assert _params.check_n_jobs(1) == 1
    X = RNG.normal(size=(3, 1, 20))
    MiniRocket(n_features=168, random_state=0).fit(X).transform(X)


@pytest.mark.parametrize("n", [9, 10, 57, 500])
def test_linear_quantiles_equal_np_quantile(n):
    rows = RNG.normal(size=(30, n)).astype(np.float32)
    rows[:10] = np.round(rows[:10])  # ties
    rows[10:12] = 0.0  # constant rows
    q = quantiles(30 * 7).reshape(30, 7)
    q[0, :3] = [0.0, np.float32(1.0), np.nextafter(np.float32(1), np.float32(0))]
    got = linear_quantiles(np.sort(rows, axis=1), q)
    expected = np.stack([np.quantile(r, qr) for r, qr in zip(rows, q, strict=True)])
    assert got.dtype == expected.dtype == np.float32
    np.testing.assert_array_equal(got, expected)


def test_linear_quantiles_of_rows_of_their_own_lengths():
    """Row i's data are its first lengths[i] values (the rest +inf after
    sort_within): the quantiles are np.quantile's of that prefix."""
    from rocketconv.transformers._fitting import sort_within

    lengths = np.array([9, 10, 57, 500, 500, 31, 2, 1])
    rows = RNG.normal(size=(len(lengths), 500)).astype(np.float32)
    rows[5] = np.round(rows[5])  # ties
    q = quantiles(len(lengths) * 7).reshape(len(lengths), 7)
    q[0, :2] = [0.0, np.float32(1.0)]
    expected = np.stack(
        [np.quantile(r[:n], qr) for r, n, qr in zip(rows, lengths, q, strict=True)]
    )
    got = linear_quantiles(sort_within(rows.copy(), lengths), q, lengths)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, expected)


def test_biases_equal_per_kernel_np_quantile():
    """Vectorised fit equals the straightforward loop over (dilation, kernel)
    with np.quantile on each example's output, for unequal lengths and
    channel subsets (examples of several lengths within one dilation)."""
    from rocketconv.transformers._base import SeriesBatch
    from rocketconv.transformers._dilations import (
        N_KERNELS,
        draw_channels,
        fit_dilations,
    )
    from rocketconv.transformers._fitting import example_outputs, fit_biases

    X = [RNG.normal(size=(3, n)).astype(np.float32) for n in (30, 45, 30, 80)]
    batch = SeriesBatch.from_cases(X)
    dilations, counts = fit_dilations(80, 840, 32)
    rng = np.random.RandomState(0)
    channels, offsets = draw_channels(len(dilations) * N_KERNELS, 3, rng)
    examples = rng.randint(len(X), size=len(dilations) * N_KERNELS)
    q = quantiles(N_KERNELS * int(counts.sum()))
    args = (batch.values, batch.starts, batch.lengths, 3)
    biases = fit_biases(
        *args, dilations, counts, q, channels, offsets, examples
    )  # fmt: skip
    feature = 0
    for d, (dilation, n_this) in enumerate(zip(dilations, counts, strict=True)):
        for kernel in range(N_KERNELS):
            m = d * N_KERNELS + kernel
            only = np.full(N_KERNELS, -1)
            only[kernel] = examples[m]
            output = example_outputs(
                *args, int(dilation), channels,
                offsets[d * N_KERNELS : (d + 1) * N_KERNELS + 1], only,
            )[0]  # fmt: skip
            assert len(output) == batch.lengths[examples[m]]
            expected = np.quantile(output, q[feature : feature + n_this])
            np.testing.assert_array_equal(biases[feature : feature + n_this], expected)
            feature += n_this


def test_cache_fallback_choice(tmp_path):
    from rocketconv._numba import fallback_cache_dir

    env = {"XDG_CACHE_HOME": str(tmp_path)}
    expected = str(tmp_path / "rocketconv" / "numba")
    read_only = fallback_cache_dir(env, is_writable=lambda _: False)
    assert read_only == expected and os.path.isdir(expected)
    # a writable package folder, or the user's own setting, win
    assert fallback_cache_dir(env, is_writable=lambda _: True) is None
    env["NUMBA_CACHE_DIR"] = str(tmp_path / "mine")
    assert fallback_cache_dir(env, is_writable=lambda _: False) is None


def test_read_only_package_caches_in_user_folder(tmp_path):
    """End to end in a fresh process: the package folder reports read-only,
    so numba's cache (compiled MiniRocket kernels) lands in the fallback."""
    package = os.path.dirname(os.path.abspath(rocketconv.__file__))
    script = textwrap.dedent(
        f"""
        import os
        real_access = os.access
        def access(path, mode, **kwargs):
            if str(path).startswith({package!r}) and mode & os.W_OK:
                return False
            return real_access(path, mode, **kwargs)
        os.access = access
        import numpy as np
        import numba
        import rocketconv
        assert numba.config.CACHE_DIR == "", "import rocketconv changed numba"
        from rocketconv import MiniRocket
        print(numba.config.CACHE_DIR)
        X = np.random.default_rng(0).normal(size=(3, 20))
        print(MiniRocket(n_features=84, random_state=0).fit_transform(X).shape)
        """
    )
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env["XDG_CACHE_HOME"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "rocketconv" / "numba"
    assert result.stdout.split() == [str(folder), "(3,", "84)"]
    cached = [name for _, _, names in os.walk(folder) for name in names]
    assert any(name.endswith(".nbi") for name in cached)


def _numba_state_after(script_lines: list[str], **env_changes) -> list[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("NUMBA_") and k != "OMP_WAIT_POLICY"
    }
    env.update(env_changes)
    script = "\n".join(["import numba, os", *script_lines])
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_import_changes_no_process_wide_setting():
    """``import rocketconv`` (and its public names' lookup) sets nothing:
    numba's threading layer and cache folder are untouched until a kernel
    module is imported."""
    out = _numba_state_after(
        [
            "import rocketconv",
            "print(numba.config.THREADING_LAYER, 'NUMBA_CACHE_DIR' in os.environ)",
        ]
    )
    assert out == ["default", "False"]


def test_numba_defaults_are_reported_and_can_be_declined():
    lines = [
        "from rocketconv import MiniRocket",
        "import rocketconv.transformers.minirocket",
        "from rocketconv._numba import numba_settings",
        "print(numba.config.THREADING_LAYER, sorted(numba_settings()))",
        "print(os.environ.get('OMP_WAIT_POLICY'))",
    ]
    applied = _numba_state_after(lines)
    declined = _numba_state_after(lines, ROCKETCONV_NUMBA_DEFAULTS="0")
    assert declined == ["default", "[]", "None"]
    if applied[0] != "default":  # a TBB/OpenMP layer loads on this machine
        assert applied == [
            "threadsafe",
            "['NUMBA_THREADING_LAYER',",
            "'OMP_WAIT_POLICY']",
            "PASSIVE",
        ]
    # the user's own value wins
    own = _numba_state_after(lines, OMP_WAIT_POLICY="ACTIVE")
    assert own[-1] == "ACTIVE" and "'OMP_WAIT_POLICY']" not in own
