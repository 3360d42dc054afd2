// Monte Carlo on the SimGrid engine: one worker process per trial (SimGrid allows one
// engine per process and never resets its clock), up to --jobs at a time. Each child
// runs run_simgrid_trial() and sends its TrialResult and platform metrics back through
// a pipe; the parent aggregates them with the same blocks and superblocks as the fast
// runner, so the statistics are identical to `--engine fast` for the same seed (the
// model trajectories are) — plus the platform's own metrics under "platform".
//
// Limits: a process per trial costs milliseconds plus the platform's simulation, so
// this is for hundreds or thousands of trials, not millions; no checkpoints or shards
// (use the fast engine for those).
#pragma once

#include <nlohmann/json.hpp>

#include "sim/runner.h"

namespace drsim {

struct SimGridRunOutcome {
  RunOutcome run;
  nlohmann::json platform;  // means over trials of the platform metrics
};

SimGridRunOutcome run_monte_carlo_simgrid(const Scenario& scenario, const RunOptions& options, double probe_interval_s);

}  // namespace drsim
