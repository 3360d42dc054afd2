// The linear systems of the Ctmc solvers (ctmc.cpp), assembled from the generator and solved: A x = b for an M-matrix A.
//
// Both pi Q = 0 and the absorption system reduce to A x = b with
// A = (-Q restricted to a state subset)^T: positive diagonal, non-positive off-diagonal,
// columns diagonally dominant, nonsingular (an M-matrix). For such A, LU with partial
// pivoting keeps the diagonal pivots and the triangular solves only add non-negative
// terms; the one loss of relative accuracy is cancellation in the pivots (the reason
// GTH exists for dense chains). Iterative refinement repairs it: the residual is summed
// in long double and uses the exact diagonal (the exit rates summed in long double, not
// their rounding), so each balance equation's residual is accurate relative to its own
// (possibly tiny) terms and the correction fixes small probabilities too. Measured on
// random chains with rates 1e-5..10: worst 3e-13 relative against long double GTH,
// 1e-11 without the refinement.
#include "analysis/ctmc_linear.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <string>

#include <Eigen/IterativeLinearSolvers>
#include <Eigen/SparseLU>

#include "analysis/omp.h"

namespace drsim::ctmc_detail {
namespace {

// Iterative refinement stops when a correction changes no component by more than this
// (relative), or after kMaxRefinements steps.
constexpr double kRefinementConverged = 4 * std::numeric_limits<double>::epsilon();
constexpr int kMaxRefinements = 4;
// Componentwise backward error (Oettli-Prager) above which a solve is rejected; a sound
// LU gives ~1e-16.
constexpr double kMaxBackwardError = 1e-10;
// The iterative solve: BiCGSTAB to this relative residual (2-norm, relative to b) per
// solve, at most kMaxIterations iterations each, then up to kMaxIterativeRefinements
// corrections; ILUT drops entries below kIlutDropTolerance (relative to the row) and
// keeps at most kIlutFillFactor times the row's nonzeros.
constexpr double kIterativeTolerance = 1e-14;
constexpr int kMaxIterations = 2000;
// With the diagonal preconditioner BiCGSTAB converges in 30-40 iterations where it
// converges at all (many weakly coupled units); where it stalls (stiff chains of few
// dimensions) this cap keeps the attempt cheap before the ILUT.
constexpr int kMaxJacobiIterations = 200;
constexpr int kMaxIterativeRefinements = 24;
// The Jacobi attempt stops refining when the backward error has not fallen tenfold in
// this many steps: on a chain whose probabilities span 10^-170 (a 2-D grid) its
// corrections stall at ~10^-144, and 24 of them cost 5x the ILUT that then succeeds.
constexpr int kStallSteps = 3;
// An iterative solve that fails its check falls back to the sparse LU up to this many
// unknowns (above it the LU's fill-in could take hours: a 3-D chain of 103,823 states
// takes 120 s, docs/performance.md).
constexpr std::size_t kFallbackMaxUnknowns = 100000;
constexpr double kIlutDropTolerance = 1e-6;
constexpr int kIlutFillFactor = 10;
// Unnormalised probabilities (pi_k = 1 for the reference state) below this are beyond
// double range in practice: a 400-unit pool reaches 1e-400. They underflow to zero or
// denormals, carry no relative accuracy, and are left out of the convergence test and
// the residual check.
constexpr double kUnderflow = 1e-290;

// b - A x with A's exact diagonal, each component summed in long double (row by row, on
// s.threads threads where built with OpenMP: each row by one thread, the same bits).
Eigen::VectorXd residual(const LinearSystem& s, const Eigen::VectorXd& x) {
  const RowMatrix& a = s.a;
  Eigen::VectorXd out(s.b.size());
  DRSIM_OMP(parallel for num_threads(s.threads) schedule(static))
  for (int i = 0; i < a.outerSize(); ++i) {
    long double r = s.b[i];
    for (RowMatrix::InnerIterator it(a, i); it; ++it) {
      const long double aij = it.index() == i ? s.diagonal[static_cast<std::size_t>(i)] : it.value();
      r -= aij * static_cast<long double>(x[it.index()]);
    }
    out[i] = static_cast<double>(r);
  }
  return out;
}

// max_i |b - A x|_i / (|A| |x| + |b|)_i: the smallest relative perturbation of the
// entries of A and b for which x is exact. Equations whose terms are all at underflow
// level (scale below kUnderflow times the largest entry of A) are skipped.
double backward_error(const LinearSystem& s, const Eigen::VectorXd& x, const Eigen::VectorXd& r) {
  double largest = 0;
  for (Eigen::Index k = 0; k < s.a.nonZeros(); ++k) largest = std::max(largest, std::abs(s.a.valuePtr()[k]));
  Eigen::VectorXd ratio(r.size());
  DRSIM_OMP(parallel for num_threads(s.threads) schedule(static))
  for (int i = 0; i < s.a.outerSize(); ++i) {
    double scale = std::abs(s.b[i]);
    for (RowMatrix::InnerIterator it(s.a, i); it; ++it) scale += std::abs(it.value()) * std::abs(x[it.index()]);
    ratio[i] = scale > kUnderflow * largest ? std::abs(r[i]) / scale : 0.0;
  }
  double worst = 0;
  for (Eigen::Index i = 0; i < ratio.size(); ++i) worst = std::max(worst, ratio[i]);
  return worst;
}
double backward_error(const LinearSystem& s, const Eigen::VectorXd& x) { return backward_error(s, x, residual(s, x)); }

void check_backward_error(const LinearSystem& s, const Eigen::VectorXd& x, const std::string& who,
                          const std::string& method) {
  const double err = x.allFinite() ? backward_error(s, x)
                                   : std::numeric_limits<double>::infinity();
  if (!(err <= kMaxBackwardError)) {
    throw std::runtime_error(who + ": the linear solve (" + method + ") failed its residual check "
                             "(relative backward error " + num(err) + "); the chain is "
                             "numerically singular");
  }
}

// Sparse LU, then iterative refinement, then the backward-error check.
Eigen::VectorXd solve_direct(const LinearSystem& s, const std::string& who) {
  const ColMatrix a = s.a;  // (the LU wants columns)
  Eigen::SparseLU<ColMatrix, Eigen::COLAMDOrdering<int>> lu;
  lu.analyzePattern(a);
  lu.factorize(a);
  if (lu.info() != Eigen::Success) {
    throw std::runtime_error(who + ": the linear system is singular (sparse LU: " +
                             lu.lastErrorMessage() + ")");
  }
  Eigen::VectorXd x = lu.solve(s.b);
  for (int step = 0; step < kMaxRefinements && x.allFinite(); ++step) {
    const Eigen::VectorXd d = lu.solve(residual(s, x));
    x += d;
    bool converged = true;
    for (Eigen::Index i = 0; i < x.size() && converged; ++i) {
      converged = std::abs(d[i]) <= kRefinementConverged * std::abs(x[i]) + kUnderflow;
    }
    if (converged) break;
  }
  check_backward_error(s, x, who, "sparse LU");
  return x;
}

// BiCGSTAB, first preconditioned by the diagonal (Jacobi), then, if that does not pass,
// by an incomplete LU with threshold: memory and time per iteration linear in the
// nonzeros, where a sparse LU of a chain with many dimensions fills in (a 12-dimensional
// chain of 4,096 states: 5.5 s in LU, 0.05 s here). Jacobi costs nothing to set up and
// converges in ~30-40 iterations on chains of many weakly coupled units (it gets
// kMaxJacobiIterations); the ILUT, whose set-up grows fast with the dimension (22 s on
// 16,384 states of 14 dimensions, fill factor 10), is there for stiff chains of few
// dimensions where Jacobi stalls. Each
// solve is accurate normwise; the refinements carry the accuracy down to the small
// probabilities, about 16 orders of magnitude per step (so a chain whose probabilities
// span 10^-200 needs a dozen): each correction another preconditioned solve of A d = r,
// r summed in long double with the exact diagonal, until the componentwise backward
// error passes the same check as the direct solve; a result that does not pass it is
// refused, never returned.
template <class Preconditioner>
Eigen::VectorXd bicgstab_refined(const LinearSystem& s, Eigen::BiCGSTAB<RowMatrix, Preconditioner>& solver, int max_iterations,
                                 bool give_up) {
  solver.setTolerance(kIterativeTolerance);
  solver.setMaxIterations(max_iterations);
  solver.compute(s.a);
  if (solver.info() != Eigen::Success) return {};
  Eigen::VectorXd x = solver.solve(s.b);
  if (solver.info() != Eigen::Success) return {};  // stalled: the next preconditioner
  double history[kMaxIterativeRefinements];
  for (int step = 0; step < kMaxIterativeRefinements && x.allFinite(); ++step) {
    const Eigen::VectorXd r = residual(s, x);  // once per step: for the check and the correction
    history[step] = backward_error(s, x, r);
    if (history[step] <= kMaxBackwardError / 100) break;
    if (give_up && step >= kStallSteps && history[step] > 0.1 * history[step - kStallSteps]) break;
    if (r.isZero(0)) break;
    // With the diagonal preconditioner (chains of many weakly coupled units) the
    // correction only has to take the backward error from history[step] to ~1e-16: it
    // is solved to that reduction, not to kIterativeTolerance (on the 10^6-state chain
    // of docs/performance.md the backward error is 5.6e-9 after the first solve; the
    // correction, solved to 1.8e-8 instead of 1e-14, takes about half the iterations).
    // If it falls short, the next step refines again. Aiming only at the check's 1e-12
    // cost accuracy (6.8e-13 relative against the LU on a 3-D grid, instead of 4e-16);
    // with the ILUT (stiff grids whose probabilities span 10^-170) every correction
    // stays at kIterativeTolerance.
    if (give_up) solver.setTolerance(std::clamp(1e-16 / history[step], kIterativeTolerance, 1e-2));
    x += solver.solve(r);
  }
  return x;
}

// Eigen's thread count (a process-wide setting) for the duration of one solve.
// Eigen's default is every core (with OpenMP); drsim's is one, set once at start-up, so
// that solves on one thread never write the setting and may run concurrently. A solve
// on more threads sets it for its duration.
[[maybe_unused]] const bool kEigenOneThread = (Eigen::setNbThreads(1), true);

class EigenThreads {
 public:
  explicit EigenThreads(int n) : n_(n) {
    if (n_ > 1) Eigen::setNbThreads(n_);
  }
  ~EigenThreads() {
    if (n_ > 1) Eigen::setNbThreads(1);
  }
  EigenThreads(const EigenThreads&) = delete;
  EigenThreads& operator=(const EigenThreads&) = delete;

 private:
  int n_;
};

Eigen::VectorXd solve_iterative(const LinearSystem& s, const std::string& who) {
  const EigenThreads threads(s.threads);
  {
    Eigen::BiCGSTAB<RowMatrix, Eigen::DiagonalPreconditioner<double>> jacobi;
    const Eigen::VectorXd x = bicgstab_refined(s, jacobi, kMaxJacobiIterations, true);
    // (x >= 0 as the exact solution is, A an M-matrix and b >= 0: below the underflow
    // level the check cannot see the sign of the tiniest probabilities)
    if (x.size() && x.allFinite() && x.minCoeff() >= 0 && backward_error(s, x) <= kMaxBackwardError) return x;
  }
  Eigen::BiCGSTAB<RowMatrix, Eigen::IncompleteLUT<double, int>> ilut;
  ilut.preconditioner().setDroptol(kIlutDropTolerance);
  ilut.preconditioner().setFillfactor(kIlutFillFactor);
  const Eigen::VectorXd x = bicgstab_refined(s, ilut, kMaxIterations, false);
  if (x.size() == 0) {
    throw std::runtime_error(who + ": BiCGSTAB did not converge (with a diagonal or an incomplete LU preconditioner)");
  }
  check_backward_error(s, x, who, "BiCGSTAB");
  return x;
}

}  // namespace

std::string num(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", x);
  return buf;
}

// A = (-Q restricted to the states i with index[i] >= 0)^T, the states numbered by
// `index` (increasing with i), with its exact diagonal; b is left to the caller. Row
// index[i] of A is column i of -Q (the rates into state i), so A is copied straight out
// of R's columns (each sorted): no triplets to sort. The rows are counted, then filled,
// on `threads` threads where built with OpenMP (each row by one thread: the same A).
void assemble(const Generator& g, const std::vector<int>& index, int m, int threads, LinearSystem& s) {
  const ColMatrix& into = g.by_column();
  std::vector<int> state_of(static_cast<std::size_t>(m));
  for (int i = 0; i < static_cast<int>(index.size()); ++i)
    if (index[static_cast<std::size_t>(i)] >= 0) state_of[static_cast<std::size_t>(index[static_cast<std::size_t>(i)])] = i;
  std::vector<Eigen::Index> start(static_cast<std::size_t>(m) + 1, 0);
  DRSIM_OMP(parallel for num_threads(threads) schedule(static))
  for (int row = 0; row < m; ++row) {
    Eigen::Index k = 1;  // the diagonal
    for (ColMatrix::InnerIterator it(into, state_of[static_cast<std::size_t>(row)]); it; ++it)
      k += index[static_cast<std::size_t>(it.index())] >= 0;
    start[static_cast<std::size_t>(row) + 1] = k;
  }
  for (std::size_t row = 0; row < static_cast<std::size_t>(m); ++row) start[row + 1] += start[row];
  if (start.back() > std::numeric_limits<int>::max())
    throw std::runtime_error("Ctmc: the linear system has more than 2^31 nonzeros");
  s.threads = threads;
  s.a.resize(m, m);
  s.a.resizeNonZeros(start.back());
  s.diagonal.resize(static_cast<std::size_t>(m));
  int* outer = s.a.outerIndexPtr();
  int* inner = s.a.innerIndexPtr();
  double* value = s.a.valuePtr();
  DRSIM_OMP(parallel for num_threads(threads) schedule(static))
  for (int row = 0; row < m; ++row) {
    const int i = state_of[static_cast<std::size_t>(row)];
    Eigen::Index at = start[static_cast<std::size_t>(row)];
    outer[row] = static_cast<int>(at);
    bool diagonal = false;
    for (ColMatrix::InnerIterator it(into, i); it; ++it) {
      const int col = index[static_cast<std::size_t>(it.index())];
      if (col < 0) continue;
      if (!diagonal && col > row) {
        inner[at] = row;
        value[at++] = g.exit[i];
        diagonal = true;
      }
      inner[at] = col;
      value[at++] = -it.value();
    }
    if (!diagonal) {
      inner[at] = row;
      value[at] = g.exit[i];
    }
    s.diagonal[static_cast<std::size_t>(row)] = g.exit_exact[static_cast<std::size_t>(i)];
  }
  outer[m] = static_cast<int>(start.back());
}

// Solves A x = b for the M-matrix A described in the file comment, by the method the
// size selects (LinearSolver::automatic) or the one asked for. Throws
// std::runtime_error.
Eigen::VectorXd solve_refined(const LinearSystem& s, const std::string& who, LinearSolver method) {
  const auto n = static_cast<std::size_t>(s.a.rows());
  if (method == LinearSolver::direct) return solve_direct(s, who);
  if (method == LinearSolver::iterative) return solve_iterative(s, who);
  if (Ctmc::solver_for(n) == LinearSolver::direct) return solve_direct(s, who);
  try {
    return solve_iterative(s, who);
  } catch (const std::runtime_error&) {
    // Too many refinements for the tiny probabilities, or a breakdown: the LU, where
    // it is affordable, else the error stands.
    if (n > kFallbackMaxUnknowns) throw;
    return solve_direct(s, who);
  }
}

}  // namespace drsim::ctmc_detail
