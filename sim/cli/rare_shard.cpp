// Shard files of drsim rare: writing and checked reading (sim/cli/rare_shard.h).
#include "sim/cli/rare_shard.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "analysis/statistics.h"
#include "models/units.h"
#include "sim/atomic_file.h"
#include "sim/cli/cli.h"

namespace drsim::cli {
namespace {

nlohmann::json rows(const std::vector<RareBlock>& blocks) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& b : blocks) a.push_back({b.n, b.hits, b.steps, b.w, b.w2, b.wmax, b.c, b.c2, b.wc});
  return a;
}

// The rows of one estimator, checked: 9 numbers each, counts whole and the sums finite.
// Block b of the run holds `block` trials, the last one what is left of `trials`.
std::vector<RareBlock> read_rows(const nlohmann::json& a, std::uint64_t first, std::uint64_t want, std::uint64_t trials, std::uint64_t block,
                                 const std::string& file, const char* key) {
  auto bad = [&](const std::string& what) {
    return CliError(fmt::format("{}: not a valid drsim rare shard: /{} {} (hint: write it again with drsim rare --shard)", file, key, what));
  };
  if (!a.is_array() || a.size() != want) throw bad(fmt::format("must hold {} blocks", want));
  std::vector<RareBlock> out;
  for (const auto& r : a) {
    if (!r.is_array() || r.size() != 9) throw bad("rows must be 9 numbers");
    for (int k = 0; k < 3; ++k)
      if (!r[k].is_number_unsigned()) throw bad("counts must be whole numbers");
    for (int k = 3; k < 9; ++k)
      if (!r[k].is_number() || !std::isfinite(r[k].get<double>()) || r[k].get<double>() < 0) throw bad("sums must be finite numbers >= 0");
    RareBlock b;
    b.n = r[0].get<std::uint64_t>();
    b.hits = r[1].get<std::uint64_t>();
    b.steps = r[2].get<std::uint64_t>();
    b.w = r[3].get<double>();
    b.w2 = r[4].get<double>();
    b.wmax = r[5].get<double>();
    b.c = r[6].get<double>();
    b.c2 = r[7].get<double>();
    b.wc = r[8].get<double>();
    if (b.hits > b.n) throw bad("hits cannot exceed trials");
    const std::uint64_t index = first + out.size(), expect = std::min(block, trials - index * block);
    if (b.n != expect) throw bad(fmt::format("block {} holds {} trials where the run's blocks hold {}", index, b.n, expect));
    out.push_back(b);
  }
  return out;
}

struct Part {
  std::string file;
  nlohmann::json j;
  std::uint64_t first = 0, last = 0;
};

Part parse_part(const std::string& file, const std::string& text, const std::string& sha256) {
  Part p;
  p.file = file;
  try {
    p.j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception&) {
    throw CliError(file + ": not a drsim rare shard (not JSON) (hint: the files drsim rare --shard I/N --json wrote)");
  }
  if (!p.j.is_object() || p.j.value("drsim_rare_shard", nlohmann::json()) != 1)
    throw CliError(file + ": not a drsim rare shard (no \"drsim_rare_shard\": 1) (hint: the files drsim rare --shard I/N --json wrote)");
  if (p.j.value("scenario_sha256", nlohmann::json()) != sha256)
    throw CliError(file + ": /scenario_sha256: this shard is of another scenario (or other --variant options) than the one given");
  try {
    p.first = state_count(p.j.at("blocks").at("first"), "/blocks/first");
    p.last = state_count(p.j.at("blocks").at("last"), "/blocks/last");
    (void)state_count(p.j.at("options").at("trials"), "/options/trials");
  } catch (const std::exception&) {
    throw CliError(file + ": not a valid drsim rare shard: /blocks or /options missing or malformed");
  }
  if (p.first > p.last) throw CliError(file + ": not a valid drsim rare shard: /blocks first > last");
  return p;
}

}  // namespace

nlohmann::json shard_json(const RareBlocks& blocks, std::uint64_t index, std::uint64_t count, const std::string& scenario,
                          const std::string& sha256, const nlohmann::json& options) {
  nlohmann::json j = {{"drsim_rare_shard", 1},
                      {"scenario", scenario},
                      {"scenario_sha256", sha256},
                      {"options", options},
                      {"shard", {{"index", index}, {"count", count}}},
                      {"blocks", {{"first", blocks.first}, {"last", blocks.last}}}};
  if (options.value("measure", "both") != "horizon") j["unavailability"] = rows(blocks.unavailability);
  if (options.value("measure", "both") != "unavailability") j["down_within_horizon"] = rows(blocks.within_horizon);
  return j;
}

ShardRun read_shards(const std::vector<std::string>& files, const std::string& sha256) {
  std::vector<std::pair<std::string, std::string>> texts;
  for (const auto& f : files) {
    std::string text;
    if (std::string err = read_file_bounded(f, "the shard file", kMaxStateFileBytes, text); !err.empty()) throw CliError(err);
    texts.emplace_back(f, std::move(text));
  }
  return parse_shards(texts, sha256);
}

ShardRun parse_shards(const std::vector<std::pair<std::string, std::string>>& files, const std::string& sha256) {
  if (files.empty()) throw CliError("no shard files given");
  std::vector<Part> parts;
  for (const auto& [name, text] : files) parts.push_back(parse_part(name, text, sha256));
  const nlohmann::json& opt = parts.front().j["options"];
  for (const auto& p : parts)
    if (p.j["options"] != opt)
      throw CliError(fmt::format("{}: /options differ from {}'s: shards of different runs (hint: the same --trials, --seed, --bias, "
                                 "--block, --horizon, --measure and --group for every shard)",
                                 p.file, parts.front().file));
  ShardRun run;
  try {
    run.trials = state_count(opt.at("trials"), "/options/trials");
    run.seed = state_count(opt.at("seed"), "/options/seed");
    run.block = state_count(opt.at("block"), "/options/block");
    run.bias = opt.at("bias").get<double>();
    run.horizon_hours = opt.at("horizon_hours").get<double>();
    run.measure = opt.at("measure").get<std::string>();
    run.outage = opt.at("outage").get<std::string>();
    run.all_up = opt.at("all_up").get<std::string>();
  } catch (const std::exception&) {
    throw CliError(parts.front().file + ": not a valid drsim rare shard: /options malformed");
  }
  // The ranges drsim rare accepts on its command line (configure() in cmd_rare.cpp).
  if (run.block == 0 || run.block > 1000000 || run.trials < 2 || run.trials > 1000000000000ull || !(run.bias >= 0.01 && run.bias <= 0.99) ||
      !(run.horizon_hours > 0 && run.horizon_hours <= 1000 * kHoursPerYear) || (run.outage != "service" && run.outage.rfind("group:", 0) != 0) ||
      (run.all_up != "balanced" && run.all_up != "natural") ||
      (run.measure != "both" && run.measure != "unavailability" && run.measure != "horizon"))
    throw CliError(parts.front().file + ": not a valid drsim rare shard: /options out of range");
  const std::uint64_t count = (run.trials + run.block - 1) / run.block;
  std::sort(parts.begin(), parts.end(), [](const Part& a, const Part& b) { return a.first < b.first; });
  std::uint64_t next = 0;
  run.blocks.first = 0;
  for (const auto& p : parts) {
    if (p.first != next)
      throw CliError(fmt::format("{}: blocks {}..{}, but the shards so far end at block {}: {} (hint: give every shard of the run once)", p.file,
                                 p.first, p.last, next, p.first > next ? "a shard is missing" : "two shards overlap"));
    if (p.last > count) throw CliError(fmt::format("{}: not a valid drsim rare shard: /blocks beyond the run's {} blocks", p.file, count));
    if (run.measure != "horizon") {
      auto r = read_rows(p.j.value("unavailability", nlohmann::json()), p.first, p.last - p.first, run.trials, run.block, p.file, "unavailability");
      run.blocks.unavailability.insert(run.blocks.unavailability.end(), r.begin(), r.end());
    }
    if (run.measure != "unavailability") {
      auto r = read_rows(p.j.value("down_within_horizon", nlohmann::json()), p.first, p.last - p.first, run.trials, run.block, p.file, "down_within_horizon");
      run.blocks.within_horizon.insert(run.blocks.within_horizon.end(), r.begin(), r.end());
    }
    next = p.last;
  }
  if (next != count)
    throw CliError(fmt::format("the shards end at block {} of {}: a shard is missing (hint: give every shard of the run once)", next, count));
  run.blocks.last = count;
  return run;
}

}  // namespace drsim::cli
