// drsim merge FILE SHARD...: combine the shards of one run into results.json.
#include <future>
#include <iostream>

#include "analysis/report.h"
#include "sim/atomic_file.h"
#include "sim/cli/cli.h"
#include "sim/results.h"
#include "sim/runner.h"

namespace drsim::cli {

int cmd_merge(const std::vector<std::string>& args) {
  po::options_description opts("options");
  opts.add_options()("file", po::value<std::vector<std::string>>()->multitoken(), "the scenario file, then the shard files")(
      "out,o", po::value<std::string>()->default_value(""), "write results.json here (atomically)")(
      "quiet,q", po::bool_switch(), "no summary on stdout");
  po::positional_options_description pos;
  pos.add("file", -1);
  po::variables_map vm;
  if (!parse("merge", args, opts, pos, vm, "FILE SHARD... [--out results.json]",
             "Combines the shard files written by 'drsim run --shard I/N --out ...' into the\n"
             "run's results. Superblocks are folded in order, so results.json is identical to\n"
             "the one a single process would write for the same seed and trials (apart from\n"
             "\"timing\"). Refuses shards of different runs, a missing shard or one given twice.\n\n"
             "examples (two shards of one run, then their merge):\n"
             "  drsim run scenarios/designs/two-site-baseline.json --trials 2000 --shard 0/2 --out shard-0.json\n"
             "  drsim run scenarios/designs/two-site-baseline.json --trials 2000 --shard 1/2 --out shard-1.json\n"
             "  drsim merge scenarios/designs/two-site-baseline.json shard-0.json shard-1.json --out merged.json\n"))
    return kOk;
  if (!vm.count("file")) throw CliError("usage: drsim merge FILE SHARD...");
  auto files = vm["file"].as<std::vector<std::string>>();
  if (files.size() < 2) throw CliError("no shard files given (usage: drsim merge FILE SHARD...)");
  const std::string out = vm["out"].as<std::string>();
  check_outputs(files, {{"out", out}});
  Scenario sc = load(files[0]);
  // One shard at a time: read, verified against its SHA-256 before any field is read,
  // its nodes taken; only their aggregates are kept. The next file is read and verified
  // on a second thread while this one's nodes are taken (reading is most of the work).
  auto read_shard = [&files](std::size_t i) {
    std::string text;
    if (std::string err = read_file_bounded(files[i], "the shard file", kMaxStateFileBytes, text); !err.empty()) throw CliError(err);
    return unseal_json(text, "the shard file " + files[i]);
  };
  RunOptions o;
  RunOutcome r;
  try {
    ShardMerger merger(sc);
    std::future<nlohmann::json> next = std::async(std::launch::async, read_shard, 1);
    for (std::size_t i = 1; i < files.size(); ++i) {
      nlohmann::json shard = next.get();
      if (i + 1 < files.size()) next = std::async(std::launch::async, read_shard, i + 1);
      merger.add(std::move(shard));
    }
    r = merger.finish(o);
  } catch (const UsageError& e) {
    throw CliError(e.what());
  } catch (const CliError&) {
    throw;
  } catch (const std::exception& e) {
    throw CliError(std::string("a shard file is damaged: ") + e.what());
  }
  nlohmann::json j = results_json(sc, o, r);
  if (!out.empty()) write_output(out, j.dump(2) + "\n");
  if (!vm["quiet"].as<bool>()) std::cout << format_run_summary(j);
  return kOk;
}

}  // namespace drsim::cli
