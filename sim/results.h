// results.json: what `drsim run` writes. Everything but the "timing" object is a
// function of (scenario bytes, variants, options, seed): byte-identical for any --jobs.
#pragma once

#include <nlohmann/json.hpp>

#include "sim/runner.h"

namespace drsim {

nlohmann::json results_json(const Scenario& scenario, const RunOptions& options, const RunOutcome& outcome);

// A shard's part of a run: its identity and each finished superblock's exact state.
nlohmann::json shard_json(const Scenario& scenario, const RunOptions& options, const RunOutcome& outcome);

// Combines shard files (parsed) of one run into its RunOutcome and options; throws
// UsageError when they do not belong together or one is missing.
RunOutcome merge_shards(const Scenario& scenario, const std::vector<nlohmann::json>& shards, RunOptions& options);

}  // namespace drsim
