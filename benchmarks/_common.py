"""What every benchmark script shares: where the data is, peer interpreters,
and writing a results file together with the facts of the machine.

Data folder (``shared_dir``), first found wins:

1. the script's ``--shared DIR`` argument;
2. the ``ROCKETCONV_SHARED`` environment variable;
3. ``../shared`` next to the repository checkout (``<checkout>/../shared``).

The folder holds ``datasets/`` (UCR/UEA problems and ``MANIFEST.csv``) and
``reference-results/`` (the published per-dataset results).

Peer interpreters (a virtual environment with aeon and/or sktime, for the
scripts that compare with them) come only from ``--peer-python`` or the
``ROCKETCONV_PEER_PYTHON`` environment variable; without either, the peer
part of a script is skipped.

Results: ``write_results(frame, name)`` writes ``benchmarks/results/
<name>.csv`` and ``<name>.json``, the companion file of machine facts (CPU
model and ISA flags from ``/proc/cpuinfo``, cores, Python and library
versions, date, the command line with machine paths replaced by
placeholders).
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import json
import os
import platform
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pandas as pd

BENCHMARKS = Path(__file__).resolve().parent
CHECKOUT = BENCHMARKS.parent
RESULTS = BENCHMARKS / "results"

SHARED_ENV = "ROCKETCONV_SHARED"
PEER_ENV = "ROCKETCONV_PEER_PYTHON"

_LIBRARIES = ("numpy", "numba", "sklearn", "scipy", "pandas", "rocketconv")


def add_shared_argument(parser: argparse.ArgumentParser) -> None:
    """``--shared DIR`` (default: $ROCKETCONV_SHARED, else <checkout>/../shared)."""
    parser.add_argument(
        "--shared",
        default=None,
        help=f"data folder (default: ${SHARED_ENV}, else <checkout>/../shared)",
    )


def add_peer_argument(parser: argparse.ArgumentParser) -> None:
    """``--peer-python PATH`` (default: $ROCKETCONV_PEER_PYTHON, else none)."""
    parser.add_argument(
        "--peer-python",
        default=None,
        help=f"Python of a venv with aeon and sktime (default: ${PEER_ENV}; "
        "without it the peer part is skipped)",
    )


def add_before_argument(parser: argparse.ArgumentParser) -> None:
    """``--before PATH`` and ``--before-label LABEL``: an older rocketconv
    package to run in turn with this checkout's (see :func:`libraries_to_run`)."""
    parser.add_argument(
        "--before",
        metavar="PATH",
        help="a folder holding an older rocketconv package (e.g. `git archive "
        "<commit> rocketconv` unpacked there), run in turn with this one",
    )
    parser.add_argument("--before-label", default="before", help="e.g. its commit")


def before_environment(args: argparse.Namespace) -> dict[str, str]:
    """The extra environment under which a child process (and the processes
    it starts) imports ``--before``'s rocketconv instead of this checkout's."""
    return {"PYTHONPATH": str(Path(args.before).resolve())}


def before_library(args: argparse.Namespace) -> tuple[str, dict[str, str]]:
    """The label (``rocketconv <--before-label>``) and extra environment of
    ``--before``'s package, as the scripts run it beside this checkout's."""
    return f"rocketconv {args.before_label}", before_environment(args)


def libraries_to_run(args: argparse.Namespace) -> list[tuple[str, str, str, dict]]:
    """(label, library, python, extra environment) of each library a
    comparison runs: the older rocketconv of ``--before`` if given, this
    checkout's, and aeon when a peer interpreter is known."""
    libraries = [("rocketconv", "rocketconv", sys.executable, {})]
    if args.before:
        label, env = before_library(args)
        libraries.insert(0, (label, "rocketconv", sys.executable, env))
    peer = peer_python(args.peer_python)
    if peer:
        libraries.append(("aeon", "aeon", peer, {}))
    return libraries


def shared_dir(argument: str | None = None) -> Path:
    """The shared data folder: argument, else $ROCKETCONV_SHARED, else ../shared."""
    if argument:
        return Path(argument).expanduser().resolve()
    if os.environ.get(SHARED_ENV):
        return Path(os.environ[SHARED_ENV]).expanduser().resolve()
    return (CHECKOUT.parent / "shared").resolve()


def peer_python(argument: str | None = None) -> str | None:
    """The peer interpreter: argument, else $ROCKETCONV_PEER_PYTHON, else None."""
    return argument or os.environ.get(PEER_ENV) or None


# where rocketconv's evaluation tools live (``rocketconv.evaluation``; the
# package was ``rocketconv.benchmark`` before it was renamed and split)
_EVALUATION_MODULES = (
    "rocketconv.evaluation",
    *(
        f"rocketconv.evaluation.{name}"
        for name in ("runner", "tasks", "comparison", "stats", "plots", "report")
    ),
    "rocketconv.evaluation.tsml_io",
    "rocketconv.evaluation.resampling",
    "rocketconv.benchmark.run",
    "rocketconv.benchmark.compare",
    "rocketconv.benchmark._tsml",
)


def evaluation(name: str):
    """The function or class ``name`` of rocketconv's evaluation tools, from
    whichever of their modules defines it."""
    for module in _EVALUATION_MODULES:
        try:
            found = importlib.import_module(module)
        except ImportError:
            continue
        value = getattr(found, name, None)
        if value is not None and not isinstance(value, types.ModuleType):
            return value
    raise ImportError(f"no module of rocketconv.evaluation defines {name!r}")


def _cpuinfo() -> dict[str, Any]:
    facts: dict[str, Any] = {"cpu_model": platform.processor() or "unknown"}
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return facts
    fields: dict[str, str] = {}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), value.strip())
    flags = set(fields.get("flags", "").split())
    facts["cpu_model"] = fields.get("model name", facts["cpu_model"])
    facts["cpu_family_model"] = (
        f"family {fields.get('cpu family', '?')} model {fields.get('model', '?')}"
    )
    facts["isa"] = {flag: flag in flags for flag in ("avx2", "avx512f", "fma")}
    return facts


def _version(name: str) -> str | None:
    try:
        return getattr(importlib.import_module(name), "__version__", "unknown")
    except ImportError:
        return None


def _git(folder: Path, *words: str) -> str:
    try:
        return subprocess.run(
            ["git", "-C", str(folder), *words], capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return ""


def rocketconv_source() -> str | None:
    """Which rocketconv ran: the checkout's commit (``+dirty`` when
    rocketconv/ has uncommitted edits), or, for a package imported from
    outside the checkout (e.g. ``git archive`` of a commit on PYTHONPATH),
    ``$ROCKETCONV_SOURCE_COMMIT``."""
    try:
        package = Path(importlib.import_module("rocketconv").__file__).parent
    except ImportError:
        return None
    if CHECKOUT not in package.parents:
        commit = os.environ.get("ROCKETCONV_SOURCE_COMMIT", "unknown")
        return f"{commit} (package imported from outside the checkout)"
    commit = _git(CHECKOUT, "rev-parse", "--short", "HEAD")
    dirty = _git(CHECKOUT, "status", "--porcelain", "--", "rocketconv")
    return (commit + ("+dirty" if dirty else "")) or None


def _placeholders(text: str, shared: Path | None) -> str:
    """Replace machine paths in a command line by placeholders."""
    if shared is not None:
        text = text.replace(str(shared), "<shared>")
    text = text.replace(str(CHECKOUT) + os.sep, "")
    text = text.replace(str(CHECKOUT), ".")
    home = str(Path.home())
    return text.replace(home, "~") if home != os.sep else text


def _word(word: str, previous: str, shared: Path | None) -> str:
    """One command-line word with a machine path replaced by a placeholder."""
    option, equals, value = (
        word.partition("=") if word.startswith("--") else ("", "", word)
    )
    if not os.path.isabs(value):
        return word
    path = Path(value)
    if shared is not None and (path == shared or shared in path.parents):
        value = value.replace(str(shared), "<shared>")
    elif CHECKOUT in path.parents or path == CHECKOUT:
        value = os.path.relpath(path, CHECKOUT)
    else:
        value = f"<{(option or previous).lstrip('-') or 'path'}>"
    return f"{option}{equals}{value}"


def command_line(shared: Path | None = None) -> str:
    """The command that is running, as ``python <script> <args>``, with
    machine paths replaced by placeholders (``<shared>``, ``<peer-python>``,
    ``<out>``...) and paths in the checkout made relative."""
    words, previous = ["python"], ""
    for word in sys.argv:
        words.append(_word(word, previous, shared))
        previous = word
    return " ".join(words)


def machine_facts(
    shared: Path | None = None, extra_libraries: tuple[str, ...] = ()
) -> dict[str, Any]:
    """CPU, ISA, cores, Python and library versions, date, command line."""
    facts = _cpuinfo()
    facts["cores"] = os.cpu_count()
    try:
        facts["cores_usable"] = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        facts["cores_usable"] = facts["cores"]
    facts["platform"] = f"{platform.system()} {platform.machine()}"
    facts["python"] = platform.python_version()
    facts["versions"] = {
        name: _version(name) for name in (*_LIBRARIES, *extra_libraries)
    }
    facts["rocketconv_commit"] = rocketconv_source()
    facts["date"] = datetime.datetime.now(datetime.timezone.utc).isoformat(
        timespec="seconds"
    )
    facts["command"] = command_line(shared)
    return facts


def write_results(
    frame: pd.DataFrame,
    name: str,
    *,
    shared: Path | None = None,
    notes: dict[str, Any] | None = None,
    folder: Path = RESULTS,
) -> Path:
    """Write ``<folder>/<name>.csv`` and its companion ``<name>.json``.

    The JSON holds the machine facts, ``notes`` (how problems were chosen,
    summary figures, peer versions...) and the CSV's file name.
    """
    folder.mkdir(parents=True, exist_ok=True)
    csv = folder / f"{name}.csv"
    frame.to_csv(csv, index=False)
    facts = machine_facts(shared)
    facts["results_file"] = csv.name
    facts.update(notes or {})
    text = json.dumps(facts, indent=2, default=str)
    (folder / f"{name}.json").write_text(_placeholders(text, shared) + "\n")
    return csv
