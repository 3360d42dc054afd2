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

constexpr int kCheckpointFormat = 1;

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

RunOutcome run_monte_carlo(const Scenario& sc, const RunOptions& opt_in) {
  RunOptions opt = opt_in;
  if (opt.block == 0) opt.block = 100;
  const double horizon = opt.horizon > 0 ? opt.horizon : sc.horizon;
  const std::uint64_t total = opt.target_rel_ci > 0 ? opt.max_trials : opt.trials;
  const std::uint64_t nblocks = (total + opt.block - 1) / opt.block;
  int jobs = opt.jobs > 0 ? opt.jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  jobs = static_cast<int>(std::min<std::uint64_t>(static_cast<std::uint64_t>(jobs), std::max<std::uint64_t>(1, nblocks)));

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
  Aggregate merged(cfg);
  std::uint64_t next_merge = 0;
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
    merged = Aggregate::from_state(cp["aggregate"]);
    next_merge = cp["blocks_done"].get<std::uint64_t>();
    csv_bytes = cp.value("csv_bytes", std::uint64_t{0});
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
  std::map<std::uint64_t, BlockResult> done;
  std::atomic<std::uint64_t> next_block{next_merge};
  std::atomic<bool> stop{false};
  const bool want_csv = !csv_part.empty();

  auto worker = [&]() {
    ModelOptions mo;
    mo.random_failures = opt.random_failures;
    Model model(sc, mo);
    FastEngine engine;
    while (!stop.load(std::memory_order_relaxed)) {
      std::uint64_t b = next_block.fetch_add(1);
      if (b >= nblocks) break;
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
        done.emplace(b, std::move(br));
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
    cp["aggregate"] = merged.state();
    std::string err = write_file_atomically(opt.checkpoint, cp.dump());
    if (!err.empty()) std::fprintf(stderr, "drsim: %s\n", err.c_str());
  };

  auto last_cp = std::chrono::steady_clock::now();
  auto last_progress = last_cp;
  bool target_met = false;
  bool progress_shown = false;
  std::FILE* csv_file = want_csv ? std::fopen(csv_part.c_str(), "ab") : nullptr;

  std::unique_lock<std::mutex> lk(mu);
  while (next_merge < nblocks && !target_met) {
    cv.wait_for(lk, std::chrono::milliseconds(200), [&] { return done.count(next_merge) > 0; });
    while (done.count(next_merge)) {
      BlockResult br = std::move(done[next_merge]);
      done.erase(next_merge);
      lk.unlock();
      merged.merge(br.agg);
      out.events += br.events;
      if (csv_file) {
        std::fwrite(br.csv.data(), 1, br.csv.size(), csv_file);
        csv_bytes += br.csv.size();
      }
      ++next_merge;
      // The stop rule reads only the merged prefix: the same block count on any -j.
      if (opt.target_rel_ci > 0 && merged.trials() >= 1000 && merged.relative_half_width() < opt.target_rel_ci)
        target_met = true;
      lk.lock();
      if (target_met) break;
    }
    auto now = std::chrono::steady_clock::now();
    double elapsed = std::chrono::duration<double>(now - t0).count();
    if (opt.progress && elapsed > 2 && std::chrono::duration<double>(now - last_progress).count() > 0.5) {
      last_progress = now;
      double rate = merged.trials() / std::max(elapsed, 1e-9);
      double eta = (opt.target_rel_ci > 0 ? 0 : (static_cast<double>(total) - merged.trials()) / std::max(rate, 1e-9));
      double rhw = merged.relative_half_width();
      std::fprintf(stderr, "\r  %s/%s trials  %s trials/s  ETA %.0f s  CI ±%.2f %%   ", format_count(merged.trials()).c_str(),
                   format_count(static_cast<double>(total)).c_str(), format_count(rate).c_str(), eta,
                   std::isfinite(rhw) ? rhw * 100 : 0.0);
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
        merged.merge(done[next_merge].agg);
        out.events += done[next_merge].events;
        if (csv_file) {
          std::fwrite(done[next_merge].csv.data(), 1, done[next_merge].csv.size(), csv_file);
          csv_bytes += done[next_merge].csv.size();
        }
        done.erase(next_merge);
        ++next_merge;
      }
      out.interrupted = next_merge < nblocks;
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
    if (want_csv) {
      std::string err = rename_file(csv_part, opt.trials_csv);
      if (!err.empty()) throw UsageError(err);
    }
    if (!opt.checkpoint.empty()) std::remove(opt.checkpoint.c_str());
  }
  out.aggregate = std::move(merged);
  out.trials = out.aggregate.trials();
  out.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  out.cpu_seconds = cpu_seconds_now() - cpu0;
  out.jobs = jobs;
  return out;
}

}  // namespace drsim
