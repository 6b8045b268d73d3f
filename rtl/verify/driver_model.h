// ScanUnitModel over rtl/harness/scan_driver.h's driver, for any Verilated class with the scan unit's ports.
#pragma once

#include "rtl/harness/scan_driver.h"
#include "rtl/verify/scan_unit_model.h"

namespace ssmsim::rtl {

template <class Model>
class DriverModel : public ScanUnitModel {
public:
    DriverModel(const UnitParams& p, const UnitOptions& o)
        : p_(p),
          d_({p.lanes, p.log_nmin, p.slots, p.table_depth},
             {o.plusargs, o.waves, o.input_valid, o.output_ready}) {}

    UnitParams params() const override { return p_; }
    std::string unsupported(const systolic::ScanOperands& op, const systolic::ScanChunk& ck) const override {
        return d_.unsupported(op, ck);
    }
    uint64_t run(const systolic::ScanOperands& op, const systolic::ScanChunk& ck, uint64_t& sat) override {
        return d_.run(op, ck, sat);
    }

private:
    UnitParams p_;
    ScanUnitDriver<Model> d_;
};

}  // namespace ssmsim::rtl
