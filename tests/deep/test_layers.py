"""Every backward pass of rocketconv.deep against central finite differences.

All checks run in float64 on tiny shapes. A layer's scalar objective is
``sum(forward(x) * G)`` for a fixed random ``G``, so its gradient with respect
to the input is ``backward(G)`` and with respect to each parameter the
corresponding entry of ``grads``.
"""

from __future__ import annotations

import numpy as np
import pytest

from rocketconv.deep import _kernels
from rocketconv.deep.conv import (
    RING_MIN_CHANNELS,
    Conv1D,
    MultiKernelConv1D,
    window_layout,
)
from rocketconv.deep.layers import (
    BatchNorm,
    Dense,
    GlobalAvgPool,
    MaxPool1D,
    ReLU,
    SoftmaxCrossEntropy,
    same_padding,
)
from rocketconv.deep.network import InceptionNetwork
from rocketconv.deep.optim import Adam, ReduceLROnPlateau

EPS = 1e-6


def numeric_grad(f, array, indices=None, eps=EPS):
    """Central differences of scalar ``f()`` w.r.t. entries of ``array`` (in place)."""
    flat = array.reshape(-1)
    if indices is None:
        indices = range(flat.size)
    out = []
    for i in indices:
        old = flat[i]
        flat[i] = old + eps
        plus = f()
        flat[i] = old - eps
        minus = f()
        flat[i] = old
        out.append((plus - minus) / (2 * eps))
    return np.array(out)


def check_layer(layer, x, training=True, rtol=1e-6, atol=1e-8):
    rng = np.random.default_rng(1)
    out = layer.forward(x.copy(), training=training)
    G = rng.normal(size=out.shape)
    dx = layer.backward(G.copy())

    def objective():
        return float(np.sum(layer.forward(x.copy(), training=training) * G))

    np.testing.assert_allclose(dx.ravel(), numeric_grad(objective, x), rtol, atol)
    for name, param in layer.params.items():
        analytic = layer.grads[name].ravel().copy()
        np.testing.assert_allclose(
            analytic, numeric_grad(objective, param), rtol, atol, err_msg=name
        )


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.mark.parametrize("kernel_size", [1, 2, 3, 4, 7])
@pytest.mark.parametrize("length", [1, 3, 9])
def test_conv1d_gradients(rng, kernel_size, length):
    conv = Conv1D(3, 2, kernel_size, rng=rng, dtype=np.float64)
    check_layer(conv, rng.normal(size=(2, length, 3)))


# 2 channels: one product with the packed weights; RING_MIN_CHANNELS: one
# product per ring of taps
@pytest.mark.parametrize("n_channels", [2, RING_MIN_CHANNELS])
@pytest.mark.parametrize("kernel_sizes", [(8, 4, 2), (3, 8, 2, 4)])
def test_multikernel_conv_gradients(rng, n_channels, kernel_sizes):
    conv = MultiKernelConv1D(n_channels, 3, kernel_sizes, rng=rng, dtype=np.float64)
    assert conv._by_ring == (n_channels >= RING_MIN_CHANNELS)
    check_layer(conv, rng.normal(size=(3, 11, n_channels)))


@pytest.mark.parametrize("kernel_sizes", [(40, 20, 10), (2, 8, 5, 8), (7,)])
def test_window_layout_puts_each_kernels_taps_first(kernel_sizes):
    """The runs cover the widest window once; a kernel of size k finds the
    taps of its own 'same' window in the first k slots."""
    runs, taps, rings = window_layout(kernel_sizes)
    width = max(kernel_sizes)
    assert [j for a, b in runs for j in range(a, b)] == taps.tolist()
    assert sorted(taps) == list(range(width))
    for k in kernel_sizes:
        start = same_padding(width)[0] - same_padding(k)[0]
        assert sorted(taps[:k]) == list(range(start, start + k))
    sizes = sorted(set(kernel_sizes))
    assert rings == list(zip([0] + sizes[:-1], sizes, strict=True))


def test_conv1d_matches_direct_keras_same_convolution(rng):
    """Against a direct loop: taps t - (k-1)//2 .. t + k//2, zeros outside."""
    for k in (1, 4, 5, 10):
        conv = Conv1D(2, 3, k, rng=rng, dtype=np.float64)
        x = rng.normal(size=(2, 7, 2))
        W = conv.params["W0"].reshape(k, 2, 3)
        left, right = same_padding(k)
        assert (left, right) == ((k - 1) // 2, k // 2)
        padded = np.pad(x, ((0, 0), (left, right), (0, 0)))
        expected = np.zeros((2, 7, 3))
        for t in range(7):
            expected[:, t] = np.einsum("njc,jcf->nf", padded[:, t : t + k], W)
        np.testing.assert_allclose(conv.forward(x), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("n_channels", [2, RING_MIN_CHANNELS])
@pytest.mark.parametrize("kernel_sizes", [(6, 3, 2), (2, 6, 3)])
def test_multikernel_equals_separate_convolutions(rng, n_channels, kernel_sizes):
    """Each kernel's outputs, and the input gradient (the sum of the single
    convolutions' gradients), whether the products are packed or by ring."""
    multi = MultiKernelConv1D(n_channels, 3, kernel_sizes, rng=rng, dtype=np.float64)
    x = rng.normal(size=(2, 9, n_channels))
    G = rng.normal(size=(2, 9, 3 * len(kernel_sizes)))
    out = multi.forward(x, training=True)
    dx = multi.backward(G)
    dx_sum = np.zeros_like(x)
    for i, k in enumerate(kernel_sizes):
        single = Conv1D(n_channels, 3, k, rng=rng, dtype=np.float64)
        single.params["W0"][...] = multi.params[f"W{i}"]
        block = slice(3 * i, 3 * i + 3)
        np.testing.assert_allclose(out[:, :, block], single.forward(x, training=True))
        dx_sum += single.backward(np.ascontiguousarray(G[:, :, block]))
        np.testing.assert_allclose(multi.grads[f"W{i}"], single.grads["W0"])
    np.testing.assert_allclose(dx, dx_sum)


def _conv_step(conv, x, G):
    conv.forward(x, training=True)
    dx = conv.backward(G)
    return dx, {name: grad.copy() for name, grad in conv.grads.items()}


@pytest.mark.parametrize("kernel_sizes", [(8, 4, 2), (1,)])
def test_conv_reuses_its_buffer_without_mixing_batches(rng, kernel_sizes):
    """The training window matrix is reused batch after batch and overwritten
    by backward: the second batch's gradients equal those of a fresh layer,
    an inference forward in between does not touch the pending cache, and the
    input gradient of a width-1 convolution is not the input's memory."""
    a, b = (rng.normal(size=(3, 11, 2)) for _ in range(2))
    G = rng.normal(size=(3, 11, 3 * len(kernel_sizes)))
    seed = np.random.default_rng(5)
    reused = MultiKernelConv1D(2, 3, kernel_sizes, rng=seed, dtype=np.float64)
    fresh = MultiKernelConv1D(
        2, 3, kernel_sizes, rng=np.random.default_rng(5), dtype=np.float64
    )
    _conv_step(reused, a, G)
    reused.forward(b, training=True)
    reused.forward(a, training=False)
    dx, grads = reused.backward(G), reused.grads
    dx_fresh, grads_fresh = _conv_step(fresh, b, G)
    np.testing.assert_array_equal(dx, dx_fresh)
    for name in grads:
        np.testing.assert_array_equal(grads[name], grads_fresh[name])
    x = b.copy()
    reused.forward(x, training=True)
    reused.backward(G)
    np.testing.assert_array_equal(x, b)
    # a smaller last batch runs in the front of the buffer, not a new one
    buffer = reused._cache_buffer
    dx_small, grads_small = _conv_step(reused, b[:2], G[:2])
    assert len(kernel_sizes) == 1 or reused._cache_buffer is buffer
    dx_fresh, grads_fresh = _conv_step(fresh, b[:2], G[:2])
    np.testing.assert_array_equal(dx_small, dx_fresh)
    for name in grads_small:
        np.testing.assert_array_equal(grads_small[name], grads_fresh[name])


def test_conv_backward_without_training_forward_fails(rng):
    conv = MultiKernelConv1D(2, 3, (4, 2), rng=rng, dtype=np.float64)
    x = rng.normal(size=(2, 5, 2))
    conv.forward(x, training=False)
    with pytest.raises(RuntimeError, match="training=True"):
        conv.backward(np.ones((2, 5, 6)))
    conv.forward(x, training=True)
    conv.backward(np.ones((2, 5, 6)))
    with pytest.raises(RuntimeError, match="training=True"):
        conv.backward(np.ones((2, 5, 6)))


def test_batchnorm_training_gradients(rng):
    bn = BatchNorm(3, dtype=np.float64)
    bn.params["gamma"][...] = rng.uniform(0.5, 2, 3)
    bn.params["beta"][...] = rng.normal(size=3)
    check_layer(bn, rng.normal(size=(4, 5, 3)) * 2 + 1)


def test_batchnorm_statistics(rng):
    bn = BatchNorm(2, momentum=0.9, epsilon=1e-3, dtype=np.float64)
    x = rng.normal(size=(5, 4, 2)) * 3 + 2
    out = bn.forward(x, training=True)
    flat = out.reshape(-1, 2)
    np.testing.assert_allclose(flat.mean(0), 0, atol=1e-12)
    var = x.reshape(-1, 2).var(0)
    np.testing.assert_allclose(flat.var(0), var / (var + 1e-3))
    np.testing.assert_allclose(bn.state["running_mean"], 0.1 * x.reshape(-1, 2).mean(0))
    np.testing.assert_allclose(
        bn.state["running_var"], 0.9 + 0.1 * x.reshape(-1, 2).var(0, ddof=1)
    )
    # inference uses the running statistics
    expected = (x - bn.state["running_mean"]) / np.sqrt(bn.state["running_var"] + 1e-3)
    np.testing.assert_allclose(bn.forward(x, training=False), expected)


def test_batchnorm_float32_over_many_blocks(rng):
    """Rows over several of the kernels' blocks (the last one partial) and a
    mean far from zero: the float32 layer agrees with float64 numpy, forward
    and backward."""
    n_rows = 2 * _kernels.BLOCK_ROWS + 417
    x = (rng.normal(size=(1, n_rows, 3)) * 0.5 + 1000).astype(np.float32)
    dout = rng.normal(size=x.shape).astype(np.float32)
    bn = BatchNorm(3, dtype=np.float32)
    gamma = np.array([0.5, 1.0, 2.0])
    bn.params["gamma"][...] = gamma
    out = bn.forward(x, training=True).reshape(-1, 3)
    dx = bn.backward(dout).reshape(-1, 3)
    x64, g64 = x.reshape(-1, 3).astype(np.float64), dout.reshape(-1, 3)
    std = np.sqrt(x64.var(0) + 1e-3)
    xhat = (x64 - x64.mean(0)) / std
    np.testing.assert_allclose(out, xhat * gamma, atol=2e-3)
    np.testing.assert_allclose(bn.grads["beta"], g64.sum(0), rtol=1e-5)
    np.testing.assert_allclose(bn.grads["gamma"], (g64 * xhat).sum(0), atol=0.05)
    expected = gamma / std * (g64 - g64.mean(0) - xhat * (g64 * xhat).mean(0))
    np.testing.assert_allclose(dx, expected, atol=1e-4)
    np.testing.assert_allclose(bn.state["running_mean"], 0.01 * x64.mean(0), rtol=1e-6)


def test_batchnorm_inference_gradient_is_affine(rng):
    bn = BatchNorm(2, dtype=np.float64)
    bn.state["running_mean"][...] = [1.0, -1.0]
    bn.state["running_var"][...] = [4.0, 0.25]
    x = rng.normal(size=(2, 3, 2))
    slope = (bn.forward(x + 1e-3) - bn.forward(x)) / 1e-3
    np.testing.assert_allclose(slope[0, 0], 1 / np.sqrt([4.001, 0.251]))


def test_maxpool_ties_go_to_the_first_point():
    """A tie routes the whole gradient to the earliest point of the window
    (one point per output, so the gradient is that of one valid choice)."""
    x = np.array([1.0, 1.0, 0.0, 2.0, 2.0, 2.0]).reshape(1, 6, 1)
    x = np.concatenate([x, -x], axis=2)  # a second channel, other winners
    out, argmax = np.empty_like(x), np.empty(x.shape, dtype=np.int32)
    _kernels.maxpool_forward(x, 3, 1, out, argmax)
    np.testing.assert_array_equal(argmax[0, :, 0], [0, 0, 3, 3, 3, 4])
    np.testing.assert_array_equal(argmax[0, :, 1], [0, 2, 2, 2, 3, 4])
    np.testing.assert_array_equal(out[0, :, 0], [1, 1, 2, 2, 2, 2])


@pytest.mark.parametrize("length", [1, 2, 6])
def test_maxpool_gradients_and_padding(rng, length):
    pool = MaxPool1D(3)
    x = rng.normal(size=(2, length, 3))
    check_layer(pool, x)
    # 'same' padding never wins: an all-negative series keeps its values
    negative = -np.abs(x) - 1
    out = pool.forward(negative)
    assert np.all(out < -1 + 1e-12)
    expected = np.max(
        np.stack(
            [
                np.pad(negative, ((0, 0), (1, 1), (0, 0)), constant_values=-np.inf)[
                    :, s : s + length
                ]
                for s in range(3)
            ]
        ),
        axis=0,
    )
    np.testing.assert_array_equal(out, expected)


def test_relu_gradients(rng):
    x = rng.normal(size=(3, 4, 2))
    x[np.abs(x) < 1e-3] = 0.5  # keep finite differences off the kink
    check_layer(ReLU(), x)


def test_global_avg_pool_gradients(rng):
    check_layer(GlobalAvgPool(), rng.normal(size=(3, 5, 2)))


def test_dense_gradients(rng):
    dense = Dense(4, 3, rng=rng, dtype=np.float64)
    dense.params["b"][...] = rng.normal(size=3)
    check_layer(dense, rng.normal(size=(5, 4)))


def test_softmax_cross_entropy_gradient(rng):
    loss = SoftmaxCrossEntropy()
    logits = rng.normal(size=(6, 4)) * 3
    y = rng.integers(0, 4, size=6)
    value = loss.forward(logits, y, training=True)
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    assert value == pytest.approx(-np.mean(np.log(p[np.arange(6), y])))
    analytic = loss.backward()
    numeric = numeric_grad(lambda: loss.forward(logits, y), logits)
    np.testing.assert_allclose(analytic.ravel(), numeric, rtol=1e-6, atol=1e-9)
    # extreme logits stay finite
    assert np.isfinite(loss.forward(np.array([[1000.0, -1000.0]]), np.array([1])))


@pytest.mark.parametrize("n_channels", [1, 3])
def test_full_inception_network_gradient(n_channels):
    """Loss of a whole (small) network in training mode vs. every parameter."""
    rng = np.random.default_rng(3)
    net = InceptionNetwork(
        n_channels,
        3,
        depth=6,
        n_filters=2,
        kernel_sizes=(6, 3, 2),
        bottleneck_size=2,
        rng=rng,
        dtype=np.float64,
    )
    # non-trivial BatchNorm parameters, so every term of its gradient matters
    for layer in net.layers:
        if isinstance(layer, BatchNorm):
            layer.params["gamma"][...] = rng.uniform(0.5, 1.5, layer.channels)
            layer.params["beta"][...] = rng.normal(0, 0.3, layer.channels)
    x = rng.normal(size=(4, 10, n_channels))
    y = np.array([0, 1, 2, 1])

    def objective():
        return net.loss.forward(net.forward(x, training=True), y)

    objective()
    net.loss.forward(net.forward(x, training=True), y, training=True)
    dx = net.backward(net.loss.backward(), need_input_grad=True)
    analytic = net.grads.copy()
    indices = np.random.default_rng(0).choice(
        net.params.size, size=min(400, net.params.size), replace=False
    )
    numeric = numeric_grad(objective, net.params, indices)
    np.testing.assert_allclose(analytic[indices], numeric, rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(
        dx.ravel(), numeric_grad(objective, x), rtol=1e-5, atol=1e-8
    )


def test_adam_matches_keras_formula():
    rng = np.random.default_rng(0)
    params = rng.normal(size=5)
    reference = params.copy()
    m = np.zeros(5)
    v = np.zeros(5)
    adam = Adam(1e-2)
    for t in range(1, 4):
        g = rng.normal(size=5)
        adam.step(params, g)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        lr_t = 1e-2 * np.sqrt(1 - 0.999**t) / (1 - 0.9**t)
        reference -= lr_t * m / (np.sqrt(v) + 1e-7)
    np.testing.assert_allclose(params, reference, rtol=1e-12)


def test_plateau_schedule_keras_rule():
    schedule = ReduceLROnPlateau(factor=0.5, patience=3, min_lr=0.2, min_delta=1e-4)
    lr = 1.0
    lrs = []
    # 1 improvement, then a change smaller than min_delta is not an improvement
    for loss in [1.0, 0.99995, 0.99995, 0.99995, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]:
        lr = schedule.step(loss, lr)
        lrs.append(lr)
    assert lrs == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.2]


def test_serial_and_parallel_kernels_agree(monkeypatch):
    """Each kernel is one body compiled twice; both give identical output.
    With the threshold at 0 the drivers take the parallel variant whenever
    numba has more than one thread (else ``pick`` keeps the serial one)."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5, 13, 3)).astype(np.float32)
    col = np.empty((5, 13, 4 * 3), dtype=np.float32)
    dx = np.empty_like(x)
    out, argmax = np.empty_like(x), np.empty(x.shape, dtype=np.int32)
    calls = {
        "_IM2COL": (x, np.array([[1, 3], [0, 1], [3, 4]]), 1, col),
        "_COL2IM": (
            rng.normal(size=col.shape).astype(np.float32),
            np.array([[1, 3], [0, 1], [3, 4]]),
            1,
            dx,
        ),
        "_MAXPOOL_FORWARD": (x, 3, 1, out, argmax),
        "_MAXPOOL_BACKWARD": (x, rng.integers(0, 13, x.shape, dtype=np.int32), dx),
    }
    # BatchNorm's kernels, over three blocks of rows
    rows = rng.normal(size=(3 * _kernels.BLOCK_ROWS - 5, 3)).astype(np.float32)
    channel = rng.normal(size=3).astype(np.float32)
    outputs = [np.empty_like(rows) for _ in range(2)]
    calls["_CHANNEL_SUMS"] = (
        *(rows, channel, rows[::-1].copy(), channel),
        *(np.zeros((3, 3)), np.zeros((3, 3))),
    )
    calls["_NORMALIZE"] = (rows, *([channel] * 4), *outputs)
    calls["_BATCHNORM_INPUT_GRAD"] = (rows, rows, *([channel] * 3), outputs[0])
    for name, args in calls.items():
        serial, parallel = getattr(_kernels, name)
        assert parallel.py_func.__name__ == serial.py_func.__name__ + "_parallel"
        results = []
        for kernel in (serial, parallel):
            outputs = [a for a in args if isinstance(a, np.ndarray)][-2:]
            if name == "_CHANNEL_SUMS":  # it adds to its outputs
                for output in outputs:
                    output[...] = 0
            kernel(*args)
            results.append([o.copy() for o in outputs])
        for a, b in zip(*results, strict=True):
            np.testing.assert_array_equal(a, b, err_msg=name)
    monkeypatch.setattr(_kernels, "PARALLEL_THRESHOLD", 0)
    conv = MultiKernelConv1D(3, 2, (4, 2), rng=rng, dtype=np.float32)
    check = conv.forward(x, training=True)
    monkeypatch.setattr(_kernels, "PARALLEL_THRESHOLD", 1 << 60)
    np.testing.assert_array_equal(conv.forward(x, training=True), check)
