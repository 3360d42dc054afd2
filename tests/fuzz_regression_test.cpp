// Inputs the fuzzers (fuzz/, scripts/fuzz.sh) once crashed or hung on, replayed through
// the same readers: each must be refused (or accepted) cleanly. tests/fuzz/scenario/*
// through the scenario loader, tests/fuzz/checkpoint/* through the checkpoint reader,
// tests/fuzz/shard/* through the shard reader. (tests/fuzz/checkpoint/float-count-in-histogram:
// a histogram count of 1e300, which nlohmann's get<std::uint64_t>() cast with undefined
// behaviour; every count of a state file is read with state_count() now.)
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "fuzz/common.h"
#include "models/scenario_parser.h"
#include "sim/results.h"
#include "analysis/statistics.h"
#include "sim/runner.h"

namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<fs::path> files_in(const std::string& sub) {
  std::vector<fs::path> out;
  const fs::path dir = fs::path(DRSIM_SOURCE_DIR) / "tests" / "fuzz" / sub;
  if (fs::is_directory(dir))
    for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path());
  return out;
}

}  // namespace

TEST_CASE("fuzzer finds stay fixed: scenario loader", "[hardening][fuzz][sanitize]") {
  for (const auto& f : files_in("scenario")) {
    INFO(f.string());
    drsim::Diagnostics d(f.string());
    CHECK_NOTHROW(drsim::parse_scenario(slurp(f), f.string(), d));
  }
}

TEST_CASE("fuzzer finds stay fixed: checkpoint and shard readers", "[hardening][fuzz][sanitize]") {
  const char* text = R"({"drsim": 1, "title": "one repairable unit", "horizon": "10y",
  "components": [{"id": "u", "kind": "generic", "failures": [{"id": "hw", "type": "random",
    "ttf": {"dist": "exponential", "mean": "1000h"}, "recovery": {"repair": {"dist": "exponential", "mean": "10h"}}}]}],
  "service": {"requires": "u"}, "objectives": {"slo": {"target": 0.999, "window": "30d"}}})";
  drsim::Diagnostics d("fuzz.json");
  auto sc = drsim::parse_scenario(text, "fuzz.json", d);
  REQUIRE(sc);
  drsim::RunOptions o;
  o.seed = 3;
  o.trials = 200;
  o.block = 5;
  drsim::AggregateConfig cfg;
  cfg.horizon = sc->horizon;
  cfg.slo_target = sc->objectives.slo_target;
  cfg.slo_window = sc->objectives.slo_window;
  cfg.causes = drsim::Model(*sc).cause_names().size();
  // Through both of the fuzz target's runs (fuzz/common.h), as fuzz_checkpoint reads them.
  for (const auto& f : files_in("checkpoint")) {
    INFO(f.string());
    const std::string t = slurp(f);
    for (int config = 0; config < 2; ++config) {
      const drsim::RunOptions fo = drsim::fuzz::options(config);
      try {
        auto st = drsim::read_checkpoint(t, f.string(), drsim::run_identity(drsim::fuzz::scenario(), fo), drsim::fuzz::aggregate_config(fo),
                                         drsim::RunPlan{fo.trials, fo.block, fo.shard_index, fo.shard_count});
        for (const auto& a : st.pending) (void)a.to_json({});
      } catch (const drsim::UsageError&) {
      }
    }
  }
  for (const auto& f : files_in("shard")) {
    INFO(f.string());
    try {
      drsim::RunOptions mo;
      auto r = drsim::merge_shards(*sc, {drsim::unseal_json(slurp(f), f.string())}, mo);
      (void)drsim::results_json(*sc, mo, r);
    } catch (const drsim::UsageError&) {
    } catch (const nlohmann::json::exception&) {
    }
  }
}

TEST_CASE("state files: counts are whole numbers >= 0, anything else is refused", "[hardening][fuzz][sanitize]") {
  CHECK(drsim::state_count(nlohmann::json(5), "n") == 5);
  CHECK(drsim::state_count(nlohmann::json(18446744073709551615ull), "n") == 18446744073709551615ull);
  CHECK_THROWS_AS(drsim::state_count(nlohmann::json(1e300), "n"), std::invalid_argument);
  CHECK_THROWS_AS(drsim::state_count(nlohmann::json(2.0), "n"), std::invalid_argument);
  CHECK_THROWS_AS(drsim::state_count(nlohmann::json(-1), "n"), std::invalid_argument);
  CHECK_THROWS_AS(drsim::state_count(nlohmann::json("7"), "n"), std::invalid_argument);
  // A histogram with such a count: refused, not cast.
  nlohmann::json h = {{"n", 1e300}, {"zeros", 0}, {"bins", nlohmann::json::array()}};
  CHECK_THROWS_AS(drsim::LogHistogram::from_state(h), std::invalid_argument);
}
