// libFuzzer target: the shard reader of `drsim rare --merge` and the estimate made from
// what it accepted. An input is one shard file, or a JSON array of up to 8 shard files
// (objects, or strings holding a file's text). The fuzz scenario's SHA-256 is put into
// each object so that mutations get past the scenario check to every other field. What
// the reader accepts must give an estimate or a refusal drsim rare turns into exit 2
// (std::invalid_argument, std::runtime_error) — anything else is a crash here.
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "analysis/markov_model.h"
#include "analysis/rare_event.h"
#include "fuzz/common.h"
#include "sim/cli/cli.h"
#include "sim/cli/rare_shard.h"

namespace {

const drsim::MarkovModel& model() {
  static const auto m = [] {
    drsim::Diagnostics d("fuzz.json");
    auto mm = drsim::MarkovModel::compile(drsim::fuzz::scenario(), d);
    if (!mm) __builtin_trap();
    return mm;
  }();
  return *m;
}

void try_merge(const std::vector<std::pair<std::string, std::string>>& files) {
  try {
    const drsim::cli::ShardRun run = drsim::cli::parse_shards(files, drsim::fuzz::scenario().sha256);
    // As drsim rare --merge sets its options from the shards (apply_shards in cmd_rare.cpp).
    drsim::RareOptions o;
    o.trials = run.trials;
    o.seed = run.seed;
    o.block = run.block;
    o.bias = run.bias;
    o.horizon_hours = run.horizon_hours;
    o.unavailability = run.measure != "horizon";
    o.within_horizon = run.measure != "unavailability";
    o.balance_all_up = run.all_up == "balanced";
    if (run.outage != "service") {
      o.group = model().group_index(run.outage.substr(6));
      if (o.group < 0) return;  // drsim rare: "--group X: no such redundancy group" (exit 2)
    }
    (void)drsim::finish_rare(model(), o, run.blocks);
  } catch (const std::invalid_argument&) {
  } catch (const std::runtime_error&) {  // CliError among them: exit 2
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try_merge({{"fuzz-0.json", text}});
  try {
    auto j = nlohmann::json::parse(text);
    std::vector<nlohmann::json> shards;
    if (j.is_array() && j.size() <= 8) {
      for (const auto& e : j) shards.push_back(e.is_string() ? nlohmann::json::parse(e.get<std::string>(), nullptr, false) : e);
    } else if (j.is_object()) {
      shards.push_back(j);
    }
    std::vector<std::pair<std::string, std::string>> files;
    for (auto& s : shards) {
      if (s.is_object()) s["scenario_sha256"] = drsim::fuzz::scenario().sha256;
      files.emplace_back("fuzz-" + std::to_string(files.size()) + ".json", s.dump());
    }
    if (!files.empty()) try_merge(files);
  } catch (const nlohmann::json::exception&) {
  }
  return 0;
}
