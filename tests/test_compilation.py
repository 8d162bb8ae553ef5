"""Numba compiles each kernel once: one signature per dispatcher.

Numba compiles a function once per tuple of argument types, and a constant
argument (``0``, ``True``) has a literal type of its own. A kernel called
with a literal at one call site and a variable at another is compiled
twice: MultiRocket's ``_representation`` was (about 3 s more on a first
call), and so was ROCKET's ``_accumulate``. The fits run in a child
interpreter so that no other test's calls add signatures.
"""

from __future__ import annotations

import json
import subprocess
import sys

CHILD = """
import json, sys
import numpy as np
from numba.core.registry import CPUDispatcher
from rocketconv import Hydra, MiniRocket, MultiRocket, Rocket

rng = np.random.default_rng(0)
inputs = [
    rng.normal(size=(12, 1, 60)),
    rng.normal(size=(12, 3, 60)),
    [rng.normal(size=(2, 40 + 3 * i)) for i in range(12)],
]
for cls in (MiniRocket, MultiRocket, Rocket, Hydra):
    for X in inputs:
        for n_jobs in (1, 2):
            cls(random_state=0, n_jobs=n_jobs).fit(X).transform(X)
twice = {
    f"{module}.{name}": [str(s) for s in value.signatures]
    for module in list(sys.modules)
    if module.startswith("rocketconv")
    for name, value in vars(sys.modules[module]).items()
    if isinstance(value, CPUDispatcher) and len(value.signatures) > 1
}
print(json.dumps(twice))
"""


def test_every_kernel_is_compiled_for_one_signature():
    done = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stderr[-3000:]
    twice = json.loads(done.stdout.strip().splitlines()[-1])
    assert twice == {}, twice
