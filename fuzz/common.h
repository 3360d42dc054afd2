// Shared by the fuzz targets and their seed generator: one fixed scenario and the run
// options whose checkpoints and shards the seeds are, so that mutated inputs get past
// the identity check and exercise the validation of every field.
#pragma once

#include <string>

#include "models/scenario_parser.h"
#include "sim/runner.h"

namespace drsim::fuzz {

inline const char* kScenario = R"({"drsim": 1, "title": "one repairable unit", "horizon": "10y",
  "components": [{"id": "u", "kind": "generic", "failures": [{"id": "hw", "type": "random",
    "ttf": {"dist": "exponential", "mean": "1000h"}, "recovery": {"repair": {"dist": "exponential", "mean": "10h"}}}]}],
  "service": {"requires": "u"}, "objectives": {"slo": {"target": 0.999, "window": "30d"}}})";

inline const Scenario& scenario() {
  static const Scenario sc = [] {
    Diagnostics d("fuzz.json");
    auto s = parse_scenario(kScenario, "fuzz.json", d);
    if (!s) __builtin_trap();
    return *s;
  }();
  return sc;
}

// Config 0: one process, 200 trials in blocks of 5 (40 blocks, one superblock).
// Config 1: shard 0 of 2, 2500 trials in blocks of 1 (three superblocks, this shard 0 and 2).
inline RunOptions options(int config) {
  RunOptions o;
  o.seed = 3;
  o.jobs = 1;
  if (config == 0) {
    o.trials = 200;
    o.block = 5;
  } else {
    o.trials = 2500;
    o.block = 1;
    o.shard_index = 0;
    o.shard_count = 2;
  }
  return o;
}

inline AggregateConfig aggregate_config(const RunOptions& o) {
  const Scenario& sc = scenario();
  AggregateConfig cfg;
  cfg.horizon = o.horizon > 0 ? o.horizon : sc.horizon;
  cfg.slo_target = sc.objectives.slo_target;
  cfg.slo_window = sc.objectives.slo_window;
  Model m(sc);
  cfg.causes = m.cause_names().size();
  return cfg;
}

}  // namespace drsim::fuzz
