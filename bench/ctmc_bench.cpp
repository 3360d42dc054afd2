// Benchmark of drsim::Ctmc on repair chains of 1,000, 10,000 and 100,000 states: the
// time of steady_state() and of transient() from "all up" at t = 8760 h (where the early
// stop at the steady state does most of the work) and at t = 168 h (pure uniformisation,
// the sum is too short for the early stop), printed as a markdown table. Built and run
// by bench/ctmc_bench.sh (a standalone program, so it needs no CMake target).
// Single-threaded; timings are wall-clock, best of up to three runs.
//
// Two chain families, both with the fleet's total failure rate and repair capacity fixed
// so that q (the largest exit rate) stays ~1/h whatever the size:
//  - k-of-n: n identical units, state = number failed; tridiagonal (birth-death).
//  - two pools: units of two kinds with their own crews, state = (failed in A, failed
//    in B); a 2-D grid, the harder case for the sparse LU (fill-in).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <string>
#include <thread>

#include "analysis/ctmc.h"

namespace {

struct Chain {
  std::string name;
  drsim::Ctmc ctmc;
  std::size_t transitions = 0;
  double max_exit = 0;
};

// n units, each failing at fleet_rate / n per hour; `crews` crews repairing at mu.
Chain k_of_n(std::size_t states, double fleet_rate, int crews, double mu) {
  const std::size_t units = states - 1;
  Chain c{"k-of-n (birth-death)", drsim::Ctmc(states)};
  const double lambda = fleet_rate / static_cast<double>(units);
  for (std::size_t i = 0; i < states; ++i) {
    double exit = 0;
    if (i < units) {
      const double up = static_cast<double>(units - i) * lambda;
      c.ctmc.add_rate(i, i + 1, up);
      exit += up;
      ++c.transitions;
    }
    if (i > 0) {
      const double repair = static_cast<double>(std::min<std::size_t>(i, crews)) * mu;
      c.ctmc.add_rate(i, i - 1, repair);
      exit += repair;
      ++c.transitions;
    }
    c.max_exit = std::max(c.max_exit, exit);
  }
  return c;
}

// Pools of (side_a - 1) and (side_b - 1) units; pool A fails at 0.1/h in total with two
// crews at 0.2/h, pool B at 0.05/h with one crew at 0.1/h.
Chain two_pools(std::size_t side_a, std::size_t side_b) {
  Chain c{"two pools (2-D grid)", drsim::Ctmc(side_a * side_b)};
  const double lambda_a = 0.1 / static_cast<double>(side_a - 1);
  const double lambda_b = 0.05 / static_cast<double>(side_b - 1);
  const auto id = [side_b](std::size_t i, std::size_t j) { return i * side_b + j; };
  for (std::size_t i = 0; i < side_a; ++i) {
    for (std::size_t j = 0; j < side_b; ++j) {
      double exit = 0;
      const auto add = [&](std::size_t to, double rate) {
        c.ctmc.add_rate(id(i, j), to, rate);
        exit += rate;
        ++c.transitions;
      };
      if (i + 1 < side_a) add(id(i + 1, j), static_cast<double>(side_a - 1 - i) * lambda_a);
      if (j + 1 < side_b) add(id(i, j + 1), static_cast<double>(side_b - 1 - j) * lambda_b);
      if (i > 0) add(id(i - 1, j), static_cast<double>(std::min<std::size_t>(i, 2)) * 0.2);
      if (j > 0) add(id(i, j - 1), 0.1);
      c.max_exit = std::max(c.max_exit, exit);
    }
  }
  return c;
}

// Three pools of (side - 1) units each, a crew per pool: a 3-D grid (side^3 states),
// where the LU's fill-in grows fastest.
Chain three_pools(std::size_t side) {
  Chain c{"three pools (3-D grid)", drsim::Ctmc(side * side * side)};
  const double lambda[3] = {0.1 / static_cast<double>(side - 1), 0.05 / static_cast<double>(side - 1),
                            0.02 / static_cast<double>(side - 1)};
  const double mu[3] = {0.2, 0.1, 0.05};
  const auto id = [side](std::size_t i, std::size_t j, std::size_t k) { return (i * side + j) * side + k; };
  for (std::size_t i = 0; i < side; ++i)
    for (std::size_t j = 0; j < side; ++j)
      for (std::size_t k = 0; k < side; ++k) {
        const std::size_t x[3] = {i, j, k};
        double exit = 0;
        for (int p = 0; p < 3; ++p) {
          std::size_t up[3] = {i, j, k}, down[3] = {i, j, k};
          if (x[p] + 1 < side) {
            ++up[p];
            const double r = static_cast<double>(side - 1 - x[p]) * lambda[p];
            c.ctmc.add_rate(id(i, j, k), id(up[0], up[1], up[2]), r);
            exit += r;
            ++c.transitions;
          }
          if (x[p] > 0) {
            --down[p];
            c.ctmc.add_rate(id(i, j, k), id(down[0], down[1], down[2]), mu[p]);
            exit += mu[p];
            ++c.transitions;
          }
        }
        c.max_exit = std::max(c.max_exit, exit);
      }
  return c;
}

double seconds(const std::function<void()>& f, int runs) {
  double best = 1e300;
  for (int r = 0; r < runs; ++r) {
    const auto start = std::chrono::steady_clock::now();
    f();
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    best = std::min(best, took.count());
    if (best > 5) break;  // one run is enough for slow cases
  }
  return best;
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  }
  return "unknown";
}

void run(Chain chain) {
  const double horizon = 8760;
  Eigen::VectorXd pi, p;
  const double t_steady = seconds([&] { pi = chain.ctmc.steady_state(); }, 3);
  Eigen::VectorXd p0 = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(chain.ctmc.size()));
  p0[0] = 1;
  const double t_week = seconds([&] { p = chain.ctmc.transient(p0, 168); }, 3);
  const double t_year = seconds([&] { p = chain.ctmc.transient(p0, horizon); }, 3);
  std::printf("| %s | %zu | %zu | %.3g | %.4f | %.4f | %.4f | %.6g | %.2g |\n",
              chain.name.c_str(), chain.ctmc.size(), chain.transitions,
              1.02 * chain.max_exit * horizon, t_steady, t_week, t_year, pi[0],
              (p - pi).lpNorm<1>());
  std::fflush(stdout);
}

// steady_state() by each linear solver; the direct one only up to `direct_max` states.
void solvers(Chain chain, std::size_t direct_max) {
  Eigen::VectorXd direct, iterative;
  double t_direct = -1;
  if (chain.ctmc.size() <= direct_max) {
    chain.ctmc.set_linear_solver(drsim::LinearSolver::direct);
    t_direct = seconds([&] { direct = chain.ctmc.steady_state(); }, 1);
  }
  chain.ctmc.set_linear_solver(drsim::LinearSolver::iterative);
  const double t_iter = seconds([&] { iterative = chain.ctmc.steady_state(); }, 1);
  double worst = 0;  // largest relative difference over states above 1e-200
  if (t_direct >= 0)
    for (Eigen::Index i = 0; i < direct.size(); ++i)
      if (direct[i] > 1e-200) worst = std::max(worst, std::abs(iterative[i] - direct[i]) / direct[i]);
  const char* rule = drsim::Ctmc::solver_for(chain.ctmc.size() - 1) == drsim::LinearSolver::direct ? "LU" : "BiCGSTAB";
  if (t_direct >= 0)
    std::printf("| %s | %zu | %zu | %.3f | %.3f | %.1e | %s |\n", chain.name.c_str(), chain.ctmc.size(), chain.transitions, t_direct,
                t_iter, worst, rule);
  else
    std::printf("| %s | %zu | %zu | — | %.3f | — | %s |\n", chain.name.c_str(), chain.ctmc.size(), chain.transitions, t_iter, rule);
  std::fflush(stdout);
}

}  // namespace

int main() {
  std::printf("Machine: %s, nproc = %u; single-threaded code.\n\n", cpu_model().c_str(),
              std::thread::hardware_concurrency());
  std::printf("| chain | states | transitions | q·t (t = 8760 h) | steady_state() s | "
              "transient(168 h) s | transient(8760 h) s | π(all up) | "
              "‖p(8760 h) − π‖₁ |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (std::size_t states : {1000u, 10000u, 100000u}) run(k_of_n(states, 0.1, 10, 0.1));
  run(two_pools(40, 25));
  run(two_pools(100, 100));
  run(two_pools(400, 250));
  std::printf("\nsteady_state() by linear solver (the automatic rule picks the last column):\n\n");
  std::printf("| chain | states | transitions | sparse LU s | BiCGSTAB (diagonal, then ILUT) s | max rel. difference | automatic |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---|\n");
  solvers(two_pools(100, 100), 300000);
  solvers(two_pools(400, 250), 300000);
  solvers(two_pools(1000, 1000), 300000);
  solvers(three_pools(22), 300000);
  solvers(three_pools(47), 300000);
  solvers(three_pools(100), 300000);
  return 0;
}
