// Board power of the GPU while a kernel (or a whole CUDA Graph) runs back to back: the calibration and
// validation data of the GPU model's power model (docs/models/gpu.md, "Energy"). Read from NVML, the
// library nvidia-smi reads, opened at run time so that ssmsim-cuda builds and runs where no driver is.
#pragma once

#include <functional>
#include <memory>
#include <string>

namespace ssmsim::cuda {

struct PowerWindow {
    double watts = 0;      // mean board power: NVML's energy counter over whole updates of it
    double smi_watts = 0;  // mean of nvidia-smi's power.draw (NVML power usage) sampled in the window
    double sm_mhz = 0;     // mean SM clock in the window (a throttled run shows here)
    double seconds = 0;    // the window: from one update of the energy counter to a later one
    long long groups = 0;  // launch groups that completed in the window (for a rate, not exact at its edges)
    double busy = 0;       // groups x their timed length / the window: 1 when the host kept the GPU fed
};

class BoardPower {
public:
    BoardPower();  // NVML for the current CUDA device; available() says whether it could be opened
    ~BoardPower();
    BoardPower(const BoardPower&) = delete;
    BoardPower& operator=(const BoardPower&) = delete;

    bool available() const { return handle_ != nullptr; }
    const std::string& why_not() const { return why_not_; }

    // Keeps the GPU busy with `enqueue_group` (asynchronous launches on the per-thread default stream, each
    // group timed at about `group_ms`) for `warm_s`, then for at least `seconds` more, and measures that
    // stretch.
    PowerWindow sustain(const std::function<void()>& enqueue_group, double group_ms, double seconds,
                        double warm_s = 0.3);
    // Nothing running: the board's power with the clocks as the last work left them.
    PowerWindow idle(double seconds);

    struct Api;  // the NVML entry points (board_power.cpp)

private:
    std::unique_ptr<Api> api_;
    void* handle_ = nullptr;
    std::string why_not_;
};

}  // namespace ssmsim::cuda
