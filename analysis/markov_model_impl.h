// Internals of MarkovModel (analysis/markov_model.h): the scenario compiled into
// failure modes and group slots (markov_compile.cpp), and the transitions of one state,
// event by event as models/model.cpp processes them (here). Included only by
// analysis/markov_model.cpp and analysis/markov_compile.cpp.
//
// Thread-safety: a compiled Builder is immutable; its const functions may run
// concurrently.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "analysis/markov_model.h"

namespace drsim::markov_detail {

inline constexpr const char* kHint = "drsim analyze handles exponential lifetimes and repairs (see drsim analyze --help); use drsim run";

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


class Builder {
 public:
  using State = MarkovState;
  Builder(const Scenario& sc, Diagnostics& d, bool lump = true) : sc_(sc), d_(d), lump_(lump) {}

  // Compiles the scenario; false (with the reasons in the diagnostics) when it is not
  // Markovian.
  bool compile();
  // All-up: no faults, active-standby groups with their first `need` members active.
  State start() const;

  // ----- compiling (markov_compile.cpp)
  static std::string kind_name(const Distribution& d);
  void check_proof_test_groups();
  void refuse(const std::string& pointer, const std::string& what);
  int node(const std::string& id) const;
  int comp_pool(int c) const;
  void order_groups();
  bool plain_repair(const Recovery& r, const std::string& p, Mode& m);
  void add_mode(const FailureMode& fm, int comp, const std::string& p, const std::string& owner);
  void add_common_causes();
  void order_pools();
  void find_symmetries();
  void find_parts();
  // find_parts' steps: nodes joined where one's behaviour depends on another's (`inside`:
  // the blocks some part reads), then the parts numbered and their exposed nodes found.
  struct UnionFind {
    std::vector<int> up;
    explicit UnionFind(int n);
    int root(int n);
    void join(int a, int b);  // ignores indices outside [0, n)
  };
  void join_dependent(UnionFind& uf, std::vector<char>& inside) const;
  void number_parts(UnionFind& uf, const std::vector<char>& inside);
  State compose(const std::vector<const State*>& per_part) const;

  // ----- structure, for one state
  // An expression (a block's, the service's) with its references resolved to node
  // numbers at compile: op and k as in Expr, its arguments cargs_[begin, end).
  struct CExpr {
    Expr::Op op = Expr::Op::ref;
    int ref = -1, k = 0, begin = 0, end = 0;
  };
  int compile_expr(const Expr& e);  // appends e (arguments first) to cexpr_; its index
  struct Eval {
    const Builder& b;
    const State& s;
    std::vector<signed char> memo;
    std::vector<int> faulted;  // per component: present faults applied to it
    Eval(const Builder& b_, const State& s_) : b(b_), s(s_), memo(b_.names_.size(), -1), faulted(b_.C_, 0) {
      for (int f : s.faults)
        for (int c : b.modes_[f].targets) ++faulted[c];
    }
    // Forgets what depends on roles and windows (they changed, the faults did not): the
    // groups and blocks, and the components too where one needs a group or a block.
    void reset_structure() { std::fill(memo.begin() + b.structure_from_, memo.end(), -1); }
    // Forgets what was evaluated: `s` has changed.
    void reset() {
      std::fill(memo.begin(), memo.end(), -1);
      std::fill(faulted.begin(), faulted.end(), 0);
      for (int f : s.faults)
        for (int c : b.modes_[f].targets) ++faulted[c];
    }
    bool works(int n) {
      if (memo[n] >= 0) return memo[n];
      memo[n] = 1;  // acyclic after validation; guards against surprises
      bool ok;
      if (n < b.C_) {
        ok = faulted[n] == 0;
        for (int need : b.comp_needs_[static_cast<std::size_t>(n)])
          if (ok) ok = works(need);
      } else if (n < b.C_ + b.G_) {
        // A group works when `need` of its active members work and no window is open.
        int g = n - b.C_;
        const auto& gi = b.groups_[g];
        int w = 0;
        for (std::size_t i = 0; i < gi.members.size(); ++i)
          if (s.roles[static_cast<std::size_t>(gi.offset) + i] == 1 && works(gi.members[i])) ++w;
        ok = w >= gi.g->need && s.window_of(g) < 0;
      } else {
        ok = expr(b.block_expr_[static_cast<std::size_t>(n - b.C_ - b.G_)]);
      }
      memo[n] = ok ? 1 : 0;
      return ok;
    }
    bool expr(int i) {
      const CExpr& e = b.cexpr_[static_cast<std::size_t>(i)];
      const int* arg = b.cargs_.data() + e.begin;
      const int* end = b.cargs_.data() + e.end;
      switch (e.op) {
        case Expr::Op::ref: return works(e.ref);
        case Expr::Op::all: for (; arg != end; ++arg) if (!expr(*arg)) return false; return true;
        case Expr::Op::any: for (; arg != end; ++arg) if (expr(*arg)) return true; return false;
        case Expr::Op::at_least: {
          int k = 0;
          for (; arg != end; ++arg) k += expr(*arg) ? 1 : 0;
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
  // Per group, per slot: whether the member works (what propagate() compares with).
  using Seen = std::vector<std::vector<char>>;
  void seen_in(Eval& e, Seen& seen) const {
    seen.resize(groups_.size());
    for (std::size_t g = 0; g < groups_.size(); ++g) {
      seen[g].clear();
      for (int m : groups_[g].members) seen[g].push_back(e.works(m) ? 1 : 0);
    }
  }
  // One event's run from a state, reused for every event and outcome out of it (restart()
  // copies into the buffers it already has: no allocation per transition).
  struct Sim {
    const Builder& b;
    State s;
    double prob = 1;
    std::vector<int> script;  // choices so far: 0 = the event of probability p happens
    std::size_t pos = 0;
    Seen seen;
    // The structure of `s`, evaluated lazily; every change to `s` marks it stale (a
    // group of 24 members asks for its members' state hundreds of times per event).
    Eval ev;
    // What changed since ev last looked: 0 nothing, 1 roles or windows only, 2 faults.
    int stale = 0;
    bool demand_failed = false;  // a demand added a fault during this pass of propagate()

    explicit Sim(const Builder& b_) : b(b_), ev(b_, s) {}
    // From s0, whose members' states are seen0; the choices in `script` are kept.
    void restart(const State& s0, const Seen& seen0) {
      s = s0;
      seen = seen0;
      prob = 1;
      pos = 0;
      stale = 2;
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
      if (stale == 2) ev.reset();
      else if (stale == 1) ev.reset_structure();
      stale = 0;
      return ev.works(n);
    }
    void faults_changed() { stale = 2; }
    void structure_changed() { stale = std::max(stale, 1); }
    int role(int g, int slot) const { return s.roles[static_cast<std::size_t>(b.groups_[g].offset + slot)]; }
    void set_role(int g, int slot, int r) {
      s.roles[static_cast<std::size_t>(b.groups_[g].offset + slot)] = static_cast<signed char>(r);
      structure_changed();
    }
    int nslots(int g) const { return static_cast<int>(b.groups_[g].members.size()); }
    int functional_active(int g) {
      int k = 0;
      for (int i = 0; i < nslots(g); ++i)
        if (role(g, i) == 1 && works(b.groups_[g].members[i])) ++k;
      return k;
    }
    int working(int g) {
      int k = 0;
      for (int m : b.groups_[g].members) k += works(m) ? 1 : 0;
      return k;
    }
    bool mode_present(int mi) const { return std::find(s.faults.begin(), s.faults.end(), mi) != s.faults.end(); }
    // A standby is asked to take over: its on-demand modes are drawn.
    bool demand(int n) {
      if (n < b.C_)
        for (int mi : b.comp_modes_[n]) {
          const Mode& m = b.modes_[mi];
          if (m.kind == Mode::Kind::on_demand && !mode_present(mi) && chance(m.p)) {
            s.faults.push_back(mi);
            faults_changed();
            demand_failed = true;
          }
        }
      return works(n);
    }
    void open_window(int g, int pending) {
      s.windows.emplace_back(g, pending);
      structure_changed();
    }
    void abandon(int g) {
      int w = s.window_of(g);
      if (w < 0) return;
      s.windows.erase(s.windows.begin() + w);
      structure_changed();
    }
    void activate_replacement(int g) {
      for (int i = 0; i < nslots(g); ++i) {
        if (role(g, i) != 2) continue;
        if (demand(b.groups_[g].members[i])) {
          reconfigure(g, i);
          return;
        }
        set_role(g, i, 0);
      }
    }
    // No detection or switch-over delays in this class: a covered failover is instant.
    void reconfigure(int g, int target) {
      if (chance(b.groups_[g].coverage)) {
        if (target >= 0 && role(g, target) == 2 && works(b.groups_[g].members[target])) set_role(g, target, 1);
        return;
      }
      open_window(g, target);  // the target stays standby until the switch-over ends (R3)
    }
    void finish_window(int g) {
      int w = s.window_of(g);
      if (w < 0) return;
      int t = s.windows[static_cast<std::size_t>(w)].second;
      s.windows.erase(s.windows.begin() + w);
      structure_changed();
      if (t >= 0) {
        if (role(g, t) == 2 && works(b.groups_[g].members[t])) set_role(g, t, 1);
        else if (b.groups_[g].g->mode == Group::Mode::active_standby) activate_replacement(g);
      }
    }
    void member_lost(int g, int slot) {
      const Group& def = *b.groups_[g].g;
      int was = role(g, slot);
      set_role(g, slot, 0);
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
        set_role(g, slot, 1);
        return;
      }
      if (functional_active(g) < def.need) {
        set_role(g, slot, 1);
        return;
      }
      set_role(g, slot, 2);
      if (def.failover.failback)
        for (int i = nslots(g) - 1; i > slot; --i)
          if (role(g, i) == 1) {
            set_role(g, i, 2);
            set_role(g, slot, 1);
            break;
          }
    }
    // Reacts to what changed, group by group in dependency order, until nothing does.
    // Reacting to group g changes only g's roles and window, which only the nodes after
    // g read; so where no component needs a group or a block (structure_from_ > 0: a
    // component's condition is then the faults of it and of the components it needs),
    // a pass in which no demand added a fault leaves every member as seen, and the next
    // pass would find nothing: it is skipped.
    void propagate() {
      for (bool changed = true; changed;) {
        changed = false;
        demand_failed = false;
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
        if (!demand_failed && b.structure_from_ > 0) break;
      }
    }
    void run(const Event& event) {
      switch (event.kind) {
        case Event::Kind::occur: s.faults.push_back(event.arg); break;
        case Event::Kind::clear: s.faults.erase(s.faults.begin() + event.arg); break;
        case Event::Kind::manual_done: finish_window(event.arg); break;
      }
      faults_changed();
      propagate();
    }
  };
  // ----- lumping: one canonical state per class of states that behave alike
  //
  // The chain built on canonical states is the original chain lumped by an equivalence
  // under which every rate into a class is the same from each of its states (strong
  // lumpability), and every reported quantity (service down, group down) is constant on
  // a class, so all results are those of the unlumped chain. Two equivalences:
  //  - order of claims: the order of occurrence matters only in a crew pool where more
  //    claims can be present at once than there are crews (R4: the first `size` claims
  //    hold them). Elsewhere every claim is served whatever the order, so those faults
  //    (and windows) are kept sorted; in contended pools they stay in occurrence order.
  //  - identical members (classes_, found by find_symmetries()): permuting the members
  //    of a class changes no rate and nothing observed, so only how many members are in
  //    each condition matters; the canonical state puts the members' conditions in
  //    sorted order over the class's slots.
  int claim_pool(int mi) const {
    const Mode& m = modes_[mi];
    return m.repair > 0 && m.uses_crew ? m.pool : -1;
  }
  bool ordered_pool(int p) const { return p >= 0 && pool_ordered_[static_cast<std::size_t>(p)]; }
  // A stable sort for the short lists of a state (std::stable_sort allocates a buffer
  // each call; this runs for every transition).
  template <typename T, typename Less>
  static void insertion_sort(std::vector<T>& v, Less less) {
    for (std::size_t i = 1; i < v.size(); ++i)
      for (std::size_t j = i; j > 0 && less(v[j], v[j - 1]); --j) std::swap(v[j], v[j - 1]);
  }
  // Faults (and, lumped, windows) sorted but where a contended pool keeps occurrence
  // order; then identical members' conditions sorted over their class's slots
  // (markov_lump.cpp).
  void sort_claims(State& s) const;
  void canonical(State& s) const;
  // Every outcome of an event from state s (whose members' states are seen0), with its
  // probability (depth-first over the choice points): emit(next, rate, failure) each.
  template <class Emit>
  void outcomes(Sim& sim, const State& s, const Seen& seen0, const Event& ev, double rate, bool failure, Emit& emit) const {
    sim.script.clear();
    for (;;) {
      sim.restart(s, seen0);
      sim.run(ev);
      if (sim.prob > 0) {
        canonical(sim.s);
        emit(sim.s, rate * sim.prob, failure);
      }
      auto& script = sim.script;
      script.resize(sim.pos);
      while (!script.empty() && script.back() == 1) script.pop_back();
      if (script.empty()) break;
      script.back() = 1;
    }
  }

  // Every transition out of s: emit(next, rate, failure) each, `next` valid during the
  // call only; with part >= 0 only those of that independent part (its modes, its
  // faults, its groups' windows).
  template <class Emit>
  void for_each_transition(const State& s, int part, Emit emit) const {
    auto mine = [&](int mi) { return part < 0 || mode_part_[static_cast<std::size_t>(mi)] == part; };
    Eval e(*this, s);
    if (latent_) {
      // Hidden faults only accumulate until the next test.
      State n;
      for (int mi = 0; mi < static_cast<int>(modes_.size()); ++mi) {
        if (!mine(mi) || std::find(s.faults.begin(), s.faults.end(), mi) != s.faults.end()) continue;
        double rate = modes_[mi].rate * clock(modes_[mi], e);
        if (rate <= 0) continue;
        n = s;
        n.faults.push_back(mi);
        canonical(n);  // no crews here: sorted, identical members lumped
        emit(n, rate, true);
      }
      return;
    }
    Seen seen0;
    seen_in(e, seen0);
    Sim sim(*this);
    // Failures, arrivals of outside events and bad changes.
    for (int mi = 0; mi < static_cast<int>(modes_.size()); ++mi) {
      if (!mine(mi) || std::find(s.faults.begin(), s.faults.end(), mi) != s.faults.end()) continue;  // absorbed
      double rate = modes_[mi].rate * clock(modes_[mi], e);
      if (rate > 0) outcomes(sim, s, seen0, {Event::Kind::occur, mi}, rate, true, emit);
    }
    // Repairs (those holding a crew), ends of outside events, manual switch-overs.
    std::vector<char> runs, wruns;
    crews(s, runs, wruns);
    for (std::size_t i = 0; i < s.faults.size(); ++i) {
      if (!mine(s.faults[i])) continue;
      const Mode& m = modes_[s.faults[i]];
      double rate = (runs[i] ? m.repair : 0) + m.end;
      if (rate > 0) outcomes(sim, s, seen0, {Event::Kind::clear, static_cast<int>(i)}, rate, false, emit);
    }
    for (std::size_t w = 0; w < s.windows.size(); ++w)
      if (wruns[w] && (part < 0 || group_part_[static_cast<std::size_t>(s.windows[w].first)] == part))
        outcomes(sim, s, seen0, {Event::Kind::manual_done, s.windows[w].first}, groups_[s.windows[w].first].manual, false, emit);
  }
  // The same, into `out` (cleared first).
  void transitions(const State& s, std::vector<MarkovTransition>& out, int part = -1) const {
    out.clear();
    for_each_transition(s, part, [&](const State& next, double rate, bool failure) { out.push_back({next, rate, failure}); });
  }
  // A proof test: each present (hidden) fault is found with its test coverage and then
  // repaired at once; the ones it misses stay (canonical states).
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
      if (p > 0) {
        canonical(n);
        out.emplace_back(n, p);
      }
    }
    return out;
  }

  const Scenario& sc_;
  Diagnostics& d_;
  // false: the unlumped chain (faults in every crew pool in occurrence order, windows in
  // opening order, every member apart, one part): what the lumped one must equal.
  bool lump_ = true;
  bool failed_ = false, latent_ = false, random_ = false;
  // The first node whose working depends on roles or windows: C_ (the groups), or 0 when
  // a component needs a group or a block (compile()).
  int structure_from_ = 0;
  double tau_ = 0;
  int C_ = 0, G_ = 0, slots_ = 0;
  std::vector<std::string> names_;
  std::vector<CExpr> cexpr_;
  std::vector<int> cargs_;
  std::vector<int> block_expr_;               // per block, its expression in cexpr_
  int service_expr_ = -1;                     // the service's `requires`
  std::vector<std::vector<int>> comp_needs_;  // per component, the nodes it needs
  std::vector<int> comp_group_, comp_slot_;
  std::vector<GroupInfo> groups_;
  std::vector<int> group_order_;
  std::vector<int> pool_size_;
  std::vector<Mode> modes_;
  std::vector<std::string> mode_ids_;
  std::vector<std::vector<int>> comp_modes_;
  // Lumping (canonical()): per crew pool whether more claims than crews can be present
  // at once; the classes of identical members; per mode (class, member) when it is a
  // class member's own mode, else (-1, -1), and its rank among that member's modes.
  struct SymClass {
    int group = -1;
    std::vector<int> slots;               // the members' slots in the group, ascending
    std::vector<std::vector<int>> modes;  // per member, its own modes (alike, same order)
  };
  std::vector<char> pool_ordered_;
  std::vector<SymClass> classes_;
  // Independent parts (find_parts()): per mode and per group its part; per part the
  // nodes the service or a block outside every part reads.
  int parts_ = 0;
  std::vector<int> mode_part_, group_part_;
  std::vector<std::vector<int>> part_exposed_;
  std::vector<std::pair<int, int>> mode_member_;
  std::vector<int> mode_rank_;
};

}  // namespace drsim::markov_detail
