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

#include "sim/runner.h"

namespace drsim {

struct MpiOutcome {
  RunOutcome run;     // on rank 0: the whole run's result (timing summed over ranks)
  int rank = 0, size = 1;
};

// REQUIRES: no checkpoint, trials CSV or shard in `options` (refused with UsageError).
MpiOutcome run_monte_carlo_mpi(const Scenario& scenario, const RunOptions& options);

}  // namespace drsim
