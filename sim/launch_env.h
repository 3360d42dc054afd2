// Which shard this process is, from the launcher that started it: OpenMPI's mpirun
// (OMPI_COMM_WORLD_RANK/SIZE, set by its PMIx launcher), a Slurm job array (SLURM_ARRAY_TASK_ID minus
// SLURM_ARRAY_TASK_MIN, of SLURM_ARRAY_TASK_COUNT), or a Slurm step under srun
// (SLURM_PROCID of SLURM_NTASKS) — in that order, since mpirun inside an sbatch script
// also sees the batch step's SLURM_PROCID = 0.
//
// Thread-safety: reads the environment; call before starting threads.
#pragma once

#include <cstdint>
#include <string>

namespace drsim {

struct LaunchShard {
  std::uint64_t index = 0, count = 1;
  std::string source;  // e.g. "Slurm job array (SLURM_ARRAY_TASK_ID=2 of SLURM_ARRAY_TASK_COUNT=4)"
  std::string error;   // non-empty: no launcher found, or its variables are inconsistent
};

// The shard --shard auto stands for. On failure `error` says what was looked for.
LaunchShard shard_from_launcher();

}  // namespace drsim
