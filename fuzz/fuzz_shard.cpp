// libFuzzer target: the shard reader (what `drsim merge` does with shard files). An
// input is one shard file, or a JSON array of shard files; each is checked against its
// checksum as it is, then resealed so that mutations reach the validation of every field.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/common.h"
#include "sim/results.h"

namespace {

void try_merge(const std::vector<std::string>& files) {
  std::vector<nlohmann::json> shards;
  try {
    for (const auto& f : files) shards.push_back(drsim::unseal_json(f, "fuzz"));
    drsim::RunOptions o;
    drsim::RunOutcome r = drsim::merge_shards(drsim::fuzz::scenario(), shards, o);
    (void)drsim::results_json(drsim::fuzz::scenario(), o, r).dump();
  } catch (const drsim::UsageError&) {
  } catch (const nlohmann::json::exception&) {
    // A wrong type in a field: refused by `drsim merge` as a damaged shard (exit 2).
  } catch (const std::invalid_argument&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try_merge({text});
  try {
    auto j = nlohmann::json::parse(text);
    std::vector<std::string> files;
    if (j.is_array() && j.size() <= 8) {
      for (const auto& e : j) files.push_back(e.is_object() ? drsim::seal_json(e) : e.dump());
    } else if (j.is_object()) {
      files.push_back(drsim::seal_json(j));
    }
    if (!files.empty()) try_merge(files);
  } catch (const nlohmann::json::exception&) {
  }
  return 0;
}
