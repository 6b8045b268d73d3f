#pragma once

#include <span>
#include <string>
#include <vector>

namespace ssmsim {

// Incremental SHA-256 (OpenSSL), hex digest.
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;
    void update(std::span<const std::byte> data);
    std::string hex();

private:
    void* ctx_;
};

std::string sha256_hex(std::span<const std::byte> data);

}  // namespace ssmsim
