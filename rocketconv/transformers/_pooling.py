"""A float32 maximum that LLVM vectorises, for the pooling loops.

LLVM does not turn numba's float ``max`` into a SIMD reduction (not with
``fastmath`` either: the loop stays scalar, ~1.5 cycles a point). It does
vectorise a *signed integer* maximum. A float32's bit pattern, read as an
int32 and with the 31 magnitude bits flipped when the sign bit is set,
orders exactly like the float (``-0.0`` just below ``+0.0``; inputs are
checked finite, so no NaN occurs), so

    maximum = from_key(max over t of key(value_t))

is the float maximum, bit for bit one of the values, found at the speed of
an integer reduction. The two bit casts are compiler intrinsics: free.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from llvmlite import ir
from numba import types
from numba.core.extending import intrinsic

from .. import _numba

MAGNITUDE_BITS = np.int32(0x7FFFFFFF)
# the key of every float32 is above this one (the key of a NaN with the sign
# bit set, which finite input never has)
SMALLEST_KEY = np.int32(-(2**31))


@intrinsic
def _bits_of_float32(typingctx: Any, value: Any) -> tuple:
    """The int32 with the same 32 bits as the float32 ``value``."""

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        return builder.bitcast(args[0], ir.IntType(32))

    return types.int32(types.float32), codegen


@intrinsic
def _float32_of_bits(typingctx: Any, bits: Any) -> tuple:
    """The float32 with the same 32 bits as the int32 ``bits``."""

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        return builder.bitcast(args[0], ir.FloatType())

    return types.float32(types.int32), codegen


@_numba.jit(inline="always")
def max_key(value):
    """An int32 that orders like the float32 ``value`` (see module docstring)."""
    bits = _bits_of_float32(value)  # type: ignore[call-arg, var-annotated]
    # np.int32 throughout: ``bits >> 31`` with a plain int is an int64, and
    # an int64 key halves the lanes of every loop that takes a maximum
    return np.int32(bits ^ ((bits >> np.int32(31)) & MAGNITUDE_BITS))


@_numba.jit(inline="always")
def from_max_key(key):
    """The float32 whose :func:`max_key` is ``key``."""
    bits = np.int32(key ^ ((key >> np.int32(31)) & MAGNITUDE_BITS))
    return _float32_of_bits(bits)  # type: ignore[call-arg]
