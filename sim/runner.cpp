// The trial runner (see runner.h): blocks, worker threads, in-order merging,
// checkpoints, progress.
#include "sim/runner.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sched.h>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>
#include <unistd.h>

#include <fmt/format.h>

#include "drsim_version.h"
#include "sim/atomic_file.h"
#include "models/sha256.h"
#include "sim/fast_engine.h"

namespace drsim {

std::atomic<int> g_stop_signal{0};

namespace {

constexpr const char* kCheckpointFormat = "drsim-checkpoint";
constexpr int kCheckpointVersion = 4;  // 4: the fold tree's pending levels and nodes

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

namespace {
// A CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break.
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}
}  // namespace

void append_trials_csv_row(std::string& out, std::uint64_t trial, const TrialResult& r, const std::vector<std::string>& causes) {
  double longest = 0, detect = -1;
  int n = 0;
  for (const auto& o : r.outages) {
    if (!o.full) continue;
    ++n;
    longest = std::max(longest, o.end - o.start);
    if (detect < 0 && o.detected >= 0) detect = o.detected - o.start;
  }
  // The cause charged the most full downtime in this trial (the first of equals);
  // none when the service was never down.
  std::size_t top = causes.size();
  double top_v = 0;
  for (std::size_t c = 0; c < r.downtime_by_cause.size() && c < causes.size(); ++c)
    if (r.downtime_by_cause[c] > top_v) {
      top_v = r.downtime_by_cause[c];
      top = c;
    }
  fmt::format_to(std::back_inserter(out), "{},{:.6g},{:.6g},{},{:.6g},{},{:.6g},{:.6g},{}\n", trial,
                 r.downtime_full * 60, r.downtime_degraded * 60, n, longest * 60,
                 detect < 0 ? std::string() : fmt::format("{:.6g}", detect * 60), r.data_loss * 3600, r.end_time,
                 top < causes.size() ? csv_field(causes[top]) : std::string());
}

namespace {
// floor(i·n/d) without overflow (n up to 10^15 blocks, d up to 10^6 shards).
std::uint64_t scaled(std::uint64_t i, std::uint64_t n, std::uint64_t d) {
  return i * (n / d) + i * (n % d) / d;  // i·(qd + r)/d = iq + ir/d, and i·r < 10^12
}
}  // namespace

std::uint64_t RunPlan::lo() const { return scaled(shard_index, nblocks(), shard_count); }
std::uint64_t RunPlan::hi() const { return scaled(shard_index + 1, nblocks(), shard_count); }

std::uint64_t RunPlan::trials_in_block(std::uint64_t b) const {
  const std::uint64_t lo = b * block;
  return lo >= total ? 0 : std::min(block, total - lo);
}

std::uint64_t RunPlan::trials_before(std::uint64_t pos) const { return tree().trials_in(lo(), lo() + pos); }

std::string seal_json(nlohmann::json j) {
  j.erase("sha256");
  std::string body = j.dump();
  j["sha256"] = sha256_hex(body);
  return j.dump();
}

nlohmann::json unseal_json(std::string_view text, const std::string& what) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text.begin(), text.end());
  } catch (const std::exception&) {
    throw UsageError(what + " is damaged or not a drsim file (not JSON)");
  }
  if (!j.is_object() || !j.contains("sha256") || !j["sha256"].is_string())
    throw UsageError(what + " carries no checksum: not a drsim file of this version (or damaged)");
  const std::string want = j["sha256"].get<std::string>();
  j.erase("sha256");
  if (sha256_hex(j.dump()) != want)
    throw UsageError(what + " is damaged: its content does not match its SHA-256 checksum (altered or bit-rotted)");
  return j;
}

bool looks_like_checkpoint(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::file_size(path, ec) > (std::uintmax_t{1} << 31) || ec) return false;  // checkpoints are megabytes
  std::string text;
  if (!read_file_bounded(path, "the checkpoint", kMaxStateFileBytes, text).empty()) return false;
  try {
    auto j = nlohmann::json::parse(text);
    return j.is_object() && (j.value("format", nlohmann::json()) == kCheckpointFormat || (j.contains("identity") && j.contains("blocks_done")));
  } catch (const std::exception&) {
    return false;
  }
}

void check_new_checkpoint(const std::string& path, bool resume) {
  std::error_code ec;
  if (path.empty() || resume || !std::filesystem::exists(path, ec)) return;
  if (looks_like_checkpoint(path))
    throw UsageError("a checkpoint exists at " + path + ": add --resume to continue that run, or remove it to start afresh (nothing was run)");
  throw UsageError("--checkpoint " + path + " exists and is not a drsim checkpoint: drsim will not overwrite it (nothing was run)");
}

std::string with_rank(std::string name, std::uint64_t rank) {
  if (const auto p = name.find("%r"); p != std::string::npos) name.replace(p, 2, std::to_string(rank));
  return name;
}

CheckpointState read_checkpoint(std::string_view text, const std::string& name, const nlohmann::json& identity,
                                const AggregateConfig& cfg, const RunPlan& plan) {
  nlohmann::json cp = unseal_json(text, "the checkpoint " + name);
  if (cp.value("format", nlohmann::json()) != kCheckpointFormat || cp.value("version", nlohmann::json()) != kCheckpointVersion ||
      !cp.contains("identity") || !cp["identity"].is_object())
    throw UsageError("cannot resume: " + name + " is not a drsim checkpoint of this format");
  const auto& id = cp["identity"];
  for (const auto& [key, value] : identity.items()) {
    if (!id.contains(key) || id[key] != value)
      throw UsageError(fmt::format("cannot resume: the checkpoint {} was made with {} = {}, this run has {} (hint: rerun with the same scenario, seed and options, or start afresh without --resume)",
                                   name, key, id.contains(key) ? id[key].dump() : "nothing", value.dump()));
  }
  const std::string damaged = "cannot resume: the checkpoint " + name + " is damaged";
  CheckpointState st;
  try {
    st.blocks_done = state_count(cp.at("blocks_done"), "blocks_done");
    st.csv_bytes = state_count(cp.at("csv_bytes"), "csv_bytes");
    const auto& pending = cp.at("pending");
    if (!pending.is_array()) throw std::invalid_argument("pending must be an array");
    for (const auto& a : pending) st.pending.push_back(Aggregate::from_state(a, cfg));
    const auto& nodes = cp.at("nodes");
    if (!nodes.is_array()) throw std::invalid_argument("nodes must be an array");
    for (const auto& e : nodes) {
      if (!e.is_array() || e.size() != 3) throw std::invalid_argument("a node is [level, index, state]");
      st.nodes.push_back({state_count(e.at(0), "node: level"), state_count(e.at(1), "node: index"), e.at(2)});
    }
    // Every count checked against the tree, as the run will continue it.
    BlockFold check(plan.tree(), plan.lo(), plan.hi(), cfg);
    check.restore(st.blocks_done, st.pending, st.nodes);
  } catch (const UsageError&) {
    throw;
  } catch (const std::exception& e) {
    throw UsageError(damaged + " (" + e.what() + "); it was left as it is");
  }
  return st;
}

int default_jobs() {
  if (const char* c = std::getenv("SLURM_CPUS_PER_TASK")) {
    char* end = nullptr;
    const long n = std::strtol(c, &end, 10);
    if (end != c && *end == '\0' && n > 0 && n <= 4096) return static_cast<int>(n);
  }
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return CPU_COUNT(&set);
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

std::string finish_run_outputs(const RunOptions& opt) {
  if (!opt.trials_csv.empty()) {
    std::string err = rename_file(opt.trials_csv + ".partial", opt.trials_csv);
    if (!err.empty()) return err;
  }
  if (!opt.checkpoint.empty() && std::remove(opt.checkpoint.c_str()) != 0 && errno != ENOENT)
    return "cannot remove the checkpoint " + opt.checkpoint + ": " + std::strerror(errno);
  return "";
}


namespace {

// The options checked and the run planned: which blocks this shard runs, on how many
// threads. Throws UsageError on options that cannot make a run.
struct CheckedRun {
  RunOptions opt;
  double horizon = 0;
  RunPlan plan;
  int jobs = 1;
};

CheckedRun check_run(const Scenario& sc, const RunOptions& opt_in) {
  RunOptions opt = opt_in;
  if (opt.block == 0) opt.block = 100;
  if (opt.block > 1000000) throw UsageError("the block size must be between 1 and 1000000 trials");
  if (opt.shard_count == 0 || opt.shard_index >= opt.shard_count)
    throw UsageError(fmt::format("shard {}/{} does not exist (hint: --shard I/N with 0 <= I < N)", opt.shard_index, opt.shard_count));
  if (opt.shard_count > 1 && opt.target_rel_ci > 0)
    throw UsageError("--target-rel-ci needs the whole run in one process; with --shard give --trials");
  const double horizon = opt.horizon > 0 ? opt.horizon : sc.horizon;
  const std::uint64_t total = opt.target_rel_ci > 0 ? opt.max_trials : opt.trials;
  if (total > kMaxTrials) throw UsageError(fmt::format("at most {} trials", kMaxTrials));
  const RunPlan plan{total, opt.block, opt.shard_index, opt.shard_count};
  if (plan.size() == 0)
    throw UsageError(fmt::format("shard {}/{} would run no trials: {} trials in blocks of {} make {} block{}, fewer than {} shards "
                                 "(hint: at most {} shards, or a smaller --block)",
                                 opt.shard_index, opt.shard_count, total, opt.block, plan.nblocks(), plan.nblocks() == 1 ? "" : "s",
                                 opt.shard_count, plan.nblocks()));
  int jobs = opt.jobs > 0 ? opt.jobs : default_jobs();
  jobs = static_cast<int>(std::min<std::uint64_t>(static_cast<std::uint64_t>(jobs), std::max<std::uint64_t>(1, plan.size())));
  return {opt, horizon, plan, jobs};
}

// One run_monte_carlo call, in named steps: open_outputs (a fresh start or a resume),
// run (workers simulate blocks; this thread merges them in block order, shows progress
// and checkpoints), close_outputs, outcome. Positions count this shard's blocks.
class MonteCarloRun {
 public:
  MonteCarloRun(const Scenario& sc, CheckedRun checked)
      : sc_(sc), opt_(std::move(checked.opt)), horizon_(checked.horizon), plan_(checked.plan), jobs_(checked.jobs),
        todo_(plan_.size()), sharded_(opt_.shard_count > 1), cfg_(aggregate_config()),
        fold_(plan_.tree(), plan_.lo(), plan_.hi(), cfg_), identity_(run_identity(sc, opt_)),
        csv_part_(opt_.trials_csv.empty() ? "" : opt_.trials_csv + ".partial"),
        max_ahead_(2 * static_cast<std::uint64_t>(jobs_) + 2) {}

  // Resume: read and validate everything before touching any file. Fresh: the CSV
  // header. Then the CSV is opened for appending.
  void open_outputs() {
    if (opt_.resume) {
      resume();
    } else if (!csv_part_.empty()) {
      std::string header = trials_csv_header(out_.cause_names);
      std::string err = write_file_atomically(csv_part_, header);
      if (!err.empty()) throw SaveError(err);
      csv_bytes_ = header.size();
    }
    if (!csv_part_.empty()) {
      csv_fd_ = ::open(csv_part_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
      if (csv_fd_ < 0) throw SaveError("cannot write " + csv_part_ + ": " + std::strerror(errno));
    }
    next_pos_ = next_merge_;
    merged_pos_ = next_merge_;
    // A checkpoint written when the stop rule was met (the final one) resumes as met.
    target_met_ = opt_.target_rel_ci > 0 && next_merge_ > 0 && stop_rule_met();
  }

  void run() {
    t0_ = std::chrono::steady_clock::now();
    cpu0_ = cpu_seconds_now();
    try {
      for (int i = 0; i < jobs_; ++i) threads_.emplace_back([this] { worker(); });
      merge_loop();
      join_all();
      clear_progress();
      close_csv();
      // Interrupted: the checkpoint to resume from. Completed, when the caller settles
      // the outputs: a final checkpoint of the whole run, so that a failure to write
      // the results loses nothing (--resume then only writes them).
      if (out_.interrupted || !opt_.finish_outputs) write_checkpoint();
    } catch (...) {
      join_all();
      clear_progress();
      if (csv_fd_ >= 0) ::close(csv_fd_);
      // Nothing half-written stays behind unless a checkpoint needs it to resume.
      if (!csv_part_.empty() && last_good_trials_ < 0) ::unlink(csv_part_.c_str());
      throw;
    }
    if (!out_.interrupted && opt_.finish_outputs) {
      std::string err = finish_run_outputs(opt_);
      if (!err.empty()) throw SaveError(err);
    }
  }

  RunOutcome outcome() {
    if (sharded_) {
      // For the summary of this shard alone; the real result is `drsim merge`'s.
      out_.nodes = fold_.nodes();
      Aggregate mine(cfg_);
      for (const FoldNode& n : out_.nodes) mine.merge(Aggregate::from_state(n.state));
      out_.aggregate = std::move(mine);
    } else {
      // The root once every block is in; a --target-rel-ci stop folds the levels pending.
      out_.aggregate = fold_.prefix();
    }
    out_.trials = out_.interrupted ? plan_.trials_before(next_merge_) : out_.aggregate.trials();
    out_.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
    out_.cpu_seconds = cpu_seconds_now() - cpu0_;
    out_.jobs = jobs_;
    return std::move(out_);
  }

 private:
  AggregateConfig aggregate_config() {
    out_.cause_names = Model(sc_).cause_names();
    AggregateConfig cfg;
    cfg.horizon = horizon_;
    cfg.slo_target = sc_.objectives.slo_target;
    cfg.slo_window = sc_.objectives.slo_window;
    cfg.causes = out_.cause_names.size();
    return cfg;
  }

  void resume() {
    std::error_code exists_ec;
    if (!std::filesystem::exists(opt_.checkpoint, exists_ec))
      throw UsageError("cannot resume: no checkpoint at " + opt_.checkpoint + " (hint: run with --checkpoint FILE first)");
    std::string text;
    if (std::string err = read_file_bounded(opt_.checkpoint, "the checkpoint", kMaxStateFileBytes, text); !err.empty())
      throw UsageError("cannot resume: " + err);
    CheckpointState st = read_checkpoint(text, opt_.checkpoint, identity_, cfg_, plan_);
    fold_.restore(st.blocks_done, std::move(st.pending), std::move(st.nodes));
    next_merge_ = st.blocks_done;
    csv_bytes_ = st.csv_bytes;
    last_good_trials_ = static_cast<std::int64_t>(plan_.trials_before(next_merge_));
    if (csv_part_.empty()) return;
    std::error_code ec;
    // Killed after the CSV was renamed into place but before the checkpoint was
    // removed: the final checkpoint and the whole CSV; take it back.
    if (!std::filesystem::exists(csv_part_, ec) && st.blocks_done == plan_.size() &&
        std::filesystem::file_size(opt_.trials_csv, ec) == csv_bytes_ && !ec)
      std::filesystem::rename(opt_.trials_csv, csv_part_, ec);
    const auto size = std::filesystem::file_size(csv_part_, ec);
    if (ec) throw UsageError("cannot resume: the partial trials file " + csv_part_ + " is missing");
    if (size < csv_bytes_ || csv_bytes_ == 0)
      throw UsageError(fmt::format("cannot resume: the partial trials file {} holds {} bytes where the checkpoint expects {}", csv_part_,
                                   size, csv_bytes_));
    if (::truncate(csv_part_.c_str(), static_cast<off_t>(csv_bytes_)) != 0)
      throw UsageError("cannot resume: cannot truncate " + csv_part_ + ": " + std::strerror(errno));
  }

  bool stopping() const { return stop_.load(std::memory_order_relaxed) || g_stop_signal.load(std::memory_order_relaxed) != 0; }

  // The stop rule of --target-rel-ci reads only the merged prefix: the same block count
  // on any --jobs.
  bool stop_rule_met() const {
    return plan_.trials_before(next_merge_) >= 1000 && fold_.prefix_relative_half_width() < opt_.target_rel_ci;
  }

  // A worker thread: one Model and one engine, blocks taken in position order. Finished
  // blocks waiting to be merged are bounded: a worker does not start a block more than
  // max_ahead_ positions past the merged prefix, so memory stays flat with --jobs even
  // when the merging thread falls behind (issue 14).
  void worker() {
    ModelOptions mo;
    mo.random_failures = opt_.random_failures;
    Model model(sc_, mo);
    FastEngine engine;
    const bool want_csv = !csv_part_.empty();
    while (!stopping()) {
      const std::uint64_t pos = next_pos_.fetch_add(1);
      if (pos >= todo_) break;
      {
        std::unique_lock<std::mutex> lk(mu_);
        while (pos >= merged_pos_.load() + max_ahead_ && !stopping()) room_.wait_for(lk, std::chrono::milliseconds(100));
      }
      if (stopping()) return;
      const std::uint64_t b = plan_.block_at(pos);
      BlockResult br{Aggregate(cfg_), {}, 0};
      const std::uint64_t lo = b * opt_.block, hi = lo + plan_.trials_in_block(b);
      for (std::uint64_t t = lo; t < hi; ++t) {
        // A signal or a stop abandons the block: only whole blocks are merged, and the
        // checkpoint holds the merged prefix, so nothing is lost but this block's work.
        if (stopping()) return;
        const TrialResult& r = engine.run_trial(model, opt_.seed, t, horizon_);
        br.agg.add(r);
        br.events += r.events;
        if (want_csv) append_trials_csv_row(br.csv, t, r, model.cause_names());
      }
      {
        std::lock_guard<std::mutex> lk(mu_);
        done_.emplace(pos, std::move(br));
      }
      cv_.notify_one();
    }
  }

  // This thread: merge finished blocks in order, show progress, checkpoint, and stop on
  // a signal or when the stop rule is met.
  void merge_loop() {
    auto last_cp = std::chrono::steady_clock::now();
    std::unique_lock<std::mutex> lk(mu_);
    while (next_merge_ < todo_ && !target_met_) {
      cv_.wait_for(lk, std::chrono::milliseconds(100), [&] { return done_.count(next_merge_) > 0 || g_stop_signal.load() != 0; });
      bool merged_some = false;
      while (done_.count(next_merge_)) {
        BlockResult br = take_next(lk);
        merge_next(br);
        merged_some = true;
        if (opt_.target_rel_ci > 0 && stop_rule_met()) target_met_ = true;
        lk.lock();
        if (target_met_) break;
      }
      const auto now = std::chrono::steady_clock::now();
      show_progress(now);
      if (g_stop_signal.load() != 0) {
        // Running blocks are abandoned at their next trial; merge what is contiguous, then stop.
        lk.unlock();
        join_all();
        lk.lock();
        while (done_.count(next_merge_)) {
          BlockResult br = take_next(lk);
          merge_next(br);
          lk.lock();
        }
        out_.interrupted = next_merge_ < todo_;
        out_.signal = g_stop_signal.load();
        break;
      }
      if (merged_some && next_merge_ < todo_ && !target_met_ &&
          std::chrono::duration<double>(now - last_cp).count() >= opt_.checkpoint_seconds) {
        last_cp = now;
        lk.unlock();
        write_checkpoint();
        lk.lock();
      }
    }
  }

  // The block at next_merge_, taken out of done_; returns with mu_ unlocked.
  BlockResult take_next(std::unique_lock<std::mutex>& lk) {
    BlockResult br = std::move(done_[next_merge_]);
    done_.erase(next_merge_);
    lk.unlock();
    return br;
  }

  // Merges the block at position next_merge_; called with mu_ unlocked.
  void merge_next(BlockResult& br) {
    if (csv_fd_ >= 0) {
      std::string err = write_all(csv_fd_, br.csv);
      if (!err.empty()) throw SaveError(fmt::format("cannot write {}: {}; {}", csv_part_, err, resume_hint()));
      csv_bytes_ += br.csv.size();
    }
    fold_.add(std::move(br.agg));
    out_.events += br.events;
    ++next_merge_;
    merged_pos_.store(next_merge_);
    room_.notify_all();
  }

  void show_progress(std::chrono::steady_clock::time_point now) {
    const double elapsed = std::chrono::duration<double>(now - t0_).count();
    if (!opt_.progress || elapsed <= 2 || std::chrono::duration<double>(now - last_progress_).count() <= 0.5) return;
    last_progress_ = now;
    const double done = static_cast<double>(plan_.trials_before(next_merge_));
    const double mine = static_cast<double>(plan_.trials_before(todo_));
    const double rate = done / std::max(elapsed, 1e-9);
    const double eta = opt_.target_rel_ci > 0 ? 0 : (mine - done) / std::max(rate, 1e-9);
    const double rhw = sharded_ ? 0 : fold_.prefix_relative_half_width();
    std::fprintf(stderr, "\r  %s/%s trials  %s trials/s  ETA %.0f s  CI ±%.2f %%   ", format_count(done).c_str(),
                 format_count(mine).c_str(), format_count(rate).c_str(), eta, std::isfinite(rhw) ? rhw * 100 : 0.0);
    std::fflush(stderr);
    progress_shown_ = true;
  }

  void clear_progress() {
    if (progress_shown_) std::fputs("\r\033[K", stderr);
    progress_shown_ = false;
  }

  void join_all() {
    stop_ = true;
    for (auto& t : threads_)
      if (t.joinable()) t.join();
    threads_.clear();
  }

  void close_csv() {
    if (csv_fd_ < 0) return;
    const int fd = csv_fd_;
    csv_fd_ = -1;
    if (::fsync(fd) != 0 || ::close(fd) != 0)
      throw SaveError(fmt::format("cannot write {}: {}; {}", csv_part_, std::strerror(errno), resume_hint()));
  }

  // Where a failed save leaves the user.
  std::string resume_hint() const {
    if (opt_.checkpoint.empty()) return "no --checkpoint was given: the run cannot be resumed";
    if (last_good_trials_ < 0) return "no checkpoint had been written yet: the run must start afresh";
    return fmt::format("the last good checkpoint is {} ({} trials done): free space, then rerun the same command with --resume",
                       opt_.checkpoint, last_good_trials_);
  }

  // Throws SaveError when it cannot be written; the previous checkpoint is then intact.
  void write_checkpoint() {
    if (opt_.checkpoint.empty()) return;
    if (csv_fd_ >= 0 && ::fsync(csv_fd_) != 0)
      throw SaveError(fmt::format("cannot write {}: {}; {}", csv_part_, std::strerror(errno), resume_hint()));
    nlohmann::json cp;
    cp["format"] = kCheckpointFormat;
    cp["version"] = kCheckpointVersion;
    cp["identity"] = identity_;
    cp["blocks_done"] = next_merge_;
    cp["csv_bytes"] = csv_bytes_;
    nlohmann::json pending = nlohmann::json::array();
    for (const Aggregate& a : fold_.pending()) pending.push_back(a.state());
    cp["pending"] = std::move(pending);
    nlohmann::json nodes = nlohmann::json::array();
    for (const FoldNode& n : fold_.nodes()) nodes.push_back({n.level, n.index, n.state});
    cp["nodes"] = std::move(nodes);
    std::string err = write_file_atomically(opt_.checkpoint, seal_json(std::move(cp)));
    if (!err.empty()) throw SaveError(err + "; " + resume_hint());
    last_good_trials_ = static_cast<std::int64_t>(plan_.trials_before(next_merge_));
  }

  const Scenario& sc_;
  const RunOptions opt_;
  const double horizon_;
  const RunPlan plan_;
  const int jobs_;
  const std::uint64_t todo_;
  const bool sharded_;
  RunOutcome out_;  // cause_names first: aggregate_config() fills them for cfg_
  const AggregateConfig cfg_;
  BlockFold fold_;  // finished blocks, in block order
  const nlohmann::json identity_;
  const std::string csv_part_;
  const std::uint64_t max_ahead_;

  std::uint64_t next_merge_ = 0;   // position of the next block to merge
  std::uint64_t csv_bytes_ = 0;
  int csv_fd_ = -1;
  std::int64_t last_good_trials_ = -1;  // trials in the last checkpoint written or read; -1 = none
  bool target_met_ = false;
  bool progress_shown_ = false;
  std::chrono::steady_clock::time_point t0_, last_progress_;
  double cpu0_ = 0;

  std::mutex mu_;
  std::condition_variable cv_, room_;
  std::map<std::uint64_t, BlockResult> done_;  // finished blocks by position
  std::atomic<std::uint64_t> next_pos_{0}, merged_pos_{0};
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

}  // namespace

RunOutcome run_monte_carlo(const Scenario& sc, const RunOptions& opt) {
  MonteCarloRun run(sc, check_run(sc, opt));
  run.open_outputs();
  run.run();
  return run.outcome();
}

}  // namespace drsim
