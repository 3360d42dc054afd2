// The linear solves behind Ctmc (ctmc.cpp): A x = b for the M-matrices of the steady
// state and absorption systems, by sparse LU or BiCGSTAB, refined and checked
// (ctmc_linear.cpp). Internal to analysis/ctmc.cpp.
#pragma once

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

// Solves A x = b by the method the size selects (LinearSolver::automatic: sparse LU up
// to Ctmc::kDirectMaxUnknowns, else BiCGSTAB with the LU as fallback) or the one asked
// for; the result passes a componentwise backward-error check or std::runtime_error is
// thrown.
Eigen::VectorXd solve_refined(const LinearSystem& s, const std::string& who, LinearSolver method);

// x as "%.6g".
std::string num(double x);

}  // namespace drsim::ctmc_detail
