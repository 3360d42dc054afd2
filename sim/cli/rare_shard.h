// Shard files of drsim rare (--shard I/N, --merge): the exact per-block sums of a
// contiguous range of blocks, with what identifies the run (scenario hash, options), so
// that merging every shard gives the result of one run bit for bit. Doubles are written
// in JSON's shortest round-trip form, so they read back exactly.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/rare_event.h"

namespace drsim::cli {

// The shard file's JSON: {"drsim_rare_shard": 1, "scenario", "scenario_sha256",
// "options": {...}, "shard": {"index", "count"}, "blocks": {"first", "last"},
// "unavailability": [[n, hits, jumps, w, w2, wmax, c, c2, wc], ...], "down_within_horizon": [...]}.
nlohmann::json shard_json(const RareBlocks& blocks, std::uint64_t index, std::uint64_t count, const std::string& scenario,
                          const std::string& sha256, const nlohmann::json& options);

// What the shards of one run hold together.
struct ShardRun {
  std::uint64_t trials = 0, seed = 0, block = 0;
  double bias = 0, horizon_hours = 0;
  std::string measure, outage, all_up;
  RareBlocks blocks;  // every block, in order
};

// Reads and checks shard files: each a drsim rare shard of the scenario with this
// sha256, all with the same options, together covering every block once. Throws
// CliError naming the file and what is wrong (exit 2).
ShardRun read_shards(const std::vector<std::string>& files, const std::string& sha256);
// The same from the files' contents: each (name for messages, text).
ShardRun parse_shards(const std::vector<std::pair<std::string, std::string>>& files, const std::string& sha256);

}  // namespace drsim::cli
