// The executable model (see model.h): compilation of a Scenario into index-based
// state, and the state machines of failure modes, redundancy groups, recoveries and
// the service. Semantics are documented in docs/model.md; the comments here say why.
#include "models/model.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <functional>
#include <limits>
#include <unordered_map>

#include "models/units.h"

namespace drsim {

namespace {

enum Handler : std::uint32_t {
  kModeFire = 1,    // a failure mode's clock ran out (random, latent, external, change)
  kProofTest,       // a periodic proof test of a latent mode
  kDetectDone,      // a repair job's detection delay ended
  kRepairDone,      // a repair job's hands-on time ended
  kStepDone,        // a runbook step ended; arg = runbook * 65536 + step
  kWindowEnd,       // a group's covered failover window ended
  kManualDone,      // a group's manual switch-over ended
  kBridgeOut,       // a group's UPS ran out
  kInjection,       // a drill injection
  kExternalEnd,     // an external event's duration ended
  kRenewal,         // a time bomb's key renewal
  kBombExpire,      // a wrong key expired
  kBombAlert,       // expiry monitoring alerted
  kCrewDispatch,    // hand a pool's free crews to waiting repairs (after the instant's events)
};


constexpr double kInf = std::numeric_limits<double>::infinity();

}  // namespace

struct Model::Impl {
  // ---- compiled, immutable ----
  struct CExpr {
    Expr::Op op = Expr::Op::ref;
    int node = -1;
    int k = 0;
    std::vector<CExpr> args;
  };
  struct ModeDef {
    const FailureMode* fm = nullptr;
    int comp = -1;            // owner, -1 for a common cause
    int cc = -1;              // common cause index
    int cause = -1;
    std::vector<int> targets; // components the fault takes down
    double ttf_scale = 1;     // beta-factor split of the owner's rate
    std::uint64_t stream = 0;
    std::string label;        // "dc1/lb-a/hw" or the common cause id
  };
  struct GroupDef {
    const Group* g = nullptr;
    std::vector<int> members;  // node indices
    int mechanism = -1, bridge = -1;
    double battery = 0;
    std::uint64_t stream = 0;
  };

  const Scenario& sc;
  ModelOptions opt;
  int C = 0, G = 0, B = 0, N = 0;
  std::vector<std::string> names;          // node names
  std::vector<std::vector<int>> needs;     // component -> needed nodes
  std::vector<CExpr> block_expr;
  std::vector<std::vector<int>> dependents;  // node -> nodes to recompute
  std::vector<int> topo, topo_pos;
  std::vector<int> comp_group;             // component -> group index or -1
  std::vector<int> comp_member_slot;
  std::vector<int> node_member_group, node_member_slot;  // any node -> group it is a member of
  std::vector<GroupDef> gdefs;
  std::vector<ModeDef> modes;
  std::vector<std::vector<int>> comp_modes;  // component -> modes it owns
  std::vector<std::vector<int>> dep_modes;   // component -> its on_dependency_loss modes
  std::vector<int> storage_peer;             // component -> replication peer or -1
  std::vector<std::uint64_t> rb_stream;
  std::vector<std::vector<std::vector<int>>> rb_step_after;
  std::vector<std::vector<std::vector<int>>> rb_step_next;  // steps that name this one in "after"
  std::vector<std::vector<std::vector<int>>> rb_step_restores;  // -1 = $targets
  std::vector<std::vector<std::vector<int>>> rb_step_waits;
  CExpr svc_requires;
  std::vector<CExpr> feat_expr;
  std::vector<bool> svc_uses;              // node the service, a feature or a site objective reads
  std::vector<int> site_node;              // per objectives.sites entry: the node it requires
  std::vector<std::string> cause_names;
  std::vector<int> inj_mode;               // injection -> mode index

  // ---- per trial ----
  Scheduler* s = nullptr;
  std::uint64_t seed = 0, trial = 0;
  TrialResult res;
  std::vector<ModelEvent> log;

  std::vector<char> func, visdown;
  // Nodes to recompute, as a bitset over topological positions; min_dirty <= the first.
  std::vector<std::uint64_t> dirty_bits;
  int min_dirty = 0;
  std::vector<int> vis, hid;
  std::vector<char> needs_ok;

  struct ModeRt {
    RandomStream rng;
    double life = 0, age = 0, last = 0, factor = 0;
    EventId ev = kNoEvent, proof_ev = kNoEvent, end_ev = kNoEvent, expire_ev = kNoEvent,
            alert_ev = kNoEvent, renew_ev = kNoEvent;
    int fault = -1;
    int occurrences = 0;
    bool armed = false;
  };
  std::vector<ModeRt> mrt;

  struct Fault {
    int mode = -1;
    std::vector<int> applied;  // components currently held down by this fault
    bool hidden = false;
    bool live = false;
    bool expired = true;       // time bomb defuse: false until the key actually expires
  };
  std::vector<Fault> faults;
  std::vector<int> free_faults;
  int live_faults = 0;

  struct Job {
    int fault = -1;
    const Recovery* rec = nullptr;
    int pool = -1;             // crew pool it needs, -1 = none
    bool has_crew = false;
    std::uint64_t seq = 0;     // first-come first-served order within the pool
    double due = 0;            // when the running repair ends
    double remaining = -1;     // a preempted repair's time still to do, -1 = not started
    EventId ev = kNoEvent;
    bool live = false;
  };
  std::vector<Job> jobs;
  std::vector<int> free_jobs;
  int live_jobs = 0;

  struct RunbookRt {
    bool active = false;
    std::vector<std::uint8_t> state;  // 0 pending, 1 running, 2 done
    std::vector<int> unmet;           // per step: its "after" steps not yet done
    std::vector<int> ready;           // pending steps with no unmet "after", ascending
    std::vector<EventId> ev;
    int running = 0, done = 0;
    std::vector<int> faults;
    RandomStream rng;
  };
  std::vector<RunbookRt> rbs;
  int live_rbs = 0;

  struct GroupRt {
    std::vector<std::int8_t> role;   // 0 none, 1 active, 2 standby
    std::vector<char> seen_func, seen_vis;
    int window = 0;                  // 0 none, 1 covered failover, 2 manual
    int pending = -1;
    EventId window_ev = kNoEvent;
    bool raw = true, bridging = false;
    EventId bridge_ev = kNoEvent;
    bool manual_waiting_crew = false, manual_has_crew = false;
    RandomStream rng;
  };
  std::vector<GroupRt> grt;

  // A crew pool: manual switch-overs first (in the order they asked), then repairs by
  // `seq`; a switch-over that finds every crew busy on repairs preempts the repair that
  // started last (docs/model.md "Repair crews").
  struct PoolRt {
    int free = 0;
    std::vector<int> queue;          // jobs waiting for a crew, ascending seq
    std::vector<int> manual_wait;    // groups whose manual switch-over waits for a crew
    bool dispatch_pending = false;   // a kCrewDispatch is scheduled
  };
  std::vector<PoolRt> prt;
  std::uint64_t job_seq = 0;

  std::vector<int> inj_left;
  int injections_pending = 0;
  int last_cause = -1;
  int svc_state = 0;  // 0 up, 1 degraded, 2 down
  std::uint64_t svc_feat = 0;
  bool outage_open = false;
  Outage cur;
  std::vector<double> site_since;  // per site_node: when it went down, -1 = working
  bool svc_dirty = false;          // a node in svc_uses changed since update_service()

  std::vector<ObjectiveSpec> objective_specs_;  // objective_specs(sc), once

  Impl(const Scenario& scenario, ModelOptions o) : sc(scenario), opt(o), objective_specs_(objective_specs(scenario)) { compile(); }

  // The trial's results emptied in place: vectors keep their capacity, so a trial
  // allocates nothing once the first trials have grown them.
  void reset_result() {
    res.end_time = res.downtime_full = res.downtime_degraded = res.data_loss = 0;
    res.data_loss_events = 0;
    res.events = 0;
    res.outages.clear();
    res.data_losses.clear();
    res.downtime_by_cause.assign(cause_names.size(), 0.0);
    res.site_down.resize(site_node.size());
    for (auto& v : res.site_down) v.clear();
    // res.objectives is refilled in place by judge_objectives() at the end of the trial.
  }

  // ================= compilation =================
  int node_of(const std::string& id) const {
    auto it = node_index.find(id);
    return it == node_index.end() ? -1 : it->second;
  }
  std::unordered_map<std::string, int> node_index;

  CExpr compile_expr(const Expr& e) {
    CExpr c;
    c.op = e.op;
    c.k = e.k;
    if (e.op == Expr::Op::ref) c.node = node_of(e.ref);
    for (const auto& a : e.args) c.args.push_back(compile_expr(a));
    return c;
  }
  static void expr_refs(const CExpr& e, std::vector<int>& out) {
    if (e.op == Expr::Op::ref) {
      if (e.node >= 0) out.push_back(e.node);
      return;
    }
    for (const auto& a : e.args) expr_refs(a, out);
  }

  void compile() {
    C = static_cast<int>(sc.components.size());
    G = static_cast<int>(sc.groups.size());
    B = static_cast<int>(sc.blocks.size());
    N = C + G + B;
    for (const auto& c : sc.components) names.push_back(c.id);
    for (const auto& g : sc.groups) names.push_back(g.id);
    for (const auto& b : sc.blocks) names.push_back(b.id);
    for (int i = 0; i < N; ++i) node_index[names[i]] = i;

    needs.resize(C);
    dependents.assign(N, {});
    for (int c = 0; c < C; ++c)
      for (const auto& id : sc.components[c].needs) {
        int n = node_of(id);
        if (n >= 0) {
          needs[c].push_back(n);
          dependents[n].push_back(c);
        }
      }
    comp_group.assign(C, -1);
    comp_member_slot.assign(C, -1);
    node_member_group.assign(N, -1);
    node_member_slot.assign(N, -1);
    for (int g = 0; g < G; ++g) {
      GroupDef d;
      d.g = &sc.groups[g];
      d.stream = fnv1a("group:" + d.g->id);
      for (const auto& id : d.g->members) {
        int n = node_of(id);
        if (n < 0) continue;
        int slot = static_cast<int>(d.members.size());
        d.members.push_back(n);
        dependents[n].push_back(C + g);
        if (node_member_group[n] < 0) {
          node_member_group[n] = g;
          node_member_slot[n] = slot;
          if (n < C) {
            comp_group[n] = g;
            comp_member_slot[n] = slot;
          }
        }
      }
      d.mechanism = d.g->failover.mechanism.empty() ? -1 : node_of(d.g->failover.mechanism);
      if (d.mechanism >= 0) dependents[d.mechanism].push_back(C + g);
      d.bridge = d.g->bridge.empty() ? -1 : node_of(d.g->bridge);
      if (d.bridge >= 0) {
        dependents[d.bridge].push_back(C + g);
        if (d.bridge < C) d.battery = sc.components[d.bridge].battery_runtime;
      }
      gdefs.push_back(std::move(d));
    }
    for (int b = 0; b < B; ++b) {
      block_expr.push_back(compile_expr(sc.blocks[b].expr));
      std::vector<int> refs;
      expr_refs(block_expr.back(), refs);
      for (int r : refs) dependents[r].push_back(C + G + b);
    }
    svc_requires = compile_expr(sc.service.requires_);
    for (const auto& f : sc.service.features) feat_expr.push_back(compile_expr(f.expr));
    for (const auto& so : sc.objectives.sites) site_node.push_back(node_of(so.node));
    // What the service (and its features, and the sites' objectives) read: only a change
    // of one of these re-evaluates it.
    svc_uses.assign(N, false);
    {
      std::vector<int> refs;
      expr_refs(svc_requires, refs);
      for (const auto& fe : feat_expr) expr_refs(fe, refs);
      for (int n : site_node) refs.push_back(n);
      for (int n : refs)
        if (n >= 0) svc_uses[n] = true;
    }

    // Topological order: a node after everything it reads.
    std::vector<int> indeg(N, 0);
    for (int n = 0; n < N; ++n) {
      std::sort(dependents[n].begin(), dependents[n].end());
      dependents[n].erase(std::unique(dependents[n].begin(), dependents[n].end()), dependents[n].end());
      for (int d : dependents[n]) ++indeg[d];
    }
    std::vector<int> ready;
    for (int n = N - 1; n >= 0; --n)
      if (indeg[n] == 0) ready.push_back(n);
    while (!ready.empty()) {
      int n = ready.back();
      ready.pop_back();
      topo.push_back(n);
      for (int d : dependents[n])
        if (--indeg[d] == 0) ready.push_back(d);
    }
    // A validated scenario is acyclic; if not, fall back to index order rather than loop.
    if (static_cast<int>(topo.size()) != N) {
      topo.clear();
      for (int n = 0; n < N; ++n) topo.push_back(n);
    }
    topo_pos.assign(N, 0);
    for (int i = 0; i < N; ++i) topo_pos[topo[i]] = i;

    // Failure modes: owned ones, then common causes (with beta splits).
    comp_modes.assign(C, {});
    dep_modes.assign(C, {});
    for (int c = 0; c < C; ++c) {
      const auto& comp = sc.components[c];
      for (const auto& fm : comp.failures) {
        ModeDef m;
        m.fm = &fm;
        m.comp = c;
        m.label = comp.id + "/" + fm.id;
        m.targets.push_back(c);
        for (const auto& id : fm.also_fails) {
          int n = node_of(id);
          if (n >= 0 && n < C && n != c) m.targets.push_back(n);
        }
        m.stream = fnv1a("mode:" + m.label);
        comp_modes[c].push_back(static_cast<int>(modes.size()));
        if (fm.type == FailureMode::Type::dependency) dep_modes[c].push_back(static_cast<int>(modes.size()));
        modes.push_back(std::move(m));
      }
    }
    for (int k = 0; k < static_cast<int>(sc.common_causes.size()); ++k) {
      const auto& cc = sc.common_causes[k];
      if (!cc.beta_group.empty()) {
        const Group* g = sc.group(cc.beta_group);
        if (!g) continue;
        // Beta factor: each member keeps (1 - beta) of its rate, and one shared mode
        // with beta of a member's rate takes every member down at once.
        int proto = -1;
        std::vector<int> targets;
        for (const auto& id : g->members) {
          int n = node_of(id);
          if (n < 0 || n >= C) continue;
          targets.push_back(n);
          for (int mi : comp_modes[n])
            if (modes[mi].fm->id == cc.beta_mode) {
              modes[mi].ttf_scale = 1.0 / std::max(1e-300, 1.0 - cc.beta);
              if (proto < 0) proto = mi;
            }
        }
        if (proto < 0 || cc.beta <= 0) continue;
        ModeDef m;
        m.fm = modes[proto].fm;
        m.cc = k;
        m.label = cc.id;
        m.targets = targets;
        m.ttf_scale = 1.0 / cc.beta;
        m.stream = fnv1a("cause:" + cc.id);
        modes.push_back(std::move(m));
        continue;
      }
      ModeDef m;
      m.fm = &cc.mode;
      m.cc = k;
      m.label = cc.id;
      for (const auto& id : cc.targets) {
        int n = node_of(id);
        if (n >= 0 && n < C) m.targets.push_back(n);
      }
      for (const auto& id : cc.mode.also_fails) {
        int n = node_of(id);
        if (n >= 0 && n < C) m.targets.push_back(n);
      }
      m.stream = fnv1a("cause:" + cc.id);
      modes.push_back(std::move(m));
    }
    for (auto& m : modes) {
      m.cause = static_cast<int>(cause_names.size());
      cause_names.push_back(m.label);
    }

    storage_peer.assign(C, -1);
    for (int c = 0; c < C; ++c)
      if (sc.components[c].replication && !sc.components[c].replication->sync)
        storage_peer[c] = node_of(sc.components[c].replication->to);

    for (const auto& rb : sc.runbooks) {
      rb_stream.push_back(fnv1a("runbook:" + rb.id));
      std::unordered_map<std::string, int> step_idx;
      for (int i = 0; i < static_cast<int>(rb.steps.size()); ++i) step_idx[rb.steps[i].id] = i;
      std::vector<std::vector<int>> after, restores, waits;
      for (const auto& st : rb.steps) {
        std::vector<int> a, r, w;
        for (const auto& id : st.after)
          if (step_idx.count(id)) a.push_back(step_idx[id]);
        for (const auto& id : st.restores) {
          if (id == "$targets") r.push_back(-1);
          else if (int n = node_of(id); n >= 0 && n < C) r.push_back(n);
        }
        for (const auto& id : st.waits_for)
          if (int n = node_of(id); n >= 0) w.push_back(n);
        after.push_back(a);
        restores.push_back(r);
        waits.push_back(w);
      }
      std::vector<std::vector<int>> next(rb.steps.size());
      for (int i = 0; i < static_cast<int>(after.size()); ++i)
        for (int a : after[i]) next[a].push_back(i);
      rb_step_after.push_back(after);
      rb_step_next.push_back(next);
      rb_step_restores.push_back(restores);
      rb_step_waits.push_back(waits);
    }

    for (const auto& inj : sc.injections) inj_mode.push_back(find_injection_mode(inj));

    func.assign(N, 1);
    visdown.assign(N, 0);
    dirty_bits.assign(static_cast<std::size_t>(N + 63) / 64, 0);
    vis.assign(C, 0);
    hid.assign(C, 0);
    needs_ok.assign(C, 1);
    mrt.resize(modes.size());
    rbs.resize(sc.runbooks.size());
    grt.resize(G);
    prt.resize(sc.crews.size());
  }

  // The mode an injection acts on: the named one, or the first whose type fits.
  int find_injection_mode(const Injection& inj) const {
    using T = FailureMode::Type;
    auto fits = [&](T t) {
      switch (inj.action) {
        case Injection::Action::fail: return t == T::random || t == T::latent || t == T::on_demand || t == T::external || t == T::change || t == T::time_bomb;
        case Injection::Action::expire:
        case Injection::Action::arm: return t == T::time_bomb;
        case Injection::Action::cut_power:
        case Injection::Action::change_config: return t == T::external || t == T::random;
        case Injection::Action::deploy_bad_change: return t == T::change;
        case Injection::Action::latent: return t == T::latent || t == T::on_demand;
      }
      return false;
    };
    for (int i = 0; i < static_cast<int>(modes.size()); ++i) {
      const auto& m = modes[i];
      bool owner = (m.comp >= 0 && names[m.comp] == inj.target) ||
                   (m.cc >= 0 && sc.common_causes[m.cc].id == inj.target);
      if (!owner) continue;
      if (!inj.mode.empty() ? m.fm->id == inj.mode : fits(m.fm->type)) return i;
    }
    return -1;
  }

  // ================= helpers =================
  double draw(const Distribution& d, RandomStream& rng) const {
    return opt.point ? d.median() : d.sample(rng);
  }
  double draw_opt(const std::optional<Distribution>& d, RandomStream& rng) const {
    return d ? draw(*d, rng) : 0.0;
  }
  bool chance(double p, RandomStream& rng) const {
    return opt.point ? p >= 0.5 : rng.bernoulli(p);
  }
  void record(ModelEvent::Kind k, int a, int b = -1) {
    if (opt.record) log.push_back({s->now(), k, a, b});
  }
  void mark(int n) {
    if (n == members_scan) return;  // recompute_group() evaluates the group after its member scan
    const int p = topo_pos[n];
    dirty_bits[static_cast<std::size_t>(p) >> 6] |= std::uint64_t{1} << (p & 63);
    min_dirty = std::min(min_dirty, p);
  }
  // The first dirty position at or after p, N if none.
  int next_dirty(int p) const {
    if (p >= N) return N;
    std::size_t w = static_cast<std::size_t>(p) >> 6;
    std::uint64_t bits = dirty_bits[w] & (~std::uint64_t{0} << (p & 63));
    while (bits == 0) {
      if (++w == dirty_bits.size()) return N;
      bits = dirty_bits[w];
    }
    return static_cast<int>(w * 64 + static_cast<std::size_t>(__builtin_ctzll(bits)));
  }
  int role_of(int c) const {
    int g = comp_group[c];
    return g < 0 ? 1 : grt[g].role[comp_member_slot[c]];
  }

  // ================= failure-mode clocks =================
  double clock_factor(int mi) const {
    const auto& m = modes[mi];
    if (m.comp < 0) return 1;
    if (vis[m.comp] > 0) return 0;  // a unit under repair does not age
    const FailureMode& fm = *m.fm;
    int role = role_of(m.comp);
    switch (fm.when) {
      case When::active: return role == 1 ? 1 : 0;
      case When::standby: return role == 2 ? 1 : 0;
      case When::always:
        // Hidden faults develop in a standby unit whatever its temperature (a cold
        // generator's batteries and fuel age too): the hot/warm/cold factor is about
        // operational wear and applies to random modes only.
        if (role != 2 || fm.type == FailureMode::Type::latent) return 1;
        {
          const Group& g = *gdefs[comp_group[m.comp]].g;
          if (g.standby == Group::Standby::hot) return 1;
          if (g.standby == Group::Standby::warm) return g.warm_factor;
          return 0;
        }
    }
    return 1;
  }
  bool clocked(int mi) const {
    auto t = modes[mi].fm->type;
    return t == FailureMode::Type::random || t == FailureMode::Type::latent;
  }
  void new_life(int mi) {
    auto& r = mrt[mi];
    r.life = draw(modes[mi].fm->ttf, r.rng) * modes[mi].ttf_scale;
    r.age = 0;
    r.last = s->now();
    r.factor = 0;
    r.ev = kNoEvent;
    reclock(mi);
  }
  void reclock(int mi) {
    auto& r = mrt[mi];
    if (!opt.random_failures || r.fault >= 0) return;
    double now = s->now();
    r.age += (now - r.last) * r.factor;
    r.last = now;
    double f = clock_factor(mi);
    if (f == r.factor && r.ev != kNoEvent) return;
    r.factor = f;
    if (f > 0) {
      r.ev = s->reschedule(r.ev, now + std::max(0.0, r.life - r.age) / f, kModeFire, mi);
    } else {
      s->cancel(r.ev);
      r.ev = kNoEvent;
    }
  }
  void refresh_clocks(int c) {
    for (int mi : comp_modes[c])
      if (clocked(mi)) reclock(mi);
  }
  void schedule_arrival(int mi) {
    auto& r = mrt[mi];
    const FailureMode& fm = *modes[mi].fm;
    double rate = fm.type == FailureMode::Type::change ? fm.rate * fm.p : 0;
    if (fm.type == FailureMode::Type::external) {
      r.ev = s->schedule_after(draw(fm.ttf, r.rng), kModeFire, mi);
      return;
    }
    if (rate <= 0 || opt.point) return;  // point mode: a rate's median arrival is not a replay
    r.ev = s->schedule_after(-std::log(r.rng.uniform()) / rate, kModeFire, mi);
  }

  // ================= faults =================
  int new_fault(int mi, bool hidden) {
    int f;
    if (!free_faults.empty()) {
      f = free_faults.back();
      free_faults.pop_back();
    } else {
      f = static_cast<int>(faults.size());
      faults.emplace_back();
    }
    Fault& x = faults[f];
    x.mode = mi;
    x.applied.clear();
    x.hidden = hidden;
    x.live = true;
    x.expired = true;
    ++live_faults;
    mrt[mi].fault = f;
    if (clocked(mi)) {  // a lifetime stops; arrivals of outside events and changes go on
      s->cancel(mrt[mi].ev);
      mrt[mi].ev = kNoEvent;
    }
    return f;
  }
  // A loss of what a component needs is a consequence, not a cause: outages are charged
  // to the fault that started the chain.
  bool is_consequence(int mi) const { return modes[mi].fm->type == FailureMode::Type::dependency; }
  void apply_targets(int f) {
    Fault& x = faults[f];
    const auto& m = modes[x.mode];
    if (!is_consequence(x.mode) || last_cause < 0) last_cause = m.cause;
    for (int c : m.targets) {
      if (std::find(x.applied.begin(), x.applied.end(), c) != x.applied.end()) continue;
      x.applied.push_back(c);
      if (x.hidden) ++hid[c];
      else {
        ++vis[c];
        if (vis[c] == 1) refresh_clocks(c);
      }
      mark(c);
    }
  }
  void reveal(int f) {
    Fault& x = faults[f];
    if (!x.hidden) return;
    x.hidden = false;
    if (!is_consequence(x.mode) || last_cause < 0) last_cause = modes[x.mode].cause;
    for (int c : x.applied) {
      --hid[c];
      ++vis[c];
      if (vis[c] == 1) refresh_clocks(c);
      mark(c);
    }
    record(ModelEvent::Kind::revealed, modes[x.mode].comp >= 0 ? modes[x.mode].comp : x.applied.empty() ? -1 : x.applied[0], x.mode);
  }
  void unapply(int f, int c) {
    Fault& x = faults[f];
    auto it = std::find(x.applied.begin(), x.applied.end(), c);
    if (it == x.applied.end()) return;
    x.applied.erase(it);
    if (x.hidden) --hid[c];
    else {
      --vis[c];
      if (vis[c] == 0) refresh_clocks(c);
    }
    mark(c);
    if (vis[c] == 0 && hid[c] == 0) record(ModelEvent::Kind::restored, c, x.mode);
  }
  // Ends a fault: whatever it still holds down comes back, and its mode starts over.
  void clear_fault(int f) {
    Fault& x = faults[f];
    if (!x.live) return;
    while (!x.applied.empty()) unapply(f, x.applied.back());
    x.live = false;
    --live_faults;
    free_faults.push_back(f);
    int mi = x.mode;
    auto& r = mrt[mi];
    r.fault = -1;
    s->cancel(r.end_ev);
    r.end_ev = kNoEvent;
    if (modes[mi].fm->type == FailureMode::Type::time_bomb) {
      r.armed = false;
      s->cancel(r.expire_ev);
      r.expire_ev = kNoEvent;
    }
    if (clocked(mi)) new_life(mi);
  }

  // A visible failure of mode mi now: take its targets down and start the recovery.
  void occur(int mi, bool hidden) {
    auto& r = mrt[mi];
    if (r.fault >= 0) {
      // Already failed: a hidden fault found by the new one is now visible.
      if (!hidden && faults[r.fault].hidden) {
        reveal(r.fault);
        start_recovery(r.fault);
      }
      return;
    }
    ++r.occurrences;
    int f = new_fault(mi, hidden);
    apply_targets(f);
    record(hidden ? ModelEvent::Kind::hidden_fault : ModelEvent::Kind::fault,
           modes[mi].comp >= 0 ? modes[mi].comp : (modes[mi].targets.empty() ? -1 : modes[mi].targets[0]), mi);
    if (!hidden) start_recovery(f);
  }

  const Recovery& recovery_for(int mi) const {
    const FailureMode& fm = *modes[mi].fm;
    if (fm.escalate_after > 0 && mrt[mi].occurrences > fm.escalate_after && !fm.escalation.empty())
      return fm.escalation;
    return fm.recovery;
  }

  // ================= recovery =================
  void start_recovery(int f) {
    int mi = faults[f].mode;
    const FailureMode& fm = *modes[mi].fm;
    const Recovery& rec = recovery_for(mi);
    if (fm.type == FailureMode::Type::external && fm.duration) {
      auto& r = mrt[mi];
      r.end_ev = s->schedule_after(draw(*fm.duration, r.rng), kExternalEnd, mi);
    }
    if (!rec.runbook.empty()) {
      const Runbook* rb = sc.runbook(rec.runbook);
      if (rb) join_runbook(static_cast<int>(rb - sc.runbooks.data()), f);
      return;
    }
    if (!rec.repair) return;  // no recovery: only an external duration ends it
    int j;
    if (!free_jobs.empty()) {
      j = free_jobs.back();
      free_jobs.pop_back();
    } else {
      j = static_cast<int>(jobs.size());
      jobs.emplace_back();
    }
    Job& job = jobs[j];
    job = Job{};
    job.fault = f;
    job.rec = &rec;
    job.live = true;
    ++live_jobs;
    int owner = modes[mi].comp >= 0 ? modes[mi].comp : (modes[mi].targets.empty() ? -1 : modes[mi].targets[0]);
    if (rec.uses_crew && owner >= 0) job.pool = sc.components[owner].crew_pool;
    if (rec.detect) {
      job.ev = s->schedule_after(draw(*rec.detect, mrt[mi].rng), kDetectDone, j);
    } else {
      after_detect(j);
    }
  }
  // A repair that needs a crew queues for it; free crews are handed out by a
  // zero-delay dispatch event, i.e. after everything else happening at this instant.
  // So a manual switch-over decided at the same instant (the failed unit's own
  // failover) takes the crew first: service before repair (docs/model.md, design V5).
  void after_detect(int j) {
    Job& job = jobs[j];
    if (job.pool >= 0) {
      job.seq = ++job_seq;
      auto& pr = prt[job.pool];
      enqueue(pr, j);
      if (pr.free > 0 && !pr.dispatch_pending) {
        pr.dispatch_pending = true;
        s->schedule_after(0, kCrewDispatch, static_cast<std::uint32_t>(job.pool));
      }
      return;
    }
    begin_repair(j);
  }
  void enqueue(PoolRt& pr, int j) {
    auto it = std::find_if(pr.queue.begin(), pr.queue.end(), [&](int k) { return jobs[k].seq > jobs[j].seq; });
    pr.queue.insert(it, j);
  }
  void dispatch_crews(int p) {
    auto& pr = prt[p];
    pr.dispatch_pending = false;
    while (pr.free > 0 && !pr.queue.empty()) {
      int j = pr.queue.front();
      pr.queue.erase(pr.queue.begin());
      --pr.free;
      jobs[j].has_crew = true;
      begin_repair(j);
    }
  }
  // Starts (or resumes, after a preemption) the hands-on part of a repair.
  void begin_repair(int j) {
    Job& job = jobs[j];
    int mi = faults[job.fault].mode;
    double t = job.remaining >= 0 ? job.remaining : draw(*job.rec->repair, mrt[mi].rng);
    job.remaining = -1;
    job.due = s->now() + t;
    record(ModelEvent::Kind::repair_start, modes[mi].comp >= 0 ? modes[mi].comp : modes[mi].targets.empty() ? -1 : modes[mi].targets[0], mi);
    job.ev = s->schedule_at(job.due, kRepairDone, j);
  }
  void release_crew(int p) {
    auto& pr = prt[p];
    // A manual switch-over waiting for a crew goes first: service before repair.
    if (!pr.manual_wait.empty()) {
      int g = pr.manual_wait.front();
      pr.manual_wait.erase(pr.manual_wait.begin());
      grt[g].manual_waiting_crew = false;
      grt[g].manual_has_crew = true;
      start_manual_clock(g);
      return;
    }
    if (!pr.queue.empty()) {
      int j = pr.queue.front();
      pr.queue.erase(pr.queue.begin());
      jobs[j].has_crew = true;
      begin_repair(j);
      return;
    }
    ++pr.free;
  }
  // A manual switch-over of group g needs a crew of pool p now: a free one, or the one
  // on the repair that started last (that repair waits, keeping its remaining time).
  // False when every crew is on another switch-over.
  bool take_crew_for_switchover(int p) {
    auto& pr = prt[p];
    if (pr.free > 0) {
      --pr.free;
      return true;
    }
    int victim = -1;
    for (int j = 0; j < static_cast<int>(jobs.size()); ++j)
      if (jobs[j].live && jobs[j].has_crew && jobs[j].pool == p && (victim < 0 || jobs[j].seq > jobs[victim].seq)) victim = j;
    if (victim < 0) return false;
    Job& job = jobs[victim];
    s->cancel(job.ev);
    job.ev = kNoEvent;
    job.remaining = std::max(0.0, job.due - s->now());
    job.has_crew = false;
    enqueue(pr, victim);
    return true;
  }
  void finish_job(int j) {
    Job& job = jobs[j];
    job.live = false;
    --live_jobs;
    free_jobs.push_back(j);
    if (job.has_crew) release_crew(job.pool);
    int f = job.fault;
    defuse_or_clear(f);
  }
  void drop_job_of_fault(int f) {
    for (int j = 0; j < static_cast<int>(jobs.size()); ++j) {
      Job& job = jobs[j];
      if (!job.live || job.fault != f) continue;
      s->cancel(job.ev);
      if (job.pool >= 0) {
        auto& q = prt[job.pool].queue;
        q.erase(std::remove(q.begin(), q.end(), j), q.end());
      }
      job.live = false;
      --live_jobs;
      free_jobs.push_back(j);
      if (job.has_crew) release_crew(job.pool);
    }
  }
  // A finished recovery of a time bomb's key before it expired defuses it.
  void defuse_or_clear(int f) {
    Fault& x = faults[f];
    if (!x.expired) {
      record(ModelEvent::Kind::near_miss, modes[x.mode].targets.empty() ? -1 : modes[x.mode].targets[0], x.mode);
    }
    clear_fault(f);
  }

  void join_runbook(int r, int f) {
    RunbookRt& rb = rbs[r];
    if (!rb.active) {
      rb.active = true;
      ++live_rbs;
      const Runbook& def = sc.runbooks[r];
      rb.state.assign(def.steps.size(), 0);
      rb.ev.assign(def.steps.size(), kNoEvent);
      rb.unmet.resize(def.steps.size());
      rb.ready.clear();
      for (std::size_t i = 0; i < def.steps.size(); ++i) {
        rb.unmet[i] = static_cast<int>(rb_step_after[r][i].size());
        if (rb.unmet[i] == 0) rb.ready.push_back(static_cast<int>(i));
      }
      rb.running = rb.done = 0;
      rb.faults.clear();
      rb.faults.push_back(f);
      record(ModelEvent::Kind::runbook_start, r, faults[f].mode);
      start_ready_steps(r);
      return;
    }
    rb.faults.push_back(f);
  }
  bool waits_met(int r, int i) const {
    for (int n : rb_step_waits[r][i])
      if (!func[n]) return false;
    return true;
  }
  // Starts, in step order, the steps whose "after" steps are done and whose "waits_for"
  // parts work, up to max_parallel. Only the ready list is looked at, so a runbook of
  // n steps costs O(n) over its whole run, not O(n) per step.
  void start_ready_steps(int r) {
    RunbookRt& rb = rbs[r];
    const Runbook& def = sc.runbooks[r];
    std::size_t keep = 0, k = 0;
    for (; k < rb.ready.size(); ++k) {
      const int i = rb.ready[k];
      if (def.max_parallel > 0 && rb.running >= def.max_parallel) break;
      if (!waits_met(r, i)) {
        rb.ready[keep++] = i;
        continue;
      }
      rb.state[i] = 1;
      ++rb.running;
      record(ModelEvent::Kind::step_start, r, i);
      rb.ev[i] = s->schedule_after(draw(def.steps[i].duration, rb.rng), kStepDone,
                                   static_cast<std::uint32_t>(r) * 65536u + static_cast<std::uint32_t>(i));
    }
    for (; k < rb.ready.size(); ++k) rb.ready[keep++] = rb.ready[k];
    rb.ready.resize(keep);
  }
  void step_done(int r, int i) {
    RunbookRt& rb = rbs[r];
    const Runbook& def = sc.runbooks[r];
    rb.state[i] = 2;
    --rb.running;
    ++rb.done;
    for (int n : rb_step_next[r][i])
      if (--rb.unmet[n] == 0) rb.ready.insert(std::lower_bound(rb.ready.begin(), rb.ready.end(), n), n);
    record(ModelEvent::Kind::step_done, r, i);
    if (def.steps[i].kind == RunbookStep::Kind::detect) note_detection();
    for (int c : rb_step_restores[r][i]) {
      for (int f : rb.faults) {
        if (!faults[f].live) continue;
        if (c < 0) {
          while (!faults[f].applied.empty()) unapply(f, faults[f].applied.back());
        } else {
          unapply(f, c);
        }
      }
      if (c < 0) continue;
      // A component the step names explicitly is replaced or rebuilt: its other faults,
      // visible or hidden, go with it, and their own repairs are called off.
      for (int f = 0; f < static_cast<int>(faults.size()); ++f) {
        if (!faults[f].live || std::find(rb.faults.begin(), rb.faults.end(), f) != rb.faults.end()) continue;
        if (std::find(faults[f].applied.begin(), faults[f].applied.end(), c) == faults[f].applied.end()) continue;
        unapply(f, c);
        if (faults[f].applied.empty()) {
          drop_job_of_fault(f);
          clear_fault(f);
        }
      }
    }
    if (rb.done == static_cast<int>(def.steps.size())) {
      rb.active = false;
      --live_rbs;
      std::vector<int> fs;
      fs.swap(rb.faults);
      for (int f : fs)
        if (faults[f].live) defuse_or_clear(f);
      return;
    }
    start_ready_steps(r);
  }

  // ================= groups =================
  bool node_ok(int n) const {
    if (n < C) return vis[n] == 0 && hid[n] == 0 && needs_ok[n];
    return func[n];
  }
  int functional_active(int g) const {
    const auto& d = gdefs[g];
    const auto& gr = grt[g];
    int k = 0;
    for (std::size_t i = 0; i < d.members.size(); ++i)
      if (gr.role[i] == 1 && node_ok(d.members[i])) ++k;
    return k;
  }
  int working_members(int g) const {
    int k = 0;
    for (int n : gdefs[g].members) k += node_ok(n) ? 1 : 0;
    return k;
  }
  void set_role(int g, int slot, int role) {
    auto& gr = grt[g];
    if (gr.role[slot] == role) return;
    gr.role[slot] = static_cast<std::int8_t>(role);
    int n = gdefs[g].members[slot];
    if (n < C) refresh_clocks(n);
  }
  // A standby is asked to take over: its hidden faults and on-demand modes are tried.
  bool demand(int n) {
    if (n >= C) return func[n];
    for (int mi : comp_modes[n]) {
      auto& r = mrt[mi];
      if (r.fault >= 0 && faults[r.fault].hidden) {
        reveal(r.fault);
        start_recovery(r.fault);
      }
    }
    for (int mi : comp_modes[n]) {
      const FailureMode& fm = *modes[mi].fm;
      if (fm.type == FailureMode::Type::on_demand && mrt[mi].fault < 0 && chance(fm.p, mrt[mi].rng))
        occur(mi, false);
    }
    return node_ok(n);
  }
  void activate_replacement(int g) {
    const auto& d = gdefs[g];
    auto& gr = grt[g];
    for (std::size_t i = 0; i < d.members.size(); ++i) {
      if (gr.role[i] != 2) continue;
      if (demand(d.members[i])) {
        reconfigure(g, static_cast<int>(i));
        return;
      }
      set_role(g, static_cast<int>(i), 0);
    }
  }
  bool mechanism_ok(int g) const {
    int m = gdefs[g].mechanism;
    return m < 0 || node_ok(m);
  }
  // Moves load after a member was lost: covered (detection + switch-over) or not
  // (down until a manual switch-over). target: the standby slot to activate, or -1.
  void reconfigure(int g, int target) {
    const auto& d = gdefs[g];
    const FailoverPolicy& fp = d.g->failover;
    auto& gr = grt[g];
    bool covered = fp.automatic && mechanism_ok(g);
    if (covered && d.mechanism >= 0 && d.mechanism < C) covered = demand(d.mechanism);
    if (covered && fp.coverage < 1) covered = chance(fp.coverage, gr.rng);
    gr.pending = target;
    if (covered) {
      double w = draw_opt(fp.detection, gr.rng) + draw_opt(fp.switchover, gr.rng);
      record(ModelEvent::Kind::failover, C + g, target >= 0 ? d.members[target] : -1);
      if (w <= 0) {
        finish_window(g);
        return;
      }
      gr.window = 1;
      gr.window_ev = s->schedule_after(w, kWindowEnd, g);
      return;
    }
    record(ModelEvent::Kind::failover_failed, C + g, target >= 0 ? d.members[target] : -1);
    if (!fp.manual) {
      gr.pending = -1;
      return;  // no manual procedure: down until a member comes back
    }
    gr.window = 2;
    if (int p = d.g->crew_pool; p >= 0) {
      if (!take_crew_for_switchover(p)) {
        gr.manual_waiting_crew = true;
        prt[p].manual_wait.push_back(g);
        return;
      }
      gr.manual_has_crew = true;
    }
    start_manual_clock(g);
  }
  void start_manual_clock(int g) {
    auto& gr = grt[g];
    gr.window_ev = s->schedule_after(draw(*gdefs[g].g->failover.manual, gr.rng), kManualDone, g);
  }
  void finish_window(int g) {
    auto& gr = grt[g];
    int was = gr.window;
    gr.window = 0;
    gr.window_ev = kNoEvent;
    if (gr.manual_has_crew) {
      gr.manual_has_crew = false;
      release_crew(gdefs[g].g->crew_pool);
    }
    int t = gr.pending;
    gr.pending = -1;
    if (was != 0) record(ModelEvent::Kind::switchover_done, C + g, t >= 0 ? gdefs[g].members[t] : -1);
    if (was != 0) note_detection();
    if (t >= 0) {
      if (gr.role[t] == 2 && node_ok(gdefs[g].members[t])) set_role(g, t, 1);
      else if (gdefs[g].g->mode == Group::Mode::active_standby) activate_replacement(g);
    }
    mark(C + g);
  }
  void abandon_window(int g) {
    auto& gr = grt[g];
    s->cancel(gr.window_ev);
    gr.window_ev = kNoEvent;
    gr.window = 0;
    gr.pending = -1;
    int p = gdefs[g].g->crew_pool;
    if (gr.manual_waiting_crew) {
      gr.manual_waiting_crew = false;
      auto& w = prt[p].manual_wait;
      w.erase(std::remove(w.begin(), w.end(), g), w.end());
    }
    if (gr.manual_has_crew) {
      gr.manual_has_crew = false;
      release_crew(p);
    }
  }
  void member_lost(int g, int slot) {
    auto& gr = grt[g];
    const Group& def = *gdefs[g].g;
    int was = gr.role[slot];
    set_role(g, slot, 0);
    if (gr.pending == slot) {
      abandon_window(g);
      if (def.mode == Group::Mode::active_standby) activate_replacement(g);
      return;
    }
    if (gr.window != 0) {
      // Nothing left to switch to: the switch-over is abandoned and its crew goes to
      // the repairs (design V5: D -> 0 when the remaining unit fails).
      if (working_members(g) < def.need) abandon_window(g);
      return;
    }
    if (was != 1) return;
    if (def.mode == Group::Mode::active_standby) {
      activate_replacement(g);
    } else if (functional_active(g) >= def.need) {
      reconfigure(g, -1);
    }
  }
  void member_back(int g, int slot) {
    auto& gr = grt[g];
    const Group& def = *gdefs[g].g;
    // A lost member back during a manual switch-over: the service returns on it and
    // the switch-over is called off.
    if (gr.window == 2 && slot != gr.pending) abandon_window(g);
    if (def.mode == Group::Mode::active_active) {
      set_role(g, slot, 1);
      return;
    }
    if (gr.window == 0 && functional_active(g) < def.need) {
      set_role(g, slot, 1);
      return;
    }
    set_role(g, slot, 2);
    if (def.failover.failback && gr.window == 0) {
      // Return to the preferred member: it takes over from the least preferred active one.
      for (int i = static_cast<int>(gdefs[g].members.size()) - 1; i > slot; --i)
        if (gr.role[i] == 1) {
          set_role(g, i, 2);
          set_role(g, slot, 1);
          record(ModelEvent::Kind::failover, C + g, gdefs[g].members[slot]);
          break;
        }
    }
  }
  // The group node whose member scan is running: what the scan does to the group itself
  // (a failover window that ends at once) is read by the evaluation that follows it, so
  // the group need not be marked for a second pass.
  int members_scan = -1;
  bool recompute_group(int g) {
    const auto& d = gdefs[g];
    auto& gr = grt[g];
    members_scan = C + g;
    for (std::size_t i = 0; i < d.members.size(); ++i) {
      int n = d.members[i];
      char f = func[n], v = visdown[n];
      if (gr.seen_func[i] && !f) {
        gr.seen_func[i] = 0;
        gr.seen_vis[i] = v;
        if (v) member_lost(g, static_cast<int>(i));
      } else if (!gr.seen_func[i] && f) {
        gr.seen_func[i] = 1;
        gr.seen_vis[i] = 0;
        member_back(g, static_cast<int>(i));
      } else if (!f && v && !gr.seen_vis[i]) {
        gr.seen_vis[i] = 1;
        member_lost(g, static_cast<int>(i));
      }
    }
    members_scan = -1;
    bool raw = gr.window == 0 && functional_active(g) >= d.g->need;
    if (raw != gr.raw) {
      gr.raw = raw;
      // Carrying the load is a demand on the UPS: its hidden faults show now (and
      // their repairs start), as a standby's do when it is asked to take over.
      if (!raw && d.bridge >= 0 && d.battery > 0 && demand(d.bridge)) {
        gr.bridging = true;
        gr.bridge_ev = s->schedule_after(d.battery, kBridgeOut, g);
        record(ModelEvent::Kind::bridge_start, C + g, d.bridge);
      } else if (raw && gr.bridging) {
        gr.bridging = false;
        s->cancel(gr.bridge_ev);
        gr.bridge_ev = kNoEvent;
      }
    }
    if (gr.bridging && d.bridge >= 0 && !node_ok(d.bridge)) {
      gr.bridging = false;
      s->cancel(gr.bridge_ev);
      gr.bridge_ev = kNoEvent;
    }
    return gr.raw || gr.bridging;
  }

  // ================= structure =================
  bool eval(const CExpr& e) const {
    switch (e.op) {
      case Expr::Op::ref: return e.node >= 0 && func[e.node];
      case Expr::Op::all:
        for (const auto& a : e.args)
          if (!eval(a)) return false;
        return true;
      case Expr::Op::any:
        for (const auto& a : e.args)
          if (eval(a)) return true;
        return false;
      case Expr::Op::at_least: {
        int k = 0;
        for (const auto& a : e.args) k += eval(a) ? 1 : 0;
        return k >= e.k;
      }
    }
    return false;
  }

  void recompute(int n) {
    char f, v;
    if (n < C) {
      bool ok = true;
      for (int x : needs[n])
        if (!func[x]) {
          ok = false;
          break;
        }
      bool lost_need = needs_ok[n] && !ok;
      needs_ok[n] = ok;
      if (lost_need)
        for (int mi : dep_modes[n])
          if (mrt[mi].fault < 0) occur(mi, false);
      f = vis[n] == 0 && hid[n] == 0 && ok;
      v = !f && (vis[n] > 0 || !ok);
      if (func[n] && !f && storage_peer[n] >= 0 && func[storage_peer[n]]) data_lost(n);
    } else if (n < C + G) {
      f = recompute_group(n - C);
      v = !f;
    } else {
      f = eval(block_expr[n - C - G]);
      v = !f;
    }
    if (f != func[n] || v != visdown[n]) {
      if (f != func[n] && svc_uses[n]) svc_dirty = true;
      if (n < C && f != func[n] && observer) observer(n, f != 0);
      func[n] = f;
      visdown[n] = v;
      for (int d : dependents[n]) mark(d);
    }
  }

  Model::ComponentObserver observer;

  void data_lost(int c) {
    const auto& rep = *sc.components[c].replication;
    if (!rep.lag) return;
    double lag = draw(*rep.lag, mrt.empty() || comp_modes[c].empty() ? grt_rng_fallback : mrt[comp_modes[c][0]].rng);
    res.data_loss += lag;
    ++res.data_loss_events;
    res.data_losses.push_back(lag);
  }
  RandomStream grt_rng_fallback;

  void propagate() {
    bool any = false;
    while (min_dirty < N) {
      int start = min_dirty;
      min_dirty = N;
      for (int p = next_dirty(start); p < N; p = next_dirty(p + 1)) {
        dirty_bits[static_cast<std::size_t>(p) >> 6] &= ~(std::uint64_t{1} << (p & 63));
        any = true;
        recompute(topo[p]);
        if (min_dirty <= p) break;  // something earlier changed (a demand): rescan from there
      }
    }
    // Runbook steps waiting for something to work may start now (starting a step only
    // schedules it: nothing is marked).
    if (any && live_rbs > 0)
      for (int r = 0; r < static_cast<int>(rbs.size()); ++r)
        if (rbs[r].active) start_ready_steps(r);
    update_service();
  }

  void note_detection() {
    if (outage_open && cur.detected < 0) cur.detected = s->now();
  }

  // A site's recovery (objectives.sites): the intervals its required node is down.
  void update_sites() {
    for (std::size_t k = 0; k < site_node.size(); ++k) {
      const bool down = site_node[k] >= 0 && !func[site_node[k]];
      if (down == (site_since[k] >= 0)) continue;
      if (down) {
        site_since[k] = s->now();
      } else {
        close_site(k, s->now());
      }
    }
  }
  void close_site(std::size_t k, double now) {
    if (site_since[k] < 0) return;
    if (now > site_since[k]) res.site_down[k].emplace_back(site_since[k], now);
    site_since[k] = -1;
  }

  void update_service() {
    if (!svc_dirty) return;  // nothing it reads changed
    svc_dirty = false;
    if (!site_node.empty()) update_sites();
    int state = 0;
    std::uint64_t feat = 0;
    if (!eval(svc_requires)) {
      state = 2;
    } else {
      for (std::size_t i = 0; i < feat_expr.size() && i < 64; ++i)
        if (!eval(feat_expr[i])) feat |= 1ull << i;
      if (feat) state = 1;
    }
    if (state == svc_state && feat == svc_feat) return;
    double now = s->now();
    double since = cur.start;
    close_outage(now);
    svc_state = state;
    svc_feat = feat;
    if (state != 0) {
      outage_open = true;
      cur = Outage{};
      cur.start = now;
      cur.full = state == 2;
      for (int i = 0; i < 64; ++i)
        if (feat >> i & 1) cur.features.push_back(i);
      cur.cause = last_cause;
      record(state == 2 ? ModelEvent::Kind::service_down : ModelEvent::Kind::service_degraded, last_cause);
    } else {
      record(ModelEvent::Kind::service_up, last_cause, -1);
      (void)since;
    }
  }
  void close_outage(double now) {
    if (!outage_open) return;
    outage_open = false;
    cur.end = now;
    double d = now - cur.start;
    if (cur.full) {
      res.downtime_full += d;
      if (cur.cause >= 0) res.downtime_by_cause[cur.cause] += d;
    } else {
      res.downtime_degraded += d;
    }
    if (d > 0) res.outages.push_back(cur);
  }

  // ================= time bombs =================
  void renewal(int mi, bool injected) {
    auto& r = mrt[mi];
    const FailureMode& fm = *modes[mi].fm;
    if (!injected && fm.renew_every > 0) r.renew_ev = s->schedule_after(fm.renew_every, kRenewal, mi);
    if (r.fault >= 0 && faults[r.fault].expired) return;  // the outage's recovery installs a new key
    // A new key replaces whatever was installed, bad or not.
    if (r.armed) {
      r.armed = false;
      s->cancel(r.expire_ev);
      s->cancel(r.alert_ev);
      if (r.fault >= 0) {
        drop_job_of_fault(r.fault);
        clear_fault(r.fault);
      }
    }
    bool wrong = injected || chance(fm.p_wrong, r.rng);
    if (!wrong) return;
    if (fm.audit_coverage > 0 && chance(fm.audit_coverage, r.rng)) {
      record(ModelEvent::Kind::near_miss, modes[mi].targets.empty() ? -1 : modes[mi].targets[0], mi);
      return;
    }
    r.armed = true;
    double fuse = fm.fuse ? draw(*fm.fuse, r.rng) : 0;
    r.expire_ev = s->schedule_after(fuse, kBombExpire, mi);
    if (fm.alert_ahead > 0) r.alert_ev = s->schedule_after(std::max(0.0, fuse - fm.alert_ahead), kBombAlert, mi);
  }
  void bomb_alert(int mi) {
    auto& r = mrt[mi];
    r.alert_ev = kNoEvent;
    if (!r.armed || r.fault >= 0) return;
    // Replace the key before it expires: the recovery runs with nothing down yet.
    ++r.occurrences;
    int f = new_fault(mi, false);
    faults[f].expired = false;
    start_recovery(f);
  }
  void bomb_expire(int mi) {
    auto& r = mrt[mi];
    r.expire_ev = kNoEvent;
    r.armed = false;
    s->cancel(r.alert_ev);
    r.alert_ev = kNoEvent;
    if (r.fault >= 0) {
      Fault& x = faults[r.fault];
      x.expired = true;
      apply_targets(r.fault);
      record(ModelEvent::Kind::fault, modes[mi].targets.empty() ? -1 : modes[mi].targets[0], mi);
      return;
    }
    occur(mi, false);
  }

  // ================= trial =================
  void begin(Scheduler& sch, std::uint64_t sd, std::uint64_t tr) {
    s = &sch;
    seed = sd;
    trial = tr;
    reset_result();
    log.clear();
    std::fill(func.begin(), func.end(), 1);
    std::fill(visdown.begin(), visdown.end(), 0);
    std::fill(dirty_bits.begin(), dirty_bits.end(), 0);
    min_dirty = N;
    std::fill(vis.begin(), vis.end(), 0);
    std::fill(hid.begin(), hid.end(), 0);
    std::fill(needs_ok.begin(), needs_ok.end(), 1);
    faults.clear();
    free_faults.clear();
    live_faults = 0;
    jobs.clear();
    free_jobs.clear();
    live_jobs = 0;
    live_rbs = 0;
    last_cause = -1;
    svc_state = 0;
    svc_feat = 0;
    outage_open = false;
    svc_dirty = false;
    site_since.assign(site_node.size(), -1);
    for (int r = 0; r < static_cast<int>(rbs.size()); ++r) {
      RunbookRt& rb = rbs[r];  // reset in place: its vectors keep their capacity
      rb.active = false;
      rb.state.clear();
      rb.unmet.clear();
      rb.ready.clear();
      rb.ev.clear();
      rb.running = rb.done = 0;
      rb.faults.clear();
      rb.rng = RandomStream(seed, trial, rb_stream[r]);
    }
    for (int g = 0; g < G; ++g) {
      auto& gr = grt[g];
      const auto& d = gdefs[g];
      // Reset in place (GroupRt's defaults), keeping the vectors' capacity.
      gr.window = 0;
      gr.pending = -1;
      gr.window_ev = kNoEvent;
      gr.raw = true;
      gr.bridging = false;
      gr.bridge_ev = kNoEvent;
      gr.manual_waiting_crew = gr.manual_has_crew = false;
      gr.rng = RandomStream(seed, trial, d.stream);
      std::size_t m = d.members.size();
      gr.role.assign(m, 1);
      if (d.g->mode == Group::Mode::active_standby)
        for (std::size_t i = static_cast<std::size_t>(std::max(0, d.g->need)); i < m; ++i) gr.role[i] = 2;
      gr.seen_func.assign(m, 1);
      gr.seen_vis.assign(m, 0);
    }
    job_seq = 0;
    for (std::size_t p = 0; p < prt.size(); ++p) {
      prt[p].free = sc.crews[p].size;
      prt[p].queue.clear();
      prt[p].manual_wait.clear();
      prt[p].dispatch_pending = false;
    }
    grt_rng_fallback = RandomStream(seed, trial, fnv1a("data-loss"));
    for (int mi = 0; mi < static_cast<int>(modes.size()); ++mi) {
      mrt[mi] = ModeRt{};
      mrt[mi].rng = RandomStream(seed, trial, modes[mi].stream);
    }
    for (int mi = 0; mi < static_cast<int>(modes.size()); ++mi) {
      const FailureMode& fm = *modes[mi].fm;
      auto& r = mrt[mi];
      switch (fm.type) {
        case FailureMode::Type::random:
        case FailureMode::Type::latent:
          new_life(mi);
          if (fm.type == FailureMode::Type::latent && fm.proof_interval > 0)
            r.proof_ev = s->schedule_at(fm.proof_offset > 0 ? fm.proof_offset : fm.proof_interval, kProofTest, mi);
          break;
        case FailureMode::Type::external:
        case FailureMode::Type::change:
          if (opt.random_failures) schedule_arrival(mi);
          break;
        case FailureMode::Type::time_bomb:
          if (opt.random_failures && fm.renew_every > 0)
            r.renew_ev = s->schedule_at(fm.renew_every * (opt.point ? 0.5 : r.rng.uniform()), kRenewal, mi);
          break;
        default:
          break;
      }
    }
    injections_pending = 0;
    inj_left.assign(sc.injections.size(), 0);
    for (int i = 0; i < static_cast<int>(sc.injections.size()); ++i) {
      const auto& inj = sc.injections[i];
      inj_left[i] = std::max(1, inj.repeat);
      injections_pending += inj_left[i];
      s->schedule_at(inj.at, kInjection, i);
    }
  }

  void inject(int i) {
    const Injection& inj = sc.injections[i];
    --injections_pending;
    if (--inj_left[i] > 0 && inj.every > 0) s->schedule_after(inj.every, kInjection, i);
    int mi = inj_mode[i];
    record(ModelEvent::Kind::injection, i, mi);
    if (mi < 0) return;
    switch (inj.action) {
      case Injection::Action::latent: occur(mi, true); break;
      case Injection::Action::arm: renewal(mi, true); break;
      case Injection::Action::expire:
        if (mrt[mi].armed || mrt[mi].fault >= 0) {
          s->cancel(mrt[mi].expire_ev);
          bomb_expire(mi);
        } else {
          occur(mi, false);
        }
        break;
      default:
        if (mrt[mi].fault >= 0 && faults[mrt[mi].fault].hidden) {
          reveal(mrt[mi].fault);
          start_recovery(mrt[mi].fault);
        } else if (!caught_by_qa(mi)) {
          occur(mi, false);
        }
        break;
    }
  }
  // A bad change that QA stops before it ships: a near miss, no fault.
  bool caught_by_qa(int mi) {
    const FailureMode& fm = *modes[mi].fm;
    if (fm.type != FailureMode::Type::change || fm.audit_coverage <= 0) return false;
    if (!chance(fm.audit_coverage, mrt[mi].rng)) return false;
    record(ModelEvent::Kind::near_miss, modes[mi].comp, mi);
    return true;
  }

  void fire(std::uint32_t h, std::uint32_t arg) {
    ++res.events;
    int a = static_cast<int>(arg);
    switch (h) {
      case kModeFire: {
        auto& r = mrt[a];
        r.ev = kNoEvent;
        const FailureMode& fm = *modes[a].fm;
        if (fm.type == FailureMode::Type::external || fm.type == FailureMode::Type::change) {
          schedule_arrival(a);  // arrivals go on; one at a time holds the targets
          if (r.fault < 0 && !caught_by_qa(a)) occur(a, false);
        } else {
          occur(a, fm.type == FailureMode::Type::latent);
        }
        break;
      }
      case kProofTest: {
        const FailureMode& fm = *modes[a].fm;
        auto& r = mrt[a];
        r.proof_ev = s->schedule_after(fm.proof_interval, kProofTest, a);
        if (r.fault >= 0 && faults[r.fault].hidden && chance(fm.proof_coverage, r.rng)) {
          reveal(r.fault);
          start_recovery(r.fault);
        }
        break;
      }
      case kDetectDone:
        jobs[a].ev = kNoEvent;
        note_detection();
        record(ModelEvent::Kind::detected, faults[jobs[a].fault].mode);
        after_detect(a);
        break;
      case kRepairDone: finish_job(a); break;
      case kCrewDispatch: dispatch_crews(a); break;
      case kStepDone: step_done(static_cast<int>(arg >> 16), static_cast<int>(arg & 0xffff)); break;
      case kWindowEnd:
      case kManualDone: finish_window(a); break;
      case kBridgeOut:
        grt[a].bridging = false;
        grt[a].bridge_ev = kNoEvent;
        record(ModelEvent::Kind::bridge_end, C + a, gdefs[a].bridge);
        mark(C + a);
        break;
      case kInjection: inject(a); break;
      case kExternalEnd: {
        mrt[a].end_ev = kNoEvent;
        int f = mrt[a].fault;
        if (f >= 0) {
          drop_job_of_fault(f);
          for (auto& rb : rbs) rb.faults.erase(std::remove(rb.faults.begin(), rb.faults.end(), f), rb.faults.end());
          clear_fault(f);
        }
        break;
      }
      case kRenewal: renewal(a, false); break;
      case kBombExpire: bomb_expire(a); break;
      case kBombAlert: bomb_alert(a); break;
      default: assert(false && "unknown handler");
    }
    propagate();
  }

  bool finished() const {
    if (sc.injections.empty()) return false;
    if (injections_pending > 0 || svc_state != 0 || live_jobs > 0 || live_rbs > 0) return false;
    for (int f = 0; f < static_cast<int>(faults.size()); ++f)
      if (faults[f].live && !faults[f].hidden) return false;
    for (const auto& gr : grt)
      if (gr.window != 0) return false;
    // A wrong key installed by the drill has not gone off yet.
    for (const auto& r : mrt)
      if (r.armed) return false;
    return true;
  }

  std::string describe(const ModelEvent& e) const;
};

std::string Model::Impl::describe(const ModelEvent& e) const {
  using K = ModelEvent::Kind;
  auto node = [&](int n) { return n >= 0 && n < N ? names[n] : std::string("?"); };
  auto mode_text = [&](int mi) -> std::string {
    if (mi < 0) return "";
    const auto& m = modes[mi];
    std::string who;
    for (std::size_t i = 0; i < m.targets.size(); ++i) who += (i ? ", " : "") + names[m.targets[i]];
    std::string what;
    switch (m.fm->type) {
      case FailureMode::Type::random: what = "failed"; break;
      case FailureMode::Type::latent: what = "failed"; break;
      case FailureMode::Type::on_demand: what = "failed on demand"; break;
      case FailureMode::Type::time_bomb: what = "licence/certificate expired"; break;
      case FailureMode::Type::external: what = "outside event"; break;
      case FailureMode::Type::change: what = "bad change deployed"; break;
      case FailureMode::Type::dependency: what = "lost what it needs abruptly"; break;
    }
    std::string s = who + "  " + what + " (" + m.fm->id;
    if (m.cc >= 0) s += ", shared: " + m.label;
    return s + ")";
  };
  switch (e.kind) {
    case K::fault: return mode_text(e.b);
    case K::hidden_fault: return mode_text(e.b) + " [hidden]";
    case K::revealed: return mode_text(e.b) + " found";
    case K::near_miss:
      if (e.b >= 0 && modes[e.b].fm->type == FailureMode::Type::change) return "bad change of " + modes[e.b].label + " stopped by QA";
      return "bad key of " + (e.b >= 0 ? modes[e.b].label : std::string("?")) + " caught before it expired";
    case K::restored: return node(e.a) + "  restored";
    case K::failover:
      // Active-active groups name no target: the load moves to the members still working.
      return node(e.a) + (e.b >= 0 ? "  failover to " + node(e.b) : std::string("  failover: load moves to the members still working"));
    case K::failover_failed: {
      const int g = e.a - C;
      const bool automatic = g >= 0 && g < static_cast<int>(gdefs.size()) && gdefs[g].g->failover.automatic;
      return node(e.a) + (automatic ? "  failover did not work: manual switch-over" : "  no automatic failover: manual switch-over");
    }
    case K::switchover_done: return node(e.a) + "  switch-over done" + (e.b >= 0 ? " (" + node(e.b) + " active)" : std::string());
    case K::bridge_start: return node(e.a) + "  on " + node(e.b) + " battery";
    case K::bridge_end: return node(e.a) + "  " + node(e.b) + " battery exhausted";
    case K::step_done: {
      const auto& rb = sc.runbooks[e.a];
      const auto& st = rb.steps[e.b];
      return (rb.name.empty() ? rb.id : rb.name) + ": " + (st.name.empty() ? st.id : st.name) + " done";
    }
    case K::detected: return "detected: " + (e.a >= 0 ? modes[e.a].label : std::string("?"));
    case K::injection: {
      const auto& inj = sc.injections[e.a];
      return "injected: " + inj.target + (inj.note.empty() ? "" : " — " + inj.note);
    }
    case K::service_down: return "service DOWN";
    case K::service_degraded: return "service DEGRADED";
    case K::service_up: return "service UP";
    case K::runbook_start: return "runbook " + (sc.runbooks[e.a].name.empty() ? sc.runbooks[e.a].id : sc.runbooks[e.a].name) + " started";
    case K::step_start: {
      const auto& rb = sc.runbooks[e.a];
      const auto& st = rb.steps[e.b];
      return (rb.name.empty() ? rb.id : rb.name) + ": " + (st.name.empty() ? st.id : st.name) + " started";
    }
    case K::repair_start: return node(e.a) + "  repair started (" + (e.b >= 0 ? modes[e.b].fm->id : std::string("?")) + ")";
  }
  return "?";
}

Model::Model(const Scenario& scenario, ModelOptions options) : impl_(new Impl(scenario, options)) {}
Model::~Model() { delete impl_; }
void Model::begin_trial(Scheduler& s, std::uint64_t seed, std::uint64_t trial) {
  impl_->begin(s, seed, trial);
  impl_->propagate();
}
void Model::fire(std::uint32_t h, std::uint32_t arg) { impl_->fire(h, arg); }
bool Model::finished() const { return impl_->finished(); }
const TrialResult& Model::end_trial(double t_end) {
  impl_->close_outage(t_end);
  for (std::size_t k = 0; k < impl_->site_node.size(); ++k) impl_->close_site(k, t_end);
  impl_->res.end_time = t_end;
  judge_objectives(impl_->objective_specs_, impl_->res);
  return impl_->res;
}
const std::vector<ModelEvent>& Model::events() const { return impl_->log; }
const Scenario& Model::scenario() const { return impl_->sc; }
const std::vector<std::string>& Model::cause_names() const { return impl_->cause_names; }
std::string Model::describe(const ModelEvent& e) const { return impl_->describe(e); }
const std::string& Model::node_name(int i) const { return impl_->names.at(i); }
const std::string& Model::mode_label(int i) const { return impl_->modes.at(i).label; }
void Model::set_observer(ComponentObserver o) { impl_->observer = std::move(o); }

}  // namespace drsim
