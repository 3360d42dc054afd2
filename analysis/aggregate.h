// Aggregate: the Monte Carlo statistics of many trials, mergeable. A runner feeds each
// block of trials into its own Aggregate and merges the blocks in block order, so the
// result is the same whatever the number of threads, processes or shards.
//
// What it holds (units in the JSON: minutes for durations, seconds for data loss):
// downtime (full and degraded) per trial, outage durations, time to detect, data lost,
// outages per trial, P(any outage), SLO error-budget use per window, and the full
// downtime charged to each cause.
//
// Thread-safety: none; one Aggregate per block, merged by one thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/statistics.h"
#include "models/model.h"

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
  // 95 % CI half-width of the mean downtime divided by the mean (inf when the mean is 0).
  double relative_half_width() const;
  // The same for this aggregate followed by `partial` (not merged: nothing changes).
  double relative_half_width(const Aggregate& partial) const;

  // The results: `downtime_minutes`, `degraded_minutes`, `availability`,
  // `outage_minutes`, `outages_per_trial`, `time_to_detect_minutes`,
  // `data_loss_seconds`, `p_any_outage`, `slo`, `causes`.
  nlohmann::json to_json(const std::vector<std::string>& cause_names) const;

  // Exact state for checkpoints: from_state(state()) merges and reports identically.
  nlohmann::json state() const;
  // State files are untrusted: every field is checked (types, ranges, that the counts of
  // every statistic agree, array sizes); a damaged one throws std::invalid_argument (or
  // a nlohmann::json exception), never yields an aggregate that crashes later.
  static Aggregate from_state(const nlohmann::json& j);
  // The same, and the state must have been made with `expected` (horizon, SLO, causes).
  static Aggregate from_state(const nlohmann::json& j, const AggregateConfig& expected);
  const AggregateConfig& config() const { return cfg_; }

 private:
  AggregateConfig cfg_;
  std::uint64_t trials_ = 0;
  std::uint64_t trials_with_outage_ = 0;
  std::uint64_t windows_ = 0, windows_breached_ = 0;
  std::uint64_t years_ = 0, years_breached_ = 0;
  Sample downtime_, degraded_, outage_, data_loss_, budget_;
  RunningStats availability_, outages_, detect_;
  // Causes: per cause sum of its downtime x_c, of x_c², of x_c·x (x = the trial's downtime).
  std::vector<double> c_sum_, c_sq_, c_cross_;
  double x_sum_ = 0, x_sq_ = 0;
  std::vector<double> scratch_;  // per-window downtime of the trial being added
};

}  // namespace drsim
