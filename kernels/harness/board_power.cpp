#include "kernels/harness/board_power.h"

#include <cuda_runtime.h>
#include <dlfcn.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <deque>

#include "kernels/cuda_check.h"

namespace ssmsim::cuda {

// The few NVML entry points used, declared by their documented C signatures (nvmlReturn_t is an int enum,
// 0 = success; nvmlDevice_t an opaque pointer). No NVML header or library is needed to build.
struct BoardPower::Api {
    void* lib = nullptr;
    int (*init)() = nullptr;
    int (*shutdown)() = nullptr;
    int (*by_pci)(const char*, void**) = nullptr;
    int (*energy_mj)(void*, unsigned long long*) = nullptr;  // total since the driver loaded, mJ
    int (*power_mw)(void*, unsigned int*) = nullptr;         // power.draw of nvidia-smi, mW
    int (*clock_mhz)(void*, int, unsigned int*) = nullptr;   // clock type 1: SM
};

namespace {

template <class F>
bool bind(void* lib, const char* name, F& f) {
    f = reinterpret_cast<F>(dlsym(lib, name));
    return f != nullptr;
}

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

}  // namespace

BoardPower::BoardPower() : api_(std::make_unique<Api>()) {
    api_->lib = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!api_->lib) {
        why_not_ = "libnvidia-ml.so.1 (NVML) could not be opened";
        return;
    }
    Api& a = *api_;
    if (!bind(a.lib, "nvmlInit_v2", a.init) || !bind(a.lib, "nvmlShutdown", a.shutdown) ||
        !bind(a.lib, "nvmlDeviceGetHandleByPciBusId_v2", a.by_pci) ||
        !bind(a.lib, "nvmlDeviceGetTotalEnergyConsumption", a.energy_mj) ||
        !bind(a.lib, "nvmlDeviceGetPowerUsage", a.power_mw) ||
        !bind(a.lib, "nvmlDeviceGetClockInfo", a.clock_mhz)) {
        why_not_ = "NVML lacks an entry point this needs";
        return;
    }
    if (a.init() != 0) {
        why_not_ = "nvmlInit failed";
        return;
    }
    int dev = 0;
    check(cudaGetDevice(&dev), "cudaGetDevice");
    std::array<char, 32> bus{};
    check(cudaDeviceGetPCIBusId(bus.data(), static_cast<int>(bus.size()), dev), "cudaDeviceGetPCIBusId");
    void* h = nullptr;
    unsigned long long e = 0;
    if (a.by_pci(bus.data(), &h) != 0 || a.energy_mj(h, &e) != 0) {
        why_not_ = "NVML has no energy counter for this GPU";
        return;
    }
    handle_ = h;
}

BoardPower::~BoardPower() {
    if (api_->init && api_->shutdown && handle_) api_->shutdown();
    if (api_->lib) dlclose(api_->lib);
}

namespace {

// Samples between two updates of the energy counter: the window starts at the first update after the
// warm-up and ends at the first update after `seconds` more, so its energy is exact to the counter's
// resolution (1 mJ) whatever the counter's update period.
class Window {
public:
    Window(void* h, const BoardPower::Api& a, double warm_s, double seconds)
        : h_(h), a_(a), warm_s_(warm_s), seconds_(seconds), t_start_(Clock::now()) {
        last_ = energy();
    }

    // One poll; true once the window has closed.
    bool poll() {
        const unsigned long long e = energy();
        const bool updated = e != last_;
        last_ = e;
        const double t = seconds_since(t_start_);
        if (!open_) {
            if (updated && t >= warm_s_) {
                open_ = true;
                e0_ = e;
                t0_ = Clock::now();
            }
            return false;
        }
        const double in = seconds_since(t0_);
        if (in - last_sample_ >= 0.01) {  // nvidia-smi's power.draw and the SM clock, every 10 ms
            unsigned int mw = 0, mhz = 0;
            if (a_.power_mw(h_, &mw) == 0) smi_sum_ += mw * 1e-3, ++smi_n_;
            if (a_.clock_mhz(h_, 1, &mhz) == 0) mhz_sum_ += mhz, ++mhz_n_;
            last_sample_ = in;
        }
        if (updated && in >= seconds_) {
            result_.seconds = in;
            result_.watts = static_cast<double>(e - e0_) * 1e-3 / in;
            result_.smi_watts = smi_n_ ? smi_sum_ / smi_n_ : 0.0;
            result_.sm_mhz = mhz_n_ ? mhz_sum_ / mhz_n_ : 0.0;
            return true;
        }
        if (t > warm_s_ + seconds_ + 10.0)
            throw std::runtime_error("NVML's energy counter did not advance for 10 s");
        return false;
    }
    bool open() const { return open_; }
    PowerWindow result() const { return result_; }

private:
    unsigned long long energy() const {
        unsigned long long e = 0;
        if (a_.energy_mj(h_, &e) != 0) throw std::runtime_error("NVML: reading the energy counter failed");
        return e;
    }

    void* h_;
    const BoardPower::Api& a_;
    double warm_s_, seconds_;
    Clock::time_point t_start_, t0_;
    unsigned long long last_ = 0, e0_ = 0;
    bool open_ = false;
    double last_sample_ = -1.0, smi_sum_ = 0, mhz_sum_ = 0;
    long smi_n_ = 0, mhz_n_ = 0;
    PowerWindow result_;
};

}  // namespace

PowerWindow BoardPower::sustain(const std::function<void()>& enqueue_group, double group_ms, double seconds,
                                double warm_s) {
    if (!available()) throw std::runtime_error("board power: " + why_not_);
    cudaStream_t stream = cudaStreamPerThread;
    // An NVML read takes milliseconds: keep about 40 ms of work queued, and refill the queue completely
    // before each read, so that the GPU never waits for the host.
    const size_t depth =
        static_cast<size_t>(std::clamp(std::ceil(40.0 / std::max(group_ms, 1e-3)), 3.0, 4096.0));
    std::deque<cudaEvent_t> queued;
    long long done_in_window = 0;
    Window w(handle_, *api_, warm_s, seconds);
    bool closed = false;
    while (!closed) {
        while (!queued.empty()) {
            const cudaError_t q = cudaEventQuery(queued.front());
            if (q == cudaErrorNotReady) break;
            check(q, "cudaEventQuery");
            check(cudaEventDestroy(queued.front()), "cudaEventDestroy");
            queued.pop_front();
            if (w.open()) ++done_in_window;
        }
        while (queued.size() < depth) {
            enqueue_group();
            cudaEvent_t ev = nullptr;
            check(cudaEventCreateWithFlags(&ev, cudaEventDisableTiming), "cudaEventCreate");
            check(cudaEventRecord(ev, stream), "cudaEventRecord");
            queued.push_back(ev);
        }
        closed = w.poll();
    }
    for (cudaEvent_t ev : queued) {
        check(cudaEventSynchronize(ev), "cudaEventSynchronize");
        cudaEventDestroy(ev);
    }
    PowerWindow r = w.result();
    r.groups = done_in_window;
    r.busy = std::min(1.0, static_cast<double>(done_in_window) * group_ms * 1e-3 / r.seconds);
    return r;
}

PowerWindow BoardPower::idle(double seconds) {
    if (!available()) throw std::runtime_error("board power: " + why_not_);
    check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
    Window w(handle_, *api_, 0.0, seconds);
    while (!w.poll()) {
    }
    return w.result();
}

}  // namespace ssmsim::cuda
