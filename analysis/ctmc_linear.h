// The linear systems behind Ctmc (ctmc.cpp): the generator Q, and A x = b for the
// M-matrices of the steady state and absorption systems, assembled from it and solved
// by sparse LU or BiCGSTAB, refined and checked (ctmc_linear.cpp). Internal to
// analysis/ctmc.cpp.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include <Eigen/Sparse>

#include "analysis/ctmc.h"

namespace drsim::ctmc_detail {

using ColMatrix = Eigen::SparseMatrix<double, Eigen::ColMajor, int>;
using RowMatrix = Eigen::SparseMatrix<double, Eigen::RowMajor, int>;

// A linear system A x = b whose diagonal is also known in long double (A's own diagonal
// is its rounding, good enough for the LU but not for the residual). A is row-major:
// BiCGSTAB's sparse products then run row by row, on `threads` threads where Eigen is
// built with OpenMP (each row summed by one thread in the same order, so the result is
// the same for any number of threads); the sparse LU takes a column-major copy.
struct LinearSystem {
  RowMatrix a;
  std::vector<long double> diagonal;
  Eigen::VectorXd b;
  int threads = 1;
};

// Q = R - diag(exit), rows of states in `absorbing` dropped where a solver asks.
struct Generator {
  RowMatrix rates;  // R(i, j), i != j, duplicates summed, each row sorted
  // Total rate out of each state, summed in long double. Kept in long double because for
  // a stiff chain the rounding of a fast exit rate (eps * 10/h) would act like a phantom
  // transition competing with the slow ones (1e-5/h), costing ~1e-10 relative accuracy.
  std::vector<long double> exit_exact;
  Eigen::VectorXd exit;  // the same, rounded

  // Takes R over (swapped out of `r`).
  explicit Generator(RowMatrix& r) {
    rates.swap(r);
    rates.makeCompressed();
    const auto n = static_cast<std::size_t>(rates.rows());
    exit_exact.assign(n, 0.0L);
    exit.resize(rates.rows());
    for (int i = 0; i < rates.rows(); ++i) {
      long double sum = 0;
      for (RowMatrix::InnerIterator it(rates, i); it; ++it) sum += it.value();
      exit_exact[static_cast<std::size_t>(i)] = sum;
      exit[i] = static_cast<double>(sum);
    }
  }
  // R column by column (each state's predecessors), built on first use.
  const ColMatrix& by_column() const {
    std::call_once(column_once_, [this] { column_ = rates; });
    return column_;
  }

 private:
  mutable std::once_flag column_once_;
  mutable ColMatrix column_;
};

// A = (-Q restricted to the states i with index[i] >= 0)^T (m of them, numbered by
// `index`, increasing with i) with its exact diagonal, into s (b is left to the caller).
void assemble(const Generator& g, const std::vector<int>& index, int m, int threads, LinearSystem& s);

// Solves A x = b by the method the size selects (LinearSolver::automatic: sparse LU up
// to Ctmc::kDirectMaxUnknowns, else BiCGSTAB with the LU as fallback) or the one asked
// for; the result passes a componentwise backward-error check or std::runtime_error is
// thrown.
Eigen::VectorXd solve_refined(const LinearSystem& s, const std::string& who, LinearSolver method);

// x as "%.6g".
std::string num(double x);

}  // namespace drsim::ctmc_detail
