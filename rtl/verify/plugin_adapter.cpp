// The adapter `ssmsim rtl verify` compiles into a user's Verilated scan unit (class Vuser_scan): the
// shared library's two entry points (rtl/verify/scan_unit_model.h). Compiled by the command, not by CMake.
#include "Vuser_scan.h"
#include "rtl/verify/driver_model.h"

extern "C" int ssmsim_scan_plugin_abi() { return ssmsim::rtl::kScanPluginAbi; }

extern "C" ssmsim::rtl::ScanUnitModel* ssmsim_make_scan_unit(const ssmsim::rtl::UnitParams* p,
                                                             const ssmsim::rtl::UnitOptions* o) {
    return new ssmsim::rtl::DriverModel<Vuser_scan>(*p, *o);
}
