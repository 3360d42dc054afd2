// Importance measures of one component or common cause from paired trials: the base,
// the same trials with the subject never failing, and with it always failed (common
// random numbers: trial i of each draws from the same streams). Each measure is an
// estimate with a 95 % CI; ratios by the delta method on the paired per-trial values.
//
// With Q = mean system unavailability of the base, Q0 with the subject never failing,
// Q1 with it always failed (fractions of the horizon):
//   Fussell–Vesely  FV  = (Q − Q0) / Q   share of downtime the subject is involved in
//   Birnbaum        IB  = Q1 − Q0        how much the system's state hangs on it
//   risk achievement worth  RAW = Q1 / Q
//   risk reduction worth    RRW = Q / Q0 (∞ when Q0 = 0), and the downtime a perfect fix
//                  buys, Q − Q0, in minutes per year.
//
// Thread-safety: a pure function.
#pragma once

#include <vector>

#include "analysis/statistics.h"

namespace drsim {

struct Estimate {
  double mean = 0;
  Interval ci95;
};

struct ImportanceMeasures {
  Estimate fussell_vesely, birnbaum, raw, rrw;
  Estimate fix_min_per_year;  // Q − Q0 in minutes per year: what never failing buys
};

/// REQUIRES: the three vectors hold the full downtime (hours) of the same trials, in the
/// same order, at least 2; `horizon` hours per trial. A vector left empty (the
/// alternative could not be built) leaves its measures at NaN.
ImportanceMeasures importance_measures(const std::vector<double>& base, const std::vector<double>& never_fails,
                                       const std::vector<double>& always_failed, double horizon);

/// The mean of y over the mean of x, paired, with its delta-method 95 % CI (Student t).
/// NaN when x's mean is 0 (infinite ratio: +∞ when y's mean is positive).
Estimate ratio_estimate(const std::vector<double>& y, const std::vector<double>& x);

/// The mean of (a_i − b_i) * scale with its 95 % CI.
Estimate difference_estimate(const std::vector<double>& a, const std::vector<double>& b, double scale);

}  // namespace drsim
