#include "sim/results.h"

#include <fmt/format.h>

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

nlohmann::json shard_json(const Scenario& sc, const RunOptions& o, const RunOutcome& r) {
  nlohmann::json sbs = nlohmann::json::array();
  for (const auto& [i, st] : r.superblocks) sbs.push_back({i, st});
  return {{"format", "drsim-shard"},
          {"version", 1},
          {"identity", run_identity(sc, o)},
          {"cause_names", r.cause_names},
          {"superblocks", sbs},
          {"timing", {{"wall_seconds", r.wall_seconds}, {"cpu_seconds", r.cpu_seconds}, {"events", r.events}, {"jobs", r.jobs}}}};
}

RunOutcome merge_shards(const Scenario& sc, const std::vector<nlohmann::json>& shards, RunOptions& o) {
  if (shards.empty()) throw UsageError("no shard files given");
  RunOutcome out;
  nlohmann::json first_id;
  std::vector<std::pair<std::uint64_t, nlohmann::json>> sbs;
  std::vector<char> seen;
  for (std::size_t k = 0; k < shards.size(); ++k) {
    const auto& s = shards[k];
    if (!s.is_object() || s.value("format", "") != "drsim-shard" || !s.contains("identity"))
      throw UsageError(fmt::format("shard {} is not a drsim shard file", k + 1));
    nlohmann::json id = s["identity"];
    auto shard = id.at("shard");
    std::uint64_t i = shard.at(0).get<std::uint64_t>(), n = shard.at(1).get<std::uint64_t>();
    id.erase("shard");
    if (k == 0) {
      first_id = id;
      seen.assign(n, 0);
      out.cause_names = s.at("cause_names").get<std::vector<std::string>>();
      o.seed = id.at("seed").get<std::uint64_t>();
      o.trials = id.at("trials").get<std::uint64_t>();
      o.horizon = id.at("horizon_hours").get<double>();
      o.block = id.at("block").get<std::uint64_t>();
      o.engine = id.at("engine").get<std::string>();
      o.random_failures = id.at("random_failures").get<bool>();
      o.target_rel_ci = 0;
    } else {
      for (const auto& [key, value] : first_id.items())
        if (!id.contains(key) || id[key] != value)
          throw UsageError(fmt::format("shard files disagree on {}: {} vs {} (they are from different runs)", key, value.dump(),
                                       id.contains(key) ? id[key].dump() : "nothing"));
    }
    if (n != seen.size() || i >= n) throw UsageError("shard files disagree on the number of shards");
    if (seen[i]) throw UsageError(fmt::format("shard {}/{} is given twice", i, n));
    seen[i] = 1;
    for (const auto& e : s.at("superblocks")) sbs.emplace_back(e.at(0).get<std::uint64_t>(), e.at(1));
    const auto& t = s.at("timing");
    out.wall_seconds = std::max(out.wall_seconds, t.value("wall_seconds", 0.0));
    out.cpu_seconds += t.value("cpu_seconds", 0.0);
    out.events += t.value("events", std::uint64_t{0});
    out.jobs += t.value("jobs", 0);
  }
  if (first_id.at("scenario_sha256") != sc.sha256)
    throw UsageError("the shards were made from another version of the scenario file (its SHA-256 differs)");
  for (std::size_t i = 0; i < seen.size(); ++i)
    if (!seen[i]) throw UsageError(fmt::format("shard {}/{} is missing", i, seen.size()));
  const std::uint64_t nblocks = (o.trials + o.block - 1) / o.block;
  const std::uint64_t nsuper = (nblocks + kSuperblockBlocks - 1) / kSuperblockBlocks;
  out.aggregate = fold_superblocks(std::move(sbs), nsuper);
  out.trials = out.aggregate.trials();
  return out;
}

}  // namespace drsim
