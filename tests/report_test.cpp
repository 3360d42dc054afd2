// drsim report as a person sees it: the HTML of a run, a drill and a comparison opened
// in headless Chromium (tests/report_browser.py starts and stops it), checked for console
// errors, network requests, every expected figure drawn, and the headline numbers equal
// to those in the results JSON. Also bad input (exit 2, nothing written), the --report
// shortcut, and the survival curves results.json gained for the plots.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <set>
#include <string>

#include "analysis/statistics.h"
#include "cli_harness.h"

using namespace cli_harness;
namespace fs = std::filesystem;

namespace {

// The Python with matplotlib and python3-websocket (Debian's, like drsim's default).
std::string python() { return fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3"; }

// Runs a shell command with its output captured in tmp.
Result run_shell(const std::string& cmd, const TempDir& tmp) {
  const std::string out = tmp / "sh.out", err = tmp / "sh.err";
  const int st = std::system((cmd + " >" + out + " 2>" + err).c_str());
  Result r;
  r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

bool have_chromium() { return std::system("command -v chromium >/dev/null 2>&1") == 0; }

// The JSON value at a dotted path ("availability.ci95.0").
nlohmann::json at_path(const nlohmann::json& doc, const std::string& path) {
  const nlohmann::json* j = &doc;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    std::size_t dot = path.find('.', pos);
    std::string part = path.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos);
    if (j->is_array()) j = &j->at(std::stoul(part));
    else j = &j->at(part);
    if (dot == std::string::npos) break;
    pos = dot + 1;
  }
  return *j;
}

// A number shown with d decimals equals the JSON value rounded to d decimals.
void check_number(const nlohmann::json& n, const nlohmann::json& doc) {
  const std::string text = n.at("text").get<std::string>();
  INFO("shown " << text << " for " << n.at("key").get<std::string>());
  const auto dot = text.find('.');
  const int decimals = dot == std::string::npos ? 0 : static_cast<int>(text.size() - dot - 1);
  double v = at_path(doc, n.at("key").get<std::string>()).get<double>();
  if (n.at("abs").get<bool>()) v = std::fabs(v);
  const double expected = v * n.at("scale").get<double>();
  CHECK(std::fabs(std::stod(text) - expected) <= 0.5 * std::pow(10.0, -decimals) * (1 + 1e-9) + 1e-12);
}

}  // namespace

TEST_CASE("report: run, drill and compare open in Chromium with every figure, no errors, no network, the JSON's numbers",
          "[report][browser]") {
  if (!have_chromium()) FAIL("chromium is not installed (scripts/setup.sh installs it)");
  TempDir tmp("report");
  const std::string base = kSource + "/scenarios/designs/two-site-baseline.json";
  const std::string power = kSource + "/scenarios/incidents/constant-contact-power.json";
  const std::string licence = kSource + "/scenarios/incidents/campaign-monitor-licence.json";
  REQUIRE(run_drsim("run " + base + " --trials 400 --quiet --out " + (tmp / "run.json"), tmp).code == 0);
  REQUIRE(run_drsim("drill " + power + " --point --engine fast --trials 200 --json " + (tmp / "drill.json"), tmp).code == 0);
  REQUIRE(run_drsim("compare " + licence + " --variant key-per-site --variant expiry-alert --trials 300 --json " + (tmp / "cmp.json"), tmp).code == 0);
  Result r = run_drsim("report " + (tmp / "run.json") + " " + (tmp / "drill.json") + " " + (tmp / "cmp.json") + " -o " +
                           (tmp / "report.html") + " --png " + (tmp / "png"),
                       tmp);
  INFO(r.err);
  REQUIRE(r.code == 0);
  const std::string html = slurp(tmp / "report.html");
  // Self-contained: nothing to fetch, no scripts at all.
  CHECK(html.find("<script") == std::string::npos);
  for (const char* fetch : {"src=\"http", "href=\"http", "url(http", "@import", "<link", "<iframe", "<object"}) {
    INFO(fetch);
    CHECK(html.find(fetch) == std::string::npos);
  }

  Result b = run_shell(python() + " " + kSource + "/tests/report_browser.py " + (tmp / "report.html") + " --screenshot " + (tmp / "shot.png"), tmp);
  INFO(b.err);
  REQUIRE(b.code == 0);
  const auto seen = nlohmann::json::parse(b.out);
  CHECK(seen.at("console_errors").empty());
  CHECK(seen.at("network").empty());
  CHECK(seen.at("screenshot").at("bytes").get<int>() > 10000);
  CHECK(fs::file_size(tmp / "shot.png") > 10000);

  const std::vector<nlohmann::json> docs = {nlohmann::json::parse(slurp(tmp / "run.json")), nlohmann::json::parse(slurp(tmp / "drill.json")),
                                            nlohmann::json::parse(slurp(tmp / "cmp.json"))};
  // The figures these results allow, each drawn (a real size, many SVG elements) and each as PNG.
  std::set<std::string> expected = {"fig-downtime-1", "fig-outage-1", "fig-causes-1", "fig-drill-timeline-2", "fig-compare-3"};
  if (docs[0].contains("rpo") || docs[0]["survival"]["data_loss_seconds"]["x"].size() > 0) expected.insert("fig-data-lost-1");
  std::set<std::string> found;
  for (const auto& f : seen.at("figures")) {
    const std::string id = f.at("id");
    INFO(id);
    found.insert(id);
    CHECK(f.at("visible").get<bool>());
    CHECK(f.at("width").get<double>() > 300);
    CHECK(f.at("height").get<double>() > 100);
    CHECK(f.at("elements").get<int>() > 50);
    CHECK(fs::file_size(tmp / ("png/" + id.substr(4) + ".png")) > 5000);
  }
  for (const auto& id : expected) {
    INFO(id);
    CHECK(found.count(id) == 1);
  }
  // Headline numbers: every one the page shows equals the JSON's, and the key ones are shown.
  std::set<std::string> keys;
  for (const auto& n : seen.at("numbers")) {
    const int d = n.at("doc").get<int>();
    REQUIRE(d >= 0);
    REQUIRE(d < 3);
    check_number(n, docs[d]);
    keys.insert(std::to_string(d) + ":" + n.at("key").get<std::string>());
  }
  CHECK(keys.count("0:availability.mean") == 1);
  CHECK(keys.count("0:availability.nines") == 1);
  CHECK(keys.count("0:downtime_minutes.mean") == 1);
  CHECK(keys.count("0:rto.service.p_any_breach_per_trial.value") == 1);
  CHECK(keys.count("1:downtime_minutes") == 1);
  CHECK(keys.count("2:alternatives.1.delta_full_minutes.mean") == 1);
  // Provenance: the scenario's SHA-256 and the command lines that made the results.
  CHECK(html.find(docs[0]["scenario_sha256"].get<std::string>()) != std::string::npos);
  CHECK(html.find("--trials 400") != std::string::npos);
}

TEST_CASE("report: bad input is refused with exit 2 and nothing written", "[report]") {
  TempDir tmp("report-bad");
  const std::string junk = write(tmp, "junk.json", "this is not json");
  const std::string other = write(tmp, "other.json", R"({"hello": "world"})");
  const std::string damaged = write(tmp, "damaged.json", R"({"drsim_version": "0.1.0", "availability": {"mean": "x"}, "downtime_minutes": {}})");
  write(tmp, "keep.html", "old");
  struct Case {
    std::string args, message;
  } cases[] = {
      {junk + " -o " + (tmp / "keep.html"), "junk.json: not JSON (line 1, column 1: Expecting value)"},
      {other + " -o " + (tmp / "keep.html"),
       "other.json: not a drsim results JSON (expected what drsim run --out, drill --json or compare --json write)"},
      {damaged + " -o " + (tmp / "keep.html"), "damaged.json: a drsim run results JSON with a damaged or missing field"},
      {(tmp / "missing.json") + " -o " + (tmp / "keep.html"), "missing.json: no such readable file"},
      {other + " -o " + (tmp / "no-dir/r.html"), "no-dir"},
      {other, "-o/--out FILE is required"},
  };
  for (const auto& c : cases) {
    INFO(c.args);
    Result r = run_drsim("report " + c.args, tmp);
    CHECK(r.code == 2);
    CHECK(r.err.find("drsim report: error: ") == 0);
    CHECK(r.err.find(c.message) != std::string::npos);
    CHECK(slurp(tmp / "keep.html") == "old");
  }
  // Nothing but the inputs and the old file: no temporary left behind, no PNG directory.
  Result r = run_drsim("report " + junk + " -o " + (tmp / "keep.html") + " --png " + (tmp / "png"), tmp);
  CHECK(r.code == 2);
  CHECK(!fs::exists(tmp / "png"));
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(tmp.path)) files += e.path().filename().string().find(".tmp") == std::string::npos ? 0 : 1;
  CHECK(files == 0);
}

TEST_CASE("report: drill --report writes the report of the drill it ran", "[report]") {
  TempDir tmp("report-shortcut");
  Result r = run_drsim("drill " + kSource + "/scenarios/incidents/constant-contact-power.json --point --engine fast --report " +
                           (tmp / "drill.html"),
                       tmp);
  INFO(r.err);
  REQUIRE(r.code == 0);
  const std::string html = slurp(tmp / "drill.html");
  CHECK(html.find("id=\"fig-drill-timeline-1\"") != std::string::npos);
  CHECK(html.find("critical path") != std::string::npos);
  CHECK(html.find("drsim drill") != std::string::npos);  // its command line, in the provenance
  // The report's output is checked before the drill runs.
  Result bad = run_drsim("drill " + kSource + "/scenarios/incidents/constant-contact-power.json --point --report " + (tmp / "no/x.html"), tmp);
  CHECK(bad.code == 2);
  CHECK(bad.out.empty());
}

TEST_CASE("survival curves: a function of the aggregate state (merged and restored alike), decreasing, bands around them",
          "[report][statistics]") {
  using drsim::Sample;
  for (int n : {50, 3000, 30000}) {  // exact, exact, histogram
    INFO(n);
    Sample all, a, b;
    for (int i = 0; i < n; ++i) {
      const double x = i % 7 == 0 ? 0.0 : std::exp(std::sin(i * 1.7) * 3);
      all.add(x);
      (i < n / 3 ? a : b).add(x);
    }
    a.merge(b);
    const auto s = all.survival(60);
    CHECK(a.survival(60) == s);
    CHECK(Sample::from_state(all.state()).survival(60) == s);
    const auto& ps = s.at("p");
    REQUIRE(ps.size() > 10);
    CHECK(ps.size() < 200);
    CHECK(s.at("x").size() == ps.size());
    for (std::size_t i = 0; i < ps.size(); ++i) {
      CHECK(s["ci95_lo"][i].get<double>() <= ps[i].get<double>());
      CHECK(s["ci95_hi"][i].get<double>() >= ps[i].get<double>());
      if (i) CHECK(ps[i].get<double>() < ps[i - 1].get<double>());
      if (i) CHECK(s["x"][i].get<double>() > s["x"][i - 1].get<double>());
    }
    // The first point is P(X > 0) = 6/7 of the values, the last is the largest value, once.
    CHECK(ps[0].get<double>() == Approx(s["p_positive"]["value"].get<double>()));
    if (all.exact()) CHECK(ps.back().get<double>() == Approx(1.0 / n));
    CHECK(ps.back().get<double>() * n >= 1 - 1e-9);
    CHECK(s["x"].back().get<double>() <= all.stats().max() * 60 * (1 + 1e-12));
  }
}
