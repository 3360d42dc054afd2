// drsim run --mpi: one run over the ranks of an MPI job, rank 0 holding the result.
//
// A fixed --trials count is cut into balanced contiguous shards, one per rank (as
// --shard rank/size); rank 0 gathers the ranks' fold-tree nodes and folds them as
// `drsim merge` does. With --target-rel-ci the ranks run rounds: in each, rank r runs
// the next `round_blocks` blocks after those of ranks 0..r-1; rank 0 folds every block
// in block order, checks the stop rule after each one exactly as one process does, and
// broadcasts whether to go on — so all ranks stop together and the result is that of a
// single process that stopped at the same block (work past it in the last round is
// dropped).
//
// Thread-safety: called once per process, from its main thread; initialises and
// finalises MPI.
#pragma once

#include <functional>

#include "sim/runner.h"

namespace drsim {

struct MpiOutcome {
  RunOutcome run;     // on rank 0: the whole run's result (timing summed over ranks);
                      // interrupted (and its signal) on every rank when any rank was
  int rank = 0, size = 1;
};

// Writes the whole run's results, on rank 0, before the ranks part; throws (SaveError)
// when it cannot.
using MpiResultWriter = std::function<void(const RunOutcome&)>;

// A fixed --trials count may checkpoint: `options.checkpoint` names one file per rank,
// its "%r" replaced by the rank (each rank's part is a shard, checkpointed as a shard
// is). Interrupted (SIGINT, SIGTERM), every rank saves its checkpoint and all return
// interrupted; with `options.resume` each continues from its own. On completion rank 0
// calls `write`; only once it has succeeded do the ranks remove their checkpoints.
// REQUIRES: no trials CSV or shard in `options`; a checkpoint only without
// target_rel_ci, and with "%r" when there is more than one rank (else UsageError).
MpiOutcome run_monte_carlo_mpi(const Scenario& scenario, const RunOptions& options, const MpiResultWriter& write);

}  // namespace drsim
