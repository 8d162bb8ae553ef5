"""MiniRocket's PPV counts of four biases in eight-point vectors, no tail.

For a pooled range of ``n`` points, ``C[t] = pair[t] + gamma[t]`` and four
biases ``b``, the counts are ``#{t : C[t] > b}``. LLVM vectorises the plain
loop (``_minirocket_univariate``'s former ``_count_above``) into a main
loop of 16 points, a 4-point epilogue and a scalar remainder; at the short
ranges of short series (150 points and less) the epilogue, the remainder
and the reductions took about as long as the main loop.

Here the loop is written directly in LLVM IR (a numba intrinsic, as
``_pooling_lanes``): blocks of eight points, each a vector add, four
compares and four integer subtracts of the all-ones masks, and a last
partial block that reads a whole vector and masks off the lanes past
``n``; the four count vectors are then summed together in three rounds of
shuffles (a transposition) rather than one by one.

The caller guarantees that eight points past each range's end are
readable (the one-channel kernel's workspace has the slack); what they
hold never reaches a count. Counts are integers, so they equal the plain
loop's exactly; ``C[t]`` is the same float32 addition.
"""

from __future__ import annotations

from typing import Any

from llvmlite import ir
from numba import types
from numba.core.extending import intrinsic

from ._pooling_lanes import is_contiguous_float32, splat

LANES = 8  # float32 points per vector: one AVX2 register
# what a range may read past its end (a whole last vector)
SLACK = LANES
F32, I32, I64 = ir.FloatType(), ir.IntType(32), ir.IntType(64)
VF32, VI32 = ir.VectorType(F32, LANES), ir.VectorType(I32, LANES)


def _load(builder: ir.IRBuilder, base: Any, t: Any) -> Any:
    """The eight float32 at ``base + t`` (unaligned)."""
    address = builder.gep(base, [t], inbounds=True, source_etype=F32)
    pointer = builder.bitcast(address, VF32.as_pointer())
    return builder.load(pointer, align=4, typ=VF32)


def _count_block(builder, pair, gamma, t, biases, counts, lane_mask=None):
    """``counts`` plus the block at ``t`` (its lanes in ``lane_mask`` only)."""
    values = builder.fadd(_load(builder, pair, t), _load(builder, gamma, t))
    updated = []
    for bias, count in zip(biases, counts, strict=True):
        above = builder.fcmp_ordered(">", values, bias)
        if lane_mask is not None:
            above = builder.and_(above, lane_mask)
        # an all-ones lane is -1: subtracting it adds one
        updated.append(builder.sub(count, builder.sext(above, VI32)))
    return updated


def _emit_counts(builder, pair, gamma, n, biases):
    """IR of the four count vectors of ``pair[:n] + gamma[:n] > biases``."""
    zeros = ir.Constant(VI32, [0] * LANES)
    whole = builder.and_(n, ir.Constant(I64, -LANES))  # n rounded down to 8
    entry = builder.block
    loop = builder.append_basic_block("count.loop")
    tail = builder.append_basic_block("count.tail")
    builder.cbranch(builder.icmp_signed(">", whole, ir.Constant(I64, 0)), loop, tail)

    builder.position_at_end(loop)
    t = builder.phi(I64, "t")
    phis = [builder.phi(VI32) for _ in biases]
    new_counts = _count_block(builder, pair, gamma, t, biases, phis)
    next_t = builder.add(t, ir.Constant(I64, LANES))
    t.add_incoming(ir.Constant(I64, 0), entry)
    t.add_incoming(next_t, loop)
    for phi, new in zip(phis, new_counts, strict=True):
        phi.add_incoming(zeros, entry)
        phi.add_incoming(new, loop)
    builder.cbranch(builder.icmp_signed("<", next_t, whole), loop, tail)

    builder.position_at_end(tail)
    counts = []
    for new in new_counts:
        phi = builder.phi(VI32)
        phi.add_incoming(zeros, entry)
        phi.add_incoming(new, loop)
        counts.append(phi)
    # the last partial block: lanes i < n - whole are points of the range
    left = builder.trunc(builder.sub(n, whole), I32)
    lane_mask = builder.icmp_signed(
        "<", ir.Constant(VI32, list(range(LANES))), splat(builder, left, LANES)
    )
    return _count_block(builder, pair, gamma, whole, biases, counts, lane_mask)


# the lanes each round of _reduce adds (two shuffles of two vectors)
ROUND_1 = ([0, 1, 2, 3, 8, 9, 10, 11], [4, 5, 6, 7, 12, 13, 14, 15])
ROUND_2 = ([0, 1, 8, 9, 4, 5, 12, 13], [2, 3, 10, 11, 6, 7, 14, 15])
ROUND_3 = ([0, 2, 4, 6, 8, 10, 12, 14], [1, 3, 5, 7, 9, 11, 13, 15])


def _pair_sums(
    builder: ir.IRBuilder, first: Any, second: Any, lo: list[int], hi: list[int]
) -> Any:
    """``shuffle(first, second, lo) + shuffle(first, second, hi)``."""
    pick = [
        builder.shuffle_vector(first, second, ir.Constant(VI32, order))
        for order in (lo, hi)
    ]
    return builder.add(*pick)


def _reduce(builder: ir.IRBuilder, vectors: list) -> list:
    """The int32 lane sums of the four count vectors, as IR scalars in order.

    Three rounds of shuffles and adds, each halving the partial sums per
    vector while packing two vectors' partials into one (a transposition):
    3 vector adds instead of 12 for four separate reductions.
    """
    a, b, c, d = vectors
    # round 1: [a0+a4 .. a3+a7, b0+b4 .. b3+b7], the same for (c, d)
    ab = _pair_sums(builder, a, b, *ROUND_1)
    cd = _pair_sums(builder, c, d, *ROUND_1)
    # round 2: two partial sums each, in the order a, c, b, d
    quarters = _pair_sums(builder, ab, cd, *ROUND_2)
    # round 3: the sums of a, c, b, d in lanes 0 .. 3
    totals = _pair_sums(builder, quarters, quarters, *ROUND_3)
    return [
        builder.extract_element(totals, ir.Constant(I32, lane)) for lane in (0, 2, 1, 3)
    ]


@intrinsic
def count_above(
    typingctx: Any,
    pair: Any,
    pair_first: Any,
    gamma: Any,
    gamma_first: Any,
    n: Any,
    biases: Any,
) -> Any:
    """``#{t < n : pair[pair_first + t] + gamma[gamma_first + t] > b}`` for
    each ``b`` of the tuple ``biases`` (four float32): four int32.

    ``pair`` and ``gamma`` are one-dimensional C-contiguous float32 arrays
    readable up to ``SLACK`` points past ``first + n``; ``n >= 0``.
    """
    if not (
        is_contiguous_float32(pair)
        and is_contiguous_float32(gamma)
        and isinstance(biases, types.UniTuple)
        and biases.dtype == types.float32
        and biases.count == 4
    ):
        return None
    n_biases = biases.count
    result = types.UniTuple(types.int32, n_biases)
    signature = result(pair, types.int64, gamma, types.int64, types.int64, biases)

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        bases = []
        for array_type, array, first in ((sig.args[0], args[0], args[1]),
                                         (sig.args[2], args[2], args[3])):  # fmt: skip
            data = context.make_array(array_type)(context, builder, array).data
            bases.append(builder.gep(data, [first], inbounds=True, source_etype=F32))
        splats = [
            splat(builder, builder.extract_value(args[5], i), LANES)
            for i in range(n_biases)
        ]
        vectors = _emit_counts(builder, bases[0], bases[1], args[4], splats)
        totals = _reduce(builder, vectors)
        return context.make_tuple(builder, sig.return_type, totals)

    return signature, codegen
