// drsim run FILE: the Monte Carlo.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <csignal>
#include <iostream>
#include <thread>

#include <fmt/format.h>

#include "drsim_version.h"
#include "models/units.h"
#include "sim/cli/cli.h"
#include "analysis/report.h"
#include "sim/results.h"
#include "sim/runner.h"
#ifdef DRSIM_HAVE_SIMGRID
#include "sim/simgrid/simgrid_runner.h"
#endif

namespace drsim::cli {
namespace {

extern "C" void on_stop_signal(int sig) { g_stop_signal.store(sig); }

}  // namespace

int cmd_run(const std::vector<std::string>& args) {
  po::options_description opts("options");
  opts.add_options()
      ("file", po::value<std::string>(), "the scenario file")
      ("trials,n", po::value<std::uint64_t>()->default_value(10000), "number of trials (independent replications)")
      ("target-rel-ci", po::value<double>()->default_value(0, "off"),
       "instead of a fixed count: stop when the 95 % CI half-width of mean downtime is below this share of the mean "
       "(e.g. 0.01), checked after each block of trials, from 1000 trials on")
      ("max-trials", po::value<std::uint64_t>()->default_value(1000000), "cap for --target-rel-ci")
      ("horizon", po::value<std::string>()->default_value("", "the scenario's, else 1y"),
       "length of one trial, a duration like \"1y\" or \"30d\"")
      ("seed", po::value<std::uint64_t>()->default_value(1), "random seed: same seed, same results, whatever --jobs")
      ("jobs,j", po::value<int>()->default_value(0, "all cores"), "worker threads")
      ("engine", po::value<std::string>()->default_value("fast"),
       "fast (event calendar) or simgrid (the platform: one worker process per trial, --jobs at a time; "
       "same statistics as fast, plus probe and replication metrics; for hundreds of trials, not millions)")
      ("probe-interval", po::value<double>()->default_value(300), "simgrid: seconds between user probes (0 = none)")
      ("variant", po::value<std::vector<std::string>>()->default_value({}, ""), "apply this what-if variant; repeatable")
      ("random-failures", po::value<std::string>()->default_value("auto"),
       "on | off | auto: auto = off for a scenario with injections (a trial runs from the injection until every "
       "recovery is done), on otherwise (a trial is one horizon of random failures)")
      ("out,o", po::value<std::string>()->default_value(""), "write results.json here (atomically)")
      ("trials-csv", po::value<std::string>()->default_value(""), "write one CSV row per trial here")
      ("checkpoint", po::value<std::string>()->default_value(""), "write finished blocks here every few seconds")
      ("resume", po::bool_switch(), "continue from --checkpoint; the result equals an uninterrupted run's")
      ("shard", po::value<std::string>()->default_value(""),
       "I/N: run only shard I of N (superblocks of 1000 blocks, dealt round-robin) and write its exact state to --out; "
       "'auto' takes I and N from OpenMPI (OMPI_COMM_WORLD_RANK/SIZE). Combine the shards with 'drsim merge'")
      ("block", po::value<std::uint64_t>()->default_value(100), "trials per block (unit of merging and checkpoints; part of the result's identity)")
      ("quiet,q", po::bool_switch(), "no summary on stdout, no progress");
  po::positional_options_description pos;
  pos.add("file", 1);
  po::variables_map vm;
  if (!parse("run", args, opts, pos, vm, "FILE [OPTIONS]",
             "Runs independent trials and reports downtime (full and degraded), availability and\n"
             "its nines, outage durations, time to detect, data lost, P(any outage), SLO error\n"
             "budget and breach risk, and downtime by cause — each with a 95 % confidence interval.\n"
             "Trial i draws from Philox streams keyed by (seed, i, entity): results do not depend\n"
             "on --jobs. SIGINT/SIGTERM finish the current blocks, write the checkpoint, exit 130/143.\n\n"
             "examples:\n"
             "  drsim run scenarios/designs/two-site-baseline.json --trials 20000 --out results.json\n"
             "  drsim run design.json --target-rel-ci 0.01 --checkpoint run.ckpt\n"
             "  drsim run design.json --target-rel-ci 0.01 --checkpoint run.ckpt --resume\n"
             "  mpirun -n 64 drsim run design.json --trials 10000000 --shard auto --out shard-%r.json   (then drsim merge)\n"))
    return kOk;
  if (!vm.count("file")) throw CliError("no scenario file given (usage: drsim run FILE)");
  const std::string file = vm["file"].as<std::string>();
  RunOptions o;
  o.trials = vm["trials"].as<std::uint64_t>();
  o.target_rel_ci = vm["target-rel-ci"].as<double>();
  o.max_trials = vm["max-trials"].as<std::uint64_t>();
  o.seed = vm["seed"].as<std::uint64_t>();
  o.jobs = vm["jobs"].as<int>();
  o.engine = vm["engine"].as<std::string>();
  o.trials_csv = vm["trials-csv"].as<std::string>();
  o.checkpoint = vm["checkpoint"].as<std::string>();
  o.resume = vm["resume"].as<bool>();
  o.block = vm["block"].as<std::uint64_t>();
  const bool quiet = vm["quiet"].as<bool>();
  const std::string out = vm["out"].as<std::string>();
  if (o.trials == 0 && o.target_rel_ci <= 0) throw CliError("--trials must be at least 1");
  if (o.target_rel_ci < 0 || o.target_rel_ci >= 1 || std::isnan(o.target_rel_ci))
    throw CliError("--target-rel-ci must be in (0, 1), like 0.01 for ±1 %");
  if (o.target_rel_ci > 0 && o.max_trials < 1000) throw CliError("--max-trials must be at least 1000 with --target-rel-ci");
  if (o.jobs < 0 || o.jobs > 4096) throw CliError("--jobs must be between 0 (all cores) and 4096");
  if (o.block == 0 || o.block > 1000000) throw CliError("--block must be between 1 and 1000000");
  if (o.engine != "fast" && o.engine != "simgrid") throw CliError("--engine must be fast or simgrid, not \"" + o.engine + "\"");
#ifndef DRSIM_HAVE_SIMGRID
  if (o.engine == "simgrid") throw CliError("this drsim was built without SimGrid (install libsimgrid-dev and rebuild)");
#endif
  const double probe_interval = vm["probe-interval"].as<double>();
  if (o.engine == "simgrid") {
    if (o.target_rel_ci > 0 || !o.checkpoint.empty() || !vm["shard"].as<std::string>().empty() || !o.trials_csv.empty())
      throw CliError("--engine simgrid runs a fixed --trials count without checkpoints, shards or --trials-csv (use the fast engine for those)");
    if (o.trials > 100000) throw CliError("--engine simgrid: at most 100000 trials (one process each); use the fast engine");
    if (!(probe_interval >= 0)) throw CliError("--probe-interval must be >= 0");
  }
  if (o.resume && o.checkpoint.empty()) throw CliError("--resume needs --checkpoint FILE");
  std::string out_path = out;
  if (const auto sh = vm["shard"].as<std::string>(); !sh.empty()) {
    std::string spec = sh;
    if (sh == "auto") {
      const char* r = std::getenv("OMPI_COMM_WORLD_RANK");
      const char* n = std::getenv("OMPI_COMM_WORLD_SIZE");
      if (!r || !n) throw CliError("--shard auto: not started by mpirun (OMPI_COMM_WORLD_RANK/SIZE unset); give --shard I/N");
      spec = std::string(r) + "/" + n;
    }
    unsigned long long i = 0, n = 0;
    char extra = 0;
    if (std::sscanf(spec.c_str(), "%llu/%llu%c", &i, &n, &extra) != 2 || n == 0 || i >= n || n > 1000000)
      throw CliError("--shard must be I/N with 0 <= I < N, like 0/4, not \"" + spec + "\"");
    o.shard_index = i;
    o.shard_count = n;
    if (out.empty()) throw CliError("--shard needs --out FILE: each shard writes its part there for 'drsim merge'");
    // "%r" in the output name stands for the shard index.
    if (auto p = out_path.find("%r"); p != std::string::npos) out_path.replace(p, 2, std::to_string(i));
    if (!o.checkpoint.empty())
      if (auto p = o.checkpoint.find("%r"); p != std::string::npos) o.checkpoint.replace(p, 2, std::to_string(i));
    if (!o.trials_csv.empty())
      if (auto p = o.trials_csv.find("%r"); p != std::string::npos) o.trials_csv.replace(p, 2, std::to_string(i));
  }
  if (const auto h = vm["horizon"].as<std::string>(); !h.empty()) {
    auto hours = parse_duration(h);
    if (!hours || *hours <= 0 || *hours > 1000 * kHoursPerYear)
      throw CliError("--horizon: invalid duration \"" + h + "\" (hint: like \"1y\", \"30d\"; at most 1000y)");
    o.horizon = *hours;
  }
  Scenario sc = load(file, vm["variant"].as<std::vector<std::string>>());
  const std::string rf = vm["random-failures"].as<std::string>();
  if (rf == "on") o.random_failures = true;
  else if (rf == "off") o.random_failures = false;
  else if (rf == "auto") o.random_failures = sc.injections.empty();
  else throw CliError("--random-failures must be on, off or auto, not \"" + rf + "\"");
  if (!o.random_failures && sc.injections.empty())
    throw CliError("--random-failures off on a scenario without injections: nothing would ever fail");
  o.progress = !quiet && ::isatty(2);

  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  RunOutcome r;
  nlohmann::json platform;
  try {
#ifdef DRSIM_HAVE_SIMGRID
    if (o.engine == "simgrid") {
      auto sg = run_monte_carlo_simgrid(sc, o, probe_interval);
      r = std::move(sg.run);
      platform = std::move(sg.platform);
    } else
#endif
      r = run_monte_carlo(sc, o);
  } catch (const UsageError& e) {
    throw CliError(e.what());
  }
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  if (r.interrupted) {
    std::cerr << fmt::format("drsim run: interrupted by {} after {} trials; nothing but the checkpoint was written.\n",
                             r.signal == SIGINT ? "SIGINT" : "SIGTERM", r.trials);
    if (!o.checkpoint.empty())
      std::cerr << "  resume with the same command plus --resume (checkpoint: " << o.checkpoint << ")\n";
    else
      std::cerr << "  (no --checkpoint was given: the run cannot be resumed)\n";
    return 128 + r.signal;
  }
  if (o.shard_count > 1) {
    write_output(out_path, shard_json(sc, o, r).dump() + "\n");
    if (!quiet)
      std::cout << fmt::format("shard {}/{}: {} trials in {} superblocks written to {} (combine with: drsim merge {} SHARD...)\n",
                               o.shard_index, o.shard_count, r.trials, r.superblocks.size(), out_path, file);
    return kOk;
  }
  nlohmann::json j = results_json(sc, o, r);
  if (!platform.is_null()) j["platform"] = platform;
  if (!out.empty()) write_output(out, j.dump(2) + "\n");
  if (!quiet) std::cout << format_run_summary(j);
  return kOk;
}

}  // namespace drsim::cli
