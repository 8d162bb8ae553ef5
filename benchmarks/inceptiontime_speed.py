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

A second table times a whole ``fit`` of one network (``--fit-shapes``, e.g.
``50x150:6`` = 50 cases of length 150 for 6 epochs): rocketconv's
``InceptionTimeClassifier(n_estimators=1, n_epochs=E).fit`` (everything
included: checks, BatchNorm recalibration; compilation excluded by a
one-epoch fit first) against building the same network and Adam in PyTorch
and training it for E epochs (after one throw-away epoch); the same fit with
``recalibrate_batchnorm=False`` is timed too, to show the recalibration's
share (``ours_fit_no_recalibration_s``). With ``--rounds N`` every child
runs N times, the backends in turn in each round (so a slow spell of a
shared machine hits them alike), and the best of all rounds is kept.
``--profile``
adds the share of one steady numpy epoch (with the network's construction)
spent in each function (cProfile, own time: a BLAS product counts in the
function that calls it), to say where the time goes.

Usage::

    python benchmarks/inceptiontime_speed.py --torch-python TORCH_VENV/bin/python

``--before PATH`` (a folder holding an older rocketconv package) adds that
package's epoch and fit, run in turn in the same run (``before_*`` columns).

Writes ``benchmarks/results/<--name>.csv`` (epochs, default
``inceptiontime_speed``), ``<--name>_fit.csv`` and ``<--name>_profile_<length>.csv``,
each with its ``.json`` of machine facts.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

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


def fit_numpy(args):
    """Seconds of a whole one-network fit for ``args.epochs`` epochs."""
    from rocketconv import InceptionTimeClassifier

    X, y = data(args.n_cases, args.length)

    def fit(epochs, recalibrate=True):
        model = InceptionTimeClassifier(
            n_estimators=1,
            n_epochs=epochs,
            recalibrate_batchnorm=recalibrate,
            random_state=0,
        )
        start = time.perf_counter()
        model.fit(X, y)
        return time.perf_counter() - start

    first = fit(1)  # compiles the kernels
    return {
        "first_s": first,
        "fit_s": min(fit(args.epochs) for _ in range(2)),
        # the same fit without the final BatchNorm recalibration (a forward
        # pass over the training set that the PyTorch loop does not run)
        "fit_no_recalibration_s": min(fit(args.epochs, False) for _ in range(2)),
    }


def fit_torch(args):
    """Seconds to build the network and Adam and train ``args.epochs`` epochs."""
    import torch
    from torch import nn

    torch.set_num_threads(args.threads)
    X, y = data(args.n_cases, args.length)
    X, y = torch.from_numpy(X), torch.from_numpy(y)
    loss_fn = nn.CrossEntropyLoss()

    def fit(epochs):
        start = time.perf_counter()
        torch.manual_seed(0)
        net = torch_inception_network(1, 2)
        opt = torch.optim.Adam(net.parameters(), lr=1e-3, eps=1e-7)
        net.train()
        for epoch in range(epochs):
            order = torch.from_numpy(np.random.default_rng(epoch).permutation(len(X)))
            for first in range(0, len(X), 64):
                batch = order[first : first + 64]
                opt.zero_grad()
                loss_fn(net(X[batch]), y[batch]).backward()
                opt.step()
        return time.perf_counter() - start

    first = fit(1)
    return {"first_s": first, "fit_s": min(fit(args.epochs) for _ in range(2))}


def profile_numpy(args):
    """Share of one steady epoch's time per function (own time), top 15."""
    import cProfile
    import pstats

    args.repeats = 0
    run_numpy(args)  # compile and warm up
    profiler = cProfile.Profile()
    profiler.enable()
    run_numpy(args)
    profiler.disable()
    stats = pstats.Stats(profiler).stats
    total = sum(entry[2] for entry in stats.values())
    rows = sorted(
        (
            (f"{os.path.basename(file)}:{name}", entry[2] / total)
            for (file, _, name), entry in stats.items()
        ),
        key=lambda row: -row[1],
    )
    return {"profile": rows[:15]}


def torch_child(args):
    times, n_params = run_torch(args)
    return {"times": times, "n_params": n_params}


CHILDREN = {
    "numpy": lambda args: {"times": run_numpy(args)},
    "torch": torch_child,
    "fit-numpy": fit_numpy,
    "fit-torch": fit_torch,
    "profile-numpy": profile_numpy,
}


def launch(backend, python, length, args, n_cases=None, epochs=1, extra_env=None):
    """Run one child in a fresh process with every thread pool at --threads
    (``extra_env``: e.g. the PYTHONPATH of ``--before``'s package)."""
    env = dict(os.environ, **(extra_env or {}))
    for name in THREAD_VARIABLES:
        env[name] = str(args.threads)
    cmd = [
        python, os.path.abspath(__file__), "--child", backend,
        "--length", str(length), "--threads", str(args.threads),
        "--n-cases", str(n_cases or args.n_cases), "--repeats", str(args.repeats),
        "--epochs", str(epochs),
    ]  # fmt: skip
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{backend} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def in_rounds(children, args):
    """``{who: [result per round]}``: each child launched ``--rounds`` times,
    the children in turn within a round."""
    results = {who: [] for who in children}
    for _ in range(args.rounds):
        for who, child in children.items():
            results[who].append(child())
    return results


def epoch_row(length, args):
    from _common import before_environment

    children = {}
    if args.before:
        env = before_environment(args)
        children["before"] = lambda: launch(
            "numpy", sys.executable, length, args, None, 1, env
        )
    children["ours"] = lambda: launch("numpy", sys.executable, length, args)
    children["torch"] = lambda: launch("torch", args.torch_python, length, args)
    rounds = in_rounds(children, args)
    runs = {who: results[0] for who, results in rounds.items()}
    # steady state: every epoch but each child's first, over all rounds
    best = {
        who: [min(t[i] for run in results for t in run["times"][1:]) for i in (0, 1)]
        for who, results in rounds.items()
    }
    before = {}
    if args.before:
        before = {
            "before": args.before_label,
            "before_epoch_s": best["before"][0],
            "before_wall_ratio": best["before"][0] / best["torch"][0],
        }
    return {
        "n_cases": args.n_cases,
        "length": length,
        "threads": args.threads,
        "ours_first_epoch_s": runs["ours"]["times"][0][0],
        "ours_epoch_s": best["ours"][0],
        "torch_first_epoch_s": runs["torch"]["times"][0][0],
        "torch_epoch_s": best["torch"][0],
        "wall_ratio": best["ours"][0] / best["torch"][0],
        "ours_epoch_cpu_s": best["ours"][1],
        "torch_epoch_cpu_s": best["torch"][1],
        "cpu_ratio": best["ours"][1] / best["torch"][1],
        "torch_params": runs["torch"]["n_params"],
        **before,
    }


def fit_row(shape, args):
    from _common import before_environment

    size, epochs = shape.split(":")
    n_cases, length = map(int, size.split("x"))
    before, children = {}, {}
    if args.before:
        env = before_environment(args)
        children["before"] = lambda: launch(
            "fit-numpy", sys.executable, length, args, n_cases, int(epochs), env
        )
    children["ours"] = lambda: launch(
        "fit-numpy", sys.executable, length, args, n_cases, int(epochs)
    )
    children["torch"] = lambda: launch(
        "fit-torch", args.torch_python, length, args, n_cases, int(epochs)
    )
    # the first round's first fit; the best steady fit of all rounds
    best = {
        who: {key: min(r[key] for r in results) for key in results[0]}
        | {"first_s": results[0]["first_s"]}
        for who, results in in_rounds(children, args).items()
    }
    ours, torch_, old = best["ours"], best["torch"], best.get("before")
    if args.before:
        before = {
            "before": args.before_label,
            "before_fit_s": old["fit_s"],
            "before_fit_ratio": old["fit_s"] / torch_["fit_s"],
        }
    return {
        "n_cases": n_cases,
        "length": length,
        "epochs": int(epochs),
        "threads": args.threads,
        "ours_first_fit_s": ours["first_s"],
        "ours_fit_s": ours["fit_s"],
        "torch_fit_s": torch_["fit_s"],
        "fit_ratio": ours["fit_s"] / torch_["fit_s"],
        "ours_fit_no_recalibration_s": ours["fit_no_recalibration_s"],
        "fit_no_recalibration_ratio": ours["fit_no_recalibration_s"] / torch_["fit_s"],
        **before,
    }


def main():
    from _common import add_before_argument

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--torch-python",
        default=os.environ.get("ROCKETCONV_TORCH_PYTHON"),
        help="a Python with torch installed (or ROCKETCONV_TORCH_PYTHON)",
    )
    parser.add_argument("--lengths", type=int, nargs="+", default=[150, 500])
    parser.add_argument("--fit-shapes", nargs="*", default=["50x150:6", "200x500:2"])
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--n-cases", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=1, help="children in turn")
    parser.add_argument("--name", default="inceptiontime_speed", help="results stem")
    add_before_argument(parser)
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--length", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--epochs", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(CHILDREN[args.child](args)))
        return

    import pandas as pd
    from _common import write_results

    notes = {
        "threads": args.threads,
        "batch_size": 64,
        "torch_python": "peer venv",
        "rounds": args.rounds,
    }
    epochs = pd.DataFrame([epoch_row(length, args) for length in args.lengths])
    write_results(epochs, args.name, notes=notes)
    print(epochs.round(3).to_string(index=False))
    if args.fit_shapes:
        fits = pd.DataFrame([fit_row(shape, args) for shape in args.fit_shapes])
        write_results(fits, f"{args.name}_fit", notes=notes)
        print(fits.round(3).to_string(index=False))
    if args.profile:
        for length in args.lengths:
            shares = launch("profile-numpy", sys.executable, length, args)["profile"]
            table = pd.DataFrame(shares, columns=["function", "share_of_epoch"])
            table.insert(0, "length", length)
            write_results(table, f"{args.name}_profile_{length}", notes=notes)
            print(table.round(3).to_string(index=False))


if __name__ == "__main__":
    main()
