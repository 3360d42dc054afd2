#include "analysis/markov.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>

#include <fmt/format.h>

#include "analysis/ctmc.h"

namespace drsim {
namespace {

constexpr const char* kHint = "drsim analyze handles exponential lifetimes and repairs (see drsim analyze --help); use drsim run";

struct Mode {
  std::string label;
  std::vector<int> targets;  // component indices
  int comp = -1;             // owner (-1 for a common cause)
  double rate = 0;           // failure rate per hour (beta split applied)
  double repair = 0;         // repair rate per hour (repairable class)
  When when = When::always;
  int crew_group = -1;
  double test_coverage = 1;  // proof-test class: the chance a test finds this fault
  std::string pointer;
};

struct GroupInfo {
  const Group* g = nullptr;
  std::vector<int> members;  // node indices (components, groups or blocks)
  int crews = 0;             // 0 = unlimited
  double coverage = 1, manual = 0;
};

struct State {
  std::vector<int> faults;   // present faults (mode indices), in order of occurrence
  std::vector<char> waiting; // per group: down, waiting for the manual switch-over
  bool operator<(const State& o) const { return faults != o.faults ? faults < o.faults : waiting < o.waiting; }
};

class Builder {
 public:
  Builder(const Scenario& sc, Diagnostics& d) : sc_(sc), d_(d) {}

  bool compile() {
    for (const auto& c : sc_.components) names_.push_back(c.id);
    for (const auto& g : sc_.groups) names_.push_back(g.id);
    for (const auto& b : sc_.blocks) names_.push_back(b.id);
    C_ = static_cast<int>(sc_.components.size());
    G_ = static_cast<int>(sc_.groups.size());
    comp_group_.assign(C_, -1);
    comp_slot_.assign(C_, -1);
    for (int g = 0; g < G_; ++g) {
      const Group& grp = sc_.groups[g];
      GroupInfo gi;
      gi.g = &grp;
      for (const auto& m : grp.members) gi.members.push_back(node(m));
      for (std::size_t s = 0; s < gi.members.size(); ++s)
        if (gi.members[s] < C_) {
          comp_group_[gi.members[s]] = g;
          comp_slot_[gi.members[s]] = static_cast<int>(s);
        }
      gi.crews = grp.repair_crews;
      const auto& f = grp.failover;
      gi.coverage = f.automatic ? f.coverage : 0;
      if (!f.mechanism.empty()) refuse(grp.pointer + "/failover/mechanism", "a failover mechanism (a component the failover needs)");
      if (!grp.bridge.empty()) refuse(grp.pointer + "/bridge", "a UPS bridge (a deterministic battery time)");
      if (gi.coverage < 1) {
        if (!f.manual) {
          refuse(grp.pointer + "/failover", "an imperfect failover without a \"manual\" switch-over time");
        } else if (f.manual->kind() != Distribution::Kind::exponential) {
          refuse(grp.pointer + "/failover/manual", "a " + kind_name(*f.manual) + " manual switch-over");
        } else {
          gi.manual = f.manual->p1();
        }
      }
      if ((f.detection && f.detection->mean() > 0) || (f.switchover && f.switchover->mean() > 0))
        refuse(grp.pointer + "/failover", "detection or switch-over delays (deterministic failover windows)");
      groups_.push_back(gi);
    }
    // Failure modes.
    for (int c = 0; c < C_; ++c) {
      const auto& comp = sc_.components[c];
      for (std::size_t k = 0; k < comp.failures.size(); ++k) add_mode(comp.failures[k], c, comp.failures[k].pointer, comp.id);
    }
    for (const auto& cc : sc_.common_causes) {
      if (!cc.beta_group.empty()) {
        const Group* g = sc_.group(cc.beta_group);
        int proto = -1;
        std::vector<int> targets;
        for (const auto& id : g->members) {
          int n = node(id);
          if (n >= C_) continue;
          targets.push_back(n);
          for (int mi = 0; mi < static_cast<int>(modes_.size()); ++mi)
            if (modes_[mi].comp == n && mode_ids_[mi] == cc.beta_mode) {
              modes_[mi].rate *= (1 - cc.beta);
              if (proto < 0) proto = mi;
            }
        }
        if (proto < 0 || cc.beta <= 0) continue;
        Mode m = modes_[proto];
        m.label = cc.id;
        m.comp = -1;
        m.targets = targets;
        m.rate = modes_[proto].rate / (1 - cc.beta) * cc.beta;
        m.crew_group = targets.empty() ? -1 : crew_group_of(targets[0]);
        modes_.push_back(m);
        mode_ids_.push_back(cc.id);
        continue;
      }
      add_mode(cc.mode, -1, cc.pointer + "/failure", cc.id);
      Mode& m = modes_.back();
      m.targets.clear();
      for (const auto& id : cc.targets)
        if (int n = node(id); n < C_) m.targets.push_back(n);
      for (const auto& id : cc.mode.also_fails)
        if (int n = node(id); n < C_) m.targets.push_back(n);
      m.crew_group = m.targets.empty() ? -1 : crew_group_of(m.targets[0]);
    }
    if (latent_ && random_) refuse("/components", "random and proof-tested latent failure modes together");
    if (latent_ && !random_) check_proof_test_groups();
    if (modes_.empty()) refuse("/components", "no failure modes: nothing ever fails");
    return !failed_;
  }

  std::optional<MarkovResult> solve(std::size_t max_states, double at) {
    // Enumerate reachable states from all-up.
    State start;
    start.waiting.assign(G_, 0);
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
      d_.error("", fmt::format("the Markov chain has more than {} states", max_states),
               "analyze small designs (validation models); use drsim run for large ones");
      return std::nullopt;
    };
    while (!todo.empty()) {
      int s = todo.front();
      todo.pop_front();
      for (auto& [next, rate] : transitions(states[s])) {
        if (rate <= 0) continue;
        int t = intern(next);
        if (t < 0) return too_big();
        edges.emplace_back(s, t, rate);
      }
      if (latent_) {
        auto jumps = test_jumps(states[s]);
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
    std::vector<std::vector<bool>> gdown(static_cast<std::size_t>(G_), std::vector<bool>(states.size()));
    for (std::size_t i = 0; i < states.size(); ++i) {
      down[i] = !service_up(states[i]);
      Eval e(*this, states[i]);
      for (int g = 0; g < G_; ++g) gdown[static_cast<std::size_t>(g)][i] = !e.works(C_ + g);
    }
    auto group_shares = [&](const Eigen::VectorXd& p, MarkovResult& res) {
      for (int g = 0; g < G_; ++g) {
        double u = 0;
        for (std::size_t i = 0; i < states.size(); ++i)
          if (gdown[static_cast<std::size_t>(g)][i]) u += p(static_cast<Eigen::Index>(i));
        res.group_unavailability.emplace_back(sc_.groups[static_cast<std::size_t>(g)].id, u);
      }
    };
    MarkovResult res;
    res.states = states.size();
    Eigen::VectorXd p0 = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(states.size()));
    p0(0) = 1;
    if (latent_) {
      res.kind = MarkovResult::Kind::proof_test;
      res.proof_interval = tau_;
      // The periodic regime: the distribution just after a test is the fixed point of
      // "run one interval, then test" (all-up itself when every test finds everything).
      // Iterated from all-up; the error after stopping is bounded by the last step times
      // r/(1-r), r the observed contraction.
      Eigen::VectorXd start = p0, prev_step;
      double last = -1;
      for (int it = 0;; ++it) {
        Eigen::VectorXd end = q.transient(start, tau_, 1e-15);
        Eigen::VectorXd next = Eigen::VectorXd::Zero(start.size());
        for (std::size_t i = 0; i < states.size(); ++i)
          for (auto& [t, prob] : tests[i]) next(t) += end(static_cast<Eigen::Index>(i)) * prob;
        double step = (next - start).lpNorm<1>();
        start = next;
        double r = last > 0 ? step / last : 0;
        if (step == 0 || (it > 0 && r < 1 && step * r / (1 - r) < 1e-14)) break;
        if (it >= 100000) {
          d_.error("", "the proof-test regime did not settle in 100,000 intervals (tests that almost never find a fault)",
                   "use drsim run");
          return std::nullopt;
        }
        last = step;
      }
      res.test_start_fault_probability = start.sum() - start(0);
      Eigen::VectorXd avg = q.interval_average(start, tau_, 1e-14);
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

 private:
  static std::string kind_name(const Distribution& d) {
    switch (d.kind()) {
      case Distribution::Kind::deterministic: return "deterministic";
      case Distribution::Kind::exponential: return "exponential";
      case Distribution::Kind::weibull: return "Weibull";
      case Distribution::Kind::lognormal: return "lognormal";
      case Distribution::Kind::gamma: return "gamma";
      case Distribution::Kind::uniform: return "uniform";
      case Distribution::Kind::empirical: return "empirical";
    }
    return "?";
  }
  // Proof-test class: a hidden fault triggers no failover (nobody sees it), so the
  // members an active-standby group starts with stay active — the first `need` in
  // preference order. At a test the found faults show, the group fails over and the
  // instant repairs bring the members back; the roles then return to that order with
  // failback, and are only permuted among identical members without it. A test that
  // misses a fault (coverage < 1) while the group fails over would reveal it by the
  // demand: that coupling is not in the chain, so it is refused.
  void check_proof_test_groups() {
    for (int g = 0; g < G_; ++g) {
      const Group& grp = *groups_[g].g;
      if (grp.mode != Group::Mode::active_standby) continue;
      std::vector<std::vector<std::pair<double, double>>> sig;
      for (int n : groups_[g].members) {
        std::vector<std::pair<double, double>> ms;
        for (std::size_t mi = 0; mi < modes_.size(); ++mi) {
          if (std::find(modes_[mi].targets.begin(), modes_[mi].targets.end(), n) == modes_[mi].targets.end()) continue;
          if (modes_[mi].test_coverage < 1)
            refuse(modes_[mi].pointer.empty() ? grp.pointer : modes_[mi].pointer + "/proof_test/coverage",
                   "a proof test that misses faults (coverage < 1) in a member of active-standby group " + grp.id);
          if (modes_[mi].comp == n) ms.emplace_back(modes_[mi].rate, static_cast<double>(modes_[mi].when));
        }
        sig.push_back(ms);
        if (n >= C_) sig.back().emplace_back(-1, n);  // a group or block member: not comparable
      }
      bool alike = std::all_of(sig.begin(), sig.end(), [&](const auto& x) { return x == sig.front(); });
      if (!alike && !grp.failover.failback)
        refuse(grp.pointer + "/failover/failback",
               "an active-standby group of unlike members without failback (its roles after a proof test depend on the order of events)");
    }
  }
  void refuse(const std::string& pointer, const std::string& what) {
    d_.error(pointer.empty() ? "" : pointer, "not Markovian: " + what, kHint);
    failed_ = true;
  }
  int node(const std::string& id) const {
    auto it = std::find(names_.begin(), names_.end(), id);
    return static_cast<int>(it - names_.begin());
  }
  int crew_group_of(int c) const {
    int g = comp_group_[c];
    return g >= 0 && groups_[g].crews > 0 ? g : -1;
  }
  void add_mode(const FailureMode& fm, int comp, const std::string& p, const std::string& owner) {
    Mode m;
    m.label = owner + (comp >= 0 ? "/" + fm.id : "");
    m.comp = comp;
    m.when = fm.when;
    if (comp >= 0) m.targets.push_back(comp);
    for (const auto& id : fm.also_fails)
      if (int n = node(id); n < C_ && n != comp) m.targets.push_back(n);
    m.crew_group = comp >= 0 ? crew_group_of(comp) : -1;
    using T = FailureMode::Type;
    if (fm.type == T::random) {
      random_ = true;
      if (fm.ttf.kind() != Distribution::Kind::exponential) refuse(p + "/ttf", "a " + kind_name(fm.ttf) + " lifetime");
      m.rate = fm.ttf.kind() == Distribution::Kind::exponential ? fm.ttf.p1() : 0;
      const Recovery& r = fm.recovery;
      if (!r.runbook.empty()) refuse(p + "/recovery/runbook", "a runbook (steps in sequence)");
      else if (r.detect && r.detect->mean() > 0) refuse(p + "/recovery/detect", "a detection delay before the repair");
      else if (!r.repair || r.repair->kind() != Distribution::Kind::exponential)
        refuse(p + "/recovery/repair", "a " + (r.repair ? kind_name(*r.repair) : std::string("missing")) + " repair time");
      else m.repair = r.repair->p1();
      if (fm.escalate_after > 0) refuse(p + "/escalate", "an escalation after repeated failures");
    } else if (fm.type == T::latent) {
      latent_ = true;
      if (fm.ttf.kind() != Distribution::Kind::exponential) refuse(p + "/ttf", "a " + kind_name(fm.ttf) + " lifetime");
      m.rate = fm.ttf.kind() == Distribution::Kind::exponential ? fm.ttf.p1() : 0;
      if (fm.proof_interval <= 0) refuse(p, "a latent fault that is never proof-tested");
      else if (tau_ > 0 && std::fabs(fm.proof_interval - tau_) > 1e-9 * tau_) refuse(p + "/proof_test/interval", "proof tests at different intervals");
      else tau_ = fm.proof_interval;
      if (fm.proof_offset != 0) refuse(p + "/proof_test/offset", "a proof-test offset");
      if (fm.proof_coverage <= 0) refuse(p + "/proof_test/coverage", "a latent fault that no proof test finds (coverage 0)");
      m.test_coverage = fm.proof_coverage;
      m.pointer = p;
      if (fm.recovery.runbook.size() || (fm.recovery.repair && fm.recovery.repair->mean() > 0) || (fm.recovery.detect && fm.recovery.detect->mean() > 0))
        refuse(p + "/recovery", "a repair that takes time after a proof test (only instant test and repair)");
    } else {
      static const char* names[] = {"random", "latent", "on_demand", "time_bomb", "external", "change", "on_dependency_loss"};
      refuse(p + "/type", std::string("a failure mode of type ") + names[static_cast<int>(fm.type)]);
    }
    modes_.push_back(m);
    mode_ids_.push_back(fm.id);
  }

  // ----- structure, for one state
  struct Eval {
    const Builder& b;
    const State& s;
    std::vector<signed char> memo;
    std::vector<int> faulted;  // per component: present faults applied to it
    Eval(const Builder& b_, const State& s_) : b(b_), s(s_), memo(b_.names_.size(), -1), faulted(b_.C_, 0) {
      for (int f : s.faults)
        for (int c : b.modes_[f].targets) ++faulted[c];
    }
    bool works(int n) {
      if (memo[n] >= 0) return memo[n];
      memo[n] = 1;  // acyclic after validation; guards against surprises
      bool ok;
      if (n < b.C_) {
        ok = faulted[n] == 0;
        for (const auto& need : b.sc_.components[n].needs)
          if (ok) ok = works(b.node(need));
      } else if (n < b.C_ + b.G_) {
        int g = n - b.C_;
        int w = 0, slot = 0;
        const bool fixed = b.latent_ && b.groups_[g].g->mode == Group::Mode::active_standby;
        for (int m : b.groups_[g].members)
          if (!fixed || slot++ < b.groups_[g].g->need) w += works(m) ? 1 : 0;
        ok = w >= b.groups_[g].g->need && !s.waiting[g];
      } else {
        ok = expr(b.sc_.blocks[n - b.C_ - b.G_].expr);
      }
      memo[n] = ok ? 1 : 0;
      return ok;
    }
    bool expr(const Expr& e) {
      switch (e.op) {
        case Expr::Op::ref: return works(b.node(e.ref));
        case Expr::Op::all: for (const auto& a : e.args) if (!expr(a)) return false; return true;
        case Expr::Op::any: for (const auto& a : e.args) if (expr(a)) return true; return false;
        case Expr::Op::at_least: {
          int k = 0;
          for (const auto& a : e.args) k += expr(a) ? 1 : 0;
          return k >= e.k;
        }
      }
      return true;
    }
    // 1 active, 2 standby, 0 not in a group.
    int role(int c) {
      int g = b.comp_group_[c];
      if (g < 0) return 1;
      const auto& gi = b.groups_[g];
      if (gi.g->mode == Group::Mode::active_active) return 1;
      if (b.latent_) return b.comp_slot_[c] < gi.g->need ? 1 : 2;  // fixed roles (check_proof_test_groups)
      int active = 0;
      for (int m : gi.members) {
        if (m == c) return active < gi.g->need ? 1 : 2;
        if (works(m)) ++active;
      }
      return 1;
    }
  };
  bool service_up(const State& s) const {
    Eval e(*this, s);
    return e.expr(sc_.service.requires_);
  }
  double clock(const Mode& m, Eval& e) const {
    if (m.comp < 0) return 1;
    // A unit under repair does not age; one with only hidden faults (the proof-test
    // class) runs on and keeps ageing, as in the model.
    if (e.faulted[m.comp] > 0 && !latent_) return 0;
    int role = e.role(m.comp);
    switch (m.when) {
      case When::active: return role == 1 ? 1 : 0;
      case When::standby: return role == 2 ? 1 : 0;
      case When::always:
        if (role != 2 || latent_) return 1;
        {
          const Group& g = *groups_[comp_group_[m.comp]].g;
          return g.standby == Group::Standby::hot ? 1 : g.standby == Group::Standby::warm ? g.warm_factor : 0;
        }
    }
    return 1;
  }
  // Faults that hold a crew (or need none), by FIFO order within each crew group;
  // a group waiting for its manual switch-over holds one crew first.
  std::vector<char> in_repair(const State& s) const {
    std::vector<int> used(G_, 0);
    for (int g = 0; g < G_; ++g)
      if (s.waiting[g] && groups_[g].crews > 0) used[g] = 1;
    std::vector<char> r(s.faults.size(), 0);
    for (std::size_t i = 0; i < s.faults.size(); ++i) {
      int g = modes_[s.faults[i]].crew_group;
      if (g < 0) r[i] = 1;
      else if (used[g] < groups_[g].crews) {
        r[i] = 1;
        ++used[g];
      }
    }
    return r;
  }

  std::vector<std::pair<State, double>> transitions(const State& s) const {
    std::vector<std::pair<State, double>> out;
    if (latent_) {
      // Hidden faults only accumulate until the next test.
      Eval e(*this, s);
      for (int mi = 0; mi < static_cast<int>(modes_.size()); ++mi) {
        if (std::find(s.faults.begin(), s.faults.end(), mi) != s.faults.end()) continue;
        State n = s;
        n.faults.push_back(mi);
        std::sort(n.faults.begin(), n.faults.end());  // no crews here: the order does not matter
        out.emplace_back(n, modes_[mi].rate * clock(modes_[mi], e));
      }
      return out;
    }
    Eval e(*this, s);
    // Failures.
    for (int mi = 0; mi < static_cast<int>(modes_.size()); ++mi) {
      if (std::find(s.faults.begin(), s.faults.end(), mi) != s.faults.end()) continue;
      double rate = modes_[mi].rate * clock(modes_[mi], e);
      if (rate <= 0) continue;
      State n = s;
      n.faults.push_back(mi);
      // An active member lost while its group still has enough: the failover may fail.
      int g = -1;
      for (int c : modes_[mi].targets)
        if (comp_group_[c] >= 0 && groups_[comp_group_[c]].coverage < 1 && e.role(c) == 1 && e.works(c)) g = comp_group_[c];
      if (g >= 0 && !s.waiting[g]) {
        Eval after(*this, n);
        int w = 0;
        for (int m : groups_[g].members) w += after.works(m) ? 1 : 0;
        if (w >= groups_[g].g->need) {
          State d = n;
          d.waiting[g] = 1;
          out.emplace_back(n, rate * groups_[g].coverage);
          out.emplace_back(d, rate * (1 - groups_[g].coverage));
          continue;
        }
      }
      settle(n);
      out.emplace_back(n, rate);
    }
    // Repairs.
    auto rep = in_repair(s);
    for (std::size_t i = 0; i < s.faults.size(); ++i) {
      if (!rep[i]) continue;
      State n = s;
      n.faults.erase(n.faults.begin() + static_cast<long>(i));
      settle(n);
      out.emplace_back(n, modes_[s.faults[i]].repair);
    }
    // Manual switch-overs.
    for (int g = 0; g < G_; ++g) {
      if (!s.waiting[g]) continue;
      State n = s;
      n.waiting[g] = 0;
      out.emplace_back(n, groups_[g].manual);
    }
    return out;
  }
  // A proof test: each present (hidden) fault is found with its test coverage and then
  // repaired at once; the ones it misses stay. States keep the order of occurrence.
  std::vector<std::pair<State, double>> test_jumps(const State& s) const {
    std::vector<int> uncertain;  // positions of faults a test may miss
    for (std::size_t i = 0; i < s.faults.size(); ++i)
      if (modes_[s.faults[i]].test_coverage < 1) uncertain.push_back(static_cast<int>(i));
    std::vector<std::pair<State, double>> out;
    if (uncertain.size() > 20) return out;  // cannot happen below max_states in practice
    for (unsigned mask = 0; mask < (1u << uncertain.size()); ++mask) {
      State n = s;
      n.faults.clear();
      double p = 1;
      for (std::size_t u = 0; u < uncertain.size(); ++u) {
        double c = modes_[s.faults[uncertain[u]]].test_coverage;
        if (mask >> u & 1u) {
          p *= 1 - c;
          n.faults.push_back(s.faults[uncertain[u]]);
        } else {
          p *= c;
        }
      }
      if (p > 0) out.emplace_back(n, p);
    }
    return out;
  }
  // A group waiting for a switch-over with nothing left to switch to stops waiting
  // (design.md V5: D -> 0 when the remaining unit fails).
  void settle(State& n) const {
    Eval e(*this, n);
    for (int g = 0; g < G_; ++g) {
      if (!n.waiting[g]) continue;
      int w = 0;
      for (int m : groups_[g].members) w += e.works(m) ? 1 : 0;
      if (w < groups_[g].g->need) n.waiting[g] = 0;
    }
  }

  const Scenario& sc_;
  Diagnostics& d_;
  bool failed_ = false, latent_ = false, random_ = false;
  double tau_ = 0;
  int C_ = 0, G_ = 0;
  std::vector<std::string> names_;
  std::vector<int> comp_group_, comp_slot_;
  std::vector<GroupInfo> groups_;
  std::vector<Mode> modes_;
  std::vector<std::string> mode_ids_;
};

}  // namespace

std::optional<MarkovResult> analyze_markov(const Scenario& sc, Diagnostics& diags, std::size_t max_states, double at_hours) {
  Builder b(sc, diags);
  if (!b.compile()) return std::nullopt;
  return b.solve(max_states, at_hours);
}

}  // namespace drsim
