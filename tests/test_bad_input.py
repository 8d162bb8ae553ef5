"""Bad input, table-driven: every public estimator and every loader.

Each row names one way a user can get the input wrong and asserts the exact
exception type plus a regex on the message that names the problem, so that
nobody ever sees a numba traceback, a numpy broadcasting error or silently
wrong (NaN) features. Rows that must be *accepted* (short series under
the documented padding policy, numeric object arrays, every accepted
``random_state`` type) assert finite output instead.

The estimator table is built from ``rocketconv.__all__``: a new public
estimator fails ``test_every_public_estimator_is_in_the_table`` until it has
a row here.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
import scipy.sparse
from sklearn.exceptions import NotFittedError

import rocketconv
from rocketconv import (
    Hydra,
    InceptionTimeClassifier,
    MiniRocket,
    MultiRocket,
    MultiRocketHydra,
    Rocket,
    RocketClassifier,
    RocketRegressor,
)
from rocketconv._validation import ShortSeriesWarning
from rocketconv.datasets import load_arff, load_ts, load_tsv, load_ucr

N_CASES, N_CHANNELS, LENGTH = 10, 2, 30
RNG = np.random.default_rng(0)
X = RNG.normal(size=(N_CASES, N_CHANNELS, LENGTH))
Y_CLASS = np.array(["a", "b"] * (N_CASES // 2))
Y_REG = RNG.normal(size=N_CASES)
HUGE = 10**12


@dataclass
class Spec:
    """One public estimator configuration with tiny settings."""

    id: str
    make: Callable[..., object]
    kind: str  # "transformer" | "classifier" | "regressor"
    min_length: int | None  # documented padding minimum; None: no minimum
    size_params: tuple[str, ...] = ()
    has_n_jobs: bool = True
    unequal: bool = True  # accepts a list of unequal-length series
    public_name: str = ""

    @property
    def y(self):
        return {"classifier": Y_CLASS, "regressor": Y_REG}.get(self.kind)

    def fit(self, est, X_, y_=None):
        if self.kind == "transformer":
            return est.fit(X_)
        return est.fit(X_, self.y if y_ is None else y_)

    def output(self, est, X_):
        """Features for a transformer, probabilities/predictions otherwise."""
        if self.kind == "transformer":
            return est.transform(X_)
        if self.kind == "classifier":
            return est.predict_proba(X_)
        return est.predict(X_)


def _rc(name):
    return lambda **kw: RocketClassifier(**{"transformer": name, **kw})


def _tiny_inception(**kw):
    settings = dict(
        n_estimators=1,
        n_epochs=2,
        depth=1,
        n_filters=2,
        kernel_sizes=(3,),
        bottleneck_size=2,
    )
    settings.update(kw)
    return InceptionTimeClassifier(**settings)


TRANSFORMER_MIN = {"rocket": 11, "minirocket": 9, "multirocket": 10, "hydra": 9}
TRANSFORMER_MIN["multirocket+hydra"] = 10

SPECS = [
    Spec(
        "MiniRocket",
        lambda **kw: MiniRocket(**{"n_features": 168, **kw}),
        "transformer",
        9,
        ("n_features",),
        public_name="MiniRocket",
    ),
    Spec(
        "Rocket",
        lambda **kw: Rocket(**{"n_kernels": 100, **kw}),
        "transformer",
        11,
        ("n_kernels",),
        public_name="Rocket",
    ),
    Spec(
        "MultiRocket",
        lambda **kw: MultiRocket(**{"n_features": 672, **kw}),
        "transformer",
        10,
        ("n_features",),
        public_name="MultiRocket",
    ),
    Spec(
        "Hydra",
        lambda **kw: Hydra(**{"n_kernels": 2, "n_groups": 4, **kw}),
        "transformer",
        9,
        ("n_kernels", "n_groups"),
        public_name="Hydra",
    ),
    Spec(
        "MultiRocketHydra",
        lambda **kw: MultiRocketHydra(
            **{"n_features": 672, "n_kernels": 2, "n_groups": 4, **kw}
        ),
        "transformer",
        10,
        ("n_features",),
        public_name="MultiRocketHydra",
    ),
    *[
        Spec(
            f"RocketClassifier[{name}]",
            _rc(name),
            "classifier",
            TRANSFORMER_MIN[name],
            public_name="RocketClassifier",
        )
        for name in ("rocket", "minirocket", "multirocket", "hydra")
        + ("multirocket+hydra",)
    ],
    Spec(
        "RocketRegressor",
        lambda **kw: RocketRegressor(**{"transformer": MiniRocket(168), **kw}),
        "regressor",
        9,
        public_name="RocketRegressor",
    ),
    Spec(
        "InceptionTime",
        _tiny_inception,
        "classifier",
        None,  # 'same'-padded convolutions: any length >= 1 works
        ("n_estimators", "n_filters", "n_epochs"),
        has_n_jobs=False,
        unequal=False,
        public_name="InceptionTimeClassifier",
    ),
]
SPEC_IDS = [spec.id for spec in SPECS]

_FITTED: dict[str, object] = {}


def fitted(spec: Spec):
    """One fitted estimator per spec, shared by the cases that need one."""
    if spec.id not in _FITTED:
        _FITTED[spec.id] = spec.fit(spec.make(random_state=0), X)
    return _FITTED[spec.id]


# public names that take feature matrices, not time series
NOT_TIME_SERIES = {"L2ColumnScaler", "SparseScaler"}


def test_every_public_estimator_is_in_the_table():
    public = {name for name in rocketconv.__all__ if not name.startswith("__")}
    assert public - NOT_TIME_SERIES == {spec.public_name for spec in SPECS}


# --------------------------------------------------------------------------
# Errors: (id, applies-to predicate, action(spec), exception, message regex)
# --------------------------------------------------------------------------
def _object_array_of(value):
    out = np.empty((N_CASES, N_CHANNELS, LENGTH), dtype=object)
    out[...] = value
    return out


def _with(value, where=(0, 0, 5)):
    X_ = X.copy()
    X_[where] = value
    return X_


def _unfitted(method):
    def action(spec):
        est = spec.make(random_state=0)
        getattr(est, method)(X)

    return action


_DEFAULT = object()


def _fit_with(X_=_DEFAULT, y_=None, **params):
    def action(spec):
        spec.fit(spec.make(**params), X if X_ is _DEFAULT else X_, y_)

    return action


def _transform_method(spec):
    return {"transformer": "transform"}.get(spec.kind, "predict")


def _after_fit_default(X_):
    def action(spec):
        getattr(fitted(spec), _transform_method(spec))(X_)

    return action


ALL = lambda spec: True  # noqa: E731
SUPERVISED = lambda spec: spec.kind != "transformer"  # noqa: E731
CLASSIFIER = lambda spec: spec.kind == "classifier"  # noqa: E731
FIXED_LENGTH = lambda spec: spec.kind == "transformer"  # noqa: E731
UNEQUAL = lambda spec: spec.unequal  # noqa: E731
EQUAL_ONLY = lambda spec: not spec.unequal  # noqa: E731
N_JOBS = lambda spec: spec.has_n_jobs  # noqa: E731
WEIGHTED = ("RocketClassifier", "RocketRegressor")
SUPERVISED_WEIGHTED = lambda spec: spec.public_name in WEIGHTED  # noqa: E731
RIDGE = SUPERVISED_WEIGHTED
CLASSIFIER_HEAD = lambda spec: spec.public_name == "RocketClassifier"  # noqa: E731


def _fit_weighted(sample_weight):
    def action(spec):
        spec.make(random_state=0).fit(X, spec.y, sample_weight=sample_weight)

    return action


NDIM = r"2-D \(n_cases, n_timepoints\) or 3-D"
INPUT_CASES = [
    ("ndim1", ALL, _fit_with(X[0, 0]), ValueError, NDIM + r".*1-D array"),
    ("ndim4", ALL, _fit_with(X[None]), ValueError, NDIM + r".*4-D array"),
    ("ndim0", ALL, _fit_with(np.float64(3.0)), ValueError, NDIM + r".*0-D array"),
    ("X_None", ALL, _fit_with(None), ValueError, r"X is None"),
    ("empty_array", ALL, _fit_with(X[:0]), ValueError, r"X is empty: 0 cases"),
    ("empty_2d", ALL, _fit_with(X[:0, 0]), ValueError, r"X is empty: 0 cases"),
    ("empty_list", ALL, _fit_with([]), ValueError, r"X is empty: 0 cases"),
    ("zero_channels", ALL, _fit_with(X[:, :0]), ValueError, r"0 channels"),
    ("zero_length", ALL, _fit_with(X[:, :, :0]), ValueError, r"length 0"),
    (
        "zero_length_in_list",
        UNEQUAL,
        _fit_with([X[0], X[1, :, :0]]),
        ValueError,
        r"case 1 has length 0",
    ),
    ("nan", ALL, _fit_with(_with(np.nan)), ValueError, r"X contains NaN"),
    ("inf", ALL, _fit_with(_with(np.inf)), ValueError, r"X contains infinity"),
    ("minus_inf", ALL, _fit_with(_with(-np.inf)), ValueError, r"infinity"),
    (
        "nan_in_unequal_list",
        UNEQUAL,
        _fit_with([X[0], _with(np.nan)[0, :, :20]]),
        ValueError,
        r"case 1.*NaN",
    ),
    (
        "strings",
        ALL,
        _fit_with(np.full((N_CASES, LENGTH), "a")),
        TypeError,
        r"X must be numeric.*non-numeric",
    ),
    (
        "object_dicts",
        ALL,
        _fit_with(_object_array_of({})),
        TypeError,
        r"X must be numeric.*non-numeric",
    ),
    (
        "object_mixed_strings",
        ALL,
        _fit_with(np.where(np.arange(LENGTH) == 3, "x", X.astype(object))),
        TypeError,
        r"non-numeric",
    ),
    ("complex", ALL, _fit_with(X + 1j), ValueError, r"Complex data not supported"),
    # finite in float64 but beyond float32 arithmetic: refused by name
    (
        "too_large_for_float32",
        ALL,
        _fit_with(X * 3e38),
        ValueError,
        r"values up to .*e\+39 in magnitude, above the limit of 1e\+15.*float32",
    ),
    (
        "too_large_after_fit",
        ALL,
        _after_fit_default(X * 1e20),
        ValueError,
        r"values up to .*e\+20 in magnitude.*float32",
    ),
    (
        "pandas_series_1d",
        ALL,
        _fit_with(pd.Series(X[0, 0])),
        ValueError,
        r"1-D pandas Series of 30 values",
    ),
    (
        "negative_sample_weight",
        SUPERVISED_WEIGHTED,
        _fit_weighted(np.where(np.arange(N_CASES) == 3, -1.0, 1.0)),
        ValueError,
        r"sample_weight has negative values \(smallest -1\); weights must be >= 0",
    ),
    (
        "empty_alphas",
        RIDGE,
        _fit_with(alphas=[]),
        ValueError,
        r"alphas must be a non-empty list of positive, finite penalties",
    ),
    (
        "negative_alphas",
        RIDGE,
        _fit_with(alphas=[1.0, -1.0]),
        ValueError,
        r"alphas must be a non-empty list of positive",
    ),
    (
        "unknown_head",
        CLASSIFIER_HEAD,
        _fit_with(estimator="rigde"),
        ValueError,
        r"'estimator' parameter of RocketClassifier must be a str among",
    ),
    (
        "ridge_max_cases_zero",
        CLASSIFIER_HEAD,
        _fit_with(ridge_max_cases=0),
        ValueError,
        r"'ridge_max_cases' parameter of RocketClassifier must be an int in "
        r"the range \[1, inf\)",
    ),
    (
        "minibatch_threshold_str",
        CLASSIFIER_HEAD,
        _fit_with(minibatch_threshold="many"),
        TypeError,
        r"'minibatch_threshold' parameter of RocketClassifier must be an int",
    ),
    (
        "unknown_transformer_name",
        CLASSIFIER_HEAD,
        _fit_with(transformer="superrocket"),
        ValueError,
        r"unknown transformer 'superrocket'; known: rocket, minirocket",
    ),
    (
        "datetime",
        ALL,
        _fit_with(np.zeros((N_CASES, LENGTH), dtype="datetime64[s]")),
        TypeError,
        r"X must be numeric, got dtype datetime64",
    ),
    (
        "sparse",
        ALL,
        _fit_with(scipy.sparse.csr_matrix(X[:, 0])),
        TypeError,
        r"sparse input is not supported",
    ),
    (
        "list_channel_mismatch",
        ALL,
        _fit_with([X[0], X[1, :1, :20]]),
        ValueError,
        r"same number of channels, got \[1, 2\]",
    ),
    (
        "unequal_list_unsupported",
        EQUAL_ONLY,
        _fit_with([X[0], X[1, :, :20]]),
        ValueError,
        r"unequal lengths \(20 to 30\), which this estimator does not support",
    ),
    (
        "list_case_3d",
        ALL,
        _fit_with([X[:2], X[:2]]),
        ValueError,
        r"case 0 has shape \(2, 2, 30\)",
    ),
    # y
    (
        "y_shorter",
        SUPERVISED,
        _fit_with(y_=np.array(["a", "b"] * 2)),
        ValueError,
        r"X has 10 cases but y has 4 values",
    ),
    ("y_None_list", SUPERVISED, _fit_with(y_=[]), ValueError, r"y has 0 values"),
    (
        "y_2d",
        SUPERVISED,
        _fit_with(y_=np.zeros((N_CASES, 2))),
        ValueError,
        r"y must be 1-D, got shape \(10, 2\)",
    ),
    (
        "one_class",
        CLASSIFIER,
        _fit_with(y_=np.full(N_CASES, "a")),
        ValueError,
        r"(1 class|single class).*'a'",
    ),
    (
        "y_nan",
        CLASSIFIER,
        _fit_with(y_=np.where(np.arange(N_CASES) == 2, np.nan, 1.0 * (Y_CLASS == "a"))),
        ValueError,
        r"y contains NaN",
    ),
    (
        "y_continuous",
        CLASSIFIER,
        _fit_with(y_=Y_REG),
        ValueError,
        r"Unknown label type: continuous",
    ),
    (
        "y_strings_regression",
        lambda spec: spec.kind == "regressor",
        _fit_with(y_=Y_CLASS),
        TypeError,
        r"regression targets must be numeric",
    ),
    (
        "y_inf_regression",
        lambda spec: spec.kind == "regressor",
        _fit_with(y_=np.where(np.arange(N_CASES) == 0, np.inf, Y_REG)),
        ValueError,
        r"y contains NaN or infinity",
    ),
    # state
    (
        "transform_before_fit",
        lambda spec: spec.kind == "transformer",
        _unfitted("transform"),
        NotFittedError,
        r"not fitted yet",
    ),
    (
        "predict_before_fit",
        SUPERVISED,
        _unfitted("predict"),
        NotFittedError,
        r"not fitted yet",
    ),
    (
        "predict_proba_before_fit",
        CLASSIFIER,
        _unfitted("predict_proba"),
        NotFittedError,
        r"not fitted yet",
    ),
    (
        "fewer_channels_than_fit",
        ALL,
        _after_fit_default(X[:, :1]),
        ValueError,
        r"X has 1 channels, but the estimator was fitted with 2",
    ),
    (
        "more_channels_than_fit",
        ALL,
        _after_fit_default(np.concatenate([X, X], axis=1)),
        ValueError,
        r"X has 4 channels, but the estimator was fitted with 2",
    ),
    (
        "channels_differ_in_list",
        UNEQUAL,
        _after_fit_default([X[0, :1], X[1, :1, :20]]),
        ValueError,
        r"X has 1 channels, but the estimator was fitted with 2",
    ),
    (
        "length_differs_3d",
        FIXED_LENGTH,
        _after_fit_default(X[:, :, :20]),
        ValueError,
        r"length 20 where fit saw length 30.*list of arrays",
    ),
    (
        "nan_after_fit",
        ALL,
        _after_fit_default(_with(np.nan)),
        ValueError,
        r"X contains NaN",
    ),
    (
        "strings_after_fit",
        ALL,
        _after_fit_default(np.full((N_CASES, 2, LENGTH), "a")),
        TypeError,
        r"non-numeric",
    ),
]

# parameters
PARAM_CASES = []
for spec in SPECS:
    for param in spec.size_params:
        PARAM_CASES += [
            (
                spec,
                f"{param}=0",
                {param: 0},
                ValueError,
                rf"{param} must be a positive",
            ),
            (
                spec,
                f"{param}=-3",
                {param: -3},
                ValueError,
                rf"{param} must be a positive",
            ),
            (
                spec,
                f"{param}=2.5",
                {param: 2.5},
                TypeError,
                rf"{param} must be a positive",
            ),
            (
                spec,
                f"{param}='8'",
                {param: "8"},
                TypeError,
                rf"{param} must be a positive",
            ),
            (
                spec,
                f"{param}=True",
                {param: True},
                TypeError,
                rf"{param} must be a positive",
            ),
        ]
    if spec.has_n_jobs:
        PARAM_CASES += [
            (spec, "n_jobs=0", {"n_jobs": 0}, ValueError, r"n_jobs == 0"),
            (spec, "n_jobs='2'", {"n_jobs": "2"}, TypeError, r"n_jobs must be an int"),
        ]
    PARAM_CASES += [
        (
            spec,
            "random_state=Generator",
            {"random_state": np.random.default_rng(0)},
            TypeError,
            r"random_state must be None, an int or a numpy.random.RandomState; a "
            r"numpy.random.Generator is not supported",
        ),
        (
            spec,
            "random_state=1.5",
            {"random_state": 1.5},
            TypeError,
            r"random_state must be None, an int or a numpy.random.RandomState, "
            r"got 1.5",
        ),
        (
            spec,
            "random_state=-1",
            {"random_state": -1},
            ValueError,
            r"random_state must be between 0 and 2\*\*32 - 1, got -1",
        ),
    ]
PARAM_CASES += [
    (
        spec,
        "transformer='nope'",
        {"transformer": "nope"},
        ValueError,
        r"unknown transformer 'nope'; known: rocket, minirocket, multirocket, "
        r"hydra, multirocket\+hydra\.$",
    )
    for spec in SPECS
    if spec.id.startswith("RocketClassifier") or spec.id == "RocketRegressor"
]

# Owner-side bugs still open when this suite was written: strict xfail, so
# the suite turns red (XPASS) the moment the owner fixes them and the mark
# must go. See the robustness report (issue 10).
OPEN_BUGS = {}


def _params(rows):
    out = []
    for spec, case_id, *rest in rows:
        marks = []
        reason = OPEN_BUGS.get((spec.id, case_id))
        if reason:
            marks.append(pytest.mark.xfail(strict=True, reason=reason))
        out.append(pytest.param(spec, *rest, id=f"{spec.id}-{case_id}", marks=marks))
    return out


INPUT_ROWS = [
    (spec, case_id, action, exc, regex)
    for case_id, applies, action, exc, regex in INPUT_CASES
    for spec in SPECS
    if applies(spec)
]


@pytest.mark.parametrize("spec, action, exc, regex", _params(INPUT_ROWS))
def test_bad_input_is_refused(spec, action, exc, regex):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ShortSeriesWarning)
        with pytest.raises(exc, match=regex):
            action(spec)


@pytest.mark.parametrize("spec, params, exc, regex", _params(PARAM_CASES))
def test_bad_parameter_is_refused(spec, params, exc, regex):
    with pytest.raises(exc, match=regex):
        spec.fit(spec.make(**params), X)


# --------------------------------------------------------------------------
# Sizes that cannot fit: refused with a message, before allocating, quickly
# --------------------------------------------------------------------------
HUGE_ROWS = []
for spec in SPECS:
    for param in spec.size_params:
        HUGE_ROWS.append((spec, f"{param}=10**12", {param: HUGE}, param))
HUGE_ROWS.append(
    (
        SPECS[SPEC_IDS.index("RocketClassifier[minirocket]")],
        "transformer=MiniRocket(n_features=10**12)",
        {"transformer": MiniRocket(n_features=HUGE)},
        "n_features",
    )
)
HUGE_ROWS.append(
    (
        SPECS[SPEC_IDS.index("RocketRegressor")],
        "transformer=Rocket(n_kernels=10**12)",
        {"transformer": Rocket(n_kernels=HUGE)},
        "n_kernels",
    )
)


@pytest.mark.parametrize("spec, params, param", _params(HUGE_ROWS))
def test_output_that_cannot_fit_is_refused_quickly(spec, params, param):
    start = time.perf_counter()
    with pytest.raises(MemoryError, match=rf"{param}.*too large"):
        spec.fit(spec.make(**params), X)
    assert time.perf_counter() - start < 5.0


def test_transform_output_size_is_checked_before_allocating(monkeypatch):
    """The per-call check: n_cases x n_features against the limit."""
    monkeypatch.setenv("ROCKETCONV_MAX_OUTPUT_BYTES", str(10 * 168 * 4 - 1))
    est = MiniRocket(n_features=168, random_state=0).fit(X[:2])
    est.transform(X[:9])  # 9 x 168 x 4 bytes: under the limit
    with pytest.raises(MemoryError, match=r"10 x 168 features.*limit"):
        est.transform(X)


# --------------------------------------------------------------------------
# Accepted input: short series (documented padding), numeric objects, seeds
# --------------------------------------------------------------------------
SHORT_LENGTHS = (1, 2, 8, 9, 10, 11)


@pytest.mark.parametrize("length", SHORT_LENGTHS)
@pytest.mark.parametrize("spec", SPECS, ids=SPEC_IDS)
def test_short_series_are_padded_with_a_warning(spec, length):
    X_short = X[:, :, :length]
    est = spec.make(random_state=0)
    pads = spec.min_length is not None and length < spec.min_length
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        spec.fit(est, X_short)
        out = spec.output(est, X_short)
        # unequal-length list mixing short and long series: same policy
        mixed = [X_short[0], X[1], X_short[2]]
        out_mixed = spec.output(est, mixed) if spec.kind == "transformer" else out
    short = [w for w in caught if issubclass(w.category, ShortSeriesWarning)]
    if pads:
        assert short, "a series shorter than the minimum must warn"
        assert rf"minimum length {spec.min_length}" in str(short[0].message)
    elif spec.kind != "transformer":
        assert not short
    assert out.shape[0] == N_CASES
    assert np.isfinite(out).all()
    assert np.isfinite(out_mixed).all()


@pytest.mark.parametrize("spec", SPECS, ids=SPEC_IDS)
def test_numeric_object_and_float32_arrays_are_accepted(spec):
    reference = spec.output(spec.fit(spec.make(random_state=0), X), X)
    for X_other in (X.astype(object), X.astype(np.float32), list(X)):
        est = spec.fit(spec.make(random_state=0), X_other)
        out = spec.output(est, X_other)
        assert np.isfinite(out).all()
        if not isinstance(X_other, np.ndarray) or X_other.dtype != np.float32:
            np.testing.assert_array_equal(out, reference)


@pytest.mark.parametrize("spec", [s for s in SPECS if s.unequal], ids=lambda s: s.id)
def test_ragged_object_array_is_unequal_length_input(spec):
    """``np.array([a, b], dtype=object)`` of series of different lengths is
    read as unequal-length input, exactly like the list ``[a, b]``."""
    cases = [X[i, :, : 20 + i] for i in range(N_CASES)]
    ragged = np.empty(N_CASES, dtype=object)
    ragged[:] = cases
    from_list = spec.output(spec.fit(spec.make(random_state=0), cases), cases)
    from_ragged = spec.output(spec.fit(spec.make(random_state=0), ragged), ragged)
    np.testing.assert_array_equal(from_ragged, from_list)


def test_list_of_equal_length_series_may_differ_from_fit_length():
    """A list is the documented way to transform other lengths, even when its
    series happen to share one length (they are stacked internally)."""
    est = MiniRocket(n_features=168, random_state=0).fit(X)
    out = est.transform(list(X[:, :, :20]))
    one_by_one = np.vstack([est.transform([case]) for case in X[:, :, :20]])
    np.testing.assert_array_equal(out, one_by_one)


SEEDS = {
    "int": 7,
    "np.int64": np.int64(7),
    "np.int32": np.int32(7),
    "np.uint32_max": np.uint32(2**32 - 1),
    "RandomState": np.random.RandomState(7),
    "None": None,
}


_SEVEN: dict[str, np.ndarray] = {}


@pytest.mark.parametrize("seed_type", list(SEEDS))
@pytest.mark.parametrize("spec", SPECS, ids=SPEC_IDS)
def test_every_accepted_random_state_type(spec, seed_type):
    seed = SEEDS[seed_type]
    if isinstance(seed, np.random.RandomState):
        seed = np.random.RandomState(7)  # fresh: the draw must equal int 7's
    est = spec.fit(spec.make(random_state=seed), X)
    out = spec.output(est, X)
    assert np.isfinite(out).all()
    if seed_type in ("np.int64", "np.int32", "RandomState"):
        # a numpy integer or a RandomState seeded 7 is the int 7, not ignored
        if spec.id not in _SEVEN:
            _SEVEN[spec.id] = spec.output(spec.fit(spec.make(random_state=7), X), X)
        np.testing.assert_array_equal(out, _SEVEN[spec.id])


# --------------------------------------------------------------------------
# Loaders
# --------------------------------------------------------------------------
TS_HEADER = (
    "@problemName p\n@timeStamps false\n@univariate true\n@equalLength true\n"
    "@seriesLength 3\n@classLabel true a b\n@data\n"
)
ARFF_HEADER = (
    "@relation p\n@attribute t0 numeric\n@attribute t1 numeric\n"
    "@attribute t2 numeric\n@attribute class {a,b}\n@data\n"
)
LOADERS = {"ts": load_ts, "tsv": load_tsv, "arff": load_arff}
GOOD = {
    "ts": TS_HEADER + "1,2,3:a\n4,5,6:b\n",
    "tsv": "a\t1\t2\t3\nb\t4\t5\t6\n",
    "arff": ARFF_HEADER + "1,2,3,a\n4,5,6,b\n",
}
# (format, id, file content or None for "no file", exception, regex)
FILE_CASES = [
    *[
        (fmt, "missing_file", None, FileNotFoundError, r"No such file")
        for fmt in LOADERS
    ],
    *[(fmt, "empty_file", "", ValueError, r"the file is empty") for fmt in LOADERS],
    *[
        (fmt, "binary", "\x00\x01\x02abc", ValueError, r"binary content")
        for fmt in LOADERS
    ],
    ("ts", "no_header", "hello world\n", ValueError, r"line 1: expected a header"),
    ("ts", "no_cases", TS_HEADER, ValueError, r"no cases after @data"),
    (
        "ts",
        "string_value",
        TS_HEADER + "1,x,3:a\n",
        ValueError,
        r"line 8: non-numeric value 'x'",
    ),
    (
        "ts",
        "complex_value",
        TS_HEADER + "1,2j,3:a\n",
        ValueError,
        r"line 8: non-numeric value '2j'",
    ),
    (
        "ts",
        "short_case",
        TS_HEADER + "1,2,3:a\n4,5:b\n",
        ValueError,
        r"line 9: expected 3 values",
    ),
    (
        "ts",
        "truncated",
        TS_HEADER + "1,2,3:a\n4,5,",
        ValueError,
        r"line 9: expected 2 ':'-separated",
    ),
    (
        "ts",
        "unknown_label",
        TS_HEADER + "1,2,3:c\n",
        ValueError,
        r"line 8: class label 'c'",
    ),
    (
        "tsv",
        "string_value",
        "a\t1\tx\t3\n",
        ValueError,
        r"line 1: non-numeric value 'x'",
    ),
    (
        "tsv",
        "complex_value",
        "a\t1\t1+2j\t3\n",
        ValueError,
        r"line 1: non-numeric value '1\+2j'",
    ),
    (
        "tsv",
        "label_only",
        "a\t1\t2\nb\n",
        ValueError,
        r"line 2: expected 3 values \(the label and 2",
    ),
    (
        "arff",
        "no_header",
        "hello world\n",
        ValueError,
        r"line 1: expected an ARFF header",
    ),
    (
        "arff",
        "string_value",
        ARFF_HEADER + "1,x,3,a\n",
        ValueError,
        r"line 7: non-numeric value 'x'",
    ),
    (
        "arff",
        "short_row",
        ARFF_HEADER + "1,2,3,a\n4,5,b\n",
        ValueError,
        r"line 8: expected 4 comma-separated",
    ),
    (
        "arff",
        "unknown_label",
        ARFF_HEADER + "1,2,3,c\n",
        ValueError,
        r"line 7: class label 'c'",
    ),
]


@pytest.mark.parametrize(
    "fmt, content, exc, regex",
    [pytest.param(f, c, e, r, id=f"load_{f}-{i}") for f, i, c, e, r in FILE_CASES],
)
def test_bad_file_is_refused(tmp_path, fmt, content, exc, regex):
    path = tmp_path / f"problem.{fmt}"
    if content is not None:
        path.write_text(content)
    with pytest.raises(exc, match=regex):
        LOADERS[fmt](path)


@pytest.mark.parametrize("fmt", list(LOADERS))
def test_loader_refuses_a_directory_and_none(tmp_path, fmt):
    with pytest.raises(IsADirectoryError):
        LOADERS[fmt](tmp_path)
    with pytest.raises(TypeError, match=r"str, bytes or os.PathLike"):
        LOADERS[fmt](None)


@pytest.mark.parametrize("fmt", list(LOADERS))
def test_infinity_read_from_a_file_is_refused_by_the_estimator(tmp_path, fmt):
    """Readers pass 'inf' through (it is a float); estimators refuse it."""
    path = tmp_path / f"problem.{fmt}"
    path.write_text(GOOD[fmt].replace("5", "inf"))
    X_file, y_file = LOADERS[fmt](path)
    assert np.isinf(X_file).any()
    with pytest.raises(ValueError, match=r"X contains infinity"):
        MiniRocket(n_features=168).fit(X_file)


@pytest.mark.parametrize(
    "kwargs, exc, regex",
    [
        pytest.param(
            {"name": "NoSuchProblem"},
            ValueError,
            r"dataset 'NoSuchProblem' not found",
            id="unknown",
        ),
        pytest.param({"name": 3}, TypeError, r"name must be a str", id="not_str"),
        pytest.param({"name": "../etc"}, ValueError, r"no path separators", id="path"),
        pytest.param(
            {"name": "GunPoint", "split": "val"},
            ValueError,
            r"split must be 'train', 'test' or None, got 'val'",
            id="split",
        ),
    ],
)
def test_load_ucr_bad_arguments(tmp_path, kwargs, exc, regex):
    with pytest.raises(exc, match=regex):
        load_ucr(**kwargs, data_home=tmp_path)
