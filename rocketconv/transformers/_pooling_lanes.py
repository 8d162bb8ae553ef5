"""MultiRocket's four pooling operators for 4 or 8 biases in one vector loop.

For one kernel output ``C`` (the pooled range, ``n`` points) and a bias
``b``, MultiRocket's features are PPV (the share of ``C > b``), MPV (the
mean of ``C + b`` over ``C > b``), MIPV (the mean index of ``C > b``) and
LSPV (the longest stretch of ``C >= b``; see ``multirocket._pool``). The
reference computes them one bias at a time in a branchy loop. Here one loop
over time serves a group of biases held in vector lanes. Per point: one
broadcast load, two compares (``>``, ``>=``), and per lane

* the count, a run length and its maximum in int32,
* the index sum in int64 (exact),
* ``C + b`` in float32, widened to float64 and added to the lane's total,

all selected by the compare masks (no branches). Each lane adds its terms
in time order, as the reference does, so the totals (MPV) are the
reference's float64 sums bit for bit, on every instruction set; the counts,
index sums and run lengths are exact. LLVM's own vectorisers do not pack
loop-carried chains into one vector register, so the loop is written
directly in LLVM IR (a numba intrinsic).

LSPV is the longest gap between consecutive members of ``{0, n - 1}`` and
the positions with ``C < b``: one more than the longest run of ``C >= b``
over positions ``1 .. n - 2``. The loop therefore runs over those inner
positions and adds positions 0 and ``n - 1`` to the sums before and after
it (the reference's order of terms); it needs ``n >= 2``.
"""

from __future__ import annotations

from typing import Any

from llvmlite import ir
from numba import types
from numba.core.extending import intrinsic

LANE_COUNTS = (4, 8)
F32, F64 = ir.FloatType(), ir.DoubleType()
I32, I64 = ir.IntType(32), ir.IntType(64)


def splat(builder: ir.IRBuilder, value: Any, lanes: int) -> Any:
    """A vector of ``lanes`` copies of the IR scalar ``value``."""
    vector = ir.Constant(ir.VectorType(value.type, lanes), ir.Undefined)
    vector = builder.insert_element(vector, value, ir.Constant(I32, 0))
    mask = ir.Constant(ir.VectorType(I32, lanes), [0] * lanes)
    return builder.shuffle_vector(vector, vector, mask)


def _zeros(element: ir.Type, lanes: int) -> ir.Constant:
    return ir.Constant(ir.VectorType(element, lanes), [0] * lanes)


def _add_point(
    builder: ir.IRBuilder, data: Any, t: Any, index: Any, biases: Any, sums: Any
) -> tuple:
    """``sums`` = (count, index sum, total) with point ``t`` (at pooled index
    ``index``, an i64) added where ``C_t > b``; returns them and ``C_t``."""
    lanes = biases.type.count
    count, index_sum, total = sums
    address = builder.gep(data, [t], inbounds=True, source_etype=F32)
    value = splat(builder, builder.load(address, typ=F32), lanes)
    above = builder.fcmp_ordered(">", value, biases)
    # each sum adds its term or 0 (the same result as adding nothing: every
    # total starts at +0.0), so the select stays off the chain through time
    # and a float64 total waits only for its previous add
    ones = ir.Constant(ir.VectorType(I32, lanes), [1] * lanes)
    count = builder.add(count, builder.select(above, ones, _zeros(I32, lanes)))
    indices = splat(builder, index, lanes)
    index_sum = builder.add(
        index_sum, builder.select(above, indices, _zeros(I64, lanes))
    )
    # C + b in float32 (as the reference), then added in float64
    shifted = builder.fpext(builder.fadd(value, biases), ir.VectorType(F64, lanes))
    total = builder.fadd(total, builder.select(above, shifted, _zeros(F64, lanes)))
    return (count, index_sum, total), value


def _emit_pooling(
    builder: ir.IRBuilder, data: Any, first: Any, last: Any, biases: Any
) -> tuple:
    """IR of the pooling of ``data[first:last]`` (``last - first >= 2``);
    returns (count, index sum, total, longest inner run) vectors."""
    lanes = biases.type.count
    zero_sums = (_zeros(I32, lanes), _zeros(I64, lanes), _zeros(F64, lanes))
    sums, _ = _add_point(builder, data, first, ir.Constant(I64, 0), biases, zero_sums)
    inner_first = builder.add(first, ir.Constant(I64, 1))
    inner_last = builder.sub(last, ir.Constant(I64, 1))
    entry = builder.block
    loop = builder.append_basic_block("pool.loop")
    done = builder.append_basic_block("pool.done")
    builder.cbranch(builder.icmp_signed("<", inner_first, inner_last), loop, done)

    builder.position_at_end(loop)
    t = builder.phi(I64, "t")
    phis = [builder.phi(s.type) for s in sums]
    run, longest = builder.phi(zero_sums[0].type), builder.phi(zero_sums[0].type)
    new_sums, value = _add_point(
        builder, data, t, builder.sub(t, first), biases, tuple(phis)
    )
    # run = C_t >= b ? run + 1 : 0, and the longest run so far
    at_least = builder.fcmp_ordered(">=", value, biases)
    ones = ir.Constant(run.type, [1] * lanes)
    new_run = builder.select(at_least, builder.add(run, ones), zero_sums[0])
    new_longest = builder.select(
        builder.icmp_signed(">", new_run, longest), new_run, longest
    )
    next_t = builder.add(t, ir.Constant(I64, 1))
    for phi, start, step in [
        (t, inner_first, next_t),
        *zip(phis, sums, new_sums, strict=True),
        (run, zero_sums[0], new_run),
        (longest, zero_sums[0], new_longest),
    ]:
        phi.add_incoming(start, entry)
        phi.add_incoming(step, loop)
    builder.cbranch(builder.icmp_signed("<", next_t, inner_last), loop, done)

    builder.position_at_end(done)
    joined = []
    for before, after in [
        *zip(sums, new_sums, strict=True),
        (zero_sums[0], new_longest),
    ]:
        phi = builder.phi(before.type)
        phi.add_incoming(before, entry)
        phi.add_incoming(after, loop)
        joined.append(phi)
    final, _ = _add_point(
        builder, data, inner_last, builder.sub(inner_last, first), biases, joined[:3]
    )
    return (*final, joined[3])


def is_contiguous_float32(values: Any) -> bool:
    """Whether a numba type is a one-dimensional C-contiguous float32 array
    (an intrinsic's loop steps a float pointer)."""
    return (
        isinstance(values, types.Array)
        and values.dtype == types.float32
        and values.ndim == 1
        and values.layout == "C"
    )


@intrinsic
def pool_lanes(typingctx: Any, values: Any, first: Any, last: Any, biases: Any) -> Any:
    """Count, index sum, total of ``C + b`` over ``C > b``, and the longest
    inner run of ``C >= b``, over ``values[first:last]`` (at least 2 points)
    for each bias of the tuple ``biases`` (4 or 8 float32): a tuple of four
    tuples (int32, int64, float64, int32)."""
    # the loop steps a float pointer: one-dimensional C-contiguous float32 only
    if not (
        is_contiguous_float32(values)
        and isinstance(biases, types.UniTuple)
        and biases.dtype == types.float32
        and biases.count in LANE_COUNTS
    ):
        return None
    lanes = biases.count
    result = types.Tuple(
        [types.UniTuple(kind, lanes) for kind in (types.int32, types.int64)]
        + [types.UniTuple(kind, lanes) for kind in (types.float64, types.int32)]
    )
    signature = result(values, types.int64, types.int64, biases)

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        array = context.make_array(sig.args[0])(context, builder, args[0])
        vector = ir.Constant(ir.VectorType(F32, lanes), ir.Undefined)
        for lane in range(lanes):
            bias = builder.extract_value(args[3], lane)
            vector = builder.insert_element(vector, bias, ir.Constant(I32, lane))
        outputs = _emit_pooling(builder, array.data, args[1], args[2], vector)
        tuples = [
            context.make_tuple(
                builder,
                kind,
                [
                    builder.extract_element(out, ir.Constant(I32, i))
                    for i in range(lanes)
                ],
            )
            for kind, out in zip(sig.return_type.types, outputs, strict=True)
        ]
        return context.make_tuple(builder, sig.return_type, tuples)

    return signature, codegen
