#include "analysis/markov.h"

#include <deque>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "analysis/ctmc.h"
#include "analysis/markov_model.h"

namespace drsim {
namespace {

// The reachable part of the chain: states (0 = all-up), rates, and in the proof-test
// class what a test does to each state (jumps, with probabilities).
struct Chain {
  std::vector<MarkovState> states;
  std::vector<std::tuple<int, int, double>> edges;
  std::vector<std::vector<std::pair<int, double>>> tests;
};

// Enumerates the states reachable from all-up breadth-first. False (and an error in
// `diags`) when there are more than max_states.
bool enumerate(const MarkovModel& model, std::size_t max_states, Diagnostics& diags, Chain& c) {
  std::map<MarkovState, int> index;
  std::deque<int> todo;
  auto intern = [&](const MarkovState& next) -> int {
    auto it = index.find(next);
    if (it != index.end()) return it->second;
    if (c.states.size() >= max_states) return -1;
    int t = static_cast<int>(c.states.size());
    index.emplace(next, t);
    c.states.push_back(next);
    todo.push_back(t);
    return t;
  };
  auto too_big = [&] {
    diags.error("", fmt::format("the Markov chain has more than {} states", max_states),
                "analyze small designs (validation models); use drsim run for large ones");
    return false;
  };
  intern(model.all_up());
  std::vector<MarkovTransition> succ;
  while (!todo.empty()) {
    int s = todo.front();
    todo.pop_front();
    model.successors(c.states[s], succ);
    for (auto& [next, rate, failure] : succ) {
      if (rate <= 0) continue;
      int t = intern(next);
      if (t < 0) return too_big();
      c.edges.emplace_back(s, t, rate);
    }
    if (model.proof_test()) {
      auto jumps = model.test_jumps(c.states[s]);
      std::vector<std::pair<int, double>> row;
      for (auto& [next, prob] : jumps) {
        int t = intern(next);
        if (t < 0) return too_big();
        row.emplace_back(t, prob);
      }
      if (c.tests.size() <= static_cast<std::size_t>(s)) c.tests.resize(static_cast<std::size_t>(s) + 1);
      c.tests[static_cast<std::size_t>(s)] = std::move(row);
    }
  }
  return true;
}

// The periodic regime of the proof-test class: the distribution just after a test is
// the fixed point of "run one interval, then test" (all-up itself when every test finds
// everything). Iterated from all-up; the error after stopping is bounded by the last
// step times r/(1-r), r the observed contraction. nullopt (and an error) if it does not
// settle.
std::optional<Eigen::VectorXd> test_regime(const Ctmc& q, const Chain& c, double tau, const Eigen::VectorXd& p0, Diagnostics& diags) {
  Eigen::VectorXd start = p0;
  double last = -1;
  for (int it = 0;; ++it) {
    Eigen::VectorXd end = q.transient(start, tau, 1e-15);
    Eigen::VectorXd next = Eigen::VectorXd::Zero(start.size());
    for (std::size_t i = 0; i < c.states.size(); ++i)
      for (auto& [t, prob] : c.tests[i]) next(t) += end(static_cast<Eigen::Index>(i)) * prob;
    double step = (next - start).lpNorm<1>();
    start = next;
    double r = last > 0 ? step / last : 0;
    if (step == 0 || (it > 0 && r < 1 && step * r / (1 - r) < 1e-14)) return start;
    if (it >= 100000) {
      diags.error("", "the proof-test regime did not settle in 100,000 intervals (tests that almost never find a fault)",
                  "use drsim run");
      return std::nullopt;
    }
    last = step;
  }
}

// Builds the chain and solves it.
std::optional<MarkovResult> solve(const MarkovModel& model, const Scenario& sc, Diagnostics& diags, std::size_t max_states,
                                  double at) {
  Chain c;
  if (!enumerate(model, max_states, diags, c)) return std::nullopt;
  const auto& states = c.states;
  const int n_groups = model.group_count();
  Ctmc q(states.size());
  for (auto& [a, b, r] : c.edges)
    if (a != b) q.add_rate(static_cast<std::size_t>(a), static_cast<std::size_t>(b), r);
  std::vector<bool> down(states.size());
  std::vector<std::vector<bool>> gdown(static_cast<std::size_t>(n_groups), std::vector<bool>(states.size()));
  for (std::size_t i = 0; i < states.size(); ++i) {
    down[i] = model.service_down(states[i]);
    for (int g = 0; g < n_groups; ++g) gdown[static_cast<std::size_t>(g)][i] = model.group_down(states[i], g);
  }
  MarkovResult res;
  auto shares = [&](const Eigen::VectorXd& p) {
    for (std::size_t i = 0; i < states.size(); ++i)
      if (down[i]) res.unavailability += p(static_cast<Eigen::Index>(i));
    for (int g = 0; g < n_groups; ++g) {
      double u = 0;
      for (std::size_t i = 0; i < states.size(); ++i)
        if (gdown[static_cast<std::size_t>(g)][i]) u += p(static_cast<Eigen::Index>(i));
      res.group_unavailability.emplace_back(sc.groups[static_cast<std::size_t>(g)].id, u);
    }
  };
  res.states = states.size();
  Eigen::VectorXd p0 = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(states.size()));
  p0(0) = 1;
  if (model.proof_test()) {
    res.kind = MarkovResult::Kind::proof_test;
    res.proof_interval = model.proof_interval();
    auto start = test_regime(q, c, res.proof_interval, p0, diags);
    if (!start) return std::nullopt;
    res.test_start_fault_probability = start->sum() - (*start)(0);
    shares(q.interval_average(*start, res.proof_interval, 1e-14));
    return res;
  }
  shares(q.steady_state());
  if (!down[0]) res.mttff_hours = q.mean_time_to_absorption(p0, down);
  if (at > 0) {
    res.at_hours = at;
    Eigen::VectorXd pt = q.transient(p0, at);
    res.point_availability = 0;
    for (std::size_t i = 0; i < states.size(); ++i)
      if (!down[i]) res.point_availability += pt(static_cast<Eigen::Index>(i));
    res.reliability = q.reliability(p0, down, at);
  }
  return res;
}

}  // namespace

std::optional<MarkovResult> analyze_markov(const Scenario& sc, Diagnostics& diags, std::size_t max_states, double at_hours) {
  auto model = MarkovModel::compile(sc, diags);
  if (!model) return std::nullopt;
  return solve(*model, sc, diags, max_states, at_hours);
}

}  // namespace drsim
