// Structure: what works, recomputed in topological order for the nodes marked dirty
// since the last event — components from their faults and needs, groups from their
// members, blocks from their expressions. docs/model.md "Structure".
#include <algorithm>

#include "models/model_impl.h"

namespace drsim {

void Model::Impl::recompute(int n) {
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
    set_ok(n, vis[n] == 0 && hid[n] == 0 && ok);
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
    if (n >= C) set_ok(n, f);
    visdown[n] = v;
    for (auto [g, slot] : memberships[n]) grt[g].changed[static_cast<std::size_t>(slot) >> 6] |= std::uint64_t{1} << (slot & 63);
    for (int d : dependents[n]) mark(d);
  }
}

void Model::Impl::data_lost(int c) {
  const auto& rep = *sc.components[c].replication;
  if (!rep.lag) return;
  double lag = draw(*rep.lag, mrt.empty() || comp_modes[c].empty() ? grt_rng_fallback : mrt[comp_modes[c][0]].rng);
  res.data_loss += lag;
  ++res.data_loss_events;
  res.data_losses.push_back(lag);
}

void Model::Impl::propagate() {
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

}  // namespace drsim
