// Runbooks: steps started in order once their "after" steps are done and what they
// "waits_for" works, up to max_parallel; what each step restores. docs/model.md "Runbooks".
#include <algorithm>

#include "models/model_impl.h"

namespace drsim {

void Model::Impl::join_runbook(int r, int f) {
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

// Starts, in step order, the steps whose "after" steps are done and whose "waits_for"
// parts work, up to max_parallel. Only the ready list is looked at, so a runbook of
// n steps costs O(n) over its whole run, not O(n) per step.
void Model::Impl::start_ready_steps(int r) {
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

void Model::Impl::step_done(int r, int i) {
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

}  // namespace drsim
