// Compiling a scenario for MarkovModel: its failure modes (beta splits and common
// causes applied), group slots, crew pools and the group order, refusing with the JSON
// pointer whatever is outside the two Markovian classes (analysis/markov.h).
#include <cmath>
#include <functional>
#include <map>

#include "analysis/markov_model_impl.h"

namespace drsim::markov_detail {

bool Builder::compile() {
  for (const auto& c : sc_.components) names_.push_back(c.id);
  for (const auto& g : sc_.groups) names_.push_back(g.id);
  for (const auto& b : sc_.blocks) names_.push_back(b.id);
  C_ = static_cast<int>(sc_.components.size());
  G_ = static_cast<int>(sc_.groups.size());
  for (const auto& c : sc_.components) {
    comp_needs_.emplace_back();
    for (const auto& need : c.needs) comp_needs_.back().push_back(node(need));
  }
  structure_from_ = C_;
  for (const auto& needs : comp_needs_)
    for (int n : needs)
      if (n >= C_) structure_from_ = 0;
  for (const auto& b : sc_.blocks) block_expr_.push_back(compile_expr(b.expr));
  service_expr_ = compile_expr(sc_.service.requires_);
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
  add_common_causes();
  if (latent_ && random_) refuse("/components", "proof-tested latent failure modes together with other types");
  if (latent_ && !random_) check_proof_test_groups();
  if (modes_.empty()) refuse("/components", "no failure modes: nothing ever fails");
  order_groups();
  if (failed_) return false;
  order_pools();
  find_symmetries();
  find_parts();
  return true;
}

// Independent parts: nodes are joined when one's behaviour depends on another's —
// a component and what it needs, a group and its members, a block inside a part (a
// group member or a need) and what it reads, a failure mode's owner and targets, and
// everything claiming one crew pool. Components or groups in different parts never
// change each other's rates, so the chain is the product of the parts' chains. Blocks
// outside every part (read only by the service or by other such blocks) only combine
// what the parts show; the nodes they and the service read are each part's exposed
// nodes.
Builder::UnionFind::UnionFind(int n) : up(static_cast<std::size_t>(n)) {
  for (int k = 0; k < n; ++k) up[static_cast<std::size_t>(k)] = k;
}

int Builder::UnionFind::root(int n) {
  while (up[static_cast<std::size_t>(n)] != n) n = up[static_cast<std::size_t>(n)] = up[static_cast<std::size_t>(up[static_cast<std::size_t>(n)])];
  return n;
}

void Builder::UnionFind::join(int a, int b) {
  const int n = static_cast<int>(up.size());
  if (a < 0 || b < 0 || a >= n || b >= n) return;
  up[static_cast<std::size_t>(root(a))] = root(b);
}

void Builder::find_parts() {
  UnionFind uf(static_cast<int>(names_.size()));
  std::vector<char> inside(sc_.blocks.size(), 0);
  join_dependent(uf, inside);
  number_parts(uf, inside);
}

void Builder::join_dependent(UnionFind& uf, std::vector<char>& inside) const {
  const int N = static_cast<int>(names_.size());
  std::vector<int> todo;
  auto mark_inside = [&](int n) {
    if (n >= C_ + G_ && n < N && !inside[static_cast<std::size_t>(n - C_ - G_)]) {
      inside[static_cast<std::size_t>(n - C_ - G_)] = 1;
      todo.push_back(n - C_ - G_);
    }
  };
  for (int c = 0; c < C_; ++c)
    for (const auto& need : sc_.components[c].needs) {
      uf.join(c, node(need));
      mark_inside(node(need));
    }
  for (int g = 0; g < G_; ++g)
    for (int m : groups_[g].members) {
      uf.join(C_ + g, m);
      mark_inside(m);
    }
  std::function<void(int, const Expr&)> read = [&](int from, const Expr& e) {
    if (e.op == Expr::Op::ref) {
      uf.join(from, node(e.ref));
      mark_inside(node(e.ref));
    }
    for (const auto& a : e.args) read(from, a);
  };
  while (!todo.empty()) {
    int b = todo.back();
    todo.pop_back();
    read(C_ + G_ + b, sc_.blocks[static_cast<std::size_t>(b)].expr);
  }
  std::vector<int> pool_rep(pool_size_.size(), -1);
  auto claim = [&](int p, int n) {
    if (p < 0 || n < 0) return;
    if (pool_rep[static_cast<std::size_t>(p)] < 0) pool_rep[static_cast<std::size_t>(p)] = n;
    uf.join(n, pool_rep[static_cast<std::size_t>(p)]);
  };
  for (int mi = 0; mi < static_cast<int>(modes_.size()); ++mi) {
    const Mode& m = modes_[mi];
    int first = m.comp >= 0 ? m.comp : (m.targets.empty() ? -1 : m.targets.front());
    for (int c : m.targets) uf.join(first, c);
    claim(claim_pool(mi), first);
  }
  for (int g = 0; g < G_; ++g)
    if (groups_[g].coverage < 1) claim(groups_[g].pool, C_ + g);
  if (!lump_)
    for (int n = 1; n < C_ + G_; ++n) uf.join(n, 0);  // one part
}

void Builder::number_parts(UnionFind& uf, const std::vector<char>& inside) {
  const int N = static_cast<int>(names_.size()), B = static_cast<int>(sc_.blocks.size());
  // Number the parts: the roots holding a component or a group.
  std::vector<int> part_of_root(static_cast<std::size_t>(N), -1);
  auto part = [&](int n) {
    int r = uf.root(n);
    if (part_of_root[static_cast<std::size_t>(r)] < 0) part_of_root[static_cast<std::size_t>(r)] = parts_++;
    return part_of_root[static_cast<std::size_t>(r)];
  };
  std::vector<int> node_part(static_cast<std::size_t>(N), -1);
  for (int n = 0; n < C_ + G_; ++n) node_part[static_cast<std::size_t>(n)] = part(n);
  for (int b = 0; b < B; ++b) {
    int r = uf.root(C_ + G_ + b);
    if (part_of_root[static_cast<std::size_t>(r)] >= 0) node_part[static_cast<std::size_t>(C_ + G_ + b)] = part_of_root[static_cast<std::size_t>(r)];
  }
  group_part_.assign(static_cast<std::size_t>(G_), 0);
  for (int g = 0; g < G_; ++g) group_part_[static_cast<std::size_t>(g)] = node_part[static_cast<std::size_t>(C_ + g)];
  mode_part_.assign(modes_.size(), 0);
  for (int mi = 0; mi < static_cast<int>(modes_.size()); ++mi) {
    const Mode& m = modes_[mi];
    int first = m.comp >= 0 ? m.comp : (m.targets.empty() ? -1 : m.targets.front());
    // A mode that hits no component changes nothing anyone reads: any part may hold it.
    mode_part_[static_cast<std::size_t>(mi)] = first >= 0 ? node_part[static_cast<std::size_t>(first)] : 0;
  }
  part_exposed_.assign(static_cast<std::size_t>(std::max(parts_, 1)), {});
  std::function<void(const Expr&)> expose = [&](const Expr& e) {
    if (e.op == Expr::Op::ref) {
      int n = node(e.ref);
      if (n < N && node_part[static_cast<std::size_t>(n)] >= 0) {
        auto& v = part_exposed_[static_cast<std::size_t>(node_part[static_cast<std::size_t>(n)])];
        if (std::find(v.begin(), v.end(), n) == v.end()) v.push_back(n);
      }
    }
    for (const auto& a : e.args) expose(a);
  };
  expose(sc_.service.requires_);
  for (int b = 0; b < B; ++b)
    if (!inside[static_cast<std::size_t>(b)]) expose(sc_.blocks[static_cast<std::size_t>(b)].expr);
}

// Each part's share of its state: its modes' faults, its groups' roles and windows.
Builder::State Builder::compose(const std::vector<const State*>& per_part) const {
  State s = start();
  s.faults.clear();
  s.windows.clear();
  for (int p = 0; p < parts_; ++p) {
    const State& x = *per_part[static_cast<std::size_t>(p)];
    for (int f : x.faults)
      if (mode_part_[static_cast<std::size_t>(f)] == p) s.faults.push_back(f);
    for (const auto& w : x.windows)
      if (group_part_[static_cast<std::size_t>(w.first)] == p) s.windows.push_back(w);
  }
  for (int g = 0; g < G_; ++g) {
    const State& x = *per_part[static_cast<std::size_t>(group_part_[static_cast<std::size_t>(g)])];
    const auto o = static_cast<std::size_t>(groups_[g].offset);
    for (std::size_t i = 0; i < groups_[g].members.size(); ++i) s.roles[o + i] = x.roles[o + i];
  }
  canonical(s);
  return s;
}

// A pool's order of claims matters only when more claims can be present at once than it
// has crews: a claim is a fault of a mode repaired by its crews (each mode is present at
// most once) or a manual window of a group switching over with them (coverage < 1).
void Builder::order_pools() {
  std::vector<int> claims(pool_size_.size(), 0);
  for (int mi = 0; mi < static_cast<int>(modes_.size()); ++mi)
    if (int p = claim_pool(mi); p >= 0) ++claims[static_cast<std::size_t>(p)];
  for (const auto& gi : groups_)
    if (gi.pool >= 0 && gi.coverage < 1) ++claims[static_cast<std::size_t>(gi.pool)];
  pool_ordered_.assign(pool_size_.size(), 0);
  for (std::size_t p = 0; p < pool_size_.size(); ++p) pool_ordered_[p] = !lump_ || claims[p] > pool_size_[p] ? 1 : 0;
}

// Classes of identical members (lumped by canonical()). Members of an active-active
// group are interchangeable when
//  - each is a component that belongs to this group only, once, and nothing else reads
//    it (not the service, a block, another component's needs): only the group's count
//    of working members sees it;
//  - they need the same nodes, and have the same own failure modes in the same order
//    (type, rates, repair, crew pool, when, test coverage, the same other targets);
//  - the same modes of other owners (common causes, also_fails) hit each of them.
// In an active-active group every member is active when it works, the group reacts to
// a member's loss or return by its counts alone, and slot order decides nothing
// (active-standby groups prefer members by slot order: not lumped). So permuting the
// members of a class maps the chain onto itself, rates and what is reported unchanged.
void Builder::find_symmetries() {
  const int N = static_cast<int>(names_.size());
  std::vector<int> refs(static_cast<std::size_t>(N), 0), memberships(static_cast<std::size_t>(N), 0);
  std::function<void(const Expr&)> count = [&](const Expr& e) {
    if (e.op == Expr::Op::ref) {
      if (int n = node(e.ref); n < N) ++refs[static_cast<std::size_t>(n)];
    }
    for (const auto& a : e.args) count(a);
  };
  count(sc_.service.requires_);
  for (const auto& b : sc_.blocks) count(b.expr);
  for (const auto& c : sc_.components)
    for (const auto& need : c.needs)
      if (int n = node(need); n < N) ++refs[static_cast<std::size_t>(n)];
  for (const auto& gi : groups_)
    for (int m : gi.members)
      if (m < N) ++memberships[static_cast<std::size_t>(m)];
  mode_member_.assign(modes_.size(), {-1, -1});
  mode_rank_.assign(modes_.size(), -1);
  for (int g = 0; g < G_ && lump_; ++g) {
    const auto& gi = groups_[g];
    if (gi.g->mode != Group::Mode::active_active) continue;
    std::map<std::vector<double>, std::vector<int>> by_signature;  // -> slots
    for (int i = 0; i < static_cast<int>(gi.members.size()); ++i) {
      const int n = gi.members[i];
      if (n >= C_ || memberships[n] != 1 || refs[n] != 0 || comp_group_[n] != g || comp_slot_[n] != i) continue;
      std::vector<double> sig;
      const auto& needs = sc_.components[n].needs;
      sig.push_back(static_cast<double>(needs.size()));
      for (const auto& need : needs) sig.push_back(node(need));
      sig.push_back(static_cast<double>(comp_modes_[n].size()));
      for (int mi : comp_modes_[n]) {
        const Mode& m = modes_[mi];
        sig.insert(sig.end(), {static_cast<double>(m.kind), m.rate, m.repair, m.end, m.p, m.uses_crew ? 1.0 : 0.0,
                               static_cast<double>(m.pool), static_cast<double>(m.when), m.test_coverage});
        std::vector<int> others;
        for (int c : m.targets)
          if (c != n) others.push_back(c);
        std::sort(others.begin(), others.end());
        sig.push_back(static_cast<double>(others.size()));
        sig.insert(sig.end(), others.begin(), others.end());
      }
      for (int mi = 0; mi < static_cast<int>(modes_.size()); ++mi)
        if (modes_[mi].comp != n && std::find(modes_[mi].targets.begin(), modes_[mi].targets.end(), n) != modes_[mi].targets.end())
          sig.push_back(-1 - mi);  // foreign modes: negative, after the counted own ones
      by_signature[sig].push_back(i);
    }
    for (auto& [sig, slots] : by_signature) {
      // Members no mode of their own hits change together or not at all: nothing to lump.
      if (slots.size() < 2 || comp_modes_[gi.members[static_cast<std::size_t>(slots[0])]].empty()) continue;
      SymClass k;
      k.group = g;
      k.slots = slots;
      const int c = static_cast<int>(classes_.size());
      for (std::size_t j = 0; j < slots.size(); ++j) {
        const int n = gi.members[static_cast<std::size_t>(slots[j])];
        k.modes.push_back(comp_modes_[n]);
        for (std::size_t r = 0; r < comp_modes_[n].size(); ++r) {
          mode_member_[static_cast<std::size_t>(comp_modes_[n][r])] = {c, static_cast<int>(j)};
          mode_rank_[static_cast<std::size_t>(comp_modes_[n][r])] = static_cast<int>(r);
        }
      }
      classes_.push_back(std::move(k));
    }
  }
}

// Common causes: a beta factor splits a group's members' mode (1 - beta each, beta shared
// by all); a shared mode fails its targets together.
void Builder::add_common_causes() {
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
}

Builder::State Builder::start() const {
  State s;
  s.roles.assign(static_cast<std::size_t>(slots_), 1);
  for (int g = 0; g < G_; ++g)
    if (groups_[g].g->mode == Group::Mode::active_standby)
      for (int i = std::max(0, groups_[g].g->need); i < static_cast<int>(groups_[g].members.size()); ++i)
        s.roles[static_cast<std::size_t>(groups_[g].offset + i)] = 2;
  canonical(s);
  return s;
}

std::string Builder::kind_name(const Distribution& d) {
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
void Builder::check_proof_test_groups() {
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
void Builder::refuse(const std::string& pointer, const std::string& what) {
  d_.error(pointer.empty() ? "" : pointer, "not Markovian: " + what, kHint);
  failed_ = true;
}
int Builder::node(const std::string& id) const {
  auto it = std::find(names_.begin(), names_.end(), id);
  return static_cast<int>(it - names_.begin());
}
int Builder::compile_expr(const Expr& e) {
  std::vector<int> args;
  for (const auto& a : e.args) args.push_back(compile_expr(a));
  CExpr c;
  c.op = e.op;
  c.k = e.k;
  if (e.op == Expr::Op::ref) c.ref = node(e.ref);
  c.begin = static_cast<int>(cargs_.size());
  cargs_.insert(cargs_.end(), args.begin(), args.end());
  c.end = static_cast<int>(cargs_.size());
  cexpr_.push_back(c);
  return static_cast<int>(cexpr_.size()) - 1;
}
int Builder::comp_pool(int c) const {
  int p = sc_.components[c].crew_pool;
  return p >= 0 && p < static_cast<int>(pool_size_.size()) ? p : -1;
}
// Groups in dependency order (a group after every group it reads), as the model
// recomputes them.
void Builder::order_groups() {
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
bool Builder::plain_repair(const Recovery& r, const std::string& p, Mode& m) {
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
void Builder::add_mode(const FailureMode& fm, int comp, const std::string& p, const std::string& owner) {
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

}  // namespace drsim::markov_detail
