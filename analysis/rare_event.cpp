// Importance sampling with balanced failure biasing over a MarkovModel's successor
// function (the method, its estimators and their proofs of exactness in rare_event.h and
// docs/monte-carlo.md, "Rare events").
#include "analysis/rare_event.h"

#include <atomic>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>
#include <thread>

#include <boost/math/special_functions/gamma.hpp>
#include <fmt/format.h>

#include "models/random.h"

namespace drsim {
namespace {

constexpr std::uint64_t kMaxJumps = 10000000;  // per cycle
constexpr std::size_t kCacheTransitions = 1000000;  // memoised transitions per worker (~100-200 MB)
constexpr double kTruncation = 1e-12;          // P(down within T): terms dropped below this share
constexpr double kZ = 1.959963984540054;       // 95 % two-sided normal quantile

// A state as the walk needs it: the transitions out (self-loops dropped), their totals
// and whether the outage class holds there.
struct Node {
  std::vector<MarkovTransition> out;
  double q = 0, q_repair = 0;
  int failures = 0;
  bool down = false, all_up = false;
};

// What one walk from all-up saw, up to its return to all-up (or its stop).
struct Excursion {
  double lr = 1;         // likelihood ratio of the path so far
  double mean_time = 0;  // sum of 1/q(x) over the states visited, all-up included
  double down_time = 0;  // sum over the down states visited of (prefix ratio) / q(x)
  double away = 0;       // sampled holding times away from all-up (when asked)
  bool hit = false;      // stopped on entering a down state
  std::uint64_t steps = 0;
};

class Walker {
 public:
  Walker(const MarkovModel& m, const RareOptions& o) : m_(m), o_(o), all_up_(m.all_up()) {}

  const Node& node(const MarkovState& s) {
    auto it = cache_.find(s);
    if (it != cache_.end()) return it->second;
    if (cached_ >= kCacheTransitions) {
      cache_.clear();  // a memo: dropping it changes nothing but time
      cached_ = 0;
    }
    Node n;
    m_.successors(s, n.out);
    cached_ += n.out.size() + 1;
    std::erase_if(n.out, [&](const MarkovTransition& t) { return t.rate <= 0 || t.next == s; });
    for (const auto& t : n.out) {
      n.q += t.rate;
      if (t.failure) ++n.failures;
      else n.q_repair += t.rate;
    }
    n.down = o_.group >= 0 ? m_.group_down(s, o_.group) : m_.service_down(s);
    n.all_up = s == all_up_;
    if (n.q <= 0) throw std::runtime_error("a state of the chain has no way out (nothing fails or is repaired there)");
    return cache_.emplace(s, std::move(n)).first->second;
  }

  // One jump out of `n`: natural probabilities r/q, or balanced failure biasing with the
  // likelihood ratio multiplied into `lr`.
  const MarkovState& jump(const Node& n, RandomStream& rs, bool biased, double& lr) const {
    const double u = rs.uniform();
    const bool bias = biased && n.failures > 0 && (o_.balance_all_up || !n.all_up);
    const double pf = n.q_repair > 0 ? o_.bias : 1;  // the failures' share when biased
    double cum = 0;
    for (std::size_t j = 0; j < n.out.size(); ++j) {
      const auto& t = n.out[j];
      const double p = t.rate / n.q;
      double pb = p;
      if (bias) pb = t.failure ? pf / n.failures : (1 - pf) * t.rate / n.q_repair;
      cum += pb;
      if (u < cum || j + 1 == n.out.size()) {
        if (bias) lr *= p / pb;
        return t.next;
      }
    }
    return n.out.back().next;  // not reached: out is not empty
  }

  // A walk from all-up until it returns there — or, with stop_at_down, until it enters a
  // down state; with sample_times, the holding times away from all-up are drawn and the
  // walk stops once they pass `time_cap`. A biased walk stops biasing once it has entered
  // a down state: the rare part is done, and the way back to all-up is the natural one
  // (biasing failures there would only keep the walk away for ever; the likelihood ratio
  // stays exact, a biasing that depends on the path so far being as valid as any).
  Excursion walk(RandomStream& rs, bool biased, bool stop_at_down, bool sample_times, double time_cap) {
    Excursion e;
    MarkovState x = all_up_;
    const Node* n = &node(x);
    if (n->down) {
      e.hit = true;
      e.down_time = 1 / n->q;
      if (stop_at_down) return e;
    }
    e.mean_time = 1 / n->q;
    for (;;) {
      x = jump(*n, rs, biased && !e.hit, e.lr);
      n = &node(x);
      if (++e.steps > kMaxJumps)
        throw std::runtime_error(fmt::format("a cycle did not return to all-up within {} jumps", kMaxJumps));
      if (n->all_up) return e;
      if (n->down) {
        e.hit = true;
        if (stop_at_down) return e;
        e.down_time += e.lr / n->q;
      }
      e.mean_time += 1 / n->q;
      if (sample_times) {
        e.away += rs.exponential(n->q);
        if (e.away >= time_cap) return e;
      }
    }
  }

  double q0() { return node(all_up_).q; }
  bool all_up_down() { return node(all_up_).down; }

 private:
  const MarkovModel& m_;
  const RareOptions& o_;
  MarkovState all_up_;
  std::map<MarkovState, Node> cache_;
  std::size_t cached_ = 0;  // transitions held in cache_
};

// Stream purposes: independent draws per trial for each walk.
const std::uint64_t kCycleStream = fnv1a("rare/cycle"), kBiasedStream = fnv1a("rare/biased"),
                    kHorizonPlain = fnv1a("rare/horizon-plain"), kHorizonBiased = fnv1a("rare/horizon-biased");

// Regenerative cycle i: the biased cycle's weighted time down, the unbiased one's length.
void unavailability_trial(Walker& wk, const RareOptions& o, std::uint64_t i, RareBlock& s) {
  RandomStream plain(o.seed, i, kCycleStream), biased(o.seed, i, kBiasedStream);
  const double inf = std::numeric_limits<double>::infinity();
  Excursion c = wk.walk(plain, false, false, false, inf);
  Excursion b = wk.walk(biased, true, false, false, inf);
  s.add(b.down_time, c.mean_time);
  s.steps += c.steps + b.steps;
}

// Trial i of P(down within T): the sum over the cycle m of the first outage (see
// rare_event.h), truncated where the Gamma(m, q0) bound drops below kTruncation of the
// first term's.
void horizon_trial(Walker& wk, const RareOptions& o, std::uint64_t i, RareBlock& s) {
  if (wk.all_up_down()) {
    s.add(1, 0);
    return;
  }
  RandomStream plain(o.seed, i, kHorizonPlain), biased(o.seed, i, kHorizonBiased);
  const double q0 = wk.q0(), T = o.horizon_hours;
  const double first = boost::math::gamma_p(1.0, q0 * T);
  double before = 0, z = 0;  // time away from all-up in the cycles before m
  for (double m = 1;; ++m) {
    const double left = T - before;
    if (left <= 0 || boost::math::gamma_p(m, q0 * left) < kTruncation * first) break;
    Excursion b = wk.walk(biased, true, true, true, left);
    s.steps += b.steps;
    if (b.hit && b.away < left) z += b.lr * boost::math::gamma_p(m, q0 * (left - b.away));
    Excursion u = wk.walk(plain, false, true, true, left);
    s.steps += u.steps;
    if (u.hit || u.away >= left) break;  // no cycle after this one ends the way term m+1 needs
    before += u.away;
  }
  s.add(z, 0);
}

void warn(RareEstimate& e) {
  if (e.hits == 0) {
    e.warnings.push_back("no trial reached the outage: 0 is not an upper bound (more trials, or a larger --bias)");
    return;
  }
  if (e.hits < 30) e.warnings.push_back(fmt::format("only {} trials reached the outage: the CI is unreliable", e.hits));
  if (e.ess < 100)
    e.warnings.push_back(fmt::format("effective sample size {:.0f} of {} trials: a few weights dominate, the CI may be too narrow",
                                     e.ess, e.trials));
  if (e.max_weight_share > 0.05)
    e.warnings.push_back(fmt::format("the largest weight is {:.1f} % of the sum: the CI may be too narrow", 100 * e.max_weight_share));
  if (e.rel_error > 0.3) e.warnings.push_back(fmt::format("relative error {:.0f} %: more trials", 100 * e.rel_error));
}

// Mean of the weights with its CI and diagnostics; `ratio` divides by the mean cycle
// length (delta method).
RareEstimate finish(const RareBlock& s, bool ratio) {
  RareEstimate e;
  const double n = static_cast<double>(s.n);
  e.trials = s.n;
  e.hits = s.hits;
  e.steps = s.steps;
  e.weight_mean = s.w / n;
  e.weight_variance = std::max(0.0, (s.w2 - n * e.weight_mean * e.weight_mean) / (n - 1));
  e.max_weight_share = s.w > 0 ? s.wmax / s.w : 0;
  e.ess = s.w2 > 0 ? s.w * s.w / s.w2 : 0;
  double var = e.weight_variance;
  e.value = e.weight_mean;
  if (ratio) {
    const double cm = s.c / n;
    const double vc = std::max(0.0, (s.c2 - n * cm * cm) / (n - 1));
    const double cov = (s.wc - n * e.weight_mean * cm) / (n - 1);
    e.value = e.weight_mean / cm;
    var = std::max(0.0, (e.weight_variance - 2 * e.value * cov + e.value * e.value * vc) / (cm * cm));
  }
  e.half_width = kZ * std::sqrt(var / n);
  e.lo = std::max(0.0, e.value - e.half_width);
  e.hi = e.value + e.half_width;
  e.rel_error = e.value > 0 ? e.half_width / e.value : std::numeric_limits<double>::infinity();
  warn(e);
  return e;
}

// Runs `trial` over the blocks [first, last) on o.jobs threads; the sums per block.
template <class Trial>
std::vector<RareBlock> run_blocks(const MarkovModel& m, const RareOptions& o, std::uint64_t first, std::uint64_t last, Trial trial) {
  std::vector<RareBlock> sums(last - first);
  std::atomic<std::uint64_t> next{first};
  std::exception_ptr error;
  std::atomic<bool> failed{false};
  auto work = [&] {
    try {
      Walker wk(m, o);
      for (std::uint64_t b; !failed && (b = next++) < last;)
        for (std::uint64_t i = b * o.block; i < std::min(o.trials, (b + 1) * o.block); ++i) trial(wk, o, i, sums[b - first]);
    } catch (...) {
      if (!failed.exchange(true)) error = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < o.jobs; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
  return sums;
}

RareBlock total(const std::vector<RareBlock>& blocks) {
  RareBlock s;
  for (const auto& b : blocks) s.merge(b);
  return s;
}

void check(const MarkovModel& model, const RareOptions& o) {
  if (model.proof_test()) throw std::invalid_argument("the rare-event estimator takes repairable designs, not proof-tested ones");
  if (o.trials < 2 || o.block < 1 || o.jobs < 1 || !(o.bias > 0 && o.bias < 1) || !(o.horizon_hours > 0) ||
      o.group >= model.group_count())
    throw std::invalid_argument("estimate_rare: options out of range");
}

}  // namespace

void RareBlock::add(double wi, double ci) {
  ++n;
  hits += wi > 0 ? 1 : 0;
  w += wi;
  w2 += wi * wi;
  wmax = std::max(wmax, wi);
  c += ci;
  c2 += ci * ci;
  wc += wi * ci;
}

void RareBlock::merge(const RareBlock& o) {
  n += o.n;
  hits += o.hits;
  steps += o.steps;
  w += o.w;
  w2 += o.w2;
  wmax = std::max(wmax, o.wmax);
  c += o.c;
  c2 += o.c2;
  wc += o.wc;
}

std::uint64_t rare_block_count(const RareOptions& o) { return (o.trials + o.block - 1) / o.block; }

RareBlocks run_rare_blocks(const MarkovModel& model, const RareOptions& o, std::uint64_t first, std::uint64_t last) {
  check(model, o);
  if (first > last || last > rare_block_count(o)) throw std::invalid_argument("run_rare_blocks: blocks out of range");
  RareBlocks r;
  r.first = first;
  r.last = last;
  if (o.unavailability) r.unavailability = run_blocks(model, o, first, last, unavailability_trial);
  if (o.within_horizon) r.within_horizon = run_blocks(model, o, first, last, horizon_trial);
  return r;
}

RareResult finish_rare(const MarkovModel& model, const RareOptions& o, const RareBlocks& all) {
  check(model, o);
  const std::uint64_t blocks = rare_block_count(o);
  if (all.first != 0 || all.last != blocks || (o.unavailability && all.unavailability.size() != blocks) ||
      (o.within_horizon && all.within_horizon.size() != blocks))
    throw std::invalid_argument("finish_rare: not every block of the run");
  RareResult r;
  {
    Walker wk(model, o);
    r.all_up_exit_rate = wk.q0();
  }
  if (o.unavailability) {
    RareBlock s = total(all.unavailability);
    r.unavailability = finish(s, true);
    const double n = static_cast<double>(s.n), cm = s.c / n;
    r.mean_cycle_hours = cm;
    r.mean_cycle_ci_half = kZ * std::sqrt(std::max(0.0, (s.c2 - n * cm * cm) / (n - 1)) / n);
  }
  if (o.within_horizon) {
    r.within_horizon = finish(total(all.within_horizon), false);
    const double x = r.all_up_exit_rate * o.horizon_hours, first = boost::math::gamma_p(1.0, x);
    double m = 1;
    while (boost::math::gamma_p(m, x) >= kTruncation * first) ++m;
    for (double g; (g = boost::math::gamma_p(m, x)) > 1e-300 && g > 1e-6 * kTruncation * first; ++m) r.truncation_bound += g / first;
  }
  return r;
}

RareResult estimate_rare(const MarkovModel& model, const RareOptions& o) {
  check(model, o);
  return finish_rare(model, o, run_rare_blocks(model, o, 0, rare_block_count(o)));
}

}  // namespace drsim
