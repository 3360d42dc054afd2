// Differential testing (issue 11): the two solvers check each other on random small
// Markovian scenarios from tests/scenario_gen.h.
//
// For each seed of a fixed list (1..200): the scenario is generated, loaded with the
// parser, solved exactly by `analyze` (analyze_markov) and estimated by the Monte Carlo
// (run_monte_carlo, fast engine, fixed seed, one thread). With se the Monte Carlo's
// standard error of the mean unavailability, z = (mc − exact)/se must satisfy
// |z| < 4.5 for every compared scenario.
//
// Why 4.5: the 200 comparisons are independent tests of one hypothesis each ("both
// solvers compute the same number"). Under it z is standard normal (CLT over ≥ 2,000
// independent trials), P(|z| ≥ 4.5) = 6.8e-6, so the family-wise false-alarm
// probability over 200 scenarios is 1 − (1 − 6.8e-6)^200 ≈ 1.4e-3 (Bonferroni bound
// 200 × 6.8e-6), small enough that a failure is a bug and not bad luck. The threshold
// is not loosened for any feature. Biases that are not in se are kept far below it:
// trials start from all-up, and over 2 y (repairable) or 200 test intervals (latent)
// the start's weight on the mean is ~1e-3 relative or less, against relative standard
// errors of a few per cent.
//
// Each seed's unavailability is brought into [1e-3, 0.2] (where a few thousand
// trial-years resolve it): a seed outside is rescaled (all lifetimes, scenario_gen.h
// ttf_scale, the shape unchanged) towards 4e-3 by secant steps in log-log, at most
// eight analyze calls.
//
// Skipped (counted, and required to be < 10 %): scenarios that analyze refuses (not
// Markovian by its own rules) or whose chain exceeds kMaxStates. A scenario the parser
// rejects is a generator bug and fails the test.
//
// Every disagreement writes the scenario to <build>/tests/differential/seed-N.json,
// prints its path, the commands to replay it and the JSON.
//
// Trials: 2,000 trials of 2 y (4,000 trial-years) per repairable scenario, 1,000 trials
// of 200 proof-test intervals per latent one. ~1-2 min for the 200 on one core of the
// CI machine (RelWithDebInfo).
//
// Environment: DRSIM_SOAK=N runs N scenarios with seeds 1001..1000+N instead of the CI
// list; DRSIM_DIFF_SEED=S runs seed S only (replay), DRSIM_DIFF_TRIALS=X runs X times the
// trials on other random numbers, DRSIM_DIFF_VERBOSE=1 prints a line per scenario.
//
// "[differential][engines]": for 20 generated scenarios with injections, the SimGrid
// engine and the fast engine produce the same model events, outages and downtime (the
// mechanism of engine_equality_test.cpp: one forked child per SimGrid trial).
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include "analysis/markov.h"
#include "models/scenario_parser.h"
#include "scenario_gen.h"
#include "sim/fast_engine.h"
#include "sim/runner.h"
#ifdef DRSIM_HAVE_SIMGRID
#include "sim/simgrid/simgrid_engine.h"
#include "tests/simgrid_child.h"
#endif

namespace fs = std::filesystem;
using namespace drsim;

namespace {

constexpr double kZ = 4.5;
constexpr std::size_t kMaxStates = 5000;
constexpr std::uint64_t kTrialsRepairable = 2000, kTrialsLatent = 1000;
constexpr double kLow = 1e-3, kHigh = 0.2, kTarget = 4e-3;  // the range, and where scaling aims

fs::path out_dir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  fs::path dir = (ec ? fs::temp_directory_path() : exe.parent_path()) / "differential";
  fs::create_directories(dir, ec);
  return dir;
}

// Shared crew pools (rules R4) are generated once the parser knows them.
bool parser_has_pools() {
  const char* text = R"({"drsim": 1, "crews": [{"id": "tech", "size": 1}],
    "components": [{"id": "a", "kind": "generic", "failures": [{"id": "hw", "type": "random",
      "ttf": {"dist": "exponential", "mean": "100h"}, "recovery": {"repair": {"dist": "exponential", "mean": "10h"}}}]},
      {"id": "b", "kind": "generic", "crew": "tech"}],
    "groups": [{"id": "g", "members": ["a", "b"], "crew": "tech"}], "service": {"requires": "g"}})";
  Diagnostics d("probe.json");
  return static_cast<bool>(parse_scenario(text, "probe.json", d));
}

std::string first_line(const std::string& s) {
  auto n = s.find('\n');
  return n == std::string::npos ? s : s.substr(0, n);
}

struct Outcome {
  enum class Status { compared, skipped, invalid } status = Status::compared;
  std::uint64_t seed = 0;
  testgen::Generated g;
  std::string why;  // skipped / invalid: the first message
  double exact = 0, mc = 0, se = 0, z = 0, scale = 1, seconds = 0;
  std::size_t states = 0;
  std::uint64_t trials = 0, mc_seed = 0;
  bool failed() const { return status == Status::invalid || (status == Status::compared && !(std::fabs(z) < kZ)); }
};

Outcome run_one(std::uint64_t seed, const testgen::GenOptions& base) {
  auto t0 = std::chrono::steady_clock::now();
  Outcome o;
  o.seed = seed;
  const std::string name = "seed-" + std::to_string(seed) + ".json";
  testgen::GenOptions opt = base;
  double s = 1, prev_s = -1, prev_u = -1, r = 1.5;
  std::optional<Scenario> sc;
  for (int it = 0;; ++it) {
    opt.ttf_scale = s;
    o.g = testgen::generate(seed, opt);
    o.scale = s;
    Diagnostics d(name);
    sc = parse_scenario(o.g.json, name, d);
    if (!sc) {
      o.status = Outcome::Status::invalid;
      o.why = d.format();
      return o;
    }
    Diagnostics why(name);
    auto res = analyze_markov(*sc, why, kMaxStates);
    if (!res) {
      o.status = Outcome::Status::skipped;
      o.why = first_line(why.format());
      return o;
    }
    o.exact = res->unavailability;
    o.states = res->states;
    const double u = o.exact;
    // As generated when in range; once scaled, near the target (fewer events than at
    // the top of the range, so the Monte Carlo stays quick).
    if (it == 0 ? (u >= kLow && u <= kHigh) : (u >= kTarget / 3 && u <= kTarget * 3)) break;
    if (it == 7) break;
    // U ~ s^-r: a secant step in log-log towards the middle of the range.
    if (prev_u > 0 && u > 0 && prev_s != s) r = std::clamp(-std::log(u / prev_u) / std::log(s / prev_s), 0.3, 5.0);
    prev_u = u;
    prev_s = s;
    s = u <= 0 ? s / 10 : s * std::pow(u / kTarget, 1 / r);
    s = std::clamp(s, 1e-3, 1e4);
  }
  RunOptions ro;
  // DRSIM_DIFF_TRIALS=X: X times the trials, on other random numbers (to look closer at a seed).
  const std::uint64_t x = std::getenv("DRSIM_DIFF_TRIALS") ? std::max(1ull, std::strtoull(std::getenv("DRSIM_DIFF_TRIALS"), nullptr, 10)) : 1;
  ro.trials = (o.g.latent_class ? kTrialsLatent : kTrialsRepairable) * x;
  ro.seed = o.mc_seed = 7000 + seed + (x > 1 ? 100000 : 0);
  ro.jobs = 1;
  o.trials = ro.trials;
  RunOutcome run = run_monte_carlo(*sc, ro);
  const nlohmann::json a = run.aggregate.state()["availability"];  // [n, mean, m2, min, max]
  const double n = a[0].get<double>(), mean = a[1].get<double>(), m2 = a[2].get<double>();
  o.mc = 1 - mean;
  o.se = n > 1 ? std::sqrt(m2 / (n - 1) / n) : 0;
  o.z = o.se > 0 ? (o.mc - o.exact) / o.se : (o.mc == o.exact ? 0 : INFINITY);
  o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return o;
}

std::string report_line(const Outcome& o) {
  char buf[512];
  if (o.status == Outcome::Status::compared)
    std::snprintf(buf, sizeof buf, "seed %4llu  exact %.6e  mc %.6e  se %.2e  z %+7.2f  states %6zu  scale %.3g  %.2fs  [%s]",
                  static_cast<unsigned long long>(o.seed), o.exact, o.mc, o.se, o.z, o.states, o.scale, o.seconds,
                  o.g.summary().c_str());
  else
    std::snprintf(buf, sizeof buf, "seed %4llu  %s: %s  [%s]", static_cast<unsigned long long>(o.seed),
                  o.status == Outcome::Status::skipped ? "skipped" : "INVALID", o.why.c_str(), o.g.summary().c_str());
  return buf;
}

}  // namespace

TEST_CASE("differential: analyze's exact unavailability within the Monte Carlo's error on generated scenarios",
          "[differential]") {
  std::vector<std::uint64_t> seeds;
  if (const char* one = std::getenv("DRSIM_DIFF_SEED")) {
    seeds.push_back(std::strtoull(one, nullptr, 10));
  } else if (const char* soak = std::getenv("DRSIM_SOAK")) {
    const std::uint64_t n = std::strtoull(soak, nullptr, 10);
    for (std::uint64_t s = 1001; s <= 1000 + n; ++s) seeds.push_back(s);
  } else {
    for (std::uint64_t s = 1; s <= 200; ++s) seeds.push_back(s);
  }
  const bool verbose = std::getenv("DRSIM_DIFF_VERBOSE") != nullptr;
  testgen::GenOptions opt;
  opt.crew_pools = parser_has_pools();
  if (!opt.crew_pools)
    std::cout << "differential: the parser does not know crew pools (\"crews\") yet: generated without them\n";
  const fs::path dir = out_dir();

  auto t0 = std::chrono::steady_clock::now();
  std::vector<Outcome> all;
  std::map<std::string, std::array<int, 4>> by_feature;  // generated, compared, skipped, failed
  std::map<std::string, int> skip_reasons;
  int compared = 0, skipped = 0, failed = 0, invalid = 0, out_of_range = 0;
  std::string failures;
  for (std::uint64_t seed : seeds) {
    Outcome o = run_one(seed, opt);
    if (verbose) std::cout << report_line(o) << std::endl;
    for (const auto& f : o.g.features) {
      auto& c = by_feature[f];
      ++c[0];
      if (o.status == Outcome::Status::compared) ++c[1];
      if (o.status == Outcome::Status::skipped) ++c[2];
      if (o.failed()) ++c[3];
    }
    if (o.status == Outcome::Status::skipped) {
      ++skipped;
      std::string reason = o.why;
      if (auto p = reason.find("error: "); p != std::string::npos) reason = reason.substr(p + 7);
      if (auto p = reason.find(" (hint"); p != std::string::npos) reason = reason.substr(0, p);
      ++skip_reasons[reason];
    } else if (o.status == Outcome::Status::invalid) {
      ++invalid;
    } else {
      ++compared;
      if (o.exact < kLow || o.exact > kHigh) ++out_of_range;
    }
    if (o.failed()) {
      ++failed;
      const fs::path file = dir / ("seed-" + std::to_string(o.seed) + ".json");
      std::ofstream(file) << o.g.json;
      std::ostringstream m;
      m << "\nDISAGREEMENT " << report_line(o) << "\n  file: " << file.string() << "\n  replay: drsim analyze "
        << file.string() << "\n          drsim run " << file.string() << " --trials " << o.trials << " --seed " << o.mc_seed
        << " --jobs 1\n          DRSIM_DIFF_SEED=" << o.seed << " drsim_tests \"[differential]\"\n";
      if (o.status == Outcome::Status::invalid) m << o.why;
      m << o.g.json;
      failures += m.str();
      std::cout << m.str() << std::flush;
    }
    all.push_back(std::move(o));
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  std::ostringstream sum;
  sum << "differential: " << seeds.size() << " generated, " << compared << " compared, " << skipped << " skipped, "
      << failed << " failed (" << invalid << " invalid files), " << out_of_range
      << " compared outside [1e-3, 0.2] after calibration; " << secs << " s; |z| < " << kZ << "; trials "
      << kTrialsRepairable << " x 2 y (repairable), " << kTrialsLatent << " x 200 test intervals (latent)"
      << (opt.crew_pools ? "; crew pools on" : "; crew pools off") << "\n";
  sum << "  feature              generated compared skipped failed\n";
  for (const auto& [f, c] : by_feature) {
    char line[128];
    std::snprintf(line, sizeof line, "  %-20s %9d %8d %7d %6d\n", f.c_str(), c[0], c[1], c[2], c[3]);
    sum << line;
  }
  for (const auto& [r, n] : skip_reasons) sum << "  skipped " << n << " x: " << r << "\n";
  std::cout << sum.str() << std::flush;

  INFO(sum.str());
  CHECK(invalid == 0);
  CHECK(failed == 0);
  CHECK(skipped * 10 < static_cast<int>(seeds.size()));
  if (seeds.size() >= 200) {
    // The generator exercises every feature of the list (counted over generated files).
    for (const char* f : {"k-of-n", "active-standby", "active-active", "hot", "warm", "cold", "coverage", "coverage-k-of-n",
                          "failback", "no-failback", "beta", "repair_crews", "external-outside", "external-member",
                          "on_demand", "latent", "test-coverage", "unlike-members", "any", "at_least", "nested"}) {
      INFO("feature " << f);
      CHECK(by_feature[f][0] >= 3);
    }
    if (opt.crew_pools) CHECK(by_feature["crew-pool-shared"][0] >= 3);
  }
}

#ifdef DRSIM_HAVE_SIMGRID

using simgrid_child::trajectory_json;

TEST_CASE("differential: SimGrid and fast engines produce the same trajectory on generated scenarios with injections",
          "[differential][engines]") {
  testgen::GenOptions opt;
  opt.crew_pools = parser_has_pools();
  opt.injections = true;
  const fs::path dir = out_dir();
  int compared = 0, differ = 0;
  std::size_t events = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    testgen::Generated g = testgen::generate(seed, opt);
    const std::string name = "engines-seed-" + std::to_string(seed) + ".json";
    Diagnostics d(name);
    auto sc = parse_scenario(g.json, name, d);
    INFO(d.format() << g.json);
    REQUIRE(sc);
    // Odd seeds: the injections and what they cause (a drill); even seeds: random
    // failures too, over the month after the last injection.
    ModelOptions mo;
    mo.record = true;
    mo.random_failures = seed % 2 == 0;
    double last = 0;
    for (const auto& in : sc->injections) last = std::max(last, in.at + in.every * std::max(0, in.repeat - 1));
    const double horizon = last + 30 * 24;
    nlohmann::json sg = simgrid_child::simgrid_trial_json(*sc, seed, horizon, mo, [](const SimGridTrial& r) {
      return trajectory_json(r.result, r.events);
    });
    Model model(*sc, mo);
    FastEngine fe;
    const TrialResult& r = fe.run_trial(model, seed, 0, horizon);
    nlohmann::json fast = trajectory_json(r, model.events());
    const bool same = sg == fast;
    if (!same) {
      ++differ;
      const fs::path file = dir / name;
      std::ofstream(file) << g.json;
      std::cout << "\nENGINES DIFFER on seed " << seed << " (" << (mo.random_failures ? "random failures on" : "drill")
                << ", horizon " << horizon << " h): " << sg["events"].size() << " SimGrid events, " << fast["events"].size()
                << " fast events\n  file: " << file.string() << "\n  replay: drsim drill " << file.string() << "\n"
                << g.json << std::flush;
    }
    INFO("seed " << seed << " " << g.summary());
    CHECK(sg["events"].size() == fast["events"].size());
    CHECK(sg["events"] == fast["events"]);
    CHECK(sg["outages"] == fast["outages"]);
    CHECK(sg["full"] == fast["full"]);
    CHECK(sg["degraded"] == fast["degraded"]);
    CHECK(fast["events"].size() > 0);
    events += fast["events"].size();
    ++compared;
  }
  std::cout << "differential engines: " << compared << " generated scenarios compared (" << events << " model events), "
            << differ << " differ\n";
  CHECK(compared == 20);
}

#endif
