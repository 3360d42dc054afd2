#include "analysis/markov.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <functional>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "analysis/ctmc.h"

namespace drsim {
namespace {

constexpr const char* kHint = "drsim analyze handles exponential lifetimes and repairs (see drsim analyze --help); use drsim run";

struct Mode {
  enum class Kind { random, latent, on_demand, external, change };
  Kind kind = Kind::random;
  std::string label;
  std::vector<int> targets;  // component indices
  int comp = -1;             // owner (-1 for a common cause)
  double rate = 0;           // random/latent: failure rate per hour (beta split applied);
                             // external: arrival rate; change: rate of bad changes QA misses
  double repair = 0;         // repair rate per hour (0 = no repair: an external event)
  double end = 0;            // external: 1 / mean duration
  double p = 0;              // on_demand: probability of failing per demand
  bool uses_crew = true;
  int pool = -1;             // crew pool of the repair (-1 = unlimited)
  When when = When::always;
  double test_coverage = 1;  // proof-test class: the chance a test finds this fault
  std::string pointer;
};

struct GroupInfo {
  const Group* g = nullptr;
  std::vector<int> members;  // node indices (components, groups or blocks)
  int offset = 0;            // of its member slots in State::roles
  int pool = -1;             // crew pool a manual switch-over needs (-1 = none)
  double coverage = 1, manual = 0;
};

// The CTMC state. Roles are part of it: without failback who is active depends on the
// history (docs/model.md R3). Windows are the open manual switch-overs in the order they
// opened (they claim crews in that order, before any repair: R4).
struct State {
  std::vector<int> faults;          // present faults (mode indices), in order of occurrence
  std::vector<signed char> roles;   // per group member slot: 0 none, 1 active, 2 standby
  std::vector<std::pair<int, int>> windows;  // (group, pending standby slot or -1)
  bool operator<(const State& o) const {
    return std::tie(faults, roles, windows) < std::tie(o.faults, o.roles, o.windows);
  }
  bool operator==(const State& o) const {
    return faults == o.faults && roles == o.roles && windows == o.windows;
  }
  int window_of(int g) const {
    for (std::size_t i = 0; i < windows.size(); ++i)
      if (windows[i].first == g) return static_cast<int>(i);
    return -1;
  }
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
    for (const auto& pool : sc_.crews) pool_size_.push_back(std::max(1, pool.size));
    int offset = 0;
    for (int g = 0; g < G_; ++g) {
      const Group& grp = sc_.groups[g];
      GroupInfo gi;
      gi.g = &grp;
      gi.offset = offset;
      for (const auto& m : grp.members) gi.members.push_back(node(m));
      offset += static_cast<int>(gi.members.size());
      for (std::size_t s = 0; s < gi.members.size(); ++s)
        if (gi.members[s] < C_ && comp_group_[gi.members[s]] < 0) {
          comp_group_[gi.members[s]] = g;
          comp_slot_[gi.members[s]] = static_cast<int>(s);
        }
      gi.pool = grp.crew_pool >= 0 && grp.crew_pool < static_cast<int>(pool_size_.size()) ? grp.crew_pool : -1;
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
    slots_ = offset;
    // Failure modes.
    comp_modes_.assign(C_, {});
    for (int c = 0; c < C_; ++c) {
      const auto& comp = sc_.components[c];
      for (std::size_t k = 0; k < comp.failures.size(); ++k) {
        comp_modes_[c].push_back(static_cast<int>(modes_.size()));
        add_mode(comp.failures[k], c, comp.failures[k].pointer, comp.id);
      }
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
        m.pool = targets.empty() ? -1 : comp_pool(targets[0]);
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
      m.pool = m.targets.empty() ? -1 : comp_pool(m.targets[0]);
      if (m.kind == Mode::Kind::on_demand) refuse(cc.pointer + "/failure/type", "a shared on_demand mode");
    }
    if (latent_ && random_) refuse("/components", "proof-tested latent failure modes together with other types");
    if (latent_ && !random_) check_proof_test_groups();
    if (modes_.empty()) refuse("/components", "no failure modes: nothing ever fails");
    order_groups();
    return !failed_;
  }

  std::optional<MarkovResult> solve(std::size_t max_states, double at) {
    // Enumerate reachable states from all-up.
    State start;
    start.roles.assign(static_cast<std::size_t>(slots_), 1);
    for (int g = 0; g < G_; ++g)
      if (groups_[g].g->mode == Group::Mode::active_standby)
        for (int i = std::max(0, groups_[g].g->need); i < static_cast<int>(groups_[g].members.size()); ++i)
          start.roles[static_cast<std::size_t>(groups_[g].offset + i)] = 2;
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
      Eval e(*this, states[i]);
      down[i] = !e.expr(sc_.service.requires_);
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
  int comp_pool(int c) const {
    int p = sc_.components[c].crew_pool;
    return p >= 0 && p < static_cast<int>(pool_size_.size()) ? p : -1;
  }
  // Groups in dependency order (a group after every group it reads), as the model
  // recomputes them.
  void order_groups() {
    const int N = static_cast<int>(names_.size());
    std::vector<char> seen(static_cast<std::size_t>(N), 0);
    std::function<void(int)> visit = [&](int n) {
      if (n < 0 || n >= N || seen[n]) return;
      seen[n] = 1;
      if (n < C_) {
        for (const auto& id : sc_.components[n].needs) visit(node(id));
      } else if (n < C_ + G_) {
        for (int m : groups_[n - C_].members) visit(m);
      } else {
        std::function<void(const Expr&)> refs = [&](const Expr& e) {
          if (e.op == Expr::Op::ref) visit(node(e.ref));
          for (const auto& a : e.args) refs(a);
        };
        refs(sc_.blocks[n - C_ - G_].expr);
      }
      if (n >= C_ && n < C_ + G_) group_order_.push_back(n - C_);
    };
    for (int n = 0; n < N; ++n) visit(n);
  }
  // The checks every repair in the repairable class passes: a plain exponential repair.
  bool plain_repair(const Recovery& r, const std::string& p, Mode& m) {
    if (!r.runbook.empty()) refuse(p + "/recovery/runbook", "a runbook (steps in sequence)");
    else if (r.detect && r.detect->mean() > 0) refuse(p + "/recovery/detect", "a detection delay before the repair");
    else if (!r.repair || r.repair->kind() != Distribution::Kind::exponential)
      refuse(p + "/recovery/repair", "a " + (r.repair ? kind_name(*r.repair) : std::string("missing")) + " repair time");
    else {
      m.repair = r.repair->p1();
      m.uses_crew = r.uses_crew;
      return true;
    }
    return false;
  }
  void add_mode(const FailureMode& fm, int comp, const std::string& p, const std::string& owner) {
    Mode m;
    m.label = owner + (comp >= 0 ? "/" + fm.id : "");
    m.comp = comp;
    m.when = fm.when;
    m.pointer = p;
    if (comp >= 0) m.targets.push_back(comp);
    for (const auto& id : fm.also_fails)
      if (int n = node(id); n < C_ && n != comp) m.targets.push_back(n);
    m.pool = comp >= 0 ? comp_pool(comp) : -1;
    if (fm.escalate_after > 0) refuse(p + "/escalate", "an escalation after repeated failures");
    using T = FailureMode::Type;
    if (fm.type == T::random) {
      random_ = true;
      m.kind = Mode::Kind::random;
      if (fm.ttf.kind() != Distribution::Kind::exponential) refuse(p + "/ttf", "a " + kind_name(fm.ttf) + " lifetime");
      m.rate = fm.ttf.kind() == Distribution::Kind::exponential ? fm.ttf.p1() : 0;
      plain_repair(fm.recovery, p, m);
    } else if (fm.type == T::on_demand) {
      random_ = true;
      m.kind = Mode::Kind::on_demand;
      m.p = fm.p;
      plain_repair(fm.recovery, p, m);
    } else if (fm.type == T::external) {
      // R1: Poisson arrivals whatever the targets' state, absorbed while the same
      // mode's event is on; the event ends after its duration; no crew.
      random_ = true;
      m.kind = Mode::Kind::external;
      if (fm.ttf.kind() != Distribution::Kind::exponential) refuse(p + "/rate", "external arrivals that are not a Poisson process");
      m.rate = fm.ttf.kind() == Distribution::Kind::exponential ? fm.ttf.p1() : 0;
      if (!fm.duration) refuse(p + "/duration", "an external event without a duration");
      else if (fm.duration->kind() != Distribution::Kind::exponential)
        refuse(p + "/duration", "a " + kind_name(*fm.duration) + " external duration");
      else m.end = fm.duration->p1();
      if (!fm.recovery.empty()) refuse(p + "/recovery", "an external event with a recovery (only a duration ends it here)");
    } else if (fm.type == T::change) {
      // R1: bad changes at rate x p_bad, QA stops each with its coverage; the recovery
      // (roll back) is a repair and uses crews like one.
      random_ = true;
      m.kind = Mode::Kind::change;
      m.rate = fm.rate * fm.p * (1 - fm.audit_coverage);
      plain_repair(fm.recovery, p, m);
    } else if (fm.type == T::latent) {
      latent_ = true;
      m.kind = Mode::Kind::latent;
      if (fm.ttf.kind() != Distribution::Kind::exponential) refuse(p + "/ttf", "a " + kind_name(fm.ttf) + " lifetime");
      m.rate = fm.ttf.kind() == Distribution::Kind::exponential ? fm.ttf.p1() : 0;
      if (fm.proof_interval <= 0) refuse(p, "a latent fault that is never proof-tested");
      else if (tau_ > 0 && std::fabs(fm.proof_interval - tau_) > 1e-9 * tau_) refuse(p + "/proof_test/interval", "proof tests at different intervals");
      else tau_ = fm.proof_interval;
      if (fm.proof_offset != 0) refuse(p + "/proof_test/offset", "a proof-test offset");
      if (fm.proof_coverage <= 0) refuse(p + "/proof_test/coverage", "a latent fault that no proof test finds (coverage 0)");
      m.test_coverage = fm.proof_coverage;
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
        // A group works when `need` of its active members work and no window is open.
        int g = n - b.C_;
        const auto& gi = b.groups_[g];
        int w = 0;
        for (std::size_t i = 0; i < gi.members.size(); ++i)
          if (s.roles[static_cast<std::size_t>(gi.offset) + i] == 1 && works(gi.members[i])) ++w;
        ok = w >= gi.g->need && s.window_of(g) < 0;
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
    // 1 active, 2 standby, 0 none (a lost member); components outside groups are active.
    int role(int c) const {
      int g = b.comp_group_[c];
      if (g < 0) return 1;
      return s.roles[static_cast<std::size_t>(b.groups_[g].offset + b.comp_slot_[c])];
    }
  };
  // How fast mode m's clock runs in a state (its rate multiplier).
  double clock(const Mode& m, Eval& e) const {
    switch (m.kind) {
      case Mode::Kind::external:
      case Mode::Kind::change: return 1;  // arrivals run whatever the state (R1)
      case Mode::Kind::on_demand: return 0;  // drawn at demands only
      default: break;
    }
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
  // R4: in each pool the first `size` claims hold crews; the claims are the open manual
  // windows in the order they opened, then the faults needing repair in order of
  // occurrence. Returns, per fault, whether its repair runs, and per window whether its
  // switch-over clock runs.
  void crews(const State& s, std::vector<char>& fault_runs, std::vector<char>& window_runs) const {
    std::vector<int> used(pool_size_.size(), 0);
    window_runs.assign(s.windows.size(), 0);
    for (std::size_t w = 0; w < s.windows.size(); ++w) {
      int p = groups_[s.windows[w].first].pool;
      if (p < 0) window_runs[w] = 1;
      else if (used[p] < pool_size_[p]) {
        window_runs[w] = 1;
        ++used[p];
      }
    }
    fault_runs.assign(s.faults.size(), 0);
    for (std::size_t i = 0; i < s.faults.size(); ++i) {
      const Mode& m = modes_[s.faults[i]];
      if (m.repair <= 0) continue;
      int p = m.uses_crew ? m.pool : -1;
      if (p < 0) fault_runs[i] = 1;
      else if (used[p] < pool_size_[p]) {
        fault_runs[i] = 1;
        ++used[p];
      }
    }
  }

  // ----- one transition of the repairable class, as the model processes it
  //
  // The event is applied, then each group (in dependency order) compares its members
  // with what it saw before and reacts member by member in slot order, as
  // models/model.cpp's recompute_group / member_lost / member_back /
  // activate_replacement / reconfigure do. Random draws (failover coverage, on-demand
  // failures) are choice points: every outcome is enumerated with its probability.
  struct Event {
    enum class Kind { occur, clear, manual_done } kind;
    int arg;  // mode index, fault position, or group
  };
  struct Sim {
    const Builder& b;
    State s;
    double prob = 1;
    std::vector<int>& script;  // choices so far: 0 = the event of probability p happens
    std::size_t pos = 0;
    std::vector<std::vector<char>> seen;  // per group, per slot: member worked

    Sim(const Builder& b_, const State& s0, std::vector<int>& sc) : b(b_), s(s0), script(sc) {
      Eval e(b, s);
      for (const auto& gi : b.groups_) {
        std::vector<char> v;
        for (int m : gi.members) v.push_back(e.works(m) ? 1 : 0);
        seen.push_back(v);
      }
    }
    bool chance(double p) {
      if (p >= 1) return true;
      if (p <= 0) return false;
      if (pos == script.size()) script.push_back(0);
      bool yes = script[pos++] == 0;
      prob *= yes ? p : 1 - p;
      return yes;
    }
    bool works(int n) {
      Eval e(b, s);
      return e.works(n);
    }
    signed char& role(int g, int slot) { return s.roles[static_cast<std::size_t>(b.groups_[g].offset + slot)]; }
    int nslots(int g) const { return static_cast<int>(b.groups_[g].members.size()); }
    int functional_active(int g) {
      Eval e(b, s);
      int k = 0;
      for (int i = 0; i < nslots(g); ++i)
        if (role(g, i) == 1 && e.works(b.groups_[g].members[i])) ++k;
      return k;
    }
    int working(int g) {
      Eval e(b, s);
      int k = 0;
      for (int m : b.groups_[g].members) k += e.works(m) ? 1 : 0;
      return k;
    }
    bool mode_present(int mi) const { return std::find(s.faults.begin(), s.faults.end(), mi) != s.faults.end(); }
    // A standby is asked to take over: its on-demand modes are drawn.
    bool demand(int n) {
      if (n < b.C_)
        for (int mi : b.comp_modes_[n]) {
          const Mode& m = b.modes_[mi];
          if (m.kind == Mode::Kind::on_demand && !mode_present(mi) && chance(m.p)) s.faults.push_back(mi);
        }
      return works(n);
    }
    void open_window(int g, int pending) { s.windows.emplace_back(g, pending); }
    void abandon(int g) {
      int w = s.window_of(g);
      if (w >= 0) s.windows.erase(s.windows.begin() + w);
    }
    void activate_replacement(int g) {
      for (int i = 0; i < nslots(g); ++i) {
        if (role(g, i) != 2) continue;
        if (demand(b.groups_[g].members[i])) {
          reconfigure(g, i);
          return;
        }
        role(g, i) = 0;
      }
    }
    // No detection or switch-over delays in this class: a covered failover is instant.
    void reconfigure(int g, int target) {
      if (chance(b.groups_[g].coverage)) {
        if (target >= 0 && role(g, target) == 2 && works(b.groups_[g].members[target])) role(g, target) = 1;
        return;
      }
      open_window(g, target);  // the target stays standby until the switch-over ends (R3)
    }
    void finish_window(int g) {
      int w = s.window_of(g);
      if (w < 0) return;
      int t = s.windows[static_cast<std::size_t>(w)].second;
      s.windows.erase(s.windows.begin() + w);
      if (t >= 0) {
        if (role(g, t) == 2 && works(b.groups_[g].members[t])) role(g, t) = 1;
        else if (b.groups_[g].g->mode == Group::Mode::active_standby) activate_replacement(g);
      }
    }
    void member_lost(int g, int slot) {
      const Group& def = *b.groups_[g].g;
      int was = role(g, slot);
      role(g, slot) = 0;
      int w = s.window_of(g);
      if (w >= 0 && s.windows[static_cast<std::size_t>(w)].second == slot) {
        abandon(g);
        if (def.mode == Group::Mode::active_standby) activate_replacement(g);
        return;
      }
      if (was != 1) return;
      if (w >= 0) return;  // a window is open: no second reconfiguration (R2 decides its end)
      if (def.mode == Group::Mode::active_standby) activate_replacement(g);
      else if (functional_active(g) >= def.need) reconfigure(g, -1);
    }
    void member_back(int g, int slot) {
      const Group& def = *b.groups_[g].g;
      // R2: a lost member coming back during a window calls the switch-over off; the
      // service returns on it.
      abandon(g);
      if (def.mode == Group::Mode::active_active) {
        role(g, slot) = 1;
        return;
      }
      if (functional_active(g) < def.need) {
        role(g, slot) = 1;
        return;
      }
      role(g, slot) = 2;
      if (def.failover.failback)
        for (int i = nslots(g) - 1; i > slot; --i)
          if (role(g, i) == 1) {
            role(g, i) = 2;
            role(g, slot) = 1;
            break;
          }
    }
    void propagate() {
      for (bool changed = true; changed;) {
        changed = false;
        for (int g : b.group_order_) {
          const auto& gi = b.groups_[g];
          for (int i = 0; i < nslots(g); ++i) {
            bool f = works(gi.members[i]);
            auto& sn = seen[static_cast<std::size_t>(g)][static_cast<std::size_t>(i)];
            if (sn && !f) {
              sn = 0;
              member_lost(g, i);
              changed = true;
            } else if (!sn && f) {
              sn = 1;
              member_back(g, i);
              changed = true;
            }
          }
          // R2: nothing left to switch to: the window is abandoned, its crew released.
          if (s.window_of(g) >= 0 && working(g) < gi.g->need) {
            abandon(g);
            changed = true;
          }
        }
      }
    }
    void run(const Event& ev) {
      switch (ev.kind) {
        case Event::Kind::occur: s.faults.push_back(ev.arg); break;
        case Event::Kind::clear: s.faults.erase(s.faults.begin() + ev.arg); break;
        case Event::Kind::manual_done: finish_window(ev.arg); break;
      }
      propagate();
    }
  };
  // Only the order of occurrence within a crew pool matters (R4): faults are grouped by
  // the pool they claim, in occurrence order within it; those that claim no crew are
  // sorted by mode. Fewer states, the same chain.
  int claim_pool(int mi) const {
    const Mode& m = modes_[mi];
    return m.repair > 0 && m.uses_crew ? m.pool : -1;
  }
  void canonical(State& s) const {
    std::stable_sort(s.faults.begin(), s.faults.end(), [&](int a, int b) {
      int pa = claim_pool(a), pb = claim_pool(b);
      if (pa != pb) return pa < pb;
      return pa < 0 && a < b;
    });
  }
  // Every outcome of an event from state s, with its probability (depth-first over the
  // choice points).
  void outcomes(const State& s, const Event& ev, double rate, std::vector<std::pair<State, double>>& out) const {
    std::vector<int> script;
    for (;;) {
      Sim sim(*this, s, script);
      sim.run(ev);
      if (sim.prob > 0) {
        canonical(sim.s);
        out.emplace_back(std::move(sim.s), rate * sim.prob);
      }
      script.resize(sim.pos);
      while (!script.empty() && script.back() == 1) script.pop_back();
      if (script.empty()) break;
      script.back() = 1;
    }
  }

  std::vector<std::pair<State, double>> transitions(const State& s) const {
    std::vector<std::pair<State, double>> out;
    Eval e(*this, s);
    if (latent_) {
      // Hidden faults only accumulate until the next test.
      for (int mi = 0; mi < static_cast<int>(modes_.size()); ++mi) {
        if (std::find(s.faults.begin(), s.faults.end(), mi) != s.faults.end()) continue;
        State n = s;
        n.faults.push_back(mi);
        std::sort(n.faults.begin(), n.faults.end());  // no crews here: the order does not matter
        out.emplace_back(n, modes_[mi].rate * clock(modes_[mi], e));
      }
      return out;
    }
    // Failures, arrivals of outside events and bad changes.
    for (int mi = 0; mi < static_cast<int>(modes_.size()); ++mi) {
      if (std::find(s.faults.begin(), s.faults.end(), mi) != s.faults.end()) continue;  // absorbed
      double rate = modes_[mi].rate * clock(modes_[mi], e);
      if (rate > 0) outcomes(s, {Event::Kind::occur, mi}, rate, out);
    }
    // Repairs (those holding a crew), ends of outside events, manual switch-overs.
    std::vector<char> runs, wruns;
    crews(s, runs, wruns);
    for (std::size_t i = 0; i < s.faults.size(); ++i) {
      const Mode& m = modes_[s.faults[i]];
      double rate = (runs[i] ? m.repair : 0) + m.end;
      if (rate > 0) outcomes(s, {Event::Kind::clear, static_cast<int>(i)}, rate, out);
    }
    for (std::size_t w = 0; w < s.windows.size(); ++w)
      if (wruns[w]) outcomes(s, {Event::Kind::manual_done, s.windows[w].first}, groups_[s.windows[w].first].manual, out);
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

  const Scenario& sc_;
  Diagnostics& d_;
  bool failed_ = false, latent_ = false, random_ = false;
  double tau_ = 0;
  int C_ = 0, G_ = 0, slots_ = 0;
  std::vector<std::string> names_;
  std::vector<int> comp_group_, comp_slot_;
  std::vector<GroupInfo> groups_;
  std::vector<int> group_order_;
  std::vector<int> pool_size_;
  std::vector<Mode> modes_;
  std::vector<std::string> mode_ids_;
  std::vector<std::vector<int>> comp_modes_;
};

}  // namespace

std::optional<MarkovResult> analyze_markov(const Scenario& sc, Diagnostics& diags, std::size_t max_states, double at_hours) {
  Builder b(sc, diags);
  if (!b.compile()) return std::nullopt;
  return b.solve(max_states, at_hours);
}

}  // namespace drsim
