// Inputs the fuzzers (fuzz/, scripts/fuzz.sh) once crashed or hung on, replayed through
// the same readers: each must be refused (or accepted) cleanly. tests/fuzz/scenario/*
// through the scenario loader, tests/fuzz/checkpoint/* through the checkpoint reader,
// tests/fuzz/shard/* through the shard reader.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "models/scenario_parser.h"
#include "sim/results.h"
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
  for (const auto& f : files_in("checkpoint")) {
    INFO(f.string());
    const std::string t = slurp(f);
    try {
      auto st = drsim::read_checkpoint(t, f.string(), drsim::run_identity(*sc, o), cfg, drsim::RunPlan{o.trials, o.block, 0, 1});
      for (const auto& a : st.pending) (void)a.to_json({});
    } catch (const drsim::UsageError&) {
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
