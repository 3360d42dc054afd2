// Paired comparison of designs or variants with common random numbers: trial i of
// every alternative draws from the same streams (seed, i, entity), so a failure mode
// the alternatives share fails at the same times in all of them and the difference
// in downtime is measured from paired trials — far tighter than two independent runs.
//
// Deterministic: trials are cut into fixed blocks merged in block order, so the
// result does not depend on the number of threads.
//
// Thread-safety: run_comparison() is called from one thread; it owns its workers.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/statistics.h"
#include "models/model.h"
#include "models/objectives.h"
#include "models/scenario.h"

namespace drsim {

struct CompareOptions {
  std::uint64_t trials = 10000;
  std::uint64_t seed = 1;
  double horizon = 0;          // hours; 0 = the base scenario's
  int jobs = 0;                // 0 = all cores
  std::uint64_t block = 100;
  bool random_failures = true; // false: injections only (incident what-ifs)
  // Hours simulated and discarded before measuring (0 = none): each trial runs for
  // warm_up + horizon and is measured on [warm_up, warm_up + horizon) — outages clipped
  // to it (one in progress at warm_up counts from then), downtime recounted, RTOs judged
  // again on the clipped outages, site RTOs on the clipped intervals. Data loss is
  // counted over the whole trial (its events carry no times). For long proof-test or
  // renewal intervals, whose effect a trial that starts all-new understates.
  double warm_up = 0;
  // Keep every trial's full downtime per alternative (CompareResult::full_by_trial), for
  // paired statistics beyond differences from the base (the planner's importance
  // measures: ratios, differences between two alternatives). 8 bytes per trial each.
  bool keep_trials = false;
  // Called after each block with the blocks done and the total (progress lines); from
  // worker threads, one call at a time. Unset: nothing.
  std::function<void(std::uint64_t done, std::uint64_t total)> on_block;
};

struct Paired {
  RunningStats full;          // full downtime per trial, hours
  RunningStats degraded;      // degraded downtime per trial, hours
  RunningStats any_outage;    // 1 if the trial had a full outage
  RunningStats data_loss;     // hours of writes lost per trial
  RunningStats d_full;        // alternative minus base, per trial
  RunningStats d_degraded;
  RunningStats d_any;
  RunningStats d_data_loss;
  // 1 if the trial breached an RTO (any of the alternative's own: service, feature or site), an RPO.
  RunningStats rto_breach, rpo_breach, d_rto_breach, d_rpo_breach;
  RunningStats availability, d_availability;  // 1 - full downtime / trial length
  void merge(const Paired& o);
};

struct CompareResult {
  std::uint64_t trials = 0;
  std::vector<Paired> alt;  // [0] = the base against itself (differences 0), then each alternative
  // With CompareOptions::keep_trials: [alternative][trial], full downtime in hours.
  std::vector<std::vector<double>> full_by_trial;
  double horizon = 0;       // hours per trial, as run
  double wall_seconds = 0;
};

// The trial `r` as seen from `warm_up` hours on (see CompareOptions::warm_up), times
// shifted so that warm_up is 0; objectives judged again against `specs`.
TrialResult after_warm_up(const TrialResult& r, double warm_up, const std::vector<ObjectiveSpec>& specs);

// Runs alternatives[0] (the base) and every other scenario on the same trials.
CompareResult run_comparison(const std::vector<const Scenario*>& alternatives, const CompareOptions& options);

}  // namespace drsim
