// Closed forms for the validation cases of design.md section 6 (V1-V7) and for a single
// repairable unit over time, so tests, the analytic solver's checks and the validation
// docs all compute the expected values the same way. Rates are per hour, times in hours;
// lambda = failure rate, mu = repair rate, exponential unless said.
//
// Each function is written to avoid cancellation where the quantity is small (e.g. the
// proof-test averages go through h(y) = 1 - (1 - e^-y)/y with a series for small y), so
// the values are good to ~1e-14 relative, well inside the 1e-9 the checks use.
//
// Thread-safety: pure functions.
#pragma once

#include <cmath>

namespace drsim::closed_forms {

// V1, one repairable unit: unavailability lambda / (lambda + mu). Holds for any lifetime
// and repair distributions with these means.
inline double v1_unavailability(double lambda, double mu) { return lambda / (lambda + mu); }

// One repairable unit starting up: point availability
// A(t) = mu/(lambda+mu) + lambda/(lambda+mu) e^{-(lambda+mu) t}.
inline double one_unit_availability(double lambda, double mu, double t) {
  return (mu + lambda * std::exp(-(lambda + mu) * t)) / (lambda + mu);
}

// One unit, no repair: reliability R(t) = e^{-lambda t}.
inline double one_unit_reliability(double lambda, double t) { return std::exp(-lambda * t); }

// V2, two active units in parallel, one repair crew: unavailability
// 2 lambda^2 / (mu^2 + 2 lambda mu + 2 lambda^2).
inline double v2_unavailability(double lambda, double mu) {
  return 2 * lambda * lambda / (mu * mu + 2 * lambda * mu + 2 * lambda * lambda);
}

// V2, mean time to first system failure from both up: (3 lambda + mu) / (2 lambda^2).
inline double v2_mttff(double lambda, double mu) {
  return (3 * lambda + mu) / (2 * lambda * lambda);
}

// V3, as V2 with two repair crews: (lambda / (lambda + mu))^2.
inline double v3_unavailability(double lambda, double mu) {
  const double u = lambda / (lambda + mu);
  return u * u;
}

// V4, cold standby, perfect switch, one crew: lambda^2 / (mu^2 + lambda mu + lambda^2).
inline double v4_unavailability(double lambda, double mu) {
  return lambda * lambda / (mu * mu + lambda * mu + lambda * lambda);
}

// V5, 1-of-2 with imperfect failover: states {2 up, 1 up, D = down waiting for manual
// switch-over, 0 up}; 2->1 at 2 lambda c, 2->D at 2 lambda (1-c), D->1 at delta,
// D->0 at lambda, 1->2 at mu, 1->0 at lambda, 0->1 at mu.
// Balance of states 2, D and 0 with pi_2 = 1 (then normalised):
//   pi_1 = 2 lambda / mu, pi_D = 2 lambda (1-c) / (delta + lambda),
//   pi_0 = lambda (pi_1 + pi_D) / mu.
struct V5Probabilities {
  double two_up, one_up, waiting, zero_up;  // pi_2, pi_1, pi_D, pi_0
};
inline V5Probabilities v5_probabilities(double lambda, double mu, double c, double delta) {
  const double p1 = 2 * lambda / mu;
  const double pd = 2 * lambda * (1 - c) / (delta + lambda);
  const double p0 = lambda * (p1 + pd) / mu;
  const double sum = 1 + p1 + pd + p0;
  return {1 / sum, p1 / sum, pd / sum, p0 / sum};
}
// V5 unavailability pi_D + pi_0 (2.45503e-4 at the section 6 parameters).
inline double v5_unavailability(double lambda, double mu, double c, double delta) {
  const V5Probabilities p = v5_probabilities(lambda, mu, c, delta);
  return p.waiting + p.zero_up;
}
// V5 share of the unavailability spent waiting for the switch-over, pi_D (4.89831e-5).
inline double v5_waiting(double lambda, double mu, double c, double delta) {
  return v5_probabilities(lambda, mu, c, delta).waiting;
}

// h(y) = 1 - (1 - e^{-y}) / y: the mean over [0, tau] of 1 - e^{-x s} with y = x tau.
// For small y the direct form cancels, so use the series sum_{k>=1} (-1)^{k+1} y^k/(k+1)!.
inline double proof_test_mean_failed(double y) {
  if (y == 0) return 0;
  if (y > 0.5) return 1 + std::expm1(-y) / y;
  double term = y / 2, sum = 0;
  for (int k = 1; k < 40 && std::abs(term) > 1e-18 * std::abs(sum); ++k) {
    sum += term;
    term *= -y / (k + 2);
  }
  return sum;
}

// V6, a standby unit with hidden failures at rate lambda, found and repaired instantly by
// a proof test every tau hours: exact mean unavailability 1 - (1 - e^{-lambda tau}) /
// (lambda tau) (3.64113e-3 at lambda = 1e-5, tau = 730).
inline double v6_exact(double lambda, double tau) { return proof_test_mean_failed(lambda * tau); }
// V6, the usual approximation lambda tau / 2 (3.65e-3).
inline double v6_approx(double lambda, double tau) { return lambda * tau / 2; }

// V7, two such units, either suffices, beta factor beta: each fails on its own at
// a = (1-beta) lambda, and a common cause at b = beta lambda fails both. A unit is up at
// s with probability e^{-(a+b)s}, both with e^{-(2a+b)s}, so the exact mean
// unavailability is
//   1 - (1/tau) [2 (1 - e^{-(a+b)tau})/(a+b) - (1 - e^{-(2a+b)tau})/(2a+b)]
//   = 2 h((a+b) tau) - h((2a+b) tau).
inline double v7_exact(double lambda, double beta, double tau) {
  const double a = (1 - beta) * lambda, b = beta * lambda;
  return 2 * proof_test_mean_failed((a + b) * tau) - proof_test_mean_failed((2 * a + b) * tau);
}
// V7, the usual approximation ((1-beta) lambda tau)^2 / 3 + beta lambda tau / 2
// (3.79388e-4 at lambda = 1e-5, beta = 0.1, tau = 730).
inline double v7_approx(double lambda, double beta, double tau) {
  const double x = (1 - beta) * lambda * tau;
  return x * x / 3 + beta * lambda * tau / 2;
}

}  // namespace drsim::closed_forms
