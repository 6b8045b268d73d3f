// The LRA transformer baseline (Tay et al. 2020; google-research/long-range-arena): learned position
// embeddings, pre-LayerNorm blocks of multi-head self-attention (bidirectional) and a GELU MLP, a final
// LayerNorm. Pooling and the classifier head are added by build.cpp.
#include <cmath>

#include <fmt/format.h>

#include "workloads/lra/archs.h"

namespace ssmsim::workloads {

std::string transformer_encoder(GraphBuilder& g, const ArchConfig& c, std::string x) {
    const Shape s = g.shape(x);  // [B, L, D]
    // One position table, repeated per row, drawn N(0, 0.02) from one stream so a shorter trace sees a
    // prefix. Drawn straight into the tensor (it grows with the length: no copies), the stream restarted at
    // each row so that every row holds the same table.
    const int64_t per_row = s[1] * s[2];
    const uint64_t seed = g.seed();
    x = g.add("pos_add", x, g.param("pos_embedding", s, [per_row, seed](Rng& r, int64_t i) {
        if (i > 0 && i % per_row == 0) r = Rng::for_stream(seed, "pos_embedding");
        return static_cast<float>(r.normal(0.0, 0.02));
    }));
    for (int l = 0; l < c.layers; ++l) {
        const std::string p = fmt::format("l{}", l);
        const std::string h = g.layernorm(p + ".ln1", x);
        const std::string q = g.linear(p + ".q", h, c.qkv_dim, true);
        const std::string k = g.linear(p + ".k", h, c.qkv_dim, true);
        const std::string v = g.linear(p + ".v", h, c.qkv_dim, true);
        const double scale = 1.0 / std::sqrt(static_cast<double>(c.qkv_dim / c.heads));
        const std::string att = g.op("attention", p + ".attn", {q, k, v}, g.shape(q),
                                     {{"heads", c.heads}, {"causal", false}, {"scale", scale}});
        x = g.add(p + ".res1", x, g.linear(p + ".attn_out", att, c.d_model, true));
        const std::string m = g.unary("gelu", p + ".mlp_act",
                                      g.linear(p + ".mlp1", g.layernorm(p + ".ln2", x), c.mlp_dim, true));
        x = g.add(p + ".res2", x, g.linear(p + ".mlp2", m, c.d_model, true));
    }
    return g.layernorm("final_norm", x);
}

}  // namespace ssmsim::workloads
