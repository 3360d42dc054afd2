// Recovery: detection, repair jobs and crew pools (first come, first served; manual
// switch-overs before repairs). docs/model.md "Repair crews".
#include <algorithm>

#include "models/model_impl.h"

namespace drsim {

const Recovery& Model::Impl::recovery_for(int mi) const {
  const FailureMode& fm = *modes[mi].fm;
  if (fm.escalate_after > 0 && mrt[mi].occurrences > fm.escalate_after && !fm.escalation.empty())
    return fm.escalation;
  return fm.recovery;
}

void Model::Impl::start_recovery(int f) {
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

// A repair job's detection delay ended: someone knows now.
void Model::Impl::detected(int j) {
  jobs[j].ev = kNoEvent;
  note_detection();
  record(ModelEvent::Kind::detected, faults[jobs[j].fault].mode);
  after_detect(j);
}

// A repair that needs a crew queues for it; free crews are handed out by a
// zero-delay dispatch event, i.e. after everything else happening at this instant.
// So a manual switch-over decided at the same instant (the failed unit's own
// failover) takes the crew first: service before repair (docs/model.md, design V5).
void Model::Impl::after_detect(int j) {
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

void Model::Impl::dispatch_crews(int p) {
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
void Model::Impl::begin_repair(int j) {
  Job& job = jobs[j];
  int mi = faults[job.fault].mode;
  double t = job.remaining >= 0 ? job.remaining : draw(*job.rec->repair, mrt[mi].rng);
  job.remaining = -1;
  job.due = s->now() + t;
  record(ModelEvent::Kind::repair_start, modes[mi].comp >= 0 ? modes[mi].comp : modes[mi].targets.empty() ? -1 : modes[mi].targets[0], mi);
  job.ev = s->schedule_at(job.due, kRepairDone, j);
}

void Model::Impl::release_crew(int p) {
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
bool Model::Impl::take_crew_for_switchover(int p) {
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

void Model::Impl::finish_job(int j) {
  Job& job = jobs[j];
  job.live = false;
  --live_jobs;
  free_jobs.push_back(j);
  if (job.has_crew) release_crew(job.pool);
  int f = job.fault;
  defuse_or_clear(f);
}

void Model::Impl::drop_job_of_fault(int f) {
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
void Model::Impl::defuse_or_clear(int f) {
  Fault& x = faults[f];
  if (!x.expired) {
    record(ModelEvent::Kind::near_miss, modes[x.mode].targets.empty() ? -1 : modes[x.mode].targets[0], x.mode);
  }
  clear_fault(f);
}

}  // namespace drsim
