// results.json: what `drsim run` writes. Everything but the "timing" object is a
// function of (scenario bytes, variants, options, seed): byte-identical for any --jobs.
#pragma once

#include <optional>

#include <nlohmann/json.hpp>

#include "sim/block_tree.h"
#include "sim/runner.h"

namespace drsim {

nlohmann::json results_json(const Scenario& scenario, const RunOptions& options, const RunOutcome& outcome);

// A shard's part of a run: its identity and each finished superblock's exact state.
nlohmann::json shard_json(const Scenario& scenario, const RunOptions& options, const RunOutcome& outcome);

// Combines the shard files (parsed) of one run, one at a time: each shard's nodes are
// checked and read into aggregates as it is added, so only those are held, not the
// files (64 shards of a 10^6-trial run: 2.8 GB and 20 s when every file was held).
// add() and finish() throw UsageError when the shards do not belong together, one is
// missing or damaged. Shards are numbered in the order they are added (messages).
class ShardMerger {
 public:
  explicit ShardMerger(const Scenario& scenario);
  void add(nlohmann::json shard);
  // The run's outcome; its options (seed, trials, horizon, ...) into `options`.
  RunOutcome finish(RunOptions& options);

 private:
  const Scenario& sc_;
  std::vector<std::string> model_causes_;
  std::size_t added_ = 0;
  nlohmann::json first_id_;
  std::vector<char> seen_;
  RunOptions o_;
  AggregateConfig cfg_;
  RunOutcome out_;
  std::optional<PartFold> fold_;  // from the first shard's options
};

// ShardMerger over parsed shard files.
RunOutcome merge_shards(const Scenario& scenario, const std::vector<nlohmann::json>& shards, RunOptions& options);

}  // namespace drsim
