// Rare-event estimation for Markovian designs: importance sampling with balanced
// failure biasing (Shahabuddin 1994; Goyal, Heidelberger, Nicola et al. 1992) and exact
// likelihood ratios, on the successor function of analysis/markov_model.h — the chain is
// walked state by state, never built, so designs far past what `drsim analyze` can
// solve are estimated.
//
// Balanced failure biasing. In a state with both failure and repair transitions, a
// failure is taken with probability `bias`, shared equally among the failure
// transitions, and a repair with probability 1 - bias, shared in proportion to the
// repair rates; where there are only failures (all-up) they are taken equally likely
// (or by their rates, with balance_all_up false);
// where there are only repairs, in proportion to their rates. Once a cycle has reached
// the outage it runs back to all-up unbiased. Every path is weighted by
// its likelihood ratio, the product over its jumps of p(jump) / p_biased(jump); holding
// times are never biased, so the ratio is exact.
//
// Estimates (each with its 95 % CI and weight diagnostics, analysis/rare_event.h):
//  - unavailability: the regenerative ratio E[D] / E[C] over cycles from all-up to
//    all-up, the time in each state replaced by its mean 1/q(x) (conditional Monte
//    Carlo). E[D] (time down per cycle) from biased cycles, E[C] (cycle length) from
//    unbiased ones; the CI by the delta method.
//  - P(down at least once within the horizon T) from all-up: a sum over the cycle m in
//    which the outage first happens. Term m is estimated with m - 1 unbiased cycles that
//    return without an outage and one biased cycle that reaches one, weighted by the
//    exact probability that the m sojourns in all-up (a Gamma(m, q0)) plus the sampled
//    time spent away from all-up fit in T. Terms are summed until the Gamma bound falls
//    below 1e-12 of the first (the truncation is below 1e-11 relative).
//
// Determinism: cycle (trial) i draws from Philox streams keyed by (seed, i, purpose);
// trials run in fixed blocks whose sums are merged in block order, so results are
// bit-identical whatever `jobs`.
//
// Thread-safety: estimate_rare() is a pure function of its arguments (it runs its own
// worker threads).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/markov_model.h"

namespace drsim {

struct RareOptions {
  std::uint64_t trials = 100000;  // cycles for the unavailability; trials for P(down within T)
  double horizon_hours = 8760;    // T, hours (> 0)
  double bias = 0.5;              // failure-biasing probability, in (0, 1)
  std::uint64_t seed = 1;
  int jobs = 1;                   // worker threads (>= 1)
  std::uint64_t block = 1000;     // trials per block (part of the result's identity)
  int group = -1;                 // the outage class: -1 the service, else this group not working
  bool unavailability = true;     // estimate the unavailability
  bool within_horizon = true;     // estimate P(down within T)
  // From all-up, every failure equally likely (Shahabuddin's balanced failure biasing);
  // false: the natural probabilities there, biasing only away from all-up (simple
  // failure biasing's convention; better when one failure type is far more common).
  bool balance_all_up = true;
};

// One importance-sampling estimate and the diagnostics of its weights (the per-trial
// contributions: a cycle's weighted time down, or a trial's weighted probability).
struct RareEstimate {
  double value = 0;
  double half_width = 0;      // of the 95 % CI (normal approximation)
  double lo = 0, hi = 0;      // the CI, clipped at 0
  double rel_error = 0;       // half_width / value (infinity when value is 0)
  std::uint64_t trials = 0;
  std::uint64_t hits = 0;     // trials with a positive weight (that reached the outage)
  double weight_mean = 0, weight_variance = 0;
  double max_weight_share = 0;  // the largest weight / the sum of weights
  double ess = 0;               // effective sample size (sum w)^2 / sum w^2
  std::uint64_t steps = 0;      // jumps simulated
  std::vector<std::string> warnings;  // why the estimate may not be trusted; empty = none
};

struct RareResult {
  RareEstimate unavailability;
  RareEstimate within_horizon;
  double mean_cycle_hours = 0;       // E[C], from the unbiased cycles
  double mean_cycle_ci_half = 0;
  double all_up_exit_rate = 0;       // q0, per hour
  double truncation_bound = 0;       // P(down within T): relative bound on the dropped terms
};

// The sums over one block of trials: w the weights (see RareEstimate), c the unbiased
// cycle lengths (unavailability only). Blocks merge in block order: the result is
// bit-identical whatever the threads or shards that ran them.
struct RareBlock {
  std::uint64_t n = 0, hits = 0, steps = 0;
  double w = 0, w2 = 0, wmax = 0, c = 0, c2 = 0, wc = 0;
  void add(double w, double c);
  void merge(const RareBlock& o);
};

// The blocks [first, last) of a run, per estimator asked for (empty when not asked).
struct RareBlocks {
  std::uint64_t first = 0, last = 0;
  std::vector<RareBlock> unavailability, within_horizon;
};

// Blocks in a run: ceil(trials / block).
std::uint64_t rare_block_count(const RareOptions& o);

// Runs the blocks [first, last) (a shard). REQUIRES: as estimate_rare(), first <= last <=
// rare_block_count(o) (else std::invalid_argument).
RareBlocks run_rare_blocks(const MarkovModel& model, const RareOptions& o, std::uint64_t first, std::uint64_t last);

// The estimates from every block of the run, all.first == 0 and all.last ==
// rare_block_count(o) (else std::invalid_argument).
RareResult finish_rare(const MarkovModel& model, const RareOptions& o, const RareBlocks& all);

// Runs the estimators asked for in `o`: finish_rare() of run_rare_blocks() over every block. REQUIRES: `model` of the repairable class
// (not proof_test()); o.trials >= 2, o.block >= 1, o.jobs >= 1, 0 < o.bias < 1,
// o.horizon_hours > 0, o.group < model.group_count(). Throws std::runtime_error when a
// cycle does not return to all-up within 10^7 jumps or a state has no way out.
RareResult estimate_rare(const MarkovModel& model, const RareOptions& o);

}  // namespace drsim
