// CUDA events and graphs as the harness times with them: owned handles, an event-pair timer and one way
// to capture a CUDA Graph. Every launch goes to the per-thread default stream (kernels/CMakeLists.txt).
#pragma once

#include <cuda_runtime.h>

#include <functional>
#include <vector>

#include "kernels/cuda_check.h"

namespace ssmsim::cuda {

// n events, created together and destroyed with the object.
class Events {
public:
    explicit Events(size_t n) : ev_(n) {
        for (auto& e : ev_) check(cudaEventCreate(&e), "cudaEventCreate");
    }
    ~Events() {
        for (auto e : ev_) cudaEventDestroy(e);
    }
    Events(const Events&) = delete;
    Events& operator=(const Events&) = delete;
    cudaEvent_t operator[](size_t i) const { return ev_[i]; }
    void record(size_t i) const { check(cudaEventRecord(ev_[i], cudaStreamPerThread), "cudaEventRecord"); }

private:
    std::vector<cudaEvent_t> ev_;
};

// Milliseconds from event a to event b, once b has completed.
inline double elapsed_ms(cudaEvent_t a, cudaEvent_t b) {
    check(cudaEventSynchronize(b), "cudaEventSynchronize");
    float ms = 0.0f;
    check(cudaEventElapsedTime(&ms, a, b), "cudaEventElapsedTime");
    return ms;
}

// Milliseconds that `work` takes on the GPU, between an event pair recorded around it (ev[0], ev[1]).
inline double time_between_events_ms(const Events& ev, const std::function<void()>& work) {
    ev.record(0);
    work();
    ev.record(1);
    return elapsed_ms(ev[0], ev[1]);
}

// A CUDA Graph captured from the launches `enqueue` makes, instantiated and owned. A launch that throws
// during capture ends the capture (no stream is left capturing) and the exception goes on.
class CapturedGraph {
public:
    explicit CapturedGraph(const std::function<void()>& enqueue) {
        cudaStream_t stream = cudaStreamPerThread;
        check(cudaStreamBeginCapture(stream, cudaStreamCaptureModeRelaxed), "cudaStreamBeginCapture");
        try {
            enqueue();
        } catch (...) {
            cudaGraph_t broken = nullptr;
            cudaStreamEndCapture(stream, &broken);
            if (broken) cudaGraphDestroy(broken);
            throw;
        }
        cudaGraph_t graph = nullptr;
        check(cudaStreamEndCapture(stream, &graph), "cudaStreamEndCapture");
        const cudaError_t inst = cudaGraphInstantiate(&exec_, graph, 0);
        cudaGraphDestroy(graph);
        check(inst, "cudaGraphInstantiate");
    }
    ~CapturedGraph() {
        if (exec_) cudaGraphExecDestroy(exec_);
    }
    CapturedGraph(const CapturedGraph&) = delete;
    CapturedGraph& operator=(const CapturedGraph&) = delete;
    void launch() const { check(cudaGraphLaunch(exec_, cudaStreamPerThread), "cudaGraphLaunch"); }

private:
    cudaGraphExec_t exec_ = nullptr;
};

}  // namespace ssmsim::cuda
