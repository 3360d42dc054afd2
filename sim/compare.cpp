#include "sim/compare.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "sim/fast_engine.h"

namespace drsim {

void Paired::merge(const Paired& o) {
  full.merge(o.full);
  degraded.merge(o.degraded);
  any_outage.merge(o.any_outage);
  data_loss.merge(o.data_loss);
  d_full.merge(o.d_full);
  d_degraded.merge(o.d_degraded);
  d_any.merge(o.d_any);
  d_data_loss.merge(o.d_data_loss);
  rto_breach.merge(o.rto_breach);
  rpo_breach.merge(o.rpo_breach);
  d_rto_breach.merge(o.d_rto_breach);
  d_rpo_breach.merge(o.d_rpo_breach);
  availability.merge(o.availability);
  d_availability.merge(o.d_availability);
}

TrialResult after_warm_up(const TrialResult& r, double w, const std::vector<ObjectiveSpec>& specs) {
  TrialResult c;
  c.end_time = std::max(0.0, r.end_time - w);
  c.data_loss = r.data_loss;
  c.data_loss_events = r.data_loss_events;
  c.data_losses = r.data_losses;
  c.events = r.events;
  c.downtime_by_cause.assign(r.downtime_by_cause.size(), 0);
  for (const Outage& o : r.outages) {
    if (o.end <= w) continue;
    Outage k = o;
    k.start = std::max(o.start, w) - w;
    k.end = o.end - w;
    if (k.detected >= 0) k.detected = std::max(k.detected, std::max(o.start, w)) - w;
    const double d = k.end - k.start;
    if (o.full) {
      c.downtime_full += d;
      if (o.cause >= 0 && static_cast<std::size_t>(o.cause) < c.downtime_by_cause.size()) c.downtime_by_cause[o.cause] += d;
    } else {
      c.downtime_degraded += d;
    }
    c.outages.push_back(std::move(k));
  }
  c.site_down.resize(r.site_down.size());
  for (std::size_t s = 0; s < r.site_down.size(); ++s)
    for (const auto& [a, b] : r.site_down[s])
      if (b > w) c.site_down[s].emplace_back(std::max(a, w) - w, b - w);
  judge_objectives(specs, c);
  return c;
}

namespace {

// What a comparison reads of one trial of one alternative.
struct Measures {
  double full = 0, degraded = 0, any = 0, loss = 0, rto = 0, rpo = 0, availability = 1;
};

Measures measure(const TrialResult& r, const std::vector<ObjectiveSpec>& specs) {
  Measures m;
  m.full = r.downtime_full;
  m.degraded = r.downtime_degraded;
  m.any = std::any_of(r.outages.begin(), r.outages.end(), [](const Outage& o) { return o.full; }) ? 1 : 0;
  m.loss = r.data_loss;
  for (std::size_t q = 0; q < specs.size() && q < r.objectives.size(); ++q)
    if (r.objectives[q].breached > 0) (specs[q].kind == ObjectiveSpec::Kind::rto ? m.rto : m.rpo) = 1;
  m.availability = r.end_time > 0 ? 1 - r.downtime_full / r.end_time : 1;
  return m;
}

// One trial of alternative `a`, and its difference to the base's on the same trial.
void add_paired(Paired& p, const Measures& a, const Measures& base) {
  p.full.add(a.full);
  p.degraded.add(a.degraded);
  p.any_outage.add(a.any);
  p.data_loss.add(a.loss);
  p.d_full.add(a.full - base.full);
  p.d_degraded.add(a.degraded - base.degraded);
  p.d_any.add(a.any - base.any);
  p.d_data_loss.add(a.loss - base.loss);
  p.rto_breach.add(a.rto);
  p.rpo_breach.add(a.rpo);
  p.d_rto_breach.add(a.rto - base.rto);
  p.d_rpo_breach.add(a.rpo - base.rpo);
  p.availability.add(a.availability);
  p.d_availability.add(a.availability - base.availability);
}

}  // namespace

CompareResult run_comparison(const std::vector<const Scenario*>& scs, const CompareOptions& opt) {
  const std::size_t k = scs.size();
  const double horizon = opt.horizon > 0 ? opt.horizon : scs.at(0)->horizon;
  const std::uint64_t block = std::max<std::uint64_t>(1, opt.block);
  const std::uint64_t nblocks = (opt.trials + block - 1) / block;
  int jobs = opt.jobs > 0 ? opt.jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  jobs = static_cast<int>(std::min<std::uint64_t>(static_cast<std::uint64_t>(jobs), std::max<std::uint64_t>(1, nblocks)));

  std::vector<std::vector<Paired>> blocks(nblocks, std::vector<Paired>(k));
  std::vector<std::vector<double>> kept(opt.keep_trials ? k : 0, std::vector<double>(opt.keep_trials ? opt.trials : 0));
  std::atomic<std::uint64_t> done{0};
  std::mutex report_mutex;
  std::atomic<std::uint64_t> next{0};
  auto t0 = std::chrono::steady_clock::now();
  auto worker = [&]() {
    ModelOptions mo;
    mo.random_failures = opt.random_failures;
    std::vector<std::unique_ptr<Model>> models;
    for (const auto* s : scs) models.push_back(std::make_unique<Model>(*s, mo));
    FastEngine engine;
    std::vector<Measures> m(k);
    std::vector<std::vector<ObjectiveSpec>> specs;
    for (const auto* s : scs) specs.push_back(objective_specs(*s));
    TrialResult clipped;
    for (;;) {
      std::uint64_t b = next.fetch_add(1);
      if (b >= nblocks) break;
      auto& out = blocks[b];
      for (std::uint64_t t = b * block; t < std::min(opt.trials, (b + 1) * block); ++t) {
        for (std::size_t a = 0; a < k; ++a) {
          const TrialResult& run = engine.run_trial(*models[a], opt.seed, t, horizon + opt.warm_up);
          if (opt.warm_up > 0) clipped = after_warm_up(run, opt.warm_up, specs[a]);
          const TrialResult& r = opt.warm_up > 0 ? clipped : run;
          m[a] = measure(r, specs[a]);
          if (opt.keep_trials) kept[a][t] = r.downtime_full;  // distinct trials: no two threads write one slot
        }
        for (std::size_t a = 0; a < k; ++a) add_paired(out[a], m[a], m[0]);
      }
      const std::uint64_t d = done.fetch_add(1) + 1;
      if (opt.on_block) {
        std::lock_guard<std::mutex> lock(report_mutex);
        opt.on_block(d, nblocks);
      }
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < jobs; ++i) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  CompareResult res;
  res.alt.resize(k);
  for (const auto& b : blocks)
    for (std::size_t a = 0; a < k; ++a) res.alt[a].merge(b[a]);
  res.trials = opt.trials;
  res.full_by_trial = std::move(kept);
  res.horizon = horizon;
  res.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return res;
}

}  // namespace drsim
