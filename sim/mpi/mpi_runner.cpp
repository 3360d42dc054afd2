// drsim run --mpi (see mpi_runner.h).
#include "sim/mpi/mpi_runner.h"

#include <mpi.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <exception>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "sim/fast_engine.h"

namespace drsim {
namespace {

double cpu_now() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec * 1e-9;
}

// Every rank's `mine`, on rank 0 (empty elsewhere).
std::vector<std::string> gather(const std::string& mine, int rank, int size) {
  int len = static_cast<int>(mine.size());
  std::vector<int> lens(static_cast<std::size_t>(size)), offs(static_cast<std::size_t>(size));
  MPI_Gather(&len, 1, MPI_INT, lens.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::string all;
  if (rank == 0) {
    std::size_t total = 0;
    for (int r = 0; r < size; ++r) {
      offs[static_cast<std::size_t>(r)] = static_cast<int>(total);
      total += static_cast<std::size_t>(lens[static_cast<std::size_t>(r)]);
    }
    all.resize(total);
  }
  MPI_Gatherv(mine.data(), len, MPI_CHAR, all.data(), lens.data(), offs.data(), MPI_CHAR, 0, MPI_COMM_WORLD);
  std::vector<std::string> out;
  if (rank == 0)
    for (int r = 0; r < size; ++r)
      out.push_back(all.substr(static_cast<std::size_t>(offs[static_cast<std::size_t>(r)]), static_cast<std::size_t>(lens[static_cast<std::size_t>(r)])));
  return out;
}

// Runs blocks [lo, hi) on `jobs` threads; each block's aggregate, in block order.
std::vector<Aggregate> run_blocks(const Scenario& sc, const RunOptions& o, const AggregateConfig& cfg, double horizon,
                                  std::uint64_t lo, std::uint64_t hi, int jobs, std::uint64_t& events) {
  const BlockTree tree{o.target_rel_ci > 0 ? o.max_trials : o.trials, o.block};
  std::vector<Aggregate> out(hi - lo, Aggregate(cfg));
  std::vector<std::uint64_t> ev(hi - lo, 0);
  std::atomic<std::uint64_t> next{lo};
  auto worker = [&] {
    ModelOptions mo;
    mo.random_failures = o.random_failures;
    Model model(sc, mo);
    FastEngine engine;
    for (std::uint64_t b; (b = next.fetch_add(1)) < hi;) {
      for (std::uint64_t t = b * o.block, end = t + tree.trials_in(b, b + 1); t < end; ++t) {
        const TrialResult& r = engine.run_trial(model, o.seed, t, horizon);
        out[b - lo].add(r);
        ev[b - lo] += r.events;
      }
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < std::max(1, std::min<int>(jobs, static_cast<int>(hi - lo))); ++i) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  for (auto e : ev) events += e;
  return out;
}

// This rank's checkpoint: the name with "%r" replaced by the rank; checked as drsim run
// checks its own (an existing one is continued only with --resume).
std::string rank_checkpoint(const RunOptions& opt, int rank, int size) {
  if (opt.checkpoint.find("%r") == std::string::npos && size > 1)
    throw UsageError("--mpi --checkpoint " + opt.checkpoint + ": the name needs %r, which each rank replaces by its rank (like ck-%r.json)");
  const std::string ck = with_rank(opt.checkpoint, static_cast<std::uint64_t>(rank));
  check_new_checkpoint(ck, opt.resume);
  std::error_code ec;
  if (opt.resume && !std::filesystem::exists(ck, ec))
    throw UsageError("cannot resume: no checkpoint at " + ck + " (hint: resume with as many ranks as the run had; each rank has its own)");
  return ck;
}

// A fixed --trials count: this rank runs its shard (checkpointed as a shard is when
// mine.checkpoint is set); rank 0 gathers every rank's fold nodes and folds them as
// `drsim merge` does. Interrupted on any rank: out.interrupted on all, nothing gathered.
void run_fixed(const Scenario& sc, const RunOptions& mine, const AggregateConfig& cfg, int rank, int size, RunOutcome& out,
               std::uint64_t& events) {
  RunOutcome r = run_monte_carlo(sc, mine);
  events = r.events;
  int sig = r.interrupted ? r.signal : 0, any_sig = 0;
  MPI_Allreduce(&sig, &any_sig, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  if (any_sig != 0) {
    out.interrupted = true;
    out.signal = any_sig;
    return;
  }
  if (size == 1) {
    out.aggregate = std::move(r.aggregate);
    return;
  }
  nlohmann::json nodes = nlohmann::json::array();
  for (const FoldNode& n : r.nodes) nodes.push_back({n.level, n.index, n.state});
  auto all = gather(nodes.dump(), rank, size);
  if (rank != 0) return;
  std::vector<FoldNode> every;
  for (const auto& text : all)
    for (const auto& e : nlohmann::json::parse(text)) every.push_back({e[0].get<std::uint64_t>(), e[1].get<std::uint64_t>(), e[2]});
  out.aggregate = fold_nodes(BlockTree{mine.trials, mine.block}, every, cfg);
}

// --target-rel-ci: rounds of blocks, rank r running the next per_rank blocks after
// ranks 0..r-1's; rank 0 folds every block in block order, applies the single-process
// stop rule after each one and tells the ranks whether to go on.
void run_rounds(const Scenario& sc, const RunOptions& opt, const AggregateConfig& cfg, double horizon, int jobs, int rank, int size,
                RunOutcome& out, std::uint64_t& events) {
  const BlockTree tree{opt.max_trials, opt.block};
  const std::uint64_t nblocks = tree.nblocks();
  const std::uint64_t per_rank = static_cast<std::uint64_t>(std::max(1, 2 * jobs));  // blocks per rank per round
  BlockFold fold(tree, 0, nblocks, cfg);  // rank 0 only
  bool stop = false;
  for (std::uint64_t round_lo = 0; !stop && round_lo < nblocks;) {
    const std::uint64_t width = std::min<std::uint64_t>(per_rank * static_cast<std::uint64_t>(size), nblocks - round_lo);
    const std::uint64_t lo = round_lo + std::min(width, static_cast<std::uint64_t>(rank) * per_rank);
    const std::uint64_t hi = round_lo + std::min(width, static_cast<std::uint64_t>(rank + 1) * per_rank);
    nlohmann::json states = nlohmann::json::array();
    for (const Aggregate& a : run_blocks(sc, opt, cfg, horizon, lo, hi, jobs, events)) states.push_back(a.state());
    auto all = gather(states.dump(), rank, size);
    round_lo += width;
    int go_on = 1;
    if (rank == 0) {
      // The ranks' blocks follow each other: rank order is block order.
      for (const auto& text : all) {
        for (const auto& st : nlohmann::json::parse(text)) {
          if (stop) break;
          fold.add(Aggregate::from_state(st));
          if (tree.trials_in(0, fold.next()) >= 1000 && fold.prefix_relative_half_width() < opt.target_rel_ci) stop = true;
        }
      }
      go_on = stop ? 0 : 1;
    }
    MPI_Bcast(&go_on, 1, MPI_INT, 0, MPI_COMM_WORLD);
    stop = go_on == 0;
  }
  if (rank == 0) out.aggregate = fold.prefix();
}

// Timing over the ranks, on rank 0: the longest wall time; CPU, events and threads summed.
void reduce_timing(double wall, double cpu, std::uint64_t events, int jobs, RunOutcome& out) {
  double wall_max = 0, cpu_sum = 0;
  unsigned long long ev = events, ev_sum = 0;
  int jobs_sum = 0;
  MPI_Reduce(&wall, &wall_max, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
  MPI_Reduce(&cpu, &cpu_sum, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
  MPI_Reduce(&ev, &ev_sum, 1, MPI_UNSIGNED_LONG_LONG, MPI_SUM, 0, MPI_COMM_WORLD);
  MPI_Reduce(&jobs, &jobs_sum, 1, MPI_INT, MPI_SUM, 0, MPI_COMM_WORLD);
  out.wall_seconds = wall_max;
  out.cpu_seconds = cpu_sum;
  out.events = ev_sum;
  out.jobs = jobs_sum;
  out.trials = out.aggregate.trials();
}

}  // namespace

MpiOutcome run_monte_carlo_mpi(const Scenario& sc, const RunOptions& opt, const MpiResultWriter& write) {
  if (!opt.trials_csv.empty() || opt.shard_count > 1)
    throw UsageError("--mpi runs without --trials-csv or --shard (the ranks are the shards)");
  if (!opt.checkpoint.empty() && opt.target_rel_ci > 0)
    throw UsageError("--mpi --target-rel-ci runs without --checkpoint (its ranks stop together in rounds); "
                     "for a resumable MPI run give a fixed --trials");
  MPI_Init(nullptr, nullptr);
  MpiOutcome res;
  MPI_Comm_rank(MPI_COMM_WORLD, &res.rank);
  MPI_Comm_size(MPI_COMM_WORLD, &res.size);
  const int rank = res.rank, size = res.size;
  const auto t0 = std::chrono::steady_clock::now();
  const double cpu0 = cpu_now();
  RunOutcome& out = res.run;
  const double horizon = opt.horizon > 0 ? opt.horizon : sc.horizon;
  AggregateConfig cfg;
  out.cause_names = Model(sc).cause_names();
  cfg.horizon = horizon;
  cfg.slo_target = sc.objectives.slo_target;
  cfg.slo_window = sc.objectives.slo_window;
  cfg.causes = out.cause_names.size();
  const int jobs = opt.jobs > 0 ? opt.jobs : default_jobs();
  std::uint64_t events = 0;
  RunOptions mine = opt;  // this rank's part of a fixed --trials count
  mine.shard_index = static_cast<std::uint64_t>(rank);
  mine.shard_count = static_cast<std::uint64_t>(size);
  mine.jobs = jobs;
  mine.progress = false;
  mine.finish_outputs = false;  // the checkpoint goes once rank 0 has written the results
  // Any rank's failure (a save error, a damaged state) ends the whole job.
  try {
    if (opt.target_rel_ci <= 0) {
      if (!opt.checkpoint.empty()) mine.checkpoint = rank_checkpoint(opt, rank, size);
      run_fixed(sc, mine, cfg, rank, size, out, events);
    } else {
      run_rounds(sc, opt, cfg, horizon, jobs, rank, size, out, events);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "drsim run --mpi: rank %d: %s\n", rank, e.what());
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  reduce_timing(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), cpu_now() - cpu0, events, jobs, out);
  // Results first (rank 0); once they are written, every rank's checkpoint goes.
  std::exception_ptr failed;
  int written = 0;
  if (rank == 0 && !out.interrupted) {
    try {
      write(out);
      written = 1;
    } catch (...) {
      failed = std::current_exception();
    }
  }
  MPI_Bcast(&written, 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::string settle;
  if (written && !mine.checkpoint.empty()) settle = finish_run_outputs(mine);
  MPI_Finalize();
  if (failed) std::rethrow_exception(failed);
  if (!settle.empty()) std::fprintf(stderr, "drsim run --mpi: rank %d: %s\n", rank, settle.c_str());
  return res;
}

}  // namespace drsim
