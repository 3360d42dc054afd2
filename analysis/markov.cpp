#include "analysis/markov.h"

#include <deque>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "analysis/ctmc.h"
#include "analysis/markov_model.h"

namespace drsim {
namespace {

// Enumerates the states reachable from all-up breadth-first and solves the chain.
std::optional<MarkovResult> solve(const MarkovModel& model, const Scenario& sc, Diagnostics& diags, std::size_t max_states,
                                  double at) {
  using State = MarkovState;
  const bool latent = model.proof_test();
  const double tau = model.proof_interval();
  const int n_groups = model.group_count();
  State start = model.all_up();
  std::map<State, int> index;
  std::vector<State> states;
  std::vector<std::tuple<int, int, double>> edges;
  std::deque<int> todo;
  index[start] = 0;
  states.push_back(start);
  todo.push_back(0);
  // Proof-test class: what a test does to each state (jumps, with probabilities).
  std::vector<std::vector<std::pair<int, double>>> tests;
  auto intern = [&](const State& next) -> int {
    auto it = index.find(next);
    if (it != index.end()) return it->second;
    if (states.size() >= max_states) return -1;
    int t = static_cast<int>(states.size());
    index.emplace(next, t);
    states.push_back(next);
    todo.push_back(t);
    return t;
  };
  auto too_big = [&] {
    diags.error("", fmt::format("the Markov chain has more than {} states", max_states),
             "analyze small designs (validation models); use drsim run for large ones");
    return std::nullopt;
  };
  std::vector<MarkovTransition> succ;
  while (!todo.empty()) {
    int s = todo.front();
    todo.pop_front();
    model.successors(states[s], succ);
    for (auto& [next, rate, failure] : succ) {
      if (rate <= 0) continue;
      int t = intern(next);
      if (t < 0) return too_big();
      edges.emplace_back(s, t, rate);
    }
    if (latent) {
      auto jumps = model.test_jumps(states[s]);
      std::vector<std::pair<int, double>> row;
      for (auto& [next, prob] : jumps) {
        int t = intern(next);
        if (t < 0) return too_big();
        row.emplace_back(t, prob);
      }
      if (tests.size() <= static_cast<std::size_t>(s)) tests.resize(static_cast<std::size_t>(s) + 1);
      tests[static_cast<std::size_t>(s)] = std::move(row);
    }
  }
  Ctmc q(states.size());
  for (auto& [a, b, r] : edges)
    if (a != b) q.add_rate(static_cast<std::size_t>(a), static_cast<std::size_t>(b), r);
  std::vector<bool> down(states.size());
  std::vector<std::vector<bool>> gdown(static_cast<std::size_t>(n_groups), std::vector<bool>(states.size()));
  for (std::size_t i = 0; i < states.size(); ++i) {
    down[i] = model.service_down(states[i]);
    for (int g = 0; g < n_groups; ++g) gdown[static_cast<std::size_t>(g)][i] = model.group_down(states[i], g);
  }
  auto group_shares = [&](const Eigen::VectorXd& p, MarkovResult& res) {
    for (int g = 0; g < n_groups; ++g) {
      double u = 0;
      for (std::size_t i = 0; i < states.size(); ++i)
        if (gdown[static_cast<std::size_t>(g)][i]) u += p(static_cast<Eigen::Index>(i));
      res.group_unavailability.emplace_back(sc.groups[static_cast<std::size_t>(g)].id, u);
    }
  };
  MarkovResult res;
  res.states = states.size();
  Eigen::VectorXd p0 = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(states.size()));
  p0(0) = 1;
  if (latent) {
    res.kind = MarkovResult::Kind::proof_test;
    res.proof_interval = tau;
    // The periodic regime: the distribution just after a test is the fixed point of
    // "run one interval, then test" (all-up itself when every test finds everything).
    // Iterated from all-up; the error after stopping is bounded by the last step times
    // r/(1-r), r the observed contraction.
    Eigen::VectorXd start = p0, prev_step;
    double last = -1;
    for (int it = 0;; ++it) {
      Eigen::VectorXd end = q.transient(start, tau, 1e-15);
      Eigen::VectorXd next = Eigen::VectorXd::Zero(start.size());
      for (std::size_t i = 0; i < states.size(); ++i)
        for (auto& [t, prob] : tests[i]) next(t) += end(static_cast<Eigen::Index>(i)) * prob;
      double step = (next - start).lpNorm<1>();
      start = next;
      double r = last > 0 ? step / last : 0;
      if (step == 0 || (it > 0 && r < 1 && step * r / (1 - r) < 1e-14)) break;
      if (it >= 100000) {
        diags.error("", "the proof-test regime did not settle in 100,000 intervals (tests that almost never find a fault)",
                 "use drsim run");
        return std::nullopt;
      }
      last = step;
    }
    res.test_start_fault_probability = start.sum() - start(0);
    Eigen::VectorXd avg = q.interval_average(start, tau, 1e-14);
    for (std::size_t i = 0; i < states.size(); ++i)
      if (down[i]) res.unavailability += avg(static_cast<Eigen::Index>(i));
    group_shares(avg, res);
  } else {
    Eigen::VectorXd pi = q.steady_state();
    for (std::size_t i = 0; i < states.size(); ++i)
      if (down[i]) res.unavailability += pi(static_cast<Eigen::Index>(i));
    group_shares(pi, res);
    if (!down[0]) res.mttff_hours = q.mean_time_to_absorption(p0, down);
    if (at > 0) {
      res.at_hours = at;
      Eigen::VectorXd pt = q.transient(p0, at);
      res.point_availability = 0;
      for (std::size_t i = 0; i < states.size(); ++i)
        if (!down[i]) res.point_availability += pt(static_cast<Eigen::Index>(i));
      res.reliability = q.reliability(p0, down, at);
    }
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
