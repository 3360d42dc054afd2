// drsim run FILE: the Monte Carlo.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <csignal>
#include <iostream>
#include <thread>

#include <fmt/format.h>

#include "drsim_version.h"
#include "models/units.h"
#include "sim/cli/cli.h"
#include "sim/cli/report_tool.h"
#include "analysis/report.h"
#include "sim/results.h"
#include "sim/launch_env.h"
#include "sim/runner.h"
#ifdef DRSIM_HAVE_SIMGRID
#include "sim/simgrid/simgrid_runner.h"
#endif
#ifdef DRSIM_HAVE_MPI
#include "sim/mpi/mpi_runner.h"
#endif

namespace drsim::cli {
namespace {

extern "C" void on_stop_signal(int sig) { g_stop_signal.store(sig); }

}  // namespace

int cmd_run(const std::vector<std::string>& args) {
  po::options_description opts("options");
  opts.add_options()
      ("file", po::value<std::string>(), "the scenario file")
      ("trials,n", po::value<std::string>()->default_value("10000"), "number of trials (independent replications)")
      ("target-rel-ci", po::value<std::string>()->default_value("0", "off"),
       "instead of a fixed count: stop when the 95 % CI half-width of mean downtime is below this share of the mean "
       "(e.g. 0.01), checked after each block of trials, from 1000 trials on")
      ("max-trials", po::value<std::string>()->default_value("1000000"), "cap for --target-rel-ci")
      ("horizon", po::value<std::string>()->default_value("", "the scenario's, else 1y"),
       "length of one trial, a duration like \"1y\" or \"30d\"")
      ("seed", po::value<std::string>()->default_value("1"), "random seed: same seed, same results, whatever --jobs")
      ("jobs,j", po::value<std::string>()->default_value("0", "the CPUs allowed"),
       "worker threads; 0 = SLURM_CPUS_PER_TASK when set, else the CPUs of this process's affinity mask")
      ("engine", po::value<std::string>()->default_value("fast"),
       "fast (event calendar) or simgrid (the platform: one worker process per trial, --jobs at a time; "
       "same statistics as fast, plus probe and replication metrics; for hundreds of trials, not millions)")
      ("probe-interval", po::value<std::string>()->default_value("300"), "simgrid: seconds between user probes (0 = none, else at least 1)")
      ("variant", po::value<std::vector<std::string>>()->default_value({}, ""), "apply this what-if variant; repeatable")
      ("random-failures", po::value<std::string>()->default_value("auto"),
       "on | off | auto: auto = off for a scenario with injections (a trial runs from the injection until every "
       "recovery is done), on otherwise (a trial is one horizon of random failures)")
      ("out,o", po::value<std::string>()->default_value(""), "write results.json here (atomically)")
      ("report", po::value<std::string>()->default_value(""), "also write the HTML report of these results here (as drsim report does)")
      ("trials-csv", po::value<std::string>()->default_value(""), "write one CSV row per trial here")
      ("checkpoint", po::value<std::string>()->default_value(""), "write finished blocks here every few seconds (an existing one is continued only with --resume)")
      ("checkpoint-interval", po::value<std::string>()->default_value("5"), "seconds between checkpoints (0 = after every block)")
      ("resume", po::bool_switch(), "continue from --checkpoint; the result equals an uninterrupted run's")
      ("shard", po::value<std::string>()->default_value(""),
       "I/N: run only shard I of N (a contiguous 1/N of the blocks, within one block of the others) and write its "
       "exact state to --out; 'auto' takes I and N from mpirun (OMPI_COMM_WORLD_RANK/SIZE), a Slurm job array "
       "(SLURM_ARRAY_TASK_ID/MIN/COUNT) or srun (SLURM_PROCID/NTASKS). Combine the shards with 'drsim merge'")
      ("block", po::value<std::string>()->default_value("100"), "trials per block (unit of merging and checkpoints; part of the result's identity)")
      ("mpi", po::bool_switch(), "one run over the ranks of mpirun: rank 0 writes results.json; with --target-rel-ci all ranks "
       "stop together, with the result of one process stopping at the same trial count (needs a drsim built with OpenMPI). "
       "A fixed --trials count checkpoints with --checkpoint NAME-%r.json, one file per rank (%r: the rank); --resume with as many ranks")
      ("quiet,q", po::bool_switch(), "no summary on stdout, no progress");
  po::positional_options_description pos;
  pos.add("file", 1);
  po::variables_map vm;
  if (!parse("run", args, opts, pos, vm, "FILE [OPTIONS]",
             "Runs independent trials and reports downtime (full and degraded), availability and\n"
             "its nines, outage durations, time to detect, data lost, P(any outage), SLO error\n"
             "budget and breach risk, and downtime by cause — each with a 95 % confidence interval.\n"
             "Trial i draws from Philox streams keyed by (seed, i, entity): results do not depend\n"
             "on --jobs. SIGINT/SIGTERM stop within a second (blocks in progress are dropped and\n"
             "rerun on --resume), write the checkpoint, exit 130/143.\n\n"
             "examples:\n"
             "  drsim run scenarios/designs/two-site-baseline.json --trials 2000 --out results.json\n"
             "  drsim run scenarios/designs/two-site-baseline.json --target-rel-ci 0.01 --checkpoint run.ckpt\n"
             "  drsim run scenarios/designs/two-site-baseline.json --target-rel-ci 0.01 --checkpoint run.ckpt --resume   (after Ctrl-C)\n"
             "  mpirun -n 64 drsim run scenarios/designs/two-site-baseline.json --trials 10000000 --shard auto --out shard-%r.json   (then drsim merge)\n"))
    return kOk;
  if (!vm.count("file")) throw CliError("no scenario file given (usage: drsim run FILE)");
  const std::string file = vm["file"].as<std::string>();
  RunOptions o;
  o.target_rel_ci = real_arg("target-rel-ci", vm["target-rel-ci"].as<std::string>(), 0, 0.999, "a share of the mean, like 0.01 for ±1 %; 0 = off");
  o.trials = count_arg("trials", vm["trials"].as<std::string>(), o.target_rel_ci > 0 ? 0 : 1, kMaxTrials,
                       "beyond 10^15 trial counts are no longer exact; a run uses the same memory for any count");
  o.max_trials = count_arg("max-trials", vm["max-trials"].as<std::string>(), o.target_rel_ci > 0 ? 1000 : 1, kMaxTrials,
                           "at least 1000 with --target-rel-ci");
  o.seed = count_arg("seed", vm["seed"].as<std::string>(), 0, UINT64_MAX);
  o.jobs = static_cast<int>(count_arg("jobs", vm["jobs"].as<std::string>(), 0, 4096, "0 = the CPUs this process may use"));
  o.engine = vm["engine"].as<std::string>();
  o.trials_csv = vm["trials-csv"].as<std::string>();
  o.checkpoint = vm["checkpoint"].as<std::string>();
  o.resume = vm["resume"].as<bool>();
  o.block = count_arg("block", vm["block"].as<std::string>(), 1, 1000000);
  o.checkpoint_seconds = real_arg("checkpoint-interval", vm["checkpoint-interval"].as<std::string>(), 0, 86400);
  o.finish_outputs = false;  // the CSV and the checkpoint are settled here, once results.json is safe
  const bool quiet = vm["quiet"].as<bool>();
  const std::string out = vm["out"].as<std::string>();
  if (o.engine != "fast" && o.engine != "simgrid") throw CliError("--engine must be fast or simgrid, not \"" + o.engine + "\"");
#if defined(DRSIM_SIMGRID_HELPER)
  if (o.engine == "simgrid") exec_simgrid_helper();  // before anything is loaded or written
#elif !defined(DRSIM_HAVE_SIMGRID)
  if (o.engine == "simgrid") throw CliError("this drsim was built without SimGrid (install libsimgrid-dev and rebuild)");
#endif
  const double probe_interval = real_arg("probe-interval", vm["probe-interval"].as<std::string>(), 0, 86400, "seconds; 0 = no probes, else at least 1");
  if (probe_interval > 0 && probe_interval < 1) throw CliError("--probe-interval: at least 1 second (or 0 = no probes)");
  if (o.engine == "simgrid") {
    if (o.target_rel_ci > 0 || !o.checkpoint.empty() || !vm["shard"].as<std::string>().empty() || !o.trials_csv.empty())
      throw CliError("--engine simgrid runs a fixed --trials count without checkpoints, shards or --trials-csv (use the fast engine for those)");
    if (o.trials > 100000) throw CliError("--engine simgrid: at most 100000 trials (one process each); use the fast engine");
  }
  if (o.resume && o.checkpoint.empty()) throw CliError("--resume needs --checkpoint FILE");
  const bool use_mpi = vm["mpi"].as<bool>();
  if (use_mpi) {
#ifndef DRSIM_HAVE_MPI
    throw CliError("--mpi is unavailable: this drsim was built without MPI (install libopenmpi-dev and openmpi-bin, then rebuild); "
                   "for a fixed --trials count use --shard auto and 'drsim merge' instead");
#endif
    if (o.engine != "fast" || !vm["shard"].as<std::string>().empty() || !o.trials_csv.empty())
      throw CliError("--mpi runs the fast engine without --shard or --trials-csv (the ranks are the shards)");
    if (!o.checkpoint.empty() && o.checkpoint.find("%r") == std::string::npos)
      throw CliError("--mpi --checkpoint " + o.checkpoint + ": the name needs %r, which each rank replaces by its rank (like ck-%r.json)");
  }
  std::string out_path = out;
  if (const auto sh = vm["shard"].as<std::string>(); !sh.empty()) {
    std::string spec = sh;
    if (sh == "auto") {
      const LaunchShard ls = shard_from_launcher();
      if (!ls.error.empty()) throw CliError(ls.error);
      if (!quiet) std::cerr << fmt::format("drsim run: --shard auto: shard {}/{} from {}\n", ls.index, ls.count, ls.source);
      spec = fmt::format("{}/{}", ls.index, ls.count);
    }
    const auto slash = spec.find('/');
    if (slash == std::string::npos) throw CliError("--shard must be I/N with 0 <= I < N, like 0/4, not \"" + spec + "\"");
    const std::uint64_t n = count_arg("shard", spec.substr(slash + 1), 1, 1000000, "N, the number of shards");
    const std::uint64_t i = count_arg("shard", spec.substr(0, slash), 0, n - 1, "I, this shard, from 0 to N-1");
    o.shard_index = i;
    o.shard_count = n;
    if (out.empty()) throw CliError("--shard needs --out FILE: each shard writes its part there for 'drsim merge'");
    // "%r" in the output name stands for the shard index.
    out_path = with_rank(out_path, i);
    o.checkpoint = with_rank(o.checkpoint, i);
    o.trials_csv = with_rank(o.trials_csv, i);
  }
  if (const auto h = vm["horizon"].as<std::string>(); !h.empty()) {
    auto hours = parse_duration(h);
    if (!hours || !(*hours > 0 && *hours <= 1000 * kHoursPerYear))
      throw CliError("--horizon: invalid duration \"" + h + "\" (hint: like \"1y\", \"30d\"; at most 1000y)");
    o.horizon = *hours;
  }
  if (o.engine == "simgrid" && probe_interval > 0) {
    // Bound the work: probes per trial.
    const double h = o.horizon > 0 ? o.horizon : 0;
    if (h > 0 && h * 3600 / probe_interval > 1e6)
      throw CliError(fmt::format("--probe-interval {} s over a {} h trial is {:.3g} probes per trial (at most 10^6): give a longer interval or 0",
                                 probe_interval, h, h * 3600 / probe_interval));
  }
  // Every output checked before anything runs: not an input, not the same as another,
  // its directory there and writable.
  check_outputs({file}, {{"out", out_path},
                         {"report", vm["report"].as<std::string>()},
                         {"trials-csv", o.trials_csv},
                         {"trials-csv", o.trials_csv.empty() ? "" : o.trials_csv + ".partial"},
                         {"checkpoint", o.checkpoint}});
  try {
    check_new_checkpoint(o.checkpoint, o.resume);
  } catch (const UsageError& e) {
    throw CliError(e.what());
  }
  Scenario sc = load(file, vm["variant"].as<std::vector<std::string>>());
  const std::string rf = vm["random-failures"].as<std::string>();
  if (rf == "on") o.random_failures = true;
  else if (rf == "off") o.random_failures = false;
  else if (rf == "auto") o.random_failures = sc.injections.empty();
  else throw CliError("--random-failures must be on, off or auto, not \"" + rf + "\"");
  if (!o.random_failures && sc.injections.empty())
    throw CliError("--random-failures off on a scenario without injections: nothing would ever fail");
  if (o.engine == "simgrid" && probe_interval > 0 && o.horizon <= 0 && sc.horizon * 3600 / probe_interval > 1e6)
    throw CliError(fmt::format("--probe-interval {} s over the scenario's {} h trial is {:.3g} probes per trial (at most 10^6): give a longer interval or 0",
                               probe_interval, sc.horizon, sc.horizon * 3600 / probe_interval));
  o.progress = !quiet && ::isatty(2) && !use_mpi;

  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  RunOutcome r;
  nlohmann::json platform;
  bool mpi_written = false;  // --mpi: rank 0 wrote results.json already, the checkpoints are gone
  try {
#ifdef DRSIM_HAVE_SIMGRID
    if (o.engine == "simgrid") {
      auto sg = run_monte_carlo_simgrid(sc, o, probe_interval);
      r = std::move(sg.run);
      platform = std::move(sg.platform);
    } else
#endif
#ifdef DRSIM_HAVE_MPI
    if (use_mpi) {
      // Rank 0 writes results.json before the ranks part; then each removes its checkpoint.
      MpiOutcome m = run_monte_carlo_mpi(sc, o, [&](const RunOutcome& whole) {
        if (out.empty()) return;
        nlohmann::json j = results_json(sc, o, whole);
        j["timing"].update(invocation());
        write_output(out, j.dump(2) + "\n");
      });
      if (m.run.interrupted && m.rank != 0) return 128 + m.run.signal;
      if (m.rank != 0) return kOk;
      r = std::move(m.run);
      mpi_written = true;
    } else
#endif
      r = run_monte_carlo(sc, o);
  } catch (const UsageError& e) {
    throw CliError(e.what());
  }
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  const std::string csv_part = o.trials_csv.empty() ? "" : o.trials_csv + ".partial";
  if (r.interrupted) {
    const char* sig = r.signal == SIGINT ? "SIGINT" : "SIGTERM";
    if (use_mpi)
      std::cerr << fmt::format("drsim run --mpi: interrupted by {}; nothing but each rank's checkpoint was written.\n", sig);
    else
      std::cerr << fmt::format("drsim run: interrupted by {} after {} trials; nothing but the checkpoint was written.\n", sig, r.trials);
    if (!o.checkpoint.empty()) {
      std::cerr << "  resume with the same command plus --resume (checkpoint: " << o.checkpoint
                << (use_mpi ? ", one per rank: resume with as many ranks" : "") << ")\n";
    } else {
      std::cerr << "  (no --checkpoint was given: the run cannot be resumed)\n";
      if (!csv_part.empty()) std::remove(csv_part.c_str());
    }
    return 128 + r.signal;
  }
  // Results first; only once they are safely written do the CSV and the checkpoint settle.
  auto save = [&](const std::string& path, const std::string& text) {
    try {
      write_output(path, text);
    } catch (const SaveError& e) {
      if (!o.checkpoint.empty())
        throw SaveError(std::string(e.what()) + "; the checkpoint " + o.checkpoint +
                        " holds the whole run: free space and rerun the same command with --resume to write the results");
      if (!csv_part.empty()) std::remove(csv_part.c_str());
      throw;
    }
  };
  auto finish = [&]() {
    std::string err = finish_run_outputs(o);
    if (!err.empty()) throw SaveError(err);
  };
  if (o.shard_count > 1) {
    save(out_path, seal_json(shard_json(sc, o, r)) + "\n");
    finish();
    if (!quiet)
      std::cout << fmt::format("shard {}/{}: {} trials (blocks {}..{}) written to {} (combine with: drsim merge {} SHARD...)\n",
                               o.shard_index, o.shard_count, r.trials, RunPlan{o.trials, o.block, o.shard_index, o.shard_count}.lo(),
                               RunPlan{o.trials, o.block, o.shard_index, o.shard_count}.hi() - 1, out_path, file);
    return kOk;
  }
  nlohmann::json j = results_json(sc, o, r);
  if (!platform.is_null()) j["platform"] = platform;
  j["timing"].update(invocation());
  if (!mpi_written) {
    if (!out.empty()) save(out, j.dump(2) + "\n");
    finish();
  }
  if (const auto& rep = vm["report"].as<std::string>(); !rep.empty()) write_report({{}, j.dump()}, rep, "");
  if (!quiet) std::cout << format_run_summary(j);
  return kOk;
}

}  // namespace drsim::cli
