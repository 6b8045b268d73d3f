#include "app/sweep_cmd.h"

#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "app/out_dir.h"
#include "app/python_script.h"
#include "sim/sweep/sweep.h"
#include "sim/trace/trace_io.h"
#include "sim/util/atomic_file.h"
#include "sim/util/error.h"
#include "sim/util/interrupt.h"
#include "sim/util/progress.h"
#include "workloads/lra/lra.h"

#ifdef SSMSIM_HAVE_MPI
#include <boost/mpi/collectives.hpp>
#include <boost/mpi/communicator.hpp>
#include <boost/mpi/environment.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#endif

namespace ssmsim::cli {

namespace fs = std::filesystem;
using json = nlohmann::json;

extern const char* const kReportPlotsPy;  // report_plots.py, embedded at build time

namespace {

// Launched by mpirun (Open MPI, MPICH/PMI or PMIx)?
bool under_mpi() {
    return std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMI_SIZE") || std::getenv("PMIX_RANK");
}

// Exit status: 0 when every point is ok, 1 when some failed (all recorded; the others ran).
int failed_points(const std::vector<json>& results) {
    return static_cast<int>(std::count_if(results.begin(), results.end(),
                                          [](const json& r) { return r.value("status", "") != "ok"; }));
}

// Every workload of the sweep, checked when the file loads: a misspelt task or a folder that is not a trace
// would otherwise fail each of its points, one process at a time.
void check_sweep_workloads(const SweepSpec& spec) {
    for (size_t i = 0; i < spec.workloads.size(); ++i) {
        const std::string& w = spec.workloads[i];
        const std::string where = location(spec.file, fmt::format("/workloads/{}", i));
        try {
            if (w.rfind("lra:", 0) == 0) {
                (void)workloads::parse_workload_spec(w);
            } else {
                (void)load_trace(w);  // declarations and .npy headers; the data is read by each point
            }
        } catch (const InputError& e) {
            throw InputError(where + ": " + e.what());
        }
    }
}

void print_summary(const SweepRun& run, double secs, const fs::path& out, int ranks) {
    fmt::print("sweep: {} points ({} ran, {} already done, {} failed) in {:.1f} s{} -> {}\n",
               run.points.size(), run.ran, run.skipped, run.failed, secs,
               ranks > 1 ? fmt::format(" on {} MPI ranks", ranks) : "", (out / "results.csv").string());
}

}  // namespace

int cmd_sweep(const SweepArgs& a) {
    const auto start = std::chrono::steady_clock::now();
    const SweepSpec spec = load_sweep_spec(a.file);
    check_sweep_keys(spec);
    check_sweep_workloads(spec);
    prepare_out_dir(a.out, "--out");
    SweepOptions o;
    o.out = a.out;
    o.jobs = a.jobs > 0 ? a.jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    o.progress = !a.quiet && Progress::terminal();
    o.retry_failed = a.retry_failed;
    if (under_mpi()) {
#ifdef SSMSIM_HAVE_MPI
        boost::mpi::environment env;
        boost::mpi::communicator world;
        o.rank = world.rank();
        o.ranks = world.size();
        o.progress = o.progress && o.rank == 0;
        std::string mine;
        SweepRun run;
        try {
            run = run_sweep(spec, o);
            mine = json({{"results", run.results},
                         {"ran", run.ran},
                         {"skipped", run.skipped},
                         {"failed", run.failed}})
                       .dump();
        } catch (const interrupt::Interrupted&) {
            throw;  // mpirun passes the signal to every rank: none waits in the gather below
        } catch (const std::exception& e) {
            mine = json({{"rank_error", fmt::format("rank {}: {}", o.rank, e.what())}}).dump();
        }
        std::vector<std::string> all;
        boost::mpi::gather(world, mine, all, 0);
        if (o.rank != 0) return 0;
        SweepRun total;
        total.points = run.points;
        for (const auto& s : all) {
            const json part = json::parse(s);
            if (part.contains("rank_error")) throw std::runtime_error(part["rank_error"].get<std::string>());
            total.ran += part["ran"].get<size_t>();
            total.skipped += part["skipped"].get<size_t>();
            total.failed += part["failed"].get<size_t>();
            for (const auto& r : part["results"]) {
                // Without a shared file system the other ranks' records are only here: keep them for resumes.
                const fs::path rec = o.out / "points" / r["id"].get<std::string>() / "result.json";
                if (!fs::exists(rec)) {
                    fs::create_directories(rec.parent_path());
                    write_file_atomic(rec, r.dump(2) + "\n");
                }
                total.results.push_back(r);
            }
        }
        write_sweep_results(spec, o.out, total.points, total.results);
        print_summary(total, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                      o.out, o.ranks);
        return failed_points(total.results) > 0 ? 1 : 0;
#else
        throw InputError("sweep under mpirun",
                         "an ssmsim built with MPI (Boost.MPI and Open MPI found at configure)",
                         "a build without MPI");
#endif
    }
    const SweepRun run = run_sweep(spec, o);
    write_sweep_results(spec, o.out, run.points, run.results);
    print_summary(run, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), o.out,
                  1);
    return failed_points(run.results) > 0 ? 1 : 0;
}

int cmd_report(const std::string& dir) {
    if (!fs::exists(fs::path(dir) / "results.json"))
        throw InputError(dir, "a sweep folder with results.json (written by `ssmsim sweep`)",
                         "no results.json");
    run_python_script("ssmsim report", kReportPlotsPy, fs::path(dir) / ".report_plots.py", {dir});
    return 0;
}

}  // namespace ssmsim::cli
