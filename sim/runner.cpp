// The trial runner (see runner.h): blocks, worker threads, in-order merging,
// checkpoints, progress.
#include "sim/runner.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>
#include <unistd.h>

#include <fmt/format.h>

#include "drsim_version.h"
#include "sim/atomic_file.h"
#include "sim/fast_engine.h"

namespace drsim {

std::atomic<int> g_stop_signal{0};

namespace {

constexpr int kCheckpointFormat = 2;

double cpu_seconds_now() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec * 1e-9;
}

std::string format_count(double x) {
  if (x >= 1e6) return fmt::format("{:.2f} M", x / 1e6);
  if (x >= 1e4) return fmt::format("{:.1f} k", x / 1e3);
  return fmt::format("{:.0f}", x);
}

struct BlockResult {
  Aggregate agg;
  std::string csv;
  std::uint64_t events = 0;
};

}  // namespace

nlohmann::json run_identity(const Scenario& sc, const RunOptions& o) {
  nlohmann::json j;
  j["drsim_version"] = DRSIM_VERSION;
  j["scenario_sha256"] = sc.sha256;
  j["seed"] = o.seed;
  j["engine"] = o.engine;
  j["horizon_hours"] = o.horizon > 0 ? o.horizon : sc.horizon;
  j["block"] = o.block;
  j["trials"] = o.trials;
  j["target_rel_ci"] = o.target_rel_ci;
  j["max_trials"] = o.max_trials;
  j["random_failures"] = o.random_failures;
  j["superblock"] = kSuperblockBlocks;
  j["shard"] = {o.shard_index, o.shard_count};
  return j;
}

std::string trials_csv_header(const std::vector<std::string>& causes) {
  std::string h = "trial,downtime_min,degraded_min,outages,longest_outage_min,first_detect_min,data_loss_s,end_hours";
  (void)causes;
  return h + ",top_cause\n";
}

void append_trials_csv_row(std::string& out, std::uint64_t trial, const TrialResult& r) {
  double longest = 0, detect = -1;
  int n = 0;
  for (const auto& o : r.outages) {
    if (!o.full) continue;
    ++n;
    longest = std::max(longest, o.end - o.start);
    if (detect < 0 && o.detected >= 0) detect = o.detected - o.start;
  }
  int top = -1;
  double top_v = 0;
  for (std::size_t c = 0; c < r.downtime_by_cause.size(); ++c)
    if (r.downtime_by_cause[c] > top_v) {
      top_v = r.downtime_by_cause[c];
      top = static_cast<int>(c);
    }
  fmt::format_to(std::back_inserter(out), "{},{:.6g},{:.6g},{},{:.6g},{},{:.6g},{:.6g},{}\n", trial,
                 r.downtime_full * 60, r.downtime_degraded * 60, n, longest * 60,
                 detect < 0 ? std::string() : fmt::format("{:.6g}", detect * 60), r.data_loss * 3600, r.end_time, top);
}

Aggregate fold_superblocks(std::vector<std::pair<std::uint64_t, nlohmann::json>> sb, std::uint64_t expected) {
  std::sort(sb.begin(), sb.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  if (sb.size() != expected)
    throw UsageError(fmt::format("{} superblocks where {} were expected (a shard is missing or given twice)", sb.size(), expected));
  Aggregate total;
  for (std::uint64_t i = 0; i < sb.size(); ++i) {
    if (sb[i].first != i) throw UsageError(fmt::format("superblock {} is missing (a shard is missing or given twice)", i));
    Aggregate part = Aggregate::from_state(sb[i].second);
    if (i == 0) total = part;  // as Aggregate::merge into an empty aggregate: a copy
    else total.merge(part);
  }
  return total;
}

RunOutcome run_monte_carlo(const Scenario& sc, const RunOptions& opt_in) {
  RunOptions opt = opt_in;
  if (opt.block == 0) opt.block = 100;
  if (opt.shard_count == 0 || opt.shard_index >= opt.shard_count)
    throw UsageError(fmt::format("shard {}/{} does not exist (hint: --shard I/N with 0 <= I < N)", opt.shard_index, opt.shard_count));
  const bool sharded = opt.shard_count > 1;
  if (sharded && opt.target_rel_ci > 0)
    throw UsageError("--target-rel-ci needs the whole run in one process; with --shard give --trials");
  const double horizon = opt.horizon > 0 ? opt.horizon : sc.horizon;
  const std::uint64_t total = opt.target_rel_ci > 0 ? opt.max_trials : opt.trials;
  const std::uint64_t nblocks = (total + opt.block - 1) / opt.block;

  // The blocks this process runs, in order: whole superblocks of this shard.
  std::vector<std::uint64_t> todo;
  for (std::uint64_t b = 0; b < nblocks; ++b)
    if ((b / kSuperblockBlocks) % opt.shard_count == opt.shard_index) todo.push_back(b);
  auto last_of_superblock = [&](std::uint64_t b) { return (b + 1) % kSuperblockBlocks == 0 || b + 1 == nblocks; };

  int jobs = opt.jobs > 0 ? opt.jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  jobs = static_cast<int>(std::min<std::uint64_t>(static_cast<std::uint64_t>(jobs), std::max<std::size_t>(1, todo.size())));

  RunOutcome out;
  {
    Model probe(sc);
    out.cause_names = probe.cause_names();
  }
  AggregateConfig cfg;
  cfg.horizon = horizon;
  cfg.slo_target = sc.objectives.slo_target;
  cfg.slo_window = sc.objectives.slo_window;
  cfg.causes = out.cause_names.size();
  Aggregate merged(cfg);   // finished superblocks, folded in order
  Aggregate partial(cfg);  // the superblock being filled, block by block
  bool merged_empty = true;
  std::uint64_t next_merge = 0;  // position in todo
  std::uint64_t csv_bytes = 0;
  const nlohmann::json identity = run_identity(sc, opt);

  // ---- resume ----
  std::string csv_part = opt.trials_csv.empty() ? "" : opt.trials_csv + ".partial";
  if (opt.resume) {
    std::ifstream in(opt.checkpoint);
    if (!in) throw UsageError("cannot resume: no checkpoint at " + opt.checkpoint + " (hint: run with --checkpoint FILE first)");
    nlohmann::json cp;
    try {
      cp = nlohmann::json::parse(in);
    } catch (const std::exception&) {
      throw UsageError("cannot resume: " + opt.checkpoint + " is not a drsim checkpoint (damaged or another file)");
    }
    if (!cp.is_object() || cp.value("format", 0) != kCheckpointFormat || !cp.contains("identity"))
      throw UsageError("cannot resume: " + opt.checkpoint + " is not a drsim checkpoint of this format");
    const auto& id = cp["identity"];
    for (const auto& [key, value] : identity.items()) {
      if (!id.contains(key) || id[key] != value)
        throw UsageError(fmt::format("cannot resume: the checkpoint {} was made with {} = {}, this run has {} (hint: rerun with the same scenario, seed and options, or start afresh without --resume)",
                                     opt.checkpoint, key, id.contains(key) ? id[key].dump() : "nothing", value.dump()));
    }
    try {
      merged_empty = cp.at("merged_empty").get<bool>();
      if (!merged_empty) merged = Aggregate::from_state(cp.at("aggregate"));
      partial = Aggregate::from_state(cp.at("partial"));
      next_merge = cp.at("blocks_done").get<std::uint64_t>();
      csv_bytes = cp.value("csv_bytes", std::uint64_t{0});
      for (const auto& s : cp.at("superblocks")) out.superblocks.emplace_back(s.at(0).get<std::uint64_t>(), s.at(1));
    } catch (const std::exception&) {
      throw UsageError("cannot resume: " + opt.checkpoint + " is damaged");
    }
    if (next_merge > todo.size()) throw UsageError("cannot resume: " + opt.checkpoint + " is damaged");
    if (!csv_part.empty()) {
      if (::truncate(csv_part.c_str(), static_cast<off_t>(csv_bytes)) != 0)
        throw UsageError("cannot resume: the partial trials file " + csv_part + " is missing");
    }
  } else if (!csv_part.empty()) {
    std::string header = trials_csv_header(out.cause_names);
    std::string err = write_file_atomically(csv_part, header);
    if (!err.empty()) throw UsageError(err);
    csv_bytes = header.size();
  }

  // ---- workers ----
  std::mutex mu;
  std::condition_variable cv;
  std::map<std::uint64_t, BlockResult> done;  // by position in todo
  std::atomic<std::uint64_t> next_pos{next_merge};
  std::atomic<bool> stop{false};
  const bool want_csv = !csv_part.empty();

  auto worker = [&]() {
    ModelOptions mo;
    mo.random_failures = opt.random_failures;
    Model model(sc, mo);
    FastEngine engine;
    while (!stop.load(std::memory_order_relaxed)) {
      std::uint64_t pos = next_pos.fetch_add(1);
      if (pos >= todo.size()) break;
      const std::uint64_t b = todo[pos];
      BlockResult br{Aggregate(cfg), {}, 0};
      std::uint64_t lo = b * opt.block, hi = std::min(total, lo + opt.block);
      for (std::uint64_t t = lo; t < hi; ++t) {
        const TrialResult& r = engine.run_trial(model, opt.seed, t, horizon);
        br.agg.add(r);
        br.events += r.events;
        if (want_csv) append_trials_csv_row(br.csv, t, r);
      }
      {
        std::lock_guard<std::mutex> lk(mu);
        done.emplace(pos, std::move(br));
      }
      cv.notify_one();
      // A signal lets running blocks finish; no new ones start.
      if (g_stop_signal.load() != 0) break;
    }
  };

  auto t0 = std::chrono::steady_clock::now();
  double cpu0 = cpu_seconds_now();
  std::vector<std::thread> threads;
  for (int i = 0; i < jobs; ++i) threads.emplace_back(worker);

  auto write_checkpoint = [&]() {
    if (opt.checkpoint.empty()) return;
    nlohmann::json cp;
    cp["format"] = kCheckpointFormat;
    cp["identity"] = identity;
    cp["blocks_done"] = next_merge;
    cp["csv_bytes"] = csv_bytes;
    cp["merged_empty"] = merged_empty;
    cp["aggregate"] = merged_empty ? nlohmann::json() : merged.state();
    cp["partial"] = partial.state();
    nlohmann::json sbs = nlohmann::json::array();
    for (const auto& [i, st] : out.superblocks) sbs.push_back({i, st});
    cp["superblocks"] = sbs;
    std::string err = write_file_atomically(opt.checkpoint, cp.dump());
    if (!err.empty()) std::fprintf(stderr, "drsim: %s\n", err.c_str());
  };

  auto last_cp = std::chrono::steady_clock::now();
  auto last_progress = last_cp;
  bool target_met = false;
  bool progress_shown = false;
  std::FILE* csv_file = want_csv ? std::fopen(csv_part.c_str(), "ab") : nullptr;

  // Merges the block at position next_merge (present in `done`); called with mu unlocked.
  auto merge_next = [&](BlockResult& br) {
    const std::uint64_t b = todo[next_merge];
    partial.merge(br.agg);
    out.events += br.events;
    if (csv_file) {
      std::fwrite(br.csv.data(), 1, br.csv.size(), csv_file);
      csv_bytes += br.csv.size();
    }
    ++next_merge;
    if (last_of_superblock(b)) {
      if (sharded) {
        out.superblocks.emplace_back(b / kSuperblockBlocks, partial.state());
      } else if (merged_empty) {
        merged = partial;
        merged_empty = false;
      } else {
        merged.merge(partial);
      }
      partial = Aggregate(cfg);
    }
  };

  std::unique_lock<std::mutex> lk(mu);
  while (next_merge < todo.size() && !target_met) {
    cv.wait_for(lk, std::chrono::milliseconds(200), [&] { return done.count(next_merge) > 0; });
    while (done.count(next_merge)) {
      BlockResult br = std::move(done[next_merge]);
      done.erase(next_merge);
      lk.unlock();
      merge_next(br);
      // The stop rule reads only the merged prefix: the same block count on any -j.
      if (opt.target_rel_ci > 0 && next_merge * opt.block >= 1000 &&
          (merged_empty ? partial.relative_half_width() : merged.relative_half_width(partial)) < opt.target_rel_ci)
        target_met = true;
      lk.lock();
      if (target_met) break;
    }
    auto now = std::chrono::steady_clock::now();
    double elapsed = std::chrono::duration<double>(now - t0).count();
    if (opt.progress && elapsed > 2 && std::chrono::duration<double>(now - last_progress).count() > 0.5) {
      last_progress = now;
      double doneN = static_cast<double>(merged_empty ? partial.trials() : merged.trials() + partial.trials());
      double mine = static_cast<double>(std::min<std::uint64_t>(total, todo.size() * opt.block));
      double rate = doneN / std::max(elapsed, 1e-9);
      double eta = opt.target_rel_ci > 0 ? 0 : (mine - doneN) / std::max(rate, 1e-9);
      double rhw = merged_empty ? partial.relative_half_width() : merged.relative_half_width(partial);
      std::fprintf(stderr, "\r  %s/%s trials  %s trials/s  ETA %.0f s  CI ±%.2f %%   ", format_count(doneN).c_str(),
                   format_count(mine).c_str(), format_count(rate).c_str(), eta, std::isfinite(rhw) ? rhw * 100 : 0.0);
      std::fflush(stderr);
      progress_shown = true;
    }
    if (std::chrono::duration<double>(now - last_cp).count() > opt.checkpoint_seconds) {
      last_cp = now;
      if (csv_file) std::fflush(csv_file);
      write_checkpoint();
    }
    if (g_stop_signal.load() != 0) {
      // Wait for the blocks in flight, merge what is contiguous, then stop.
      stop = true;
      lk.unlock();
      for (auto& t : threads) t.join();
      threads.clear();
      lk.lock();
      while (done.count(next_merge)) {
        BlockResult br = std::move(done[next_merge]);
        done.erase(next_merge);
        merge_next(br);
      }
      out.interrupted = next_merge < todo.size();
      out.signal = g_stop_signal.load();
      break;
    }
  }
  stop = true;
  lk.unlock();
  for (auto& t : threads) t.join();
  if (progress_shown) std::fputs("\r\033[K", stderr);
  if (csv_file) {
    std::fflush(csv_file);
    ::fsync(::fileno(csv_file));
    std::fclose(csv_file);
  }
  if (out.interrupted) {
    write_checkpoint();
  } else {
    // A --target-rel-ci run stops inside a superblock: fold what is there.
    if (partial.trials() > 0 && !sharded) {
      if (merged_empty) merged = partial;
      else merged.merge(partial);
      merged_empty = false;
    }
    if (want_csv) {
      std::string err = rename_file(csv_part, opt.trials_csv);
      if (!err.empty()) throw UsageError(err);
    }
    if (!opt.checkpoint.empty()) std::remove(opt.checkpoint.c_str());
  }
  if (sharded) {
    // For the summary of this shard alone; the real result is `drsim merge`'s.
    Aggregate mine(cfg);
    bool first = true;
    for (const auto& [i, st] : out.superblocks) {
      Aggregate a = Aggregate::from_state(st);
      if (first) mine = a;
      else mine.merge(a);
      first = false;
    }
    out.aggregate = std::move(mine);
  } else {
    out.aggregate = merged_empty ? Aggregate(cfg) : std::move(merged);
  }
  out.trials = out.aggregate.trials();
  out.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  out.cpu_seconds = cpu_seconds_now() - cpu0;
  out.jobs = jobs;
  return out;
}

}  // namespace drsim
