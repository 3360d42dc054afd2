// libFuzzer target: the checkpoint reader. Inputs are checkpoint files; when the input
// is a JSON object, it is tried as it is (the checksum must refuse a mutation) and
// resealed with a valid checksum (so mutations reach the validation of every field).
// A state the reader accepts must then be usable: merged, reported.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/common.h"

namespace {

void try_read(const std::string& text) {
  for (int config = 0; config < 2; ++config) {
    const drsim::RunOptions o = drsim::fuzz::options(config);
    const drsim::RunPlan plan{o.trials, o.block, o.shard_index, o.shard_count};
    const auto cfg = drsim::fuzz::aggregate_config(o);
    try {
      auto st = drsim::read_checkpoint(text, "fuzz", drsim::run_identity(drsim::fuzz::scenario(), o), cfg, plan);
      drsim::Aggregate a(cfg);
      for (const auto& p : st.pending) a.merge(p);
      (void)a.to_json({"u/hw"}).dump();
      for (const auto& n : st.nodes) (void)drsim::Aggregate::from_state(n.state).to_json({}).dump();
    } catch (const drsim::UsageError&) {
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try_read(text);
  try {
    auto j = nlohmann::json::parse(text);
    if (j.is_object()) try_read(drsim::seal_json(j));
  } catch (const nlohmann::json::exception&) {
  }
  return 0;
}
