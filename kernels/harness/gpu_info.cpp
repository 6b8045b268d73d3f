#include "kernels/harness/gpu_info.h"

#include <cuda_runtime.h>

#include <ctime>
#include <stdexcept>

namespace ssmsim::cuda {

namespace {
int attr(cudaDeviceAttr a, int dev) {
    int v = 0;
    return cudaDeviceGetAttribute(&v, a, dev) == cudaSuccess ? v : -1;
}
std::string version(int v) { return std::to_string(v / 1000) + "." + std::to_string(v % 1000 / 10); }
}  // namespace

nlohmann::ordered_json gpu_info() {
    int dev = 0, driver = 0, runtime = 0;
    if (cudaGetDevice(&dev) != cudaSuccess) throw std::runtime_error("CUDA: no device");
    cudaDeviceProp p{};
    if (cudaGetDeviceProperties(&p, dev) != cudaSuccess)
        throw std::runtime_error("CUDA: cudaGetDeviceProperties");
    cudaDriverGetVersion(&driver);
    cudaRuntimeGetVersion(&runtime);
    nlohmann::ordered_json j;
    j["name"] = p.name;
    j["compute_capability"] = std::to_string(p.major) + "." + std::to_string(p.minor);
    j["sm_count"] = p.multiProcessorCount;
    j["l2_bytes"] = p.l2CacheSize;
    j["memory_bytes"] = p.totalGlobalMem;
    j["memory_bus_bits"] = p.memoryBusWidth;
    j["shared_per_block_optin"] = p.sharedMemPerBlockOptin;
    j["sm_clock_khz_max"] = attr(cudaDevAttrClockRate, dev);
    j["memory_clock_khz_max"] = attr(cudaDevAttrMemoryClockRate, dev);
    j["cuda_driver_api"] = version(driver);
    j["cuda_runtime"] = version(runtime);
    return j;
}

std::string utc_now() {
    const std::time_t t = std::time(nullptr);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    return buf;
}

}  // namespace ssmsim::cuda
