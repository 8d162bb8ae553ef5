"""One InceptionTime training epoch: rocketconv (numpy) vs the same network in
PyTorch on the CPU, same threads.

An epoch is forward + backward + Adam over ``--n-cases`` random univariate
series in mini-batches of 64 (default 256 cases = 4 batches). Each backend runs
in its own subprocess with OMP/OpenBLAS/MKL/numba threads and
``torch.set_num_threads`` all equal to ``--threads``. The first epoch (numba
compilation, allocator warm-up) is reported separately; steady state is the
best of ``--repeats`` epochs, both wall-clock and process CPU time (on a shared,
loaded machine CPU time is the steadier measure of the work done; with
several threads it also counts spin-waiting). The PyTorch model is written
here, layer for layer the Keras reference: Keras 'same' padding for even
kernels, no conv bias, BatchNorm momentum 0.99 / eps 1e-3, Adam eps 1e-7.

Usage::

    python benchmarks/inceptiontime_speed.py --torch-python TORCH_VENV/bin/python
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMBA_NUM_THREADS",
)


def data(n_cases, length, n_classes=2, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_cases, 1, length)).astype(np.float32)
    y = rng.integers(0, n_classes, size=n_cases)
    return X, y


def run_numpy(args):
    from rocketconv.deep.network import InceptionNetwork
    from rocketconv.deep.optim import Adam

    X, y = data(args.n_cases, args.length)
    X = np.ascontiguousarray(X.transpose(0, 2, 1))
    net = InceptionNetwork(1, 2, rng=np.random.default_rng(0))
    adam = Adam(1e-3)

    def epoch():
        start, cpu = time.perf_counter(), time.process_time()
        order = np.random.default_rng(0).permutation(len(X))
        for first in range(0, len(X), 64):
            batch = order[first : first + 64]
            net.train_step(X[batch], y[batch])
            adam.step(net.params, net.grads)
        return time.perf_counter() - start, time.process_time() - cpu

    return [epoch() for _ in range(args.repeats + 1)]


def torch_inception_network(c_in, n_classes, depth=6):
    """The Keras reference architecture in PyTorch, layer for layer."""
    import torch
    from torch import nn
    from torch.nn import functional as F

    def same(k):
        return ((k - 1) // 2, k // 2)

    class Module(nn.Module):
        def __init__(self, c_in, nf=32, ks=(40, 20, 10), bottleneck=32):
            super().__init__()
            self.bottleneck = (
                nn.Conv1d(c_in, bottleneck, 1, bias=False) if c_in > 1 else None
            )
            c_mid = bottleneck if c_in > 1 else c_in
            self.ks = ks
            self.convs = nn.ModuleList(nn.Conv1d(c_mid, nf, k, bias=False) for k in ks)
            self.pool_conv = nn.Conv1d(c_in, nf, 1, bias=False)
            self.bn = nn.BatchNorm1d(nf * (len(ks) + 1), eps=1e-3, momentum=0.01)

        def forward(self, x):
            z = self.bottleneck(x) if self.bottleneck is not None else x
            outs = [
                conv(F.pad(z, same(k)))
                for k, conv in zip(self.ks, self.convs, strict=True)
            ]
            outs.append(self.pool_conv(F.max_pool1d(x, 3, 1, padding=1)))
            return F.relu(self.bn(torch.cat(outs, dim=1)))

    class Net(nn.Module):
        def __init__(self, c_in, n_classes, depth):
            super().__init__()
            self.mods = nn.ModuleList()
            self.short = nn.ModuleDict()
            c, c_res = c_in, c_in
            for d in range(depth):
                self.mods.append(Module(c))
                c = 128
                if d % 3 == 2:
                    self.short[str(d)] = nn.Sequential(
                        nn.Conv1d(c_res, c, 1, bias=False),
                        nn.BatchNorm1d(c, eps=1e-3, momentum=0.01),
                    )
                    c_res = c
            self.fc = nn.Linear(c, n_classes)

        def forward(self, x):
            res = x
            for d, mod in enumerate(self.mods):
                x = mod(x)
                if str(d) in self.short:
                    x = F.relu(self.short[str(d)](res) + x)
                    res = x
            return self.fc(x.mean(dim=2))

    return Net(c_in, n_classes, depth)


def run_torch(args):
    import torch
    from torch import nn

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    X, y = data(args.n_cases, args.length)
    X, y = torch.from_numpy(X), torch.from_numpy(y)
    net = torch_inception_network(1, 2)
    n_params = sum(p.numel() for p in net.parameters())
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    net.train()

    def epoch():
        start, cpu = time.perf_counter(), time.process_time()
        order = torch.from_numpy(np.random.default_rng(0).permutation(len(X)))
        for first in range(0, len(X), 64):
            batch = order[first : first + 64]
            opt.zero_grad()
            loss = loss_fn(net(X[batch]), y[batch])
            loss.backward()
            opt.step()
        return time.perf_counter() - start, time.process_time() - cpu

    times = [epoch() for _ in range(args.repeats + 1)]
    return times, n_params


def child(args):
    if args.backend == "numpy":
        out = {"times": run_numpy(args)}
    else:
        times, n_params = run_torch(args)
        out = {"times": times, "n_params": n_params}
    print(json.dumps(out))


def launch(backend, python, length, args):
    env = dict(os.environ)
    for name in THREAD_VARIABLES:
        env[name] = str(args.threads)
    cmd = [
        python,
        os.path.abspath(__file__),
        "--child",
        backend,
        "--length",
        str(length),
        "--threads",
        str(args.threads),
        "--n-cases",
        str(args.n_cases),
        "--repeats",
        str(args.repeats),
    ]
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{backend} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--torch-python",
        default=os.environ.get("ROCKETCONV_TORCH_PYTHON"),
        help="a Python with torch installed (or ROCKETCONV_TORCH_PYTHON)",
    )
    parser.add_argument("--lengths", type=int, nargs="+", default=[150, 500])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--n-cases", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", choices=["numpy", "torch"])
    parser.add_argument("--length", type=int)
    args = parser.parse_args()
    if args.child:
        args.backend = args.child
        child(args)
        return

    import pandas as pd

    rows = []
    for length in args.lengths:
        ours = launch("numpy", sys.executable, length, args)
        torch_ = launch("torch", args.torch_python, length, args)
        wall_ours = min(t[0] for t in ours["times"][1:])
        wall_torch = min(t[0] for t in torch_["times"][1:])
        cpu_ours = min(t[1] for t in ours["times"][1:])
        cpu_torch = min(t[1] for t in torch_["times"][1:])
        rows.append(
            {
                "length": length,
                "threads": args.threads,
                "ours first (s)": ours["times"][0][0],
                "ours wall (s)": wall_ours,
                "torch first (s)": torch_["times"][0][0],
                "torch wall (s)": wall_torch,
                "wall ratio": wall_ours / wall_torch,
                "ours cpu (s)": cpu_ours,
                "torch cpu (s)": cpu_torch,
                "cpu ratio": cpu_ours / cpu_torch,
                "torch params": torch_["n_params"],
            }
        )
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    os.makedirs(os.path.join(os.path.dirname(__file__), "results"), exist_ok=True)
    table.to_csv(
        os.path.join(os.path.dirname(__file__), "results", "inceptiontime_speed.csv"),
        index=False,
    )


if __name__ == "__main__":
    main()
