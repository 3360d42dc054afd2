// Aggregate: the Monte Carlo statistics of many trials, mergeable. A runner feeds each
// block of trials into its own Aggregate and merges the blocks in block order, so the
// result is the same whatever the number of threads, processes or shards.
//
// What it holds (units in the JSON: minutes for durations, seconds for data loss):
// downtime (full and degraded) per trial, outage durations, time to detect, data lost,
// outages per trial, P(any outage), SLO error-budget use per window, the full
// downtime charged to each cause, and each recovery objective (models/objectives.h):
// recoveries or data-loss events judged, breached, trials with a breach, the values and
// the time beyond the target per trial.
//
// Thread-safety: none; one Aggregate per block, merged by one thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/statistics.h"
#include "models/model.h"
#include "models/objectives.h"

namespace drsim {

struct AggregateConfig {
  double horizon = 8760;     // hours per trial (steady-state runs)
  double slo_target = 0;     // e.g. 0.9995; 0 = no SLO
  double slo_window = 720;   // hours
  std::size_t causes = 0;    // number of causes (Model::cause_names().size())
};

class Aggregate {
 public:
  explicit Aggregate(AggregateConfig config = {});

  // Adds one trial's result.
  void add(const TrialResult& r);
  // Appends another aggregate (the next block). Merge order is part of the result.
  void merge(const Aggregate& other);

  std::uint64_t trials() const { return trials_; }
  double mean_downtime_minutes() const { return downtime_.mean(); }
  // Full downtime per trial (hours): what a --target-rel-ci stop rule reads.
  const RunningStats& downtime_stats() const { return downtime_.stats(); }
  // 95 % CI half-width of the mean downtime divided by the mean (inf when the mean is 0).
  double relative_half_width() const;
  // The same for this aggregate followed by `partial` (not merged: nothing changes).
  double relative_half_width(const Aggregate& partial) const;

  // The results: `downtime_minutes`, `degraded_minutes`, `availability`,
  // `outage_minutes`, `outages_per_trial`, `time_to_detect_minutes`,
  // `data_loss_seconds`, `p_any_outage`, `slo`, `causes`; with `objectives` (the
  // scenario's objective_specs, in the order the trials were judged) also `rto` and
  // `rpo` (docs/monte-carlo.md, "Recovery objectives").
  nlohmann::json to_json(const std::vector<std::string>& cause_names,
                         const std::vector<ObjectiveSpec>& objectives = {}) const;

  // Exact state for checkpoints: from_state(state()) merges and reports identically.
  nlohmann::json state() const;
  // State files are untrusted: every field is checked (types, ranges, that the counts of
  // every statistic agree, array sizes); a damaged one throws std::invalid_argument (or
  // a nlohmann::json exception), never yields an aggregate that crashes later.
  static Aggregate from_state(const nlohmann::json& j);
  // The same, and the state must have been made with `expected` (horizon, SLO, causes).
  static Aggregate from_state(const nlohmann::json& j, const AggregateConfig& expected);
  const AggregateConfig& config() const { return cfg_; }
  // Share of trials whose full (or degraded) downtime is at most `hours`: where a real
  // incident falls among simulated drills (by the histogram: within a bin, 0.93 %).
  double share_at_most(double hours, bool degraded) const {
    const Sample& s = degraded ? degraded_ : downtime_;
    return s.count() ? 1 - s.histogram().exceedance(hours) : 0;
  }

 private:
  // Parts of to_json.
  nlohmann::json slo_json() const;
  nlohmann::json causes_json(const std::vector<std::string>& cause_names) const;
  void objectives_json(const std::vector<ObjectiveSpec>& objectives, nlohmann::json& j) const;

  AggregateConfig cfg_;
  std::uint64_t trials_ = 0;
  std::uint64_t trials_with_outage_ = 0;
  std::uint64_t windows_ = 0, windows_breached_ = 0;
  std::uint64_t years_ = 0, years_breached_ = 0;  // trials with an SLO; over (1 - target) x trial length
  std::uint64_t trials_window_breached_ = 0;       // trials with at least one breached calendar window
  Sample downtime_, degraded_, outage_, data_loss_, budget_;
  RunningStats availability_, outages_, detect_;
  // Causes: per cause sum of its downtime x_c, of x_c², of x_c·x (x = the trial's downtime).
  std::vector<double> c_sum_, c_sq_, c_cross_;
  double x_sum_ = 0, x_sq_ = 0;
  // Per objective: recoveries (or data-loss events) judged, breached, trials with a
  // breach; the judged values and the time beyond the target per trial (hours).
  struct ObjectiveStats {
    std::uint64_t judged = 0, breached = 0, trials_breached = 0;
    Sample values, beyond;
  };
  std::vector<ObjectiveStats> obj_;
  // Bumped whenever state() changes shape: 2 added the objectives.
  static constexpr int kStateVersion = 2;
  std::vector<double> scratch_;  // per-window downtime of the trial being added
};

}  // namespace drsim
