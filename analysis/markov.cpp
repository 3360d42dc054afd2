#include "analysis/markov.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <map>

#include <fmt/format.h>

#include "analysis/ctmc.h"
#include "analysis/markov_chain.h"
#include "analysis/omp.h"
#include "analysis/markov_model.h"

namespace drsim {
namespace {

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

// More combinations of what the independent parts show than this are refused.
constexpr double kMaxViewCombinations = 4e6;

// A design of independent parts, each solved on its own chain: a state of the whole is a
// tuple of the parts' states, with the product of their probabilities (steady state, or
// at t from all-up). A group lives in one part; the service reads each part only through
// its exposed nodes, so the parts' states are classed by what they show (their views)
// and the service is evaluated once per combination of views.
std::optional<MarkovResult> solve_parts(const MarkovModel& model, const Scenario& sc, Diagnostics& diags,
                                        std::vector<Chain>& parts, double at) {
  const std::size_t P = parts.size();
  MarkovResult res;
  double product = 1;
  for (const auto& c : parts) {
    res.part_states.push_back(c.states.size());
    product *= static_cast<double>(c.states.size());
  }
  res.states = product < 1.8e19 ? static_cast<std::size_t>(product) : std::numeric_limits<std::size_t>::max();
  std::vector<Eigen::VectorXd> pi(P), pt(P);
  for (std::size_t p = 0; p < P; ++p) {
    Ctmc q = to_ctmc(parts[p]);
    pi[p] = q.steady_state();
    if (at > 0) {
      Eigen::VectorXd p0 = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(parts[p].states.size()));
      p0(0) = 1;
      pt[p] = q.transient(p0, at);
    }
  }
  for (int g = 0; g < model.group_count(); ++g) {
    const auto p = static_cast<std::size_t>(model.group_part(g));
    double u = 0;
    MarkovState here;
    for (std::size_t i = 0; i < parts[p].states.size(); ++i) {
      parts[p].states.get(i, here);
      if (model.group_down(here, g)) u += pi[p](static_cast<Eigen::Index>(i));
    }
    res.group_unavailability.emplace_back(sc.groups[static_cast<std::size_t>(g)].id, u);
  }
  struct View {
    MarkovState rep;  // a state showing it
    double pi = 0, pt = 0;
  };
  std::vector<std::vector<View>> views(P);
  double combinations = 1;
  for (std::size_t p = 0; p < P; ++p) {
    std::map<std::vector<char>, std::size_t> index;
    MarkovState here;
    for (std::size_t i = 0; i < parts[p].states.size(); ++i) {
      parts[p].states.get(i, here);
      auto [it, added] = index.emplace(model.part_view(here, static_cast<int>(p)), views[p].size());
      if (added) views[p].push_back({here, 0, 0});
      View& v = views[p][it->second];
      v.pi += pi[p](static_cast<Eigen::Index>(i));
      if (at > 0) v.pt += pt[p](static_cast<Eigen::Index>(i));
    }
    combinations *= static_cast<double>(views[p].size());
  }
  if (combinations > kMaxViewCombinations) {
    diags.error("", fmt::format("the design splits into {} independent parts, but the service sees {:.3g} combinations of their "
                                "states, more than {:.0e}", P, combinations, kMaxViewCombinations),
                "analyze a smaller design, or use drsim rare or drsim run");
    return std::nullopt;
  }
  // Every combination of views, as an odometer; the probability of "down" summed
  // directly (no 1 - up: the unavailability may be far below the rounding of 1).
  std::vector<std::size_t> digit(P, 0);
  std::vector<const MarkovState*> per_part(P);
  double down = 0, up_t = 0;
  for (;;) {
    double w = 1, wt = 1;
    for (std::size_t p = 0; p < P; ++p) {
      const View& v = views[p][digit[p]];
      per_part[p] = &v.rep;
      w *= v.pi;
      wt *= v.pt;
    }
    if (model.service_down(model.compose(per_part))) down += w;
    else up_t += wt;
    std::size_t p = 0;
    while (p < P && ++digit[p] == views[p].size()) digit[p++] = 0;
    if (p == P) break;
  }
  res.unavailability = down;
  if (at > 0) {
    res.at_hours = at;
    res.point_availability = up_t;
  }
  return res;
}

// Builds the chain and solves it: whole, or part by part when the design splits into
// independent parts whose product chain is larger than max_states.
std::optional<MarkovResult> solve(const MarkovModel& model, const Scenario& sc, Diagnostics& diags, std::size_t max_states,
                                  double at, int threads) {
  if (!model.proof_test() && model.part_count() > 1) {
    std::vector<Chain> parts(static_cast<std::size_t>(model.part_count()));
    double product = 1;
    for (int p = 0; p < model.part_count(); ++p) {
      if (!build_chain(model, max_states, threads, diags, parts[static_cast<std::size_t>(p)], p)) return std::nullopt;
      product *= static_cast<double>(parts[static_cast<std::size_t>(p)].states.size());
    }
    if (product > static_cast<double>(max_states)) return solve_parts(model, sc, diags, parts, at);
  }
  Chain c;
  if (!build_chain(model, max_states, threads, diags, c)) return std::nullopt;
  const auto& states = c.states;
  const int n_groups = model.group_count();
  Ctmc q = to_ctmc(c);
  q.set_threads(threads);
  // Each state's labels: service down, each group down (on `threads` threads where
  // built with OpenMP; each state by one thread).
  const auto n_states = static_cast<std::int64_t>(states.size());
  std::vector<char> down_at(states.size());
  std::vector<std::vector<char>> gdown(static_cast<std::size_t>(n_groups), std::vector<char>(states.size()));
  DRSIM_OMP(parallel num_threads(threads))
  {
    MarkovState here;
    DRSIM_OMP(for schedule(static))
    for (std::int64_t k = 0; k < n_states; ++k) {
      const auto i = static_cast<std::size_t>(k);
      states.get(i, here);
      down_at[i] = model.service_down(here);
      for (int g = 0; g < n_groups; ++g) gdown[static_cast<std::size_t>(g)][i] = model.group_down(here, g);
    }
  }
  const std::vector<bool> down(down_at.begin(), down_at.end());
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

std::optional<MarkovResult> analyze_markov(const Scenario& sc, Diagnostics& diags, std::size_t max_states, double at_hours,
                                           bool lump, int threads) {
  auto model = MarkovModel::compile(sc, diags, lump);
  if (!model) return std::nullopt;
  return solve(*model, sc, diags, max_states, at_hours, threads);
}

}  // namespace drsim
