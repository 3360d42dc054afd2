// --shard auto: the shard from the launcher's environment (see launch_env.h).
#include "sim/launch_env.h"

#include <cstdlib>
#include <optional>

#include <fmt/format.h>

namespace drsim {
namespace {

// A variable holding a decimal count; nullopt when unset, empty or not a number.
std::optional<std::uint64_t> env_count(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return std::nullopt;
  char* end = nullptr;
  const unsigned long long n = std::strtoull(v, &end, 10);
  if (*end != '\0' || *v == '-') return std::nullopt;
  return n;
}

LaunchShard checked(std::uint64_t i, std::uint64_t n, std::string source) {
  LaunchShard s;
  s.source = std::move(source);
  if (n == 0 || i >= n || n > 1000000) s.error = fmt::format("--shard auto: {} gives shard {}/{}, which does not exist", s.source, i, n);
  s.index = i;
  s.count = n;
  return s;
}

}  // namespace

LaunchShard shard_from_launcher() {
  if (auto r = env_count("OMPI_COMM_WORLD_RANK"), n = env_count("OMPI_COMM_WORLD_SIZE"); r && n)
    return checked(*r, *n, fmt::format("OpenMPI (OMPI_COMM_WORLD_RANK={} of OMPI_COMM_WORLD_SIZE={})", *r, *n));
  if (auto id = env_count("SLURM_ARRAY_TASK_ID")) {
    auto n = env_count("SLURM_ARRAY_TASK_COUNT");
    auto lo = env_count("SLURM_ARRAY_TASK_MIN");
    auto step = env_count("SLURM_ARRAY_TASK_STEP");
    LaunchShard s;
    if (!n || !lo) {
      s.error = "--shard auto: a Slurm array task without SLURM_ARRAY_TASK_COUNT/MIN; give --shard I/N";
      return s;
    }
    if (step && *step != 1) {
      s.error = fmt::format("--shard auto: the Slurm array steps by {} (SLURM_ARRAY_TASK_STEP): use --array=0-{} or give --shard I/N", *step, *n - 1);
      return s;
    }
    if (*id < *lo) {
      s.error = "--shard auto: SLURM_ARRAY_TASK_ID is below SLURM_ARRAY_TASK_MIN; give --shard I/N";
      return s;
    }
    // A contiguous array --array=MIN-MAX (a "%limit" does not matter).
    return checked(*id - *lo, *n,
                   fmt::format("the Slurm job array (SLURM_ARRAY_TASK_ID={}, SLURM_ARRAY_TASK_MIN={}, SLURM_ARRAY_TASK_COUNT={})", *id, *lo, *n));
  }
  if (auto r = env_count("SLURM_PROCID"), n = env_count("SLURM_NTASKS"); r && n)
    return checked(*r, *n, fmt::format("srun (SLURM_PROCID={} of SLURM_NTASKS={})", *r, *n));
  LaunchShard s;
  s.error = "--shard auto: not started by mpirun, srun or a Slurm job array (none of OMPI_COMM_WORLD_RANK/SIZE, "
            "SLURM_ARRAY_TASK_ID/COUNT, SLURM_PROCID/NTASKS is set); give --shard I/N";
  return s;
}

}  // namespace drsim
