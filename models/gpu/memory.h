// The GPU's shared resources as TLM-2.0 targets, timed by occupancy in cycles (double precision, so that
// many small jobs do not round away): the SMs' issue slots, the partitioned L2 with its tag store, and
// HBM. Loosely timed with temporal decoupling, like sim/sc/timed_unit.h: the controller issues jobs in the
// order of their ready times and each target answers when the job's result is available.
#pragma once

#include <cstdint>
#include <list>
#include <unordered_map>
#include <vector>

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <systemc>
#include <tlm>

#include "models/gpu/kernels.h"
#include "models/gpu/spec.h"

namespace ssmsim::gpu {

template <typename T>
struct Extension : tlm::tlm_extension<T> {
    tlm::tlm_extension_base* clone() const override { return new T(static_cast<const T&>(*this)); }
    void copy_from(const tlm::tlm_extension_base& other) override {
        *static_cast<T*>(this) = static_cast<const T&>(other);
    }
};

// A job for one SM: `service` cycles of its issue slots, then `latency` cycles until the result.
struct SmJob : Extension<SmJob> {
    int64_t sm = 0;
    double ready = 0, service = 0, latency = 0;
    double end = 0;  // answered
};

// A CTA's tile load or store through the L2.
struct MemRequest : Extension<MemRequest> {
    int64_t sm = 0;
    const Access* access = nullptr;
    double ready = 0;
    double end = 0;     // answered: data in registers/shared memory (load) or accepted by the L2 (store)
    double missed = 0;  // answered: bytes that came from HBM
};

// DRAM traffic from the L2: misses, write-backs.
struct HbmRequest : Extension<HbmRequest> {
    double ready = 0, bytes = 0;
    bool write = false;
    double end = 0;
};

// Sends an extension through a socket as a TLM_IGNORE_COMMAND payload and returns it answered.
template <typename Socket, typename Ext>
void send(Socket& socket, Ext& ext) {
    tlm::tlm_generic_payload payload;
    payload.set_command(tlm::TLM_IGNORE_COMMAND);
    payload.set_extension(&ext);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    socket->b_transport(payload, delay);
    payload.clear_extension(&ext);
}

class SmArray : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<SmArray> socket;
    explicit SmArray(sc_core::sc_module_name name);
    void configure(const Spec& spec);  // a new run: every SM idle at cycle 0
    double busy_cycles() const { return busy_total_; }

private:
    void b_transport(tlm::tlm_generic_payload& payload, sc_core::sc_time& delay);
    std::vector<double> busy_until_;
    double busy_total_ = 0;
};

class Hbm : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<Hbm> socket;
    explicit Hbm(sc_core::sc_module_name name);
    void configure(const Spec& spec);
    double read_bytes = 0, write_bytes = 0, busy = 0;

private:
    void b_transport(tlm::tlm_generic_payload& payload, sc_core::sc_time& delay);
    const Spec* spec_ = nullptr;
    double busy_until_ = 0;
};

struct L2Stats {
    double read_hit_bytes = 0, read_miss_bytes = 0, write_bytes = 0, far_bytes = 0;
    double hit_rate() const {
        const double r = read_hit_bytes + read_miss_bytes;
        return r > 0 ? read_hit_bytes / r : 0.0;
    }
};

// Partitioned L2: blocks of `l2.block_bytes` homed in a partition by a hash of their address; an LRU tag
// store over blocks, each remembering how many of its bytes are present (a block that CTAs fill piece by
// piece, as scans do with their channels' share of each row, hits only once all its bytes came in);
// write-back: stores allocate dirty blocks, evictions write them to HBM.
class L2 : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<L2> socket;
    tlm_utils::simple_initiator_socket<L2> to_hbm;
    explicit L2(sc_core::sc_module_name name);
    void configure(const Spec& spec);
    void set_tensor_bytes(uint32_t tensor, int64_t bytes);
    void forget(uint32_t tensor);  // the tensor was freed: its blocks leave without a write-back
    void flush();                  // empty, clean (between independent measurements)
    // Full of other data, a share `dirty` of it modified: what earlier launches on other buffers leave.
    void prefill(uint32_t foreign_tensor, double dirty);
    L2Stats stats;
    double busy = 0;

private:
    struct Block {
        uint64_t key;
        double filled;
        bool dirty;
    };
    void b_transport(tlm::tlm_generic_payload& payload, sc_core::sc_time& delay);
    double block_capacity(uint32_t tensor, int64_t block) const;
    void evict_one(double when);

    const Spec* spec_ = nullptr;
    std::list<Block> lru_;  // front: most recent
    std::unordered_map<uint64_t, std::list<Block>::iterator> map_;
    int64_t capacity_blocks_ = 0;
    std::vector<double> part_busy_;
    std::vector<int64_t> tensor_bytes_;
    std::vector<double> part_bytes_;
};

}  // namespace ssmsim::gpu
