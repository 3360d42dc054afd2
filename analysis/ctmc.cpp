// Ctmc solvers. The generator is Q = R - diag(exit), with R the off-diagonal rates and
// exit(i) = sum_j R(i, j); it is built once (from the stored triplets, or given whole)
// and shared by the solvers (see ctmc.h for thread-safety).
//
// Linear solves (pi Q = 0, absorption): analysis/ctmc_linear.cpp, on the M-matrix
// A = (-Q restricted to a state subset)^T, by sparse LU or BiCGSTAB, refined with the
// residual in long double and checked componentwise.
//
// Uniformisation. p(t) = sum_k Pois(k; q t) p0 P^k with P = I + Q / q. The Poisson
// weights are built from the mode outwards and normalised (as in Fox and Glynn 1988),
// so they neither under- nor overflow for any q t and need no splitting of [0, t]; all
// terms are non-negative, so there is no cancellation. For an irreducible chain and a
// long horizon the iterates are compared with the steady state: the L1 distance from
// it never increases, so once it is below tol/2 the remaining terms are replaced by pi
// with a proven bound. That is what makes stiff chains (q t ~ 1e6) cheap.
#include "analysis/ctmc.h"
#include "analysis/ctmc_linear.h"
#include "analysis/omp.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

namespace drsim {

using RowMatrix = Ctmc::RateMatrix;
using ctmc_detail::ColMatrix;


struct Ctmc::Cache {
  std::once_flag once;
  std::unique_ptr<ctmc_detail::Generator> g;
};

namespace {

using ctmc_detail::Generator;
using ctmc_detail::LinearSystem;
using ctmc_detail::assemble;
using ctmc_detail::num;
using ctmc_detail::solve_refined;
using Triplet = Eigen::Triplet<double, int>;

// Extra uniformisation rate: every state keeps a self-loop of at least 2 %, so P is
// aperiodic and the iterates converge to pi (needed for the early stop).
constexpr double kUniformisationMargin = 1.02;
// Steady-state early stop: only when the Poisson sum needs at least this many terms
// (below it, the LU for pi can cost more than it saves), checked every kCheckEvery terms.
constexpr long kEarlyStopMinTerms = 1000;
constexpr long kCheckEvery = 32;

[[noreturn]] void invalid(const std::string& who, const std::string& what) {
  throw std::invalid_argument(who + ": " + what);
}

void check_distribution(const Eigen::VectorXd& p0, std::size_t n, const std::string& who) {
  if (static_cast<std::size_t>(p0.size()) != n) {
    invalid(who, "p0 has " + std::to_string(p0.size()) + " entries, the chain has " +
                     std::to_string(n) + " states");
  }
  long double sum = 0;
  for (Eigen::Index i = 0; i < p0.size(); ++i) {
    if (!std::isfinite(p0[i]) || p0[i] < 0) {
      invalid(who, "p0[" + std::to_string(i) + "] = " + num(p0[i]) +
                       " is not a probability");
    }
    sum += p0[i];
  }
  if (std::abs(static_cast<double>(sum) - 1.0) > 1e-9) {
    invalid(who, "p0 sums to " + num(static_cast<double>(sum)) + ", not 1");
  }
}

void check_time(double t, double tol, const std::string& who) {
  if (!std::isfinite(t) || t < 0) invalid(who, "t = " + num(t) + " must be finite and >= 0");
  if (!(tol > 0 && tol < 1)) invalid(who, "tol = " + num(tol) + " must be in (0, 1)");
}

void check_mask(const std::vector<bool>& absorbing, std::size_t n, const std::string& who) {
  if (absorbing.size() != n) {
    invalid(who, "absorbing has " + std::to_string(absorbing.size()) +
                     " entries, the chain has " + std::to_string(n) + " states");
  }
}

// R with the rows of the states in `dropped` emptied.
RowMatrix without_rows(const RowMatrix& r, const std::vector<bool>& dropped) {
  RowMatrix out(r.rows(), r.cols());
  out.reserve(r.nonZeros());
  for (int i = 0; i < r.rows(); ++i) {
    out.startVec(i);
    if (dropped[static_cast<std::size_t>(i)]) continue;
    for (RowMatrix::InnerIterator it(r, i); it; ++it) out.insertBack(i, it.index()) = it.value();
  }
  out.finalize();
  return out;
}

// Marks every state reachable from `seeds` along the outer -> inner edges of `m`: for a
// row-major R that is forwards (i -> j), for a column-major R backwards. States in
// `blocked` are marked when reached but not expanded.
template <typename Matrix>
std::vector<char> reachable(const Matrix& m, const std::vector<int>& seeds,
                            const std::vector<bool>* blocked = nullptr) {
  std::vector<char> seen(static_cast<std::size_t>(m.outerSize()), 0);
  std::vector<int> stack;
  for (int s : seeds) {
    if (!seen[static_cast<std::size_t>(s)]) {
      seen[static_cast<std::size_t>(s)] = 1;
      stack.push_back(s);
    }
  }
  while (!stack.empty()) {
    const int s = stack.back();
    stack.pop_back();
    if (blocked && (*blocked)[static_cast<std::size_t>(s)]) continue;
    for (typename Matrix::InnerIterator it(m, s); it; ++it) {
      const auto j = static_cast<std::size_t>(it.index());
      if (!seen[j]) {
        seen[j] = 1;
        stack.push_back(static_cast<int>(j));
      }
    }
  }
  return seen;
}

// forward = reachable(m, seeds, blocked), backward = reachable(by_column, targets): the
// two searches at once where built with OpenMP and threads > 1.
template <class Matrix>
void reach_both(const Matrix& m, const std::vector<int>& seeds, const std::vector<bool>* blocked, const ColMatrix& by_column,
                const std::vector<int>& targets, [[maybe_unused]] int threads, std::vector<char>& forward, std::vector<char>& backward) {
  DRSIM_OMP(parallel sections num_threads(threads > 1 ? 2 : 1))
  {
    DRSIM_OMP(section)
    forward = reachable(m, seeds, blocked);
    DRSIM_OMP(section)
    backward = reachable(by_column, targets);
  }
}

// Empty if the chain is irreducible, else why not.
std::string irreducibility_problem(const Generator& g, int threads = 1) {
  const auto n = static_cast<std::size_t>(g.rates.rows());
  std::vector<char> forward, backward;
  reach_both(g.rates, {0}, nullptr, g.by_column(), {0}, threads, forward, backward);
  for (std::size_t i = 0; i < n; ++i) {
    if (!forward[i]) return "state " + std::to_string(i) + " cannot be reached from state 0";
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (!backward[i]) return "state 0 cannot be reached from state " + std::to_string(i);
  }
  return {};
}

// pi for an irreducible chain. One balance equation is redundant; it is replaced by the
// normalisation pi_k = 1 for the state k with the slowest exit (a likely-probable state,
// which keeps the unnormalised solution well scaled), then pi is rescaled to sum 1. This
// is the classic "replace one equation by the normalisation" with e_k instead of a row of
// ones: a dense row would spoil the sparsity of the LU and the M-matrix structure.
Eigen::VectorXd solve_steady_state(const Generator& g, const std::string& who, LinearSolver method, int threads) {
  const int n = static_cast<int>(g.rates.rows());
  if (n == 1) return Eigen::VectorXd::Ones(1);
  if (const std::string problem = irreducibility_problem(g, threads); !problem.empty()) {
    throw std::runtime_error(who + ": the chain is not irreducible (" + problem +
                             "); a unique steady state needs every state to reach every "
                             "other");
  }
  int k = 0;
  g.exit.minCoeff(&k);
  const auto reduced = [k](int i) { return i < k ? i : i - 1; };

  // A = (-Q without row and column k)^T, b = (row k of Q without column k)^T.
  std::vector<int> index(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) index[static_cast<std::size_t>(i)] = i == k ? -1 : reduced(i);
  LinearSystem s;
  assemble(g, index, n - 1, threads, s);
  s.b = Eigen::VectorXd::Zero(n - 1);
  for (RowMatrix::InnerIterator it(g.rates, k); it; ++it) s.b[reduced(it.index())] = it.value();
  const Eigen::VectorXd x = solve_refined(s, who, method);

  Eigen::VectorXd pi(n);
  long double sum = 1;
  for (int i = 0; i < n; ++i) {
    if (i == k) continue;
    pi[i] = x[reduced(i)];
    sum += pi[i];
  }
  pi[k] = 1;
  if (!(sum > 0) || !std::isfinite(static_cast<double>(sum)) || pi.minCoeff() < 0) {
    throw std::runtime_error(who + ": the steady-state solve returned no probability "
                             "vector; the chain is numerically singular");
  }
  return pi / static_cast<double>(sum);
}

// Poisson(a) probabilities for k in [left, left + w.size()), normalised to sum 1; the
// mass left out on each side is at most eps (relative to the kept mass). With
// `one_more`, the kept right tail also holds P(N >= right) <= eps, which the interval
// average needs (its weights P(N > k) / a have a tail sum <= P(N >= right)).
struct PoissonWeights {
  long left = 0;
  std::vector<double> w;
  long right() const { return left + static_cast<long>(w.size()) - 1; }
};

PoissonWeights poisson_weights(double a, double eps, bool one_more) {
  // Unnormalised, with weight 1 at the mode; neighbours by the ratios k/a and a/(k+1).
  // The ratios shrink away from the mode, so each tail is below a geometric series.
  const double mode = std::floor(a);
  std::vector<double> up{1.0};
  long double sum = 1;
  for (double k = mode;; k += 1) {
    const double ratio = a / (k + 1);  // < 1 for k >= mode
    const bool small_tail = up.back() * ratio / (1 - ratio) <= eps * static_cast<double>(sum);
    if (small_tail && !one_more) break;
    up.push_back(up.back() * ratio);
    sum += up.back();
    if (small_tail) break;
  }
  std::vector<double> down;  // mode - 1, mode - 2, ...
  double last = 1.0;
  for (double k = mode; k > 0; k -= 1) {
    const double ratio = k / a;  // w_{k-1} = w_k * k / a, <= 1 for k <= mode
    if (ratio < 1 && last * ratio / (1 - ratio) <= eps * static_cast<double>(sum)) break;
    last *= ratio;
    down.push_back(last);
    sum += last;
  }
  PoissonWeights out;
  out.left = static_cast<long>(mode) - static_cast<long>(down.size());
  out.w.reserve(down.size() + up.size());
  for (auto it = down.rbegin(); it != down.rend(); ++it) out.w.push_back(*it);
  out.w.insert(out.w.end(), up.begin(), up.end());
  for (double& w : out.w) w = static_cast<double>(w / sum);
  return out;
}

struct UniformisationRequest {
  bool point = true;     // compute p(t)
  bool average = false;  // compute (1/t) integral_0^t p(s) ds
  // Steady state of the chain scaled to the mass of p0, for the early stop; null = none.
  const Eigen::VectorXd* steady = nullptr;
  // Reliability: stop once the mass on these states is negligible (only their entries
  // of `point` stay accurate); null = never.
  const std::vector<bool>* live = nullptr;
};

struct UniformisationResult {
  Eigen::VectorXd point;
  Eigen::VectorXd average;
};

// Total L1 error at most tol: Poisson truncation (tol/8 per side, so at most tol/2 after
// renormalising) plus the early stop (tol/2).
UniformisationResult uniformise(const Generator& g, const Eigen::VectorXd& p0, double t,
                                double tol, const UniformisationRequest& req,
                                const std::string& who) {
  const int n = static_cast<int>(g.rates.rows());
  const double max_exit = g.exit.size() ? g.exit.maxCoeff() : 0.0;
  if (max_exit == 0 || t == 0) return {p0, p0};
  const double q = kUniformisationMargin * max_exit;
  const double a = q * t;
  if (!std::isfinite(a)) invalid(who, "q * t = " + num(a) + " is not finite");

  const PoissonWeights weights = poisson_weights(a, tol / 8, req.average);
  const long left = weights.left;
  const long right = weights.right();

  // The interval average is (1/a) sum_k P(N > k) v_k with N ~ Poisson(a) and
  // v_k = p0 P^k: integrating each Poisson weight over [0, t] gives its upper tail.
  std::vector<double> tail;  // P(N > k) for k in [left, right]
  long double tail_total = 0;   // sum_k P(N > k) over [0, right], ~ a
  if (req.average) {
    tail.resize(weights.w.size());
    long double above = 0;
    for (long k = right; k >= left; --k) {
      tail[static_cast<std::size_t>(k - left)] = static_cast<double>(above);
      tail_total += above;
      above += weights.w[static_cast<std::size_t>(k - left)];
    }
    tail_total += static_cast<long double>(left);  // P(N > k) = 1 below `left`
  }

  // One step is v P = v + v (Q / q), not a product with P itself: a diagonal entry of P
  // near 1 is rounded by up to 1.1e-16, the same way at every step, which leaks ~1e-11 of
  // probability over 1e5 steps; the diagonal of Q / q, -exit/q, is rounded relative to
  // the state's own exit rate. It is also set to minus the sum of the rounded
  // off-diagonals, so each row of Q / q sums to 0 within half an ulp of exit/q.
  std::vector<Triplet> entries;
  entries.reserve(static_cast<std::size_t>(g.rates.nonZeros() + n));
  for (int i = 0; i < n; ++i) {
    long double off = 0;
    for (RowMatrix::InnerIterator it(g.rates, i); it; ++it) {
      const double p = it.value() / q;
      off += p;
      entries.emplace_back(it.index(), i, p);
    }
    entries.emplace_back(i, i, -static_cast<double>(off));
  }
  RowMatrix step_t(n, n);  // (Q / q)^T
  step_t.setFromTriplets(entries.begin(), entries.end());
  // Exact steps conserve the total mass (absorbing states stay in the vector); restoring
  // it every kCheckEvery steps removes the drift rounding leaves.
  long double mass = 0;
  for (int i = 0; i < n; ++i) mass += p0[i];

  UniformisationResult out;
  if (req.point) out.point = Eigen::VectorXd::Zero(n);
  if (req.average) out.average = Eigen::VectorXd::Zero(n);
  Eigen::VectorXd v = p0;
  Eigen::VectorXd step(n);
  long double weight_done = 0;  // sum of the weights applied so far
  long double tail_done = 0;
  for (long k = 0;; ++k) {
    if (k > 0 && k % kCheckEvery == 0) {
      long double drifted = 0;
      for (int i = 0; i < n; ++i) drifted += v[i];
      if (drifted > 0) v *= static_cast<double>(mass / drifted);
      if (req.steady && (v - *req.steady).lpNorm<1>() <= tol / 2) {
        // ||v_j - pi||_1 <= tol/2 for every j >= k, so replacing them all by pi costs
        // at most tol/2 in L1.
        if (req.point) out.point += static_cast<double>(1 - weight_done) * *req.steady;
        if (req.average) {
          out.average += static_cast<double>(tail_total - tail_done) * *req.steady;
        }
        break;
      }
      if (req.live) {
        long double live_mass = 0;
        for (int i = 0; i < n; ++i) {
          if ((*req.live)[static_cast<std::size_t>(i)]) live_mass += v[i];
        }
        // The live mass of v_j never increases with j (the other states absorb), so the
        // rest of the sum adds at most tol/2 to it.
        if (live_mass <= tol / 2) break;
      }
    }
    const bool kept = k >= left;
    const double w = kept ? weights.w[static_cast<std::size_t>(k - left)] : 0.0;
    if (req.point && w != 0) out.point += w * v;
    weight_done += w;
    if (req.average) {
      const double above = kept ? tail[static_cast<std::size_t>(k - left)] : 1.0;
      out.average += above * v;
      tail_done += above;
    }
    if (k == right) break;
    // step = (Q / q)^T v, row by row (Eigen's `step.noalias() = step_t * v` does the same
    // but trips GCC 12's -Wuse-after-free false positive).
    for (int j = 0; j < n; ++j) {
      double sum = 0;
      for (RowMatrix::InnerIterator it(step_t, j); it; ++it) sum += it.value() * v[it.index()];
      step[j] = sum;
    }
    v += step;
  }
  // Dividing by sum_k P(N > k) rather than by a (they differ by the truncated tail only)
  // keeps the average a probability vector.
  if (req.average) out.average /= static_cast<double>(tail_total);
  return out;
}

// The early stop pays off only for long sums, and needs a unique steady state.
UniformisationResult uniformise_with_early_stop(const Generator& g, const Eigen::VectorXd& p0,
                                                double t, double tol,
                                                UniformisationRequest req,
                                                const std::string& who, LinearSolver method, int threads) {
  const double max_exit = g.exit.size() ? g.exit.maxCoeff() : 0.0;
  const double a = kUniformisationMargin * max_exit * t;
  Eigen::VectorXd pi;
  // Rough term count: mean plus 10 standard deviations.
  if (a + 10 * std::sqrt(a) >= static_cast<double>(kEarlyStopMinTerms) &&
      irreducibility_problem(g, threads).empty()) {
    try {
      long double mass = 0;
      for (Eigen::Index i = 0; i < p0.size(); ++i) mass += p0[i];
      pi = solve_steady_state(g, who, method, threads) * static_cast<double>(mass);
      req.steady = &pi;
    } catch (const std::runtime_error&) {
      // A chain too ill-conditioned for the LU is still fine for uniformisation: just
      // sum all the terms.
    }
  }
  return uniformise(g, p0, t, tol, req, who);
}

}  // namespace

Ctmc::Ctmc(std::size_t n_states) : n_(n_states), cache_(std::make_unique<Cache>()) {
  if (n_states == 0 ||
      n_states > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    invalid("Ctmc", "n_states = " + std::to_string(n_states) + " must be in [1, 2^31)");
  }
}

Ctmc::Ctmc(RateMatrix&& rates) : n_(static_cast<std::size_t>(rates.rows())), cache_(std::make_unique<Cache>()) {
  if (rates.rows() != rates.cols()) {
    invalid("Ctmc", "the rate matrix is " + std::to_string(rates.rows()) + " x " + std::to_string(rates.cols()) + ", not square");
  }
  if (rates.rows() == 0) invalid("Ctmc", "the rate matrix has no states");
  if (!rates.isCompressed()) invalid("Ctmc", "the rate matrix is not compressed (call makeCompressed())");
  for (int i = 0; i < rates.rows(); ++i) {
    int last = -1;
    for (RowMatrix::InnerIterator it(rates, i); it; ++it) {
      const int j = it.index();
      const bool positive = std::isfinite(it.value()) && it.value() > 0;
      if (j != i && j > last && positive) {
        last = j;
        continue;
      }
      const std::string edge = std::to_string(i) + " -> " + std::to_string(j);
      if (j == i) invalid("Ctmc", "self-transition " + edge + " (a CTMC has none)");
      if (j <= last) invalid("Ctmc", "row " + std::to_string(i) + " of the rate matrix is not sorted, or repeats " + edge);
      invalid("Ctmc", "rate " + num(it.value()) + " for " + edge + " must be finite and > 0");
    }
  }
  cache_->g = std::make_unique<Generator>(rates);
  std::call_once(cache_->once, [] {});
}

Ctmc::~Ctmc() = default;
Ctmc::Ctmc(Ctmc&&) noexcept = default;
Ctmc& Ctmc::operator=(Ctmc&&) noexcept = default;

const Generator& Ctmc::generator() const {
  std::call_once(cache_->once, [this] {
    RowMatrix r(static_cast<int>(n_), static_cast<int>(n_));
    r.setFromTriplets(rates_.begin(), rates_.end());  // sorted, duplicates summed
    cache_->g = std::make_unique<Generator>(r);
  });
  return *cache_->g;
}

LinearSolver Ctmc::solver_for(std::size_t unknowns) {
  return unknowns <= kDirectMaxUnknowns ? LinearSolver::direct : LinearSolver::iterative;
}

void Ctmc::add_rate(std::size_t from, std::size_t to, double rate) {
  if (from >= n_ || to >= n_) {
    invalid("Ctmc::add_rate", "transition " + std::to_string(from) + " -> " +
                                  std::to_string(to) + " is outside states 0.." +
                                  std::to_string(n_ - 1));
  }
  if (from == to) {
    invalid("Ctmc::add_rate", "self-transition " + std::to_string(from) + " -> " +
                                  std::to_string(to) + " (a CTMC has none)");
  }
  if (!std::isfinite(rate) || rate < 0) {
    invalid("Ctmc::add_rate", "rate " + num(rate) + " for " + std::to_string(from) + " -> " +
                                  std::to_string(to) + " must be finite and >= 0");
  }
  if (rate == 0) return;
  if (cache_->g) cache_ = std::make_unique<Cache>();  // Q changes: built again when asked
  rates_.emplace_back(static_cast<int>(from), static_cast<int>(to), rate);
}

Eigen::VectorXd Ctmc::steady_state() const {
  return solve_steady_state(generator(), "Ctmc::steady_state", solver_, threads_);
}

Eigen::VectorXd Ctmc::transient(const Eigen::VectorXd& p0, double t, double tol) const {
  const std::string who = "Ctmc::transient";
  check_distribution(p0, n_, who);
  check_time(t, tol, who);
  const Generator& g = generator();
  return uniformise_with_early_stop(g, p0, t, tol, {}, who, solver_, threads_).point;
}

Eigen::VectorXd Ctmc::interval_average(const Eigen::VectorXd& p0, double t,
                                       double tol) const {
  const std::string who = "Ctmc::interval_average";
  check_distribution(p0, n_, who);
  check_time(t, tol, who);
  const Generator& g = generator();
  UniformisationRequest req;
  req.point = false;
  req.average = true;
  return uniformise_with_early_stop(g, p0, t, tol, req, who, solver_, threads_).average;
}

double Ctmc::mean_time_to_absorption(const Eigen::VectorXd& p0,
                                     const std::vector<bool>& absorbing) const {
  const std::string who = "Ctmc::mean_time_to_absorption";
  check_distribution(p0, n_, who);
  check_mask(absorbing, n_, who);
  // The full chain: a state's exit rate includes its rates into absorbing states.
  const Generator& g = generator();
  const int n = static_cast<int>(n_);

  // S: the non-absorbing states the chain can visit from p0 before absorption. S is
  // closed under moves that avoid absorbing states, so (-Q on S) is nonsingular exactly
  // when every state of S can reach an absorbing state.
  std::vector<int> seeds;
  for (int i = 0; i < n; ++i) {
    if (p0[i] > 0 && !absorbing[static_cast<std::size_t>(i)]) seeds.push_back(i);
  }
  if (seeds.empty()) return 0;
  std::vector<int> targets;
  for (int i = 0; i < n; ++i) {
    if (absorbing[static_cast<std::size_t>(i)]) targets.push_back(i);
  }
  std::vector<char> visited, can_absorb;
  reach_both(g.rates, seeds, &absorbing, g.by_column(), targets, threads_, visited, can_absorb);
  std::vector<int> index(n_, -1);  // state -> row in the reduced system
  int m = 0;
  for (int i = 0; i < n; ++i) {
    if (!visited[static_cast<std::size_t>(i)] || absorbing[static_cast<std::size_t>(i)]) {
      continue;
    }
    if (!can_absorb[static_cast<std::size_t>(i)]) return std::numeric_limits<double>::infinity();
    index[static_cast<std::size_t>(i)] = m++;
  }

  // x^T (-Q_SS) = p0_S^T: x_i is the expected time spent in state i before absorption.
  // Solved as A x = p0_S with A = (-Q_SS)^T, an M-matrix (see the file comment).
  LinearSystem s;
  assemble(g, index, m, threads_, s);
  s.b.resize(m);
  for (int i = 0; i < n; ++i)
    if (index[static_cast<std::size_t>(i)] >= 0) s.b[index[static_cast<std::size_t>(i)]] = p0[i];
  const Eigen::VectorXd x = solve_refined(s, who, solver_);
  long double total = 0;
  for (int i = 0; i < m; ++i) total += x[i];
  return static_cast<double>(total);
}

double Ctmc::reliability(const Eigen::VectorXd& p0, const std::vector<bool>& absorbing,
                         double t, double tol) const {
  const std::string who = "Ctmc::reliability";
  check_distribution(p0, n_, who);
  check_mask(absorbing, n_, who);
  check_time(t, tol, who);
  // Absorbing states lose their outgoing rates; R(t) is the mass still elsewhere.
  RowMatrix kept = without_rows(generator().rates, absorbing);
  const Generator g(kept);
  std::vector<bool> live(n_);
  for (std::size_t i = 0; i < n_; ++i) live[i] = !absorbing[i];
  UniformisationRequest req;
  req.live = &live;
  const Eigen::VectorXd p = uniformise(g, p0, t, tol, req, who).point;
  long double r = 0;
  for (std::size_t i = 0; i < n_; ++i) {
    if (live[i]) r += p[static_cast<Eigen::Index>(i)];
  }
  return std::clamp(static_cast<double>(r), 0.0, 1.0);
}

}  // namespace drsim
