// The trial runner: Monte Carlo over independent trials, on every core, with the
// same answer for the same seed whatever the number of threads.
//
// Trials are cut into fixed-size blocks (RunOptions::block, independent of --jobs).
// Worker threads take blocks in any order; the runner folds finished blocks in block
// order into a fixed tree (sim/block_tree.h: superblocks of 1000 blocks, 1000 of those,
// ...) — so every floating-point sum is done in the same order on 1 or 64 threads, and
// on one process or many shards. Shard I of N runs the contiguous blocks
// [I·B/N, (I+1)·B/N) of the run's B blocks, so shards differ by at most one block; it
// writes the tree nodes wholly inside its range and `drsim merge` folds the rest. Trial
// i draws from streams keyed by (seed, i, entity): which thread or shard ran it does not
// matter. Checkpoints hold the folded prefix of blocks; a resumed run continues at the
// next block and ends with the same result as an uninterrupted one.
//
// Thread-safety: run_monte_carlo() is called from one thread; it owns its workers.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/aggregate.h"
#include "sim/block_tree.h"
#include "models/scenario.h"

namespace drsim {

// Blocks per superblock (the fold tree's fan-out; recorded in every run's identity).
inline constexpr std::uint64_t kSuperblockBlocks = kFanOut;

struct RunOptions {
  std::uint64_t trials = 10000;      // trials to run (a fixed count)
  double target_rel_ci = 0;          // > 0: stop when the 95 % CI half-width of mean
                                     //   downtime is below this share of the mean
  std::uint64_t max_trials = 1000000;// cap for target_rel_ci runs
  double horizon = 0;                // hours per trial; 0 = the scenario's horizon
  std::uint64_t seed = 1;
  int jobs = 0;                      // worker threads; 0 = default_jobs(): the CPUs this process may use
  std::string engine = "fast";       // "fast" (the only Monte Carlo engine in-process)
  std::uint64_t block = 100;         // trials per block: the unit of merging and checkpoints
  std::string trials_csv;            // one row per trial, "" = none
  std::string checkpoint;            // checkpoint file, "" = none
  bool resume = false;               // continue from `checkpoint`
  double checkpoint_seconds = 5;     // how often to write the checkpoint (0 = after every merged block)
  bool finish_outputs = true;        // on completion, rename the CSV into place and remove the checkpoint;
                                     //   false: the caller does it with finish_run_outputs() once its own
                                     //   results are safely written (the CLI does)
  bool progress = false;             // progress line on stderr (the caller checks it is a terminal)
  bool random_failures = true;       // false: only the injections and what they cause (incident replays)
  std::uint64_t shard_index = 0;     // this process runs the blocks of RunPlan::lo()..hi() (balanced, contiguous)
  std::uint64_t shard_count = 1;
};

struct RunOutcome {
  Aggregate aggregate;
  std::uint64_t trials = 0;
  std::uint64_t events = 0;         // model events fired in this process (timing only)
  double wall_seconds = 0;
  double cpu_seconds = 0;
  int jobs = 1;
  bool interrupted = false;         // stopped by a signal; the checkpoint is written
  int signal = 0;                   // SIGINT or SIGTERM when interrupted
  std::vector<std::string> cause_names;
  // Shards only: the exact state of the fold-tree nodes this shard finished (block order).
  std::vector<FoldNode> nodes;
};


// Set by the signal handlers that the CLI installs: the runner finishes the blocks in
// progress, writes the checkpoint and returns with interrupted = true.
extern std::atomic<int> g_stop_signal;

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A file the run was asked to write (checkpoint, trials CSV) could not be written (full
// disk, I/O error): the run stops; the message names the file, the reason and how to
// resume from the last good checkpoint.
struct SaveError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Runs the Monte Carlo. Errors in the checkpoint (other scenario, seed, version, or
// damaged) throw UsageError with a message for the user, before anything is written or
// removed; a failure to save throws SaveError.
RunOutcome run_monte_carlo(const Scenario& scenario, const RunOptions& options);

// After a completed run whose results are safely written: the CSV renamed into place,
// the checkpoint removed. "" on success, else the reason.
std::string finish_run_outputs(const RunOptions& options);

// Which blocks a process runs: shard I of N the contiguous blocks [lo, hi) with
// lo = floor(I·B/N) for the run's B blocks, so every shard's count of blocks is
// floor(B/N) or ceil(B/N) and its trials within one block of every other's.
// Arithmetic only: a run of 10^15 trials needs no list of its blocks.
struct RunPlan {
  std::uint64_t total = 0, block = 1, shard_index = 0, shard_count = 1;
  std::uint64_t nblocks() const { return total / block + (total % block ? 1 : 0); }
  BlockTree tree() const { return {total, block}; }
  std::uint64_t lo() const;                   // this shard's first block
  std::uint64_t hi() const;                   // one past its last
  std::uint64_t size() const { return hi() - lo(); }  // how many blocks this shard runs
  std::uint64_t block_at(std::uint64_t pos) const { return lo() + pos; }  // the pos-th block of this shard
  std::uint64_t trials_in_block(std::uint64_t b) const;
  std::uint64_t trials_before(std::uint64_t pos) const;  // trials in this shard's first pos blocks
};

// The largest trial count accepted (counts and trial indices stay exact in doubles).
inline constexpr std::uint64_t kMaxTrials = 1000000000000000ull;  // 10^15

// State files (checkpoints, shard files) carry a SHA-256 over their content: seal()
// adds it ("sha256", over the compact dump of everything else), unseal() parses, checks
// it and returns the object without it, or throws UsageError naming `what`.
std::string seal_json(nlohmann::json j);
nlohmann::json unseal_json(std::string_view text, const std::string& what);

// A checkpoint's content, every field validated against the run it is to resume.
struct CheckpointState {
  std::uint64_t blocks_done = 0, csv_bytes = 0;
  std::vector<Aggregate> pending;  // BlockFold::pending(): levels 1..K
  std::vector<FoldNode> nodes;     // BlockFold::nodes()
};
CheckpointState read_checkpoint(std::string_view text, const std::string& name, const nlohmann::json& identity,
                                const AggregateConfig& config, const RunPlan& plan);
// True when `path` holds a file drsim wrote as a checkpoint (whether or not it is intact).
bool looks_like_checkpoint(const std::string& path);
// Before a run that checkpoints to `path` starts: unless resuming, an existing file there
// is refused (UsageError, nothing run) — a drsim checkpoint is continued only with
// --resume, anything else is never overwritten.
void check_new_checkpoint(const std::string& path, bool resume);
// `name` with its first "%r" replaced by `rank` (a shard index or an MPI rank); as it is
// without one.
std::string with_rank(std::string name, std::uint64_t rank);

// The worker threads a run uses by default: SLURM_CPUS_PER_TASK when set (a Slurm
// allocation), else the CPUs in this process's affinity mask (taskset, cgroups cpusets),
// else the machine's cores. Never less than 1.
int default_jobs();

// The options that define the result (everything but jobs and output paths), as
// recorded in results.json and checked on resume.
nlohmann::json run_identity(const Scenario& scenario, const RunOptions& options);

// The CSV header and one row per trial, as written to --trials-csv (columns in
// docs/monte-carlo.md). `cause_names` are the model's (Model::cause_names()); a row's
// top_cause is the name of the cause with the most full downtime in that trial, empty
// when there was none.
std::string trials_csv_header(const std::vector<std::string>& cause_names);
void append_trials_csv_row(std::string& out, std::uint64_t trial, const TrialResult& r, const std::vector<std::string>& cause_names);

}  // namespace drsim
