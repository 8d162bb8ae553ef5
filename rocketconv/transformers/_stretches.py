"""MultiRocket's LSPV (longest stretch of positive values) for four biases
in one 4-lane vector loop.

The run length of ``C >= b`` is a chain through time: ``r = r + 1`` where
``C_t >= b``, else 0, and LSPV keeps the largest ``r``. Four biases are four
independent chains. Written as four scalar chains, numba's LLVM keeps them
scalar (about 7.6 cycles a point for the four on Intel and AMD alike);
LLVM's vectorisers do not pack loop-carried chains into one vector. This
module writes the loop directly in LLVM IR with ``<4 x float>`` compares and
``<4 x i32>`` run lengths, so that a point costs one broadcast load, one
compare, one add, one select and one maximum for all four biases: the
``add -> select`` chain takes one cycle a point with AVX-512's masked
subtract, two with AVX2. The arithmetic is exact (integer counts, float
compares), so the results are the published LSPV exactly on every
instruction set.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from llvmlite import ir
from numba import types
from numba.core.extending import intrinsic

from .. import _numba

F32 = ir.FloatType()
I32 = ir.IntType(32)
I64 = ir.IntType(64)
LANES = 4
V4F = ir.VectorType(F32, LANES)
V4I = ir.VectorType(I32, LANES)


def _vector(builder: ir.IRBuilder, vector_type: ir.VectorType, values: list) -> Any:
    """A vector of ``values`` (IR scalars), lane by lane."""
    vector = ir.Constant(vector_type, ir.Undefined)
    for lane, value in enumerate(values):
        vector = builder.insert_element(vector, value, ir.Constant(I32, lane))
    return vector


def _emit_runs(
    builder: ir.IRBuilder, data: Any, first: Any, last: Any, biases: Any
) -> Any:
    """IR of the loop ``for t in [first, last)``; returns the lanes' maxima.

    ``data`` points at float32 values, ``biases`` is a ``<4 x float>``.
    """
    zeros, ones = ir.Constant(V4I, [0] * LANES), ir.Constant(V4I, [1] * LANES)
    entry = builder.block
    loop = builder.append_basic_block("lspv.loop")
    done = builder.append_basic_block("lspv.done")
    builder.cbranch(builder.icmp_signed("<", first, last), loop, done)

    builder.position_at_end(loop)
    t = builder.phi(I64, "t")
    run = builder.phi(V4I, "run")
    longest = builder.phi(V4I, "longest")
    address = builder.gep(data, [t], inbounds=True, source_etype=F32)
    value = builder.load(address, typ=F32)
    splat = _vector(builder, V4F, [value] * LANES)
    at_least = builder.fcmp_ordered(">=", splat, biases)
    # r = C_t >= b ? r + 1 : 0, and the longest run so far
    new_run = builder.select(at_least, builder.add(run, ones), zeros)
    new_longest = builder.select(
        builder.icmp_signed(">", new_run, longest), new_run, longest
    )
    next_t = builder.add(t, ir.Constant(I64, 1))
    t.add_incoming(first, entry)
    t.add_incoming(next_t, loop)
    run.add_incoming(zeros, entry)
    run.add_incoming(new_run, loop)
    longest.add_incoming(zeros, entry)
    longest.add_incoming(new_longest, loop)
    builder.cbranch(builder.icmp_signed("<", next_t, last), loop, done)

    builder.position_at_end(done)
    result = builder.phi(V4I, "lspv.result")
    result.add_incoming(zeros, entry)
    result.add_incoming(new_longest, loop)
    return result


@intrinsic
def _longest_runs(typingctx: Any, values: Any, first: Any, last: Any, b0: Any,
                  b1: Any, b2: Any, b3: Any) -> tuple | None:  # fmt: skip
    """The longest run of ``values[t] >= b`` over ``t in [first, last)`` for
    four float32 biases: a 4-tuple of int32."""
    # the loop steps a float pointer: one-dimensional C-contiguous float32 only
    if not (
        isinstance(values, types.Array)
        and values.dtype == types.float32
        and values.ndim == 1
        and values.layout == "C"
    ):
        return None
    signature = types.UniTuple(types.int32, LANES)(
        values, types.int64, types.int64, *([types.float32] * LANES)
    )

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        array = context.make_array(sig.args[0])(context, builder, args[0])
        biases = _vector(builder, V4F, list(args[3:]))
        longest = _emit_runs(builder, array.data, args[1], args[2], biases)
        lanes = [
            builder.extract_element(longest, ir.Constant(I32, lane))
            for lane in range(LANES)
        ]
        return context.make_tuple(builder, sig.return_type, lanes)

    return signature, codegen


@_numba.jit
def longest_stretches(output, start, stop, b0, b1, b2, b3):
    """LSPV of ``output[start:stop]`` for four biases at once.

    With S = {0, n - 1} and the positions where ``C < b``, the reference's
    LSPV is the largest gap between consecutive members of S, i.e. one more
    than the longest run of positions ``1..n-2`` with ``C >= b`` (0 when
    n = 1). ``output`` must be C-contiguous float32.
    """
    if stop - start < 2:
        return 0, 0, 0, 0
    runs = _longest_runs(  # type: ignore[call-arg, var-annotated]
        output, np.int64(start + 1), np.int64(stop - 1), b0, b1, b2, b3
    )
    return runs[0] + 1, runs[1] + 1, runs[2] + 1, runs[3] + 1
