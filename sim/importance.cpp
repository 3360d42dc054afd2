#include "sim/importance.h"

#include <cmath>
#include <limits>

#include "models/units.h"

namespace drsim {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
Estimate nan_estimate() { return {kNaN, {kNaN, kNaN}}; }
}  // namespace

Estimate ratio_estimate(const std::vector<double>& y, const std::vector<double>& x) {
  RunningStats sx, sy;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sx.add(x[i]);
    sy.add(y[i]);
  }
  if (sx.mean() <= 0) {
    const double inf = sy.mean() > 0 ? std::numeric_limits<double>::infinity() : kNaN;
    return {inf, {inf, inf}};
  }
  const double r = sy.mean() / sx.mean();
  // Linearised: y_i − r x_i has mean 0; its spread over the mean of x is r's standard error.
  RunningStats z;
  for (std::size_t i = 0; i < x.size(); ++i) z.add(y[i] - r * x[i]);
  const double hw = z.half_width() / sx.mean();
  return {r, {r - hw, r + hw}};
}

Estimate difference_estimate(const std::vector<double>& a, const std::vector<double>& b, double scale) {
  RunningStats d;
  for (std::size_t i = 0; i < a.size(); ++i) d.add((a[i] - b[i]) * scale);
  return {d.mean(), d.mean_ci()};
}

ImportanceMeasures importance_measures(const std::vector<double>& base, const std::vector<double>& never_fails,
                                       const std::vector<double>& always_failed, double horizon) {
  ImportanceMeasures m{nan_estimate(), nan_estimate(), nan_estimate(), nan_estimate(), nan_estimate()};
  const bool never = never_fails.size() == base.size() && base.size() >= 2;
  const bool always = always_failed.size() == base.size() && base.size() >= 2;
  if (never) {
    const Estimate share = ratio_estimate(never_fails, base);  // Q0 / Q
    m.fussell_vesely = {1 - share.mean, {1 - share.ci95.hi, 1 - share.ci95.lo}};
    m.rrw = ratio_estimate(base, never_fails);
    m.fix_min_per_year = difference_estimate(base, never_fails, 60 * kHoursPerYear / horizon);
  }
  if (always) m.raw = ratio_estimate(always_failed, base);
  if (never && always) m.birnbaum = difference_estimate(always_failed, never_fails, 1 / horizon);
  return m;
}

}  // namespace drsim
