// Compilation: a validated Scenario into the index-based definitions of Model::Impl
// (models/model_impl.h): nodes, groups, blocks, the service, the topological order,
// failure modes with their common causes, runbooks. Runs once per Model.
#include <algorithm>
#include <unordered_map>

#include "models/model_impl.h"

namespace drsim {

Model::Impl::CExpr Model::Impl::compile_expr(const Expr& e) {
  CExpr c;
  c.op = e.op;
  c.k = e.k;
  if (e.op == Expr::Op::ref) c.node = node_of(e.ref);
  for (const auto& a : e.args) c.args.push_back(compile_expr(a));
  return c;
}

void Model::Impl::expr_refs(const CExpr& e, std::vector<int>& out) {
  if (e.op == Expr::Op::ref) {
    if (e.node >= 0) out.push_back(e.node);
    return;
  }
  for (const auto& a : e.args) expr_refs(a, out);
}

void Model::Impl::compile() {
  compile_nodes();
  compile_groups();
  compile_blocks_and_service();
  compile_order();
  compile_owned_modes();
  compile_common_causes();
  compile_runbooks();
  size_trial_state();
}

// Nodes: components, groups and blocks, by index; what each component needs and
// whom it replicates to.
void Model::Impl::compile_nodes() {
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
  storage_peer.assign(C, -1);
  for (int c = 0; c < C; ++c)
    if (sc.components[c].replication && !sc.components[c].replication->sync)
      storage_peer[c] = node_of(sc.components[c].replication->to);
}

// Groups: members, failover mechanism and UPS bridge, each a dependent of the group.
void Model::Impl::compile_groups() {
  comp_group.assign(C, -1);
  comp_member_slot.assign(C, -1);
  node_member_group.assign(N, -1);
  node_member_slot.assign(N, -1);
  memberships.assign(N, {});
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
      memberships[n].emplace_back(g, slot);
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
}

// Blocks, the service and its features, the site objectives' nodes.
void Model::Impl::compile_blocks_and_service() {
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
  svc_uses.assign(N, 0);
  {
    std::vector<int> refs;
    expr_refs(svc_requires, refs);
    for (const auto& fe : feat_expr) expr_refs(fe, refs);
    for (int n : site_node) refs.push_back(n);
    for (int n : refs)
      if (n >= 0) svc_uses[n] = 1;
  }
}

// Topological order: a node after everything it reads.
void Model::Impl::compile_order() {
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
}

// Failure modes owned by components, in component order; common causes follow.
void Model::Impl::compile_owned_modes() {
  comp_modes.assign(C, {});
  dep_modes.assign(C, {});
  clocked_modes.assign(C, {});
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
      if (fm.type == FailureMode::Type::random || fm.type == FailureMode::Type::latent)
        clocked_modes[c].push_back(static_cast<int>(modes.size()));
      modes.push_back(std::move(m));
    }
  }
}

// Common causes after the owned modes: a beta factor splits a member mode's rate
// and adds one shared mode; a shared mode takes its targets down at once. Then every
// mode gets its cause index.
void Model::Impl::compile_common_causes() {
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
}

// Runbooks: each step's "after", "restores" and "waits_for" as indices, and the steps
// that follow each one; then the mode each injection acts on.
void Model::Impl::compile_runbooks() {
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
}

// Per-trial state sized once; begin() resets it in place.
void Model::Impl::size_trial_state() {
  func.assign(N, 1);
  visdown.assign(N, 0);
  dirty_bits.assign(static_cast<std::size_t>(N + 63) / 64, 0);
  vis.assign(C, 0);
  hid.assign(C, 0);
  needs_ok.assign(C, 1);
  ok_.assign(N, 1);
  mrt.resize(modes.size());
  rbs.resize(sc.runbooks.size());
  grt.resize(G);
  prt.resize(sc.crews.size());
}

// The mode an injection acts on: the named one, or the first whose type fits.
int Model::Impl::find_injection_mode(const Injection& inj) const {
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

}  // namespace drsim
