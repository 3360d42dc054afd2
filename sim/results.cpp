#include "sim/results.h"

#include "drsim_version.h"

namespace drsim {

nlohmann::json results_json(const Scenario& sc, const RunOptions& o, const RunOutcome& r) {
  nlohmann::json j;
  j["drsim_version"] = DRSIM_VERSION;
  j["scenario"] = sc.file;
  j["title"] = sc.title;
  j["scenario_sha256"] = sc.sha256;
  j["engine"] = o.engine;
  j["seed"] = o.seed;
  j["options"] = {{"trials", o.trials},
                  {"target_rel_ci", o.target_rel_ci},
                  {"max_trials", o.max_trials},
                  {"horizon_hours", o.horizon > 0 ? o.horizon : sc.horizon},
                  {"seed", o.seed},
                  {"engine", o.engine},
                  {"block", o.block},
                  {"random_failures", o.random_failures}};
  nlohmann::json agg = r.aggregate.to_json(r.cause_names);
  for (auto& [k, v] : agg.items()) j[k] = v;
  j["objectives"] = {{"rto_hours", sc.objectives.rto}, {"rpo_hours", sc.objectives.rpo}};
  // Timing only: the one part that differs between runs with the same seed.
  j["timing"] = {{"wall_seconds", r.wall_seconds},
                 {"cpu_seconds", r.cpu_seconds},
                 {"jobs", r.jobs},
                 {"events", r.events},
                 {"trials_per_second", r.wall_seconds > 0 ? static_cast<double>(r.trials) / r.wall_seconds : 0}};
  return j;
}

}  // namespace drsim
