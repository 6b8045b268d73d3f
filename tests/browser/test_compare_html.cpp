// `ssmsim compare`'s index.html rendered by headless Chromium: every plot image loads (naturalWidth > 0) and
// every table is there. The page is loaded as a copy with a small script appended that writes a verdict
// into the DOM once the page has loaded; --dump-dom prints the DOM, and the test reads the verdict back.
#include <gtest/gtest.h>

#include <cstdlib>
#include <regex>
#include <set>

#include "tests/support/cli_harness.h"

namespace fs = std::filesystem;
using namespace ssmsim::testing;

namespace {

// Chromium as Debian names it (scripts/setup installs the package `chromium`); SSMSIM_CHROMIUM overrides.
std::string chromium() {
    if (const char* env = std::getenv("SSMSIM_CHROMIUM")) return env;
    for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"})
        if (fs::exists(p)) return p;
    return "";
}

constexpr const char* kVerdictScript = R"(<script>
window.addEventListener("load", function () {
  var imgs = Array.prototype.slice.call(document.images);
  var loaded = imgs.filter(function (i) { return i.complete && i.naturalWidth > 0; }).length;
  var tables = Array.prototype.slice.call(document.querySelectorAll("table")).map(function (t) {
    return t.id + ":" + t.rows.length;
  });
  var p = document.createElement("pre");
  p.id = "verdict";
  p.textContent = "VERDICT images=" + imgs.length + " loaded=" + loaded + " tables=" + tables.join(",") + " END";
  document.body.appendChild(p);
});
</script>)";

struct Verdict {
    int images = -1;
    int loaded = -1;
    std::string tables;  // "table-<task>:<rows>,..."
    std::string output;
};

// Renders `page` (a copy of index.html plus `extra` and the verdict script, in the same folder, so that
// the relative plot paths resolve as they do for index.html) and reads the verdict.
Verdict render(const fs::path& dir, const std::string& name, const std::string& extra) {
    std::string html = read_text(dir / "index.html");
    const auto body_end = html.rfind("</body>");
    html.insert(body_end, extra + kVerdictScript);
    write_text(dir / name, html);
    // --virtual-time-budget lets the page finish loading (images included) before the DOM is dumped.
    const auto r = run_command("timeout 120 " + chromium() +
                               " --headless --disable-gpu --no-sandbox --disable-dev-shm-usage"
                               " --user-data-dir=" +
                               (dir / ".chromium-profile").string() +
                               " --virtual-time-budget=10000 --dump-dom file://" + (dir / name).string());
    Verdict v;
    v.output = r.output;
    std::smatch m;
    static const std::regex re(
        R"re(<pre id="verdict">VERDICT images=(\d+) loaded=(\d+) tables=(\S*) END</pre>)re");
    if (std::regex_search(r.output, m, re)) {
        v.images = std::stoi(m[1]);
        v.loaded = std::stoi(m[2]);
        v.tables = m[3];
    }
    return v;
}

TEST(CompareHtml, EveryPlotLoadsAndEveryTableIsThereInHeadlessChromium) {
    ASSERT_FALSE(chromium().empty()) << "no Chromium: apt-get install chromium (scripts/setup installs it)";
    const fs::path dir = scratch_dir("compare_html");
    const auto c = run_ssmsim(
        "compare -q --workloads lra:image:mamba,lra:listops:s4d --models systolic,gpu,pytorch "
        "--timing-only --seq-len 64 --out " +
        dir.string());
    ASSERT_EQ(c.exit_code, 0) << c.output;
    const auto doc = read_json(dir / "compare.json");
    std::set<std::string> tasks;
    for (const auto& r : doc.at("rows")) tasks.insert(r.at("task"));
    ASSERT_EQ(tasks, (std::set<std::string>{"image", "listops"}));

    const Verdict v = render(dir, ".check.html", "");
    ASSERT_GE(v.images, 0) << "no verdict in Chromium's DOM dump:\n" << v.output.substr(0, 4000);
    // Two plots per task (latency and energy), each shown once, and each one loaded.
    EXPECT_EQ(v.images, 4);
    EXPECT_EQ(v.loaded, v.images);
    // One table per task, a header and one line per row (3 labels x 1 batch x 1 workload per task).
    EXPECT_EQ(v.tables, "table-image:4,table-listops:4");

    // The check can fail: an image that does not exist is seen as not loaded.
    const Verdict broken = render(dir, ".check-broken.html", R"(<img src="plots/no-such-plot.png" alt="x">)");
    EXPECT_EQ(broken.images, 5) << broken.output.substr(0, 4000);
    EXPECT_EQ(broken.loaded, 4);
    fs::remove_all(dir);
}

}  // namespace
