#include "rtl/verify/scan_check.h"

#include <sstream>

namespace ssmsim::rtl {

std::string first_mismatch(const ScanCase& c, const TensorStore& d, const Tensor& ref, const Tensor& got,
                           int lanes, int slots) {
    const auto a = ref.as<int8_t>(), b = got.as<int8_t>();
    for (size_t i = 0; i < a.size(); ++i) {
        if (a[i] == b[i]) continue;
        const int64_t e = static_cast<int64_t>(i) % c.channels, bt = static_cast<int64_t>(i) / c.channels;
        const int64_t t = bt % c.len, bi = bt / c.len;
        const int64_t p0 = (e % group_of(c, lanes, slots)) * c.states;
        std::ostringstream s;
        s << "first difference at batch " << bi << ", t " << t << ", channel " << e << " (lanes "
          << p0 % lanes << ".." << (p0 + c.states - 1) % lanes << ", slots " << p0 / lanes << ".."
          << (p0 + c.states - 1) / lanes << "): reference " << int{a[i]} << ", RTL " << int{b[i]}
          << "; inputs u " << int{d.at("u").as<int8_t>()[i]} << ", D " << d.at("D").as<int32_t>()[e];
        if (c.selective) {
            s << ", delta " << int{d.at("delta").as<int8_t>()[i]} << ", A[e,0] "
              << d.at("A").as<int16_t>()[e * c.states] << ", B[t,0] "
              << int{d.at("B").as<int8_t>()[bt * c.states]} << ", C[t,0] "
              << int{d.at("C").as<int8_t>()[bt * c.states]};
            if (c.gated) s << ", z " << int{d.at("z").as<int8_t>()[i]};
        } else {
            s << ", Abar[e,0] " << d.at("Abar").as<int32_t>()[e * c.states] << ", Bbar[e,0] "
              << d.at("Bbar").as<int16_t>()[e * c.states] << ", C[e,0] "
              << d.at("C").as<int16_t>()[e * c.states];
        }
        return s.str();
    }
    return "";
}

}  // namespace ssmsim::rtl
