// The vector unit's ops (LUT ops, mul, add, gate, rmsnorm, layernorm, conv1d, pool, embedding), computed tile
// by tile as the unit streams them: the mapper (mapper.cpp, Mapper::vector) cuts an op into row tiles, and
// each tile's job computes exactly its rows, pass by pass as the vector unit's timing counts them (norms: a
// sum pass, a squares pass, an output pass; conv1d: a multiply-add pass per tap, then the requantization).
// What a tile hands to the next (pool's running sums) lives in the op's VectorOp.
#pragma once

#include <cstdint>
#include <memory>

#include "sim/trace/trace.h"

namespace ssmsim::systolic {

// The rows of an op's iteration space as the mapper tiles it: the first input's rows of its last dimension
// (embedding: one row per token, of the table's width).
struct VectorRows {
    int64_t rows = 0, row_elems = 0;
};
VectorRows vector_rows(const Trace& trace, const OpDecl& op);

class VectorOp {
public:
    virtual ~VectorOp() = default;
    // Computes rows [r0, r1) of the iteration space into the output; adds saturations.
    virtual void rows(int64_t r0, int64_t r1, uint64_t& saturations) = 0;
};

// The op's walk with its tensors and attributes looked up once; `out` is the op's allocated output.
std::unique_ptr<VectorOp> make_vector_op(const Trace& trace, const OpDecl& op, const TensorStore& store,
                                         Tensor& out);

}  // namespace ssmsim::systolic
