#include "sim/results.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

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
  nlohmann::json agg = r.aggregate.to_json(r.cause_names, objective_specs(sc));
  for (auto& [k, v] : agg.items()) j[k] = v;
  j["objectives"] = {{"rto_hours", sc.objectives.rto}, {"rpo_hours", sc.objectives.rpo}};
  for (const auto& f : sc.objectives.features) j["objectives"]["features"][f.id] = {{"rto_hours", f.rto}};
  for (const auto& so : sc.objectives.sites)
    j["objectives"]["sites"][so.site] = {{"rto_hours", so.rto}, {"requires", so.node}};
  // A drill run: each trial replays the injections until the service recovers.
  j["drills"] = !o.random_failures && !sc.injections.empty();
  if (j["drills"] == true) {
    const bool by_degraded = r.aggregate.mean_downtime_minutes() == 0;
    const char* key = by_degraded ? "reported_degraded_minutes" : "reported_full_minutes";
    if (auto it = sc.expected.find(key); it != sc.expected.end()) {
      char* end = nullptr;
      const double m = std::strtod(it->second.c_str(), &end);
      if (end != it->second.c_str() && std::isfinite(m) && m >= 0)
        j["reported_incident"] = {{"minutes", m}, {"of", by_degraded ? "degraded time" : "full downtime"},
                                  {"percentile", r.aggregate.share_at_most(m / 60, by_degraded)}};
    }
  }
  // Timing only: the one part that differs between runs with the same seed.
  j["timing"] = {{"wall_seconds", r.wall_seconds},
                 {"cpu_seconds", r.cpu_seconds},
                 {"jobs", r.jobs},
                 {"events", r.events},
                 {"trials_per_second", r.wall_seconds > 0 ? static_cast<double>(r.trials) / r.wall_seconds : 0}};
  return j;
}

namespace {
constexpr int kShardVersion = 3;  // 3: balanced contiguous shards, fold-tree nodes
}  // namespace

nlohmann::json shard_json(const Scenario& sc, const RunOptions& o, const RunOutcome& r) {
  nlohmann::json nodes = nlohmann::json::array();
  for (const FoldNode& n : r.nodes) nodes.push_back({n.level, n.index, n.state});
  return {{"format", "drsim-shard"},
          {"version", kShardVersion},
          {"identity", run_identity(sc, o)},
          {"cause_names", r.cause_names},
          {"nodes", nodes},
          {"timing", {{"wall_seconds", r.wall_seconds}, {"cpu_seconds", r.cpu_seconds}, {"events", r.events}, {"jobs", r.jobs}}}};
}

namespace {

// The run the first shard belongs to: its options (seed, trials, horizon, block,
// engine, ...) into `o`, its causes into `out`, checked against this drsim and the
// scenario's model; the aggregate's configuration from them.
AggregateConfig adopt_run(const Scenario& sc, const nlohmann::json& s, const nlohmann::json& id,
                          const std::vector<std::string>& model_causes, RunOptions& o, RunOutcome& out) {
  AggregateConfig cfg;
  out.cause_names = s.at("cause_names").get<std::vector<std::string>>();
  o.seed = state_count(id.at("seed"), "identity: seed");
  o.trials = state_count(id.at("trials"), "identity: trials");
  o.horizon = id.at("horizon_hours").get<double>();
  o.block = state_count(id.at("block"), "identity: block");
  o.engine = id.at("engine").get<std::string>();
  o.random_failures = id.at("random_failures").get<bool>();
  o.max_trials = state_count(id.at("max_trials"), "identity: max_trials");
  o.target_rel_ci = 0;
  if (id.at("drsim_version") != DRSIM_VERSION)
    throw UsageError(fmt::format("the shards were written by drsim {}, this is {}", id.at("drsim_version").dump(), DRSIM_VERSION));
  if (o.trials == 0 || o.trials > kMaxTrials || o.block == 0 || o.block > 1000000 || !std::isfinite(o.horizon) ||
      o.horizon <= 0 || id.at("superblock") != kSuperblockBlocks || o.engine != "fast" || id.at("target_rel_ci") != 0)
    throw UsageError("shard 1: its run identity is out of range (damaged)");
  if (out.cause_names != model_causes)
    throw UsageError("the shards name other causes than this scenario's model (another scenario or drsim version)");
  cfg.horizon = o.horizon;
  cfg.slo_target = sc.objectives.slo_target;
  cfg.slo_window = sc.objectives.slo_window;
  cfg.causes = model_causes.size();
  return cfg;
}

// Shard i of n's fold nodes, each checked to lie within the shard's range of blocks and
// read into its aggregate.
void read_nodes(nlohmann::json& s, std::uint64_t i, std::uint64_t n, const RunOptions& o, const AggregateConfig& cfg,
                PartFold& fold) {
  auto& list = s.at("nodes");
  if (!list.is_array()) throw UsageError(fmt::format("shard {}/{}: its nodes are damaged", i, n));
  const RunPlan mine{o.trials, o.block, i, n};
  const BlockTree tree = mine.tree(), whole{o.trials, o.block};
  for (auto& e : list) {
    if (!e.is_array() || e.size() != 3) throw UsageError(fmt::format("shard {}/{}: a node is damaged", i, n));
    FoldNode node{state_count(e.at(0), "node: level"), state_count(e.at(1), "node: index"), std::move(e.at(2))};
    if (node.level > tree.levels() || tree.node_begin(node.level, node.index) < mine.lo() ||
        tree.node_end(node.level, node.index) > mine.hi() || tree.node_end(node.level, node.index) <= tree.node_begin(node.level, node.index))
      throw UsageError(fmt::format("shard {}/{} holds blocks outside its range {}..{}, which belong to another shard (damaged)", i, n,
                                   mine.lo(), mine.hi()));
    try {
      fold.add(read_fold_node(whole, node, cfg));
    } catch (const std::invalid_argument& ex) {
      throw UsageError(std::string("the shards do not make up the run: ") + ex.what());
    }
  }
}

}  // namespace

ShardMerger::ShardMerger(const Scenario& sc) : sc_(sc) {
  Model probe(sc);
  model_causes_ = probe.cause_names();
}

void ShardMerger::add(nlohmann::json s) {
  const std::size_t k = added_++;
  if (!s.is_object() || s.value("format", nlohmann::json()) != "drsim-shard" || !s.contains("identity") || !s["identity"].is_object())
    throw UsageError(fmt::format("shard {} is not a drsim shard file", k + 1));
  if (s.value("version", nlohmann::json()) != kShardVersion)
    throw UsageError(fmt::format("shard {} was written by another version of drsim (shard format {})", k + 1, s.value("version", nlohmann::json()).dump()));
  nlohmann::json id = s["identity"];
  auto shard = id.at("shard");
  if (!shard.is_array() || shard.size() != 2) throw UsageError(fmt::format("shard {}: its shard index is damaged", k + 1));
  std::uint64_t i = state_count(shard.at(0), "identity: shard"), n = state_count(shard.at(1), "identity: shard count");
  if (n == 0 || n > 1000000 || i >= n) throw UsageError(fmt::format("shard {}: shard {}/{} does not exist", k + 1, i, n));
  id.erase("shard");
  if (k == 0) {
    first_id_ = id;
    seen_.assign(n, 0);
    cfg_ = adopt_run(sc_, s, id, model_causes_, o_, out_);
    fold_.emplace(BlockTree{o_.trials, o_.block}, cfg_);
    if (first_id_.at("scenario_sha256") != sc_.sha256)
      throw UsageError("the shards were made from another version of the scenario file (its SHA-256 differs)");
  } else {
    for (const auto& [key, value] : first_id_.items())
      if (!id.contains(key) || id[key] != value)
        throw UsageError(fmt::format("shard files disagree on {}: {} vs {} (they are from different runs)", key, value.dump(),
                                     id.contains(key) ? id[key].dump() : "nothing"));
    if (s.at("cause_names") != nlohmann::json(out_.cause_names))
      throw UsageError("shard files disagree on the causes (they are from different runs)");
  }
  if (n != seen_.size() || i >= n) throw UsageError("shard files disagree on the number of shards");
  if (seen_[i]) throw UsageError(fmt::format("shard {}/{} is given twice", i, n));
  seen_[i] = 1;
  read_nodes(s, i, n, o_, cfg_, *fold_);
  const auto& t = s.at("timing");
  out_.wall_seconds = std::max(out_.wall_seconds, t.value("wall_seconds", 0.0));
  out_.cpu_seconds += t.value("cpu_seconds", 0.0);
  out_.events += t.contains("events") ? state_count(t["events"], "timing: events") : 0;
  out_.jobs += static_cast<int>(std::min<std::uint64_t>(t.contains("jobs") ? state_count(t["jobs"], "timing: jobs") : 0, 1u << 20));
}

RunOutcome ShardMerger::finish(RunOptions& o) {
  if (added_ == 0) throw UsageError("no shard files given");
  for (std::size_t i = 0; i < seen_.size(); ++i)
    if (!seen_[i]) throw UsageError(fmt::format("shard {}/{} is missing", i, seen_.size()));
  // The nodes must tile the run (each was checked against its horizon, SLO, causes and
  // trial count as it was read; complete parts of the tree are folded already).
  try {
    out_.aggregate = fold_->finish();
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("the shards do not make up the run: ") + e.what());
  }
  out_.trials = out_.aggregate.trials();
  o = o_;
  return std::move(out_);
}

RunOutcome merge_shards(const Scenario& sc, const std::vector<nlohmann::json>& shards, RunOptions& o) {
  ShardMerger m(sc);
  for (const auto& s : shards) m.add(s);
  return m.finish(o);
}

}  // namespace drsim
