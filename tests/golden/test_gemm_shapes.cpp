// ssmsim-cuda bench --gemm-shapes: the shapes our int8 GEMM is timed at beside cuBLASLt (host side, no GPU).
#ifdef SSMSIM_HAVE_CUDA_HOST

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "kernels/harness/gemm_shapes.h"
#include "sim/util/error.h"

namespace ssmsim::cuda {
namespace {

std::filesystem::path write_csv(const std::string& name, const std::string& text) {
    const auto p = std::filesystem::path(testing::TempDir()) / name;
    std::ofstream(p) << text;
    return p;
}

std::string error_of(const std::filesystem::path& p) {
    try {
        read_gemm_shapes(p);
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

TEST(GemmShapes, DistinctShapesInFileOrder) {
    const auto p = write_csv("shapes.csv",
                             "# provenance\ntask,op,m,n,k,time_us_median\n"
                             "text,in_proj,4096,1024,256,9.5\ntext,out_proj,4096,256,512,7\n"
                             "image,in_proj,4096,1024,256,9.5\nimage,classifier,1,10,256,3\n");
    const std::vector<GemmShape> want = {{4096, 1024, 256}, {4096, 256, 512}, {1, 10, 256}};
    EXPECT_EQ(read_gemm_shapes(p), want);
}

TEST(GemmShapes, BadFilesNameTheRowAndColumn) {
    const std::string missing = error_of(write_csv("nok.csv", "m,n\n4,4\n"));
    EXPECT_NE(missing.find("row 1, column k"), std::string::npos) << missing;
    const std::string bad = error_of(write_csv("bad.csv", "m,n,k\n4,4,4\n8,x8,8\n"));
    EXPECT_NE(bad.find("row 2, column n"), std::string::npos) << bad;
    EXPECT_NE(bad.find("'x8'"), std::string::npos) << bad;
    EXPECT_NE(error_of(write_csv("zero.csv", "m,n,k\n0,4,4\n")).find("column m"), std::string::npos);
    EXPECT_NE(error_of(write_csv("huge.csv", "m,n,k\n4,4,2000000\n")).find("column k"), std::string::npos);
    EXPECT_NE(error_of(write_csv("empty.csv", "# only provenance\nm,n,k\n")).find("at least one row"),
              std::string::npos);
    EXPECT_NE(error_of(std::filesystem::path(testing::TempDir()) / "absent.csv").find("no such file"),
              std::string::npos);
}

}  // namespace
}  // namespace ssmsim::cuda

#endif
