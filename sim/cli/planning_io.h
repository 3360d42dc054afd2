// What the planner's commands (sweep, importance, sensitivity) share: figures per year
// with their 95 % CIs as JSON and text, CSV cells, a progress line, and the paired
// runs' common options. Header-only; for sim/cli/cmd_sweep.cpp, cmd_importance.cpp and
// cmd_sensitivity.cpp.
//
// Units: downtime in minutes per year (a trial of H hours is scaled by 8760 / H), so
// figures read the same whatever the horizon; probabilities per trial.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <string>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "analysis/statistics.h"
#include "models/units.h"
#include "sim/cli/cli.h"
#include "sim/compare.h"

namespace drsim::cli::planning {

// {"mean": m, "ci95": [lo, hi]} of a per-trial statistic times `scale`.
inline nlohmann::json ci_json(const RunningStats& s, double scale) {
  const Interval ci = s.mean_ci();
  return {{"mean", s.mean() * scale}, {"ci95", {ci.lo * scale, ci.hi * scale}}};
}
inline nlohmann::json ci_json(double mean, Interval ci) { return {{"mean", mean}, {"ci95", {ci.lo, ci.hi}}}; }

// Minutes per year from hours per trial of `horizon` hours.
inline double min_per_year(double horizon) { return 60.0 * kHoursPerYear / horizon; }

// "12.3 [11.9 – 12.8]" (with a sign when `sign`), `digits` significant.
inline std::string ci_text(double mean, Interval ci, bool sign = false) {
  return sign ? fmt::format("{:+.4g} [{:+.4g} – {:+.4g}]", mean, ci.lo, ci.hi) : fmt::format("{:.4g} [{:.4g} – {:.4g}]", mean, ci.lo, ci.hi);
}
inline bool significant(Interval ci) { return ci.lo > 0 || ci.hi < 0; }

// −log10(1 − availability); ∞ for 1.
inline double nines_of(double a) { return a >= 1 ? INFINITY : -std::log10(1 - a); }
inline std::string nines_text(double n) { return std::isfinite(n) ? fmt::format("{:.2f}", n) : "∞"; }

// One CSV cell: quoted when it holds a comma, a quote or a newline.
inline std::string csv_cell(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}
inline std::string csv_num(double x) { return std::isfinite(x) ? fmt::format("{:.10g}", x) : (x > 0 ? "inf" : x < 0 ? "-inf" : "nan"); }

// A progress line on stderr, rewritten in place: "sweep of 10 points: 3,700/20,000 trials
// (every alternative), 12 s elapsed". All alternatives advance together, block by block.
struct Progress {
  bool on = false;
  std::string what;
  std::uint64_t trials = 0, block = 100;
  std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last{};
  void operator()(std::uint64_t done, std::uint64_t total) {
    if (!on) return;
    const auto now = std::chrono::steady_clock::now();
    if (done < total && now - last < std::chrono::milliseconds(200)) return;
    last = now;
    const double s = std::chrono::duration<double>(now - t0).count();
    const std::uint64_t t = done == total ? trials : std::min(trials, done * block);
    std::cerr << fmt::format("\r{}: {}/{} trials (every alternative), {:.0f} s elapsed{}", what, t, trials, s, done == total ? "\n" : "")
              << std::flush;
  }
};
inline bool progress_wanted(bool flag) { return flag || ::isatty(2); }

// run_comparison() with the progress line (on when `progress_flag` or stderr is a terminal).
inline CompareResult run_paired(const std::vector<const Scenario*>& alternatives, CompareOptions o, bool progress_flag,
                                std::string what) {
  Progress progress;
  progress.on = progress_wanted(progress_flag);
  progress.trials = o.trials;
  progress.block = o.block;
  progress.what = std::move(what);
  o.on_block = [&](std::uint64_t d, std::uint64_t t) { progress(d, t); };
  return run_comparison(alternatives, o);
}

// --warm-up DURATION: hours simulated and discarded before measuring ("" = none).
inline double warm_up_arg(const std::string& text) {
  if (text.empty()) return 0;
  auto h = parse_duration(text);
  if (!h || !(*h <= 1000 * kHoursPerYear))
    throw CliError("--warm-up: invalid duration \"" + text + "\" (hint: like \"2y\"; simulated before each trial is measured)");
  return *h;
}
// The paired runs' common options, as the three commands declare them: --trials, --seed,
// --jobs, --horizon (its error's hint: `horizon_hint`, like "1y") and --warm-up.
inline CompareOptions paired_options(const boost::program_options::variables_map& vm, const char* horizon_hint) {
  CompareOptions o;
  o.trials = count_arg("trials", vm["trials"].as<std::string>(), 2, 100000000);
  o.seed = count_arg("seed", vm["seed"].as<std::string>(), 0, UINT64_MAX);
  o.jobs = static_cast<int>(count_arg("jobs", vm["jobs"].as<std::string>(), 0, 4096, "0 = all cores"));
  if (const auto h = vm["horizon"].as<std::string>(); !h.empty()) {
    auto hours = parse_duration(h);
    if (!hours || !(*hours > 0 && *hours <= 1000 * kHoursPerYear))
      throw CliError("--horizon: invalid duration \"" + h + "\" (hint: like \"" + horizon_hint + "\")");
    o.horizon = *hours;
  }
  o.warm_up = warm_up_arg(vm["warm-up"].as<std::string>());
  return o;
}

inline constexpr const char* kWarmUpHelp =
    "simulate this long before measuring each trial (like \"2y\"): the steady state of long proof-test or renewal intervals";

}  // namespace drsim::cli::planning
