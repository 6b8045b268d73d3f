#include "models/gpu/memory.h"

#include <algorithm>

namespace ssmsim::gpu {

namespace {

uint64_t block_key(uint32_t tensor, int64_t block) {
    return (uint64_t{tensor} << 40) ^ static_cast<uint64_t>(block);
}

uint64_t mix(uint64_t x) {  // splitmix64 finaliser: spreads blocks over partitions
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

}  // namespace

SmArray::SmArray(sc_core::sc_module_name name) : sc_core::sc_module(name), socket("socket") {
    socket.register_b_transport(this, &SmArray::b_transport);
}

void SmArray::configure(const Spec& spec) {
    busy_until_.assign(static_cast<size_t>(spec.sms), 0.0);
    busy_total_ = 0;
}

void SmArray::b_transport(tlm::tlm_generic_payload& payload, sc_core::sc_time&) {
    SmJob* j = payload.get_extension<SmJob>();
    double& busy = busy_until_.at(static_cast<size_t>(j->sm));
    const double start = std::max(j->ready, busy);
    busy = start + j->service;
    busy_total_ += j->service;
    j->end = busy + j->latency;
    payload.set_response_status(tlm::TLM_OK_RESPONSE);
}

Hbm::Hbm(sc_core::sc_module_name name) : sc_core::sc_module(name), socket("socket") {
    socket.register_b_transport(this, &Hbm::b_transport);
}

void Hbm::configure(const Spec& spec) {
    spec_ = &spec;
    busy_until_ = 0;
    read_bytes = write_bytes = busy = 0;
}

void Hbm::b_transport(tlm::tlm_generic_payload& payload, sc_core::sc_time&) {
    HbmRequest* r = payload.get_extension<HbmRequest>();
    const double service = r->bytes / spec_->hbm_bytes_per_cycle;
    const double start = std::max(r->ready, busy_until_);
    busy_until_ = start + service;
    busy += service;
    (r->write ? write_bytes : read_bytes) += r->bytes;
    r->end = busy_until_ + spec_->hbm_latency;
    payload.set_response_status(tlm::TLM_OK_RESPONSE);
}

L2::L2(sc_core::sc_module_name name) : sc_core::sc_module(name), socket("socket"), to_hbm("to_hbm") {
    socket.register_b_transport(this, &L2::b_transport);
}

void L2::configure(const Spec& spec) {
    spec_ = &spec;
    capacity_blocks_ = std::max<int64_t>(1, spec.l2_bytes / spec.l2_block_bytes);
    part_busy_.assign(static_cast<size_t>(spec.l2_partitions), 0.0);
    part_bytes_.assign(static_cast<size_t>(spec.l2_partitions), 0.0);
    tensor_bytes_.clear();
    stats = {};
    busy = 0;
    flush();
}

void L2::set_tensor_bytes(uint32_t tensor, int64_t bytes) {
    if (tensor >= tensor_bytes_.size()) tensor_bytes_.resize(tensor + 1, 0);
    tensor_bytes_[tensor] = bytes;
}

void L2::flush() {
    lru_.clear();
    map_.clear();
}

void L2::prefill(uint32_t foreign, double dirty) {
    flush();
    const double b = static_cast<double>(spec_->l2_block_bytes);
    double owed = 0;
    for (int64_t i = 0; i < capacity_blocks_; ++i) {
        owed += dirty;  // spread the dirty blocks evenly through the LRU order
        const bool d = owed >= 1.0;
        if (d) owed -= 1.0;
        lru_.push_front({block_key(foreign, i), b, d});
        map_[lru_.front().key] = lru_.begin();
    }
}

void L2::forget(uint32_t tensor) {
    for (auto it = lru_.begin(); it != lru_.end();) {
        if ((it->key >> 40) == tensor) {
            map_.erase(it->key);
            it = lru_.erase(it);
        } else {
            ++it;
        }
    }
}

double L2::block_capacity(uint32_t tensor, int64_t block) const {
    const double b = static_cast<double>(spec_->l2_block_bytes);
    if (tensor >= tensor_bytes_.size() || tensor_bytes_[tensor] <= 0) return b;
    return std::min(b, static_cast<double>(tensor_bytes_[tensor] - block * spec_->l2_block_bytes));
}

void L2::evict_one(double when) {
    const Block victim = lru_.back();
    lru_.pop_back();
    map_.erase(victim.key);
    if (victim.dirty && victim.filled > 0) {
        HbmRequest w;
        w.ready = when;
        w.bytes = victim.filled;
        w.write = true;
        send(to_hbm, w);
    }
}

void L2::b_transport(tlm::tlm_generic_payload& payload, sc_core::sc_time&) {
    MemRequest* r = payload.get_extension<MemRequest>();
    const Access& a = *r->access;
    const Spec& s = *spec_;
    const int64_t bb = s.l2_block_bytes;
    const size_t parts = part_busy_.size();
    const size_t near = static_cast<size_t>(r->sm) % parts;
    std::fill(part_bytes_.begin(), part_bytes_.end(), 0.0);
    double miss = 0;
    for (int64_t i = 0; i < a.count; ++i) {
        const int64_t lo = a.lo + i * a.stride, hi = a.hi + i * a.stride;
        for (int64_t blk = lo / bb; blk * bb < hi; ++blk) {
            const double moved =
                static_cast<double>(std::min(hi, (blk + 1) * bb) - std::max(lo, blk * bb)) * a.fraction;
            const uint64_t key = block_key(a.tensor, blk);
            part_bytes_[mix(key) % parts] += moved;
            auto it = map_.find(key);
            if (it != map_.end()) {
                lru_.splice(lru_.begin(), lru_, it->second);
            } else {
                while (static_cast<int64_t>(map_.size()) >= capacity_blocks_) evict_one(r->ready);
                lru_.push_front({key, 0.0, false});
                map_[key] = lru_.begin();
            }
            Block& b = lru_.front();
            const double cap = block_capacity(a.tensor, blk);
            if (a.write) {
                b.filled = std::min(cap, b.filled + moved);
                b.dirty = true;
                stats.write_bytes += moved;
            } else if (b.filled >= cap - 0.5) {
                stats.read_hit_bytes += moved;
            } else {
                const double got = std::min(moved, cap - b.filled);
                b.filled += got;
                miss += got;
                stats.read_miss_bytes += got;
                stats.read_hit_bytes += moved - got;
            }
        }
    }
    // Each partition moves its share at its bandwidth; the far one adds the crossbar's latency.
    const double part_bw = s.l2_bytes_per_cycle / static_cast<double>(parts);
    double end = r->ready;
    for (size_t p = 0; p < parts; ++p) {
        if (part_bytes_[p] <= 0) continue;
        const double service = part_bytes_[p] / part_bw;
        const double start = std::max(r->ready, part_busy_[p]);
        part_busy_[p] = start + service;
        busy += service;
        double lat = s.l2_hit_latency;
        if (p != near) {
            lat += s.l2_far_latency;
            stats.far_bytes += part_bytes_[p];
        }
        end = std::max(end, part_busy_[p] + lat);
    }
    if (miss > 0) {
        HbmRequest m;
        m.ready = r->ready + s.l2_hit_latency;  // the tag lookup, then DRAM
        m.bytes = miss;
        send(to_hbm, m);
        end = std::max(end, m.end + s.l2_hit_latency);
    }
    r->missed = miss;
    r->end = a.write ? r->ready + s.l2_hit_latency : end;  // stores retire into the L2
    payload.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace ssmsim::gpu
