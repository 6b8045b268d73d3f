// .npy files: round trips, NumPy's own files, and clear errors for broken ones.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "sim/trace/npy.h"
#include "sim/util/error.h"

namespace fs = std::filesystem;
using namespace ssmsim;

namespace {

fs::path tmp(const std::string& name) {
    return fs::temp_directory_path() / ("ssmsim_npy_" + std::to_string(::getpid()) + "_" + name);
}

std::string message_of(const fs::path& p) {
    try {
        read_npy(p);
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

TEST(Npy, RoundTripEveryDtypeAndRank) {
    const auto p = tmp("rt.npy");
    const Tensor a = Tensor::from<int8_t>({3}, {-128, 0, 127});
    write_npy(p, a);
    const Tensor b = read_npy(p);
    EXPECT_EQ(b.shape(), Shape({3}));
    EXPECT_EQ(b.as<int8_t>()[0], -128);
    const Tensor c = Tensor::from<float>({2, 1, 2}, {1.5f, -2.0f, 0.0f, 3.25f});
    write_npy(p, c);
    const Tensor d = read_npy(p);
    EXPECT_EQ(d.dtype(), DType::float32);
    EXPECT_EQ(d.shape(), Shape({2, 1, 2}));
    EXPECT_EQ(d.as<float>()[3], 3.25f);
    const Tensor e = Tensor::from<int16_t>({1, 2}, {-300, 300});
    write_npy(p, e);
    EXPECT_EQ(read_npy(p).as<int16_t>()[0], -300);
    // Data starts 64-byte aligned, as NumPy writes it.
    EXPECT_EQ(read_npy_header(p).data_offset % 64, 0u);
    fs::remove(p);
}

TEST(Npy, ReadsAndWritesFilesNumPyUnderstands) {
    if (std::system("/usr/bin/python3 -c 'import numpy' 2>/dev/null") != 0)
        GTEST_SKIP() << "python3-numpy not installed";
    const auto p = tmp("np.npy");
    const std::string make = "/usr/bin/python3 -c \"import numpy as np; np.save('" + p.string() +
                             "', np.arange(-6, 6, dtype=np.int32).reshape(3, 4))\"";
    ASSERT_EQ(std::system(make.c_str()), 0);
    const Tensor t = read_npy(p);
    EXPECT_EQ(t.shape(), Shape({3, 4}));
    EXPECT_EQ(t.as<int32_t>()[0], -6);
    EXPECT_EQ(t.as<int32_t>()[11], 5);
    write_npy(p, Tensor::from<int8_t>({2}, {7, -9}));
    const std::string check = "/usr/bin/python3 -c \"import numpy as np; a = np.load('" + p.string() +
                              "'); assert a.dtype == np.int8 and a.shape == (2,) and list(a) == [7, -9]\"";
    EXPECT_EQ(std::system(check.c_str()), 0);
    fs::remove(p);
}

TEST(Npy, BrokenFilesNameTheFileAndTheProblem) {
    const auto p = tmp("bad.npy");
    write_npy(p, Tensor::from<int32_t>({4}, {1, 2, 3, 4}));
    fs::resize_file(p, fs::file_size(p) - 1);
    EXPECT_NE(message_of(p).find("truncated"), std::string::npos);
    EXPECT_NE(message_of(p).find(p.string()), std::string::npos);

    const std::string dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }\n";
    std::ofstream(p, std::ios::trunc) << std::string("\x93NUMPY\x01\x00", 8) << static_cast<char>(dict.size())
                                      << '\0' << dict << std::string(8, '\0');
    EXPECT_NE(message_of(p).find("descr"), std::string::npos);

    std::ofstream(p, std::ios::trunc) << "PK\x03\x04 a zip file";
    EXPECT_NE(message_of(p).find("magic"), std::string::npos);

    EXPECT_NE(message_of(tmp("absent.npy")).find("no such file"), std::string::npos);
    fs::remove(p);
}

// A header as NumPy would never write it: the reader used to take the first of two 'descr' keys.
std::string header_message(const std::string& dict) {
    const auto p = tmp("hdr.npy");
    std::string padded = dict;
    while ((10 + padded.size() + 1) % 64) padded += ' ';
    padded += '\n';
    std::ofstream(p, std::ios::trunc | std::ios::binary)
        << std::string("\x93NUMPY\x01\x00", 8) << static_cast<char>(padded.size()) << '\0' << padded
        << std::string(4, '\0');
    const std::string msg = message_of(p);
    fs::remove(p);
    return msg;
}

TEST(Npy, HeadersWithDuplicateOrUnknownKeysAreRefused) {
    EXPECT_EQ(header_message("{'descr': '<i4', 'fortran_order': False, 'shape': (1,), }"), "");
    const std::string twice =
        header_message("{'descr': '<i4', 'descr': '|i1', 'fortran_order': False, 'shape': (1,), }");
    EXPECT_NE(twice.find("header field 'descr'"), std::string::npos) << twice;
    EXPECT_NE(twice.find("it twice"), std::string::npos) << twice;
    const std::string shape_twice =
        header_message("{'descr': '<i4', 'fortran_order': False, 'shape': (1,), 'shape': (2,)}");
    EXPECT_NE(shape_twice.find("'shape'"), std::string::npos) << shape_twice;
    const std::string unknown =
        header_message("{'descr': '<i4', 'fortran_order': False, 'shape': (1,), 'strides': (4,)}");
    EXPECT_NE(unknown.find("'strides'"), std::string::npos) << unknown;
    EXPECT_NE(
        header_message("{'descr': '<i4', 'fortran_order': False, 'shape': (1,), } junk").find("padding"),
        std::string::npos);
    EXPECT_NE(header_message("['descr', '<i4']").find("dict"), std::string::npos);
}

// A FIFO named like a tensor file used to hang the reader; /dev/zero is a device, not a file.
TEST(Npy, SpecialFilesAreRefusedAtOnce) {
    const auto p = tmp("fifo.npy");
    fs::remove(p);
    ASSERT_EQ(::mkfifo(p.c_str(), 0600), 0);
    EXPECT_NE(message_of(p).find("FIFO"), std::string::npos) << message_of(p);
    fs::remove(p);
    EXPECT_NE(message_of("/dev/zero").find("character device"), std::string::npos);
}

}  // namespace
