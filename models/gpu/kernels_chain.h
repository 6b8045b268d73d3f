// Internal to models/gpu: the lowerings of the kernels of generation "67eb621" (kernels_chain.cpp), used by
// lower() when the config's kernels.generation names them and the op fits the kernel's fast path.
#pragma once

#include "models/gpu/kernels.h"
#include "models/gpu/spec.h"

namespace ssmsim::gpu {

// Whether the CUDA harness takes the chain scan, mma attention or mma GEMM for this op (else the older
// kernel, lowered as before).
bool chain_kernel_fits(const KernelShape& shape);
KernelLaunch scan_chain(const KernelShape& shape, const Spec& spec);
KernelLaunch attention_chain(const KernelShape& shape, const Spec& spec);
KernelLaunch gemm_chain(const KernelShape& shape, const Spec& spec);

}  // namespace ssmsim::gpu
