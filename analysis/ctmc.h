// Ctmc: a continuous-time Markov chain on states 0..n-1 (time unit: hours), with the
// exact solvers `drsim analyze` needs for Markovian designs: steady state, transient
// distribution, time average over an interval (proof-test intervals), mean time to
// absorption (MTTF, MTTFF) and reliability.
//
// Numerics, in short (details in ctmc.cpp and ctmc_linear.cpp):
//  - linear solves (steady state, absorption) use Eigen::SparseLU on an M-matrix up to
//    kDirectMaxUnknowns unknowns, and above it (where the LU may fill in: a chain of
//    many dimensions) BiCGSTAB preconditioned by the diagonal, then by an incomplete
//    LU (ILUT), falling back to the LU up to 100,000 unknowns if both fail the check;
//    all refine iteratively with the residual summed in long double and pass the same
//    componentwise residual check, or throw; small probabilities come out to ~1e-12 relative or better;
//  - transient quantities use uniformisation with Fox-Glynn-style Poisson weights
//    (computed outwards from the mode, so nothing under- or overflows at any q*t), and
//    stop early once the iterates have provably converged to the steady state.
//
// Thread-safety: add_rate() needs exclusive access; the const solvers may run
// concurrently on the same Ctmc (the generator they share is built once, under a
// std::call_once).
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include <Eigen/Core>
#include <Eigen/SparseCore>

namespace drsim {

namespace ctmc_detail {
struct Generator;
}

// How the linear systems are solved: by size (Ctmc::solver_for), or as asked.
enum class LinearSolver { automatic, direct, iterative };

class Ctmc {
 public:
  // The automatic rule: sparse LU for systems of up to this many unknowns; above,
  // BiCGSTAB preconditioned by the diagonal, then by ILUT if that does not pass its
  // residual check, then the LU again when the system has at most 100,000 unknowns
  // (else the error). The LU's fill-in depends on the chain's dimension, not only its
  // size (docs/performance.md): 0.7 s on a 2-D grid of 100,000 states, 120 s on a 3-D
  // grid of 103,823, 5.5 s on the 4,096 states of 12 unlike units (BiCGSTAB: 0.15 s).
  static constexpr std::size_t kDirectMaxUnknowns = 1000;
  static LinearSolver solver_for(std::size_t unknowns);

  // A chain with `n_states` states and no transitions yet.
  // REQUIRES: 1 <= n_states < 2^31 (else std::invalid_argument).
  explicit Ctmc(std::size_t n_states);
  // A chain given whole by its rates: R(i, j) per hour from i to j, row-major (what a
  // breadth-first build writes row by row, with no triplets to sort: a chain of 10^6
  // states and 2*10^7 transitions).
  // R is taken over (swapped out: Eigen 3.4's sparse matrices have no move constructor,
  // and a copy of 2*10^7 rates costs a second or more).
  // REQUIRES: R square with 1 <= rows < 2^31, compressed, no diagonal entry, every entry
  // finite and > 0 (else std::invalid_argument).
  using RateMatrix = Eigen::SparseMatrix<double, Eigen::RowMajor, int>;
  explicit Ctmc(RateMatrix&& rates);
  ~Ctmc();
  Ctmc(Ctmc&&) noexcept;
  Ctmc& operator=(Ctmc&&) noexcept;

  // Adds `rate` (per hour) to the transition from -> to; repeated calls accumulate.
  // A zero rate adds nothing, not even a structural edge.
  // REQUIRES: from, to < size(), from != to, rate finite and >= 0
  // (else std::invalid_argument).
  void add_rate(std::size_t from, std::size_t to, double rate);

  std::size_t size() const { return n_; }

  // Chooses the linear solver of steady_state() and mean_time_to_absorption() (and of
  // the steady state transient() may use for its early stop). Default: automatic.
  void set_linear_solver(LinearSolver s) { solver_ = s; }
  // Threads for the iterative solver's sparse products (>= 1; default 1), where drsim is
  // built with OpenMP (else 1 whatever is asked). The results are the same for any
  // number. With n > 1 each solve sets Eigen's process-wide thread count for its
  // duration (drsim keeps it at 1 otherwise), so such a solve must not run concurrently
  // with other Eigen work; solves on one thread may (as the const solvers may).
  void set_threads(int n) { threads_ = n < 1 ? 1 : n; }

  // The stationary distribution pi: pi Q = 0, sum(pi) = 1. Each probability is accurate
  // to ~1e-12 relative or better, however small, down to ~1e-290 times the largest
  // (below that, double underflows and it may come out as 0).
  // REQUIRES: the chain is irreducible (every state reaches every other); otherwise
  // throws std::runtime_error naming a state that breaks it. Also throws
  // std::runtime_error if the solve fails the residual check (numerically singular).
  Eigen::VectorXd steady_state() const;

  // The distribution at time t >= 0 hours from the initial distribution p0.
  // The L1 error is at most `tol` (Poisson truncation plus early steady-state stop).
  // Cost: about q*t + 10 sqrt(q*t) sparse products (q = largest exit rate), fewer when an
  // irreducible chain reaches its steady state early (then also one steady_state()).
  // REQUIRES: p0 a probability vector of length size() (entries >= 0, sum 1 within
  // 1e-9), t finite >= 0, 0 < tol < 1; else std::invalid_argument.
  Eigen::VectorXd transient(const Eigen::VectorXd& p0, double t, double tol = 1e-12) const;

  // The time average of the distribution over [0, t]: (1/t) * integral_0^t p(s) ds,
  // e.g. the mean unavailability over a proof-test interval. Returns p0 when t == 0
  // (the limit). L1 error at most `tol`. REQUIRES: as transient().
  Eigen::VectorXd interval_average(const Eigen::VectorXd& p0, double t,
                                   double tol = 1e-12) const;

  // Mean time (hours) until the chain, started from p0, first enters a state marked in
  // `absorbing` (those states are treated as absorbing; their own rates are ignored).
  // Returns 0 if p0 lies on absorbing states only and +infinity if, from p0, the chain
  // can avoid the absorbing states for ever with positive probability.
  // REQUIRES: p0 as transient(); absorbing.size() == size() (else
  // std::invalid_argument). Throws std::runtime_error if the solve fails its check.
  double mean_time_to_absorption(const Eigen::VectorXd& p0,
                                 const std::vector<bool>& absorbing) const;

  // Reliability R(t): the probability that the chain, started from p0, has not entered
  // any state marked in `absorbing` by time t (probability mass of p0 already on
  // absorbing states counts as failed). Absolute error at most `tol`.
  // Cost: as transient(), without the steady-state stop (it ends once the mass outside
  // `absorbing` is negligible). REQUIRES: as transient() and mean_time_to_absorption().
  double reliability(const Eigen::VectorXd& p0, const std::vector<bool>& absorbing,
                     double t, double tol = 1e-12) const;

 private:
  // Q, built from rates_ on the first solve and kept for the next (steady state, MTTFF
  // and transient of one chain share it); add_rate() drops it.
  const ctmc_detail::Generator& generator() const;

  std::size_t n_;
  LinearSolver solver_ = LinearSolver::automatic;
  int threads_ = 1;
  // Off-diagonal rates as given (duplicates are summed when a solver builds Q).
  std::vector<Eigen::Triplet<double, int>> rates_;
  struct Cache;
  std::unique_ptr<Cache> cache_;
};

}  // namespace drsim
