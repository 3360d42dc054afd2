// Writes the seed corpus of fuzz_checkpoint, fuzz_shard and fuzz_rare_shard into the
// directories given: checkpoints (complete, and interrupted part-way) and shard files of
// the fuzz scenario with the options in fuzz/common.h; shard files of drsim rare.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "analysis/markov_model.h"
#include "analysis/rare_event.h"
#include "fuzz/common.h"
#include "sim/cli/rare_shard.h"
#include "sim/results.h"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  if (argc != 3 && argc != 4) {
    std::fprintf(stderr, "usage: make_seeds CHECKPOINT_DIR SHARD_DIR [RARE_SHARD_DIR]\n");
    return 2;
  }
  const fs::path cdir = argv[1], sdir = argv[2];
  fs::create_directories(cdir);
  fs::create_directories(sdir);
  const auto& sc = drsim::fuzz::scenario();
  auto read = [](const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  };
  for (int config = 0; config < 2; ++config) {
    // A complete run's final checkpoint.
    auto o = drsim::fuzz::options(config);
    o.checkpoint = (cdir / ("complete-" + std::to_string(config))).string();
    o.finish_outputs = false;
    std::error_code ec;
    fs::remove(o.checkpoint, ec);
    auto r = drsim::run_monte_carlo(sc, o);
    // An interrupted one: the signal is there from the start, nothing merged.
    auto o2 = drsim::fuzz::options(config);
    o2.checkpoint = (cdir / ("empty-" + std::to_string(config))).string();
    drsim::g_stop_signal = 15;
    (void)drsim::run_monte_carlo(sc, o2);
    drsim::g_stop_signal = 0;
    if (config == 1) {
      // Shard files: this shard alone, and both as an array.
      std::string s0 = drsim::seal_json(drsim::shard_json(sc, o, r));
      auto o1 = drsim::fuzz::options(1);
      o1.shard_index = 1;
      auto r1 = drsim::run_monte_carlo(sc, o1);
      std::string s1 = drsim::seal_json(drsim::shard_json(sc, o1, r1));
      std::ofstream(sdir / "shard-0.json") << s0;
      std::ofstream(sdir / "shard-1.json") << s1;
      std::ofstream(sdir / "both.json") << "[" << s0 << "," << s1 << "]";
    }
  }
  if (argc == 4) {
    // drsim rare --shard I/2 of 205 trials in blocks of 10 (21 blocks, the last short),
    // both measures; and the unavailability alone, in one shard.
    const fs::path rdir = argv[3];
    fs::create_directories(rdir);
    drsim::Diagnostics d("fuzz.json");
    auto model = drsim::MarkovModel::compile(sc, d);
    if (!model) return 1;
    drsim::RareOptions o;
    o.trials = 205;
    o.block = 10;
    o.seed = 3;
    o.horizon_hours = 8760;
    auto options = [&](const char* measure) {
      return nlohmann::json{{"trials", o.trials}, {"bias", o.bias}, {"all_up", "balanced"}, {"seed", o.seed}, {"block", o.block},
                            {"horizon_hours", o.horizon_hours}, {"measure", measure}, {"outage", "service"}};
    };
    const std::uint64_t count = drsim::rare_block_count(o), mid = count / 2;
    const std::string s0 = drsim::cli::shard_json(drsim::run_rare_blocks(*model, o, 0, mid), 0, 2, sc.file, sc.sha256, options("both")).dump();
    const std::string s1 = drsim::cli::shard_json(drsim::run_rare_blocks(*model, o, mid, count), 1, 2, sc.file, sc.sha256, options("both")).dump();
    std::ofstream(rdir / "rare-0.json") << s0;
    std::ofstream(rdir / "rare-1.json") << s1;
    std::ofstream(rdir / "rare-both.json") << "[" << s0 << "," << s1 << "]";
    o.within_horizon = false;
    std::ofstream(rdir / "rare-unavailability.json")
        << drsim::cli::shard_json(drsim::run_rare_blocks(*model, o, 0, count), 0, 1, sc.file, sc.sha256, options("unavailability")).dump();
  }
  (void)read;
  return 0;
}
