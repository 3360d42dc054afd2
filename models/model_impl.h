// Model::Impl, the inside of the executable model (models/model.h), shared by the files
// that implement it — one file per mechanism, the way SimGrid's kernel splits into
// resource models. docs/architecture.md "Inside the model" is the map:
//
//   model_compile.cpp    Scenario -> index-based definitions (this header's first part)
//   model_failures.cpp   failure processes: clocks, arrivals, faults, time bombs, injections
//   model_recovery.cpp   recovery: detection, repair jobs, crew pools
//   model_runbooks.cpp   runbooks: steps, their order and waits
//   model_groups.cpp     redundancy groups and failover
//   model_structure.cpp  structure: what works, propagated in topological order
//   model_service.cpp    the service and sites: outages, causes, site recoveries
//   model.cpp            the trial: reset, first events, the event dispatch, the public API
//   model_describe.cpp   ModelEvent -> one line of a timeline
//
// Each section below holds one mechanism's per-trial state and the functions of its
// file; a mechanism reads others' state but changes it only through their functions
// (the one exception is said where it is). Semantics: docs/model.md.
//
// Internal: include it only from the files above.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "models/model.h"

namespace drsim {

struct Model::Impl {
  // What an event the model scheduled means when it fires (Model::fire's `handler`).
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

  // ================= compiled, immutable (model_compile.cpp) =================
  // Nodes are numbered components [0, C), groups [C, C+G), blocks [C+G, N).
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
  std::unordered_map<std::string, int> node_index;
  std::vector<std::vector<int>> needs;     // component -> needed nodes
  std::vector<CExpr> block_expr;
  std::vector<std::vector<int>> dependents;  // node -> nodes to recompute
  std::vector<int> topo, topo_pos;
  std::vector<int> comp_group;             // component -> group index or -1
  std::vector<int> comp_member_slot;
  std::vector<int> node_member_group, node_member_slot;  // any node -> group it is a member of
  std::vector<std::vector<std::pair<int, int>>> memberships;  // node -> every (group, slot) it fills
  std::vector<GroupDef> gdefs;
  std::vector<ModeDef> modes;
  std::vector<std::vector<int>> comp_modes;  // component -> modes it owns
  std::vector<std::vector<int>> clocked_modes;  // component -> its random and latent modes, in comp_modes order
  std::vector<std::vector<int>> dep_modes;   // component -> its on_dependency_loss modes
  std::vector<int> storage_peer;             // component -> replication peer or -1
  std::vector<std::uint64_t> rb_stream;
  std::vector<std::vector<std::vector<int>>> rb_step_after;
  std::vector<std::vector<std::vector<int>>> rb_step_next;  // steps that name this one in "after"
  std::vector<std::vector<std::vector<int>>> rb_step_restores;  // -1 = $targets
  std::vector<std::vector<std::vector<int>>> rb_step_waits;
  CExpr svc_requires;
  std::vector<CExpr> feat_expr;
  std::vector<char> svc_uses;              // node the service, a feature or a site objective reads
  std::vector<int> site_node;              // per objectives.sites entry: the node it requires
  std::vector<std::string> cause_names;
  std::vector<int> inj_mode;               // injection -> mode index
  std::vector<ObjectiveSpec> objective_specs_;  // objective_specs(sc), once

  Impl(const Scenario& scenario, ModelOptions o) : sc(scenario), opt(o), objective_specs_(objective_specs(scenario)) { compile(); }

  void compile();
  void compile_nodes();
  void compile_groups();
  void compile_blocks_and_service();
  void compile_order();
  void compile_owned_modes();
  void compile_common_causes();
  void compile_runbooks();
  void size_trial_state();
  int node_of(const std::string& id) const {
    auto it = node_index.find(id);
    return it == node_index.end() ? -1 : it->second;
  }
  CExpr compile_expr(const Expr& e);
  static void expr_refs(const CExpr& e, std::vector<int>& out);
  int find_injection_mode(const Injection& inj) const;

  // ================= the trial (model.cpp) =================
  Scheduler* s = nullptr;
  std::uint64_t seed = 0, trial = 0;
  std::vector<ModelEvent> log;
  Model::ComponentObserver observer;

  void begin(Scheduler& sch, std::uint64_t sd, std::uint64_t tr);
  void reset_trial_state();
  void reset_groups();
  void schedule_first_events();
  void fire(std::uint32_t h, std::uint32_t arg);
  bool finished() const;
  std::string describe(const ModelEvent& e) const;  // model_describe.cpp

  // Draws: at the median in point mode (a replay), else from the stream.
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

  // ================= failure processes (model_failures.cpp) =================
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
  std::vector<int> vis, hid;   // per component: visible and hidden faults holding it down
  int last_cause = -1;         // the cause the next outage is charged to
  std::vector<int> inj_left;
  int injections_pending = 0;

  // Clocks: a random or latent mode ages while its unit runs in the role it fails in.
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
  void new_life(int mi);
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
    for (int mi : clocked_modes[c]) reclock(mi);
  }
  // Arrivals: outside events and changes recur as a process, whatever holds the targets.
  void schedule_arrival(int mi);
  void mode_fired(int mi);
  void proof_test(int mi);
  void external_ended(int mi);
  // Faults: a failure's targets held down until its recovery clears it.
  int new_fault(int mi, bool hidden);
  // A loss of what a component needs is a consequence, not a cause: outages are charged
  // to the fault that started the chain.
  bool is_consequence(int mi) const { return modes[mi].fm->type == FailureMode::Type::dependency; }
  void apply_targets(int f);
  void reveal(int f);
  void unapply(int f, int c);
  void clear_fault(int f);
  void occur(int mi, bool hidden);
  // Time bombs: keys renewed, wrong ones expiring unless caught.
  void renewal(int mi, bool injected);
  void bomb_alert(int mi);
  void bomb_expire(int mi);
  // Drill injections.
  void inject(int i);
  bool caught_by_qa(int mi);

  // ================= recovery: detection, repairs, crews (model_recovery.cpp) =================
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

  const Recovery& recovery_for(int mi) const;
  void start_recovery(int f);
  void detected(int j);
  void after_detect(int j);
  void enqueue(PoolRt& pr, int j) {
    auto it = std::find_if(pr.queue.begin(), pr.queue.end(), [&](int k) { return jobs[k].seq > jobs[j].seq; });
    pr.queue.insert(it, j);
  }
  void dispatch_crews(int p);
  void begin_repair(int j);
  void release_crew(int p);
  bool take_crew_for_switchover(int p);
  void finish_job(int j);
  void drop_job_of_fault(int f);
  void defuse_or_clear(int f);

  // ================= runbooks (model_runbooks.cpp) =================
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

  void join_runbook(int r, int f);
  bool waits_met(int r, int i) const {
    for (int n : rb_step_waits[r][i])
      if (!func[n]) return false;
    return true;
  }
  void start_ready_steps(int r);
  void step_done(int r, int i);

  // ================= redundancy groups and failover (model_groups.cpp) =================
  struct GroupRt {
    std::vector<std::int8_t> role;   // 0 none, 1 active, 2 standby
    std::vector<char> seen_func, seen_vis;
    // Slots whose member's func or visdown changed since the group's last member scan:
    // the scan visits only these (for the others it would do nothing).
    std::vector<std::uint64_t> changed;
    int window = 0;                  // 0 none, 1 covered failover, 2 manual
    int pending = -1;
    EventId window_ev = kNoEvent;
    bool raw = true, bridging = false;
    EventId bridge_ev = kNoEvent;
    bool manual_waiting_crew = false, manual_has_crew = false;
    // Counters kept where a member's node_ok() or role changes (set_ok(), set_role()):
    // members active and working, and members working.
    int active_ok = 0, working = 0;
    RandomStream rng;
  };
  std::vector<GroupRt> grt;
  // The group node whose member scan is running: what the scan does to the group itself
  // (a failover window that ends at once) is read by the evaluation that follows it, so
  // the group need not be marked for a second pass (see mark()).
  int members_scan = -1;

  int role_of(int c) const {
    int g = comp_group[c];
    return g < 0 ? 1 : grt[g].role[comp_member_slot[c]];
  }
  int functional_active(int g) const { return grt[g].active_ok; }
  int working_members(int g) const { return grt[g].working; }
  void set_role(int g, int slot, int role);
  bool demand(int n);
  void activate_replacement(int g);
  bool mechanism_ok(int g) const {
    int m = gdefs[g].mechanism;
    return m < 0 || node_ok(m);
  }
  void reconfigure(int g, int target);
  void start_manual_clock(int g);
  void finish_window(int g);
  void abandon_window(int g);
  void member_lost(int g, int slot);
  void member_back(int g, int slot);
  inline bool recompute_group(int g);
  void bridge_out(int g);

  // ================= structure: what works (model_structure.cpp) =================
  std::vector<char> func, visdown;  // per node: works; down for a reason someone can see
  std::vector<char> needs_ok;       // per component: everything it needs works
  // node_ok() of every node, kept up to date where its inputs change: for a component,
  // no fault holds it down and what it needs works (fresher than func, which changes at
  // its recompute); for a group or block, func.
  std::vector<char> ok_;
  // Nodes to recompute, as a bitset over topological positions; min_dirty <= the first.
  std::vector<std::uint64_t> dirty_bits;
  int min_dirty = 0;
  RandomStream grt_rng_fallback;    // data-loss draws of a component with no mode

  bool node_ok(int n) const {
    return ok_[n];
  }
  // The one way ok_ changes: the counters of the groups n is a member of follow it.
  void set_ok(int n, bool v) {
    if (ok_[n] == v) return;
    ok_[n] = v;
    const int d = v ? 1 : -1;
    for (auto [g, slot] : memberships[n]) {
      auto& gr = grt[g];
      gr.working += d;
      if (gr.role[slot] == 1) gr.active_ok += d;
    }
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
  inline void recompute(int n);
  void data_lost(int c);
  void propagate();

  // ================= the service and sites (model_service.cpp) =================
  TrialResult res;
  int svc_state = 0;  // 0 up, 1 degraded, 2 down
  std::uint64_t svc_feat = 0;
  bool outage_open = false;
  Outage cur;
  std::vector<double> site_since;  // per site_node: when it went down, -1 = working
  bool svc_dirty = false;          // a node in svc_uses changed since update_service()

  void reset_result();
  void note_detection() {
    if (outage_open && cur.detected < 0) cur.detected = s->now();
  }
  void update_sites();
  void close_site(std::size_t k, double now);
  void update_service();
  void open_outage(int state, std::uint64_t feat, double now);
  void close_outage(double now);
  const TrialResult& end(double t_end);
};

}  // namespace drsim
