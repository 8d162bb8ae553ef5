"""--datasets values and the train/test split of each resample."""

from __future__ import annotations

import numpy as np
import pytest

from rocketconv.evaluation.resampling import (
    load_split,
    read_resample_indices,
    resolve_datasets,
    stratified_resample_indices,
)


def test_dataset_file_and_bundled_specs(tmp_path):
    listing = tmp_path / "names.txt"
    listing.write_text("# problems\nGunPoint\n\nItalyPowerDemand  # short\n")
    assert resolve_datasets(str(listing)) == ["GunPoint", "ItalyPowerDemand"]
    assert {"GunPoint", "BasicMotions"} <= set(resolve_datasets("bundled"))
    assert resolve_datasets("GunPoint,Nope", skip_missing=True) == ["GunPoint"]


def test_stratified_resample_keeps_class_counts():
    rng = np.random.default_rng(1)
    y_train = rng.choice(["a", "b", "c"], size=40, p=[0.5, 0.3, 0.2])
    y_test = rng.choice(["a", "b", "c"], size=60, p=[0.2, 0.3, 0.5])
    pooled = np.concatenate([y_train, y_test])
    train, test = stratified_resample_indices(y_train, y_test, 7)
    assert sorted(np.concatenate([train, test])) == list(range(100))
    for label in "abc":
        assert (pooled[train] == label).sum() == (y_train == label).sum()
        assert (pooled[test] == label).sum() == (y_test == label).sum()
    again = stratified_resample_indices(y_train, y_test, 7)
    assert np.array_equal(train, again[0]) and np.array_equal(test, again[1])
    other = stratified_resample_indices(y_train, y_test, 8)
    assert not np.array_equal(train, other[0])


def test_stratified_resample_of_unequal_length_problem():
    X_train, y_train, X_test, y_test = load_split("JapaneseVowels", 2)
    X0, y0, Xt0, yt0 = load_split("JapaneseVowels", 0)
    assert isinstance(X_train, list) and len(X_train) == len(X0)
    pooled_X = list(X0) + list(Xt0)
    pooled_y = np.concatenate([y0, yt0])
    train, test = stratified_resample_indices(y0, yt0, 2)
    for i in (0, 5, len(train) - 1):
        assert np.array_equal(X_train[i], pooled_X[train[i]])
        assert y_train[i] == pooled_y[train[i]]
    assert np.array_equal(X_test[3], pooled_X[test[3]])


def _write_indices(folder, name, train_lines, test_lines):
    folder.mkdir(exist_ok=True)
    (folder / f"{name}_INDICES_TRAIN.txt").write_text(
        "\n".join(" ".join(map(str, line)) for line in train_lines) + "\n"
    )
    if test_lines is not None:
        (folder / f"{name}_INDICES_TEST.txt").write_text(
            "\n".join(" ".join(map(str, line)) for line in test_lines) + "\n"
        )


def test_read_resample_indices(tmp_path):
    folder = tmp_path / "indices"
    _write_indices(
        folder,
        "Toy",
        [[-1, -1, -1], [4, 0, 2], [1, 1, 2]],
        [[-1, -1, -1, -1], [5, 1, 3], [0, 3, 4]],
    )
    assert read_resample_indices(folder, "Toy", 0, 6) is None
    train, test = read_resample_indices(folder, "Toy", 1, 6)
    assert list(train) == [4, 0, 2] and list(test) == [5, 1, 3]  # file order kept
    with pytest.raises(ValueError, match="repeats"):
        read_resample_indices(folder, "Toy", 2, 6)
    with pytest.raises(ValueError, match="0..3"):
        read_resample_indices(folder, "Toy", 1, 4)
    with pytest.raises(ValueError, match="resample 5"):
        read_resample_indices(folder, "Toy", 5, 6)
    with pytest.raises(FileNotFoundError):
        read_resample_indices(folder, "Other", 1, 6)
    _write_indices(folder, "Bad", [[-1], [0, 1]], [[-1], [2]])
    with pytest.raises(ValueError, match="complement"):
        read_resample_indices(folder, "Bad", 1, 4)
    _write_indices(folder, "NoTest", [[-1], [3, 1]], None)
    assert list(read_resample_indices(folder, "NoTest", 1, 4)[1]) == [0, 2]


def test_load_split_uses_published_indices(tmp_path):
    X0, y0, Xt0, yt0 = load_split("GunPoint", 0)
    pooled = np.concatenate([X0, Xt0])
    labels = np.concatenate([y0, yt0])
    rng = np.random.default_rng(0)
    order = rng.permutation(200)
    folder = tmp_path / "idx"
    _write_indices(
        folder, "GunPoint", [[-1] * 50, order[:50]], [[-1] * 150, order[50:]]
    )
    X_train, y_train, X_test, y_test = load_split(
        "GunPoint", 1, resample_indices=str(folder)
    )
    assert np.array_equal(X_train, pooled[order[:50]])
    assert np.array_equal(y_test, labels[order[50:]])
    default = load_split("GunPoint", 0, resample_indices=str(folder))
    assert np.array_equal(default[0], X0)
