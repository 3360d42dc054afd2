#include "sim/simgrid/simgrid_runner.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <thread>

#include "sim/simgrid/simgrid_engine.h"

namespace drsim {
namespace {

// Every field of the TrialResult crosses the pipe (doubles as JSON numbers round-trip
// exactly), so the parent aggregates what the fast engine would.
nlohmann::json encode(const TrialResult& r) {
  nlohmann::json o = nlohmann::json::array();
  for (const auto& x : r.outages) o.push_back({x.start, x.end, x.full, x.features, x.cause, x.detected});
  nlohmann::json obj = nlohmann::json::array();
  for (const auto& t : r.objectives) obj.push_back({t.values, t.breached, t.beyond});
  return {{"end", r.end_time},        {"full", r.downtime_full},       {"degraded", r.downtime_degraded},
          {"outages", o},             {"loss", r.data_loss},           {"loss_events", r.data_loss_events},
          {"losses", r.data_losses},  {"objectives", obj},             {"site_down", r.site_down},
          {"by_cause", r.downtime_by_cause}, {"events", r.events}};
}

TrialResult decode(const nlohmann::json& j) {
  TrialResult r;
  r.end_time = j.at("end");
  r.downtime_full = j.at("full");
  r.downtime_degraded = j.at("degraded");
  for (const auto& x : j.at("outages")) {
    Outage o;
    o.start = x.at(0);
    o.end = x.at(1);
    o.full = x.at(2);
    o.features = x.at(3).get<std::vector<int>>();
    o.cause = x.at(4);
    o.detected = x.at(5);
    r.outages.push_back(o);
  }
  r.data_loss = j.at("loss");
  r.data_loss_events = j.at("loss_events");
  r.data_losses = j.at("losses").get<std::vector<double>>();
  for (const auto& t : j.at("objectives")) {
    ObjectiveTally x;
    x.values = t.at(0).get<std::vector<double>>();
    x.breached = t.at(1);
    x.beyond = t.at(2);
    r.objectives.push_back(std::move(x));
  }
  r.site_down = j.at("site_down").get<std::vector<std::vector<std::pair<double, double>>>>();
  r.downtime_by_cause = j.at("by_cause").get<std::vector<double>>();
  r.events = j.at("events");
  return r;
}

struct Child {
  pid_t pid;
  int fd;
  std::uint64_t trial;
};

// One trial in a child process (one SimGrid engine per process): its TrialResult and
// platform figures come back through a pipe.
Child start_child(const Scenario& sc, const RunOptions& opt, std::uint64_t t, double horizon, const ModelOptions& mo,
                  const SimGridOptions& so) {
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::close(fds[0]);
    int code = 0;
    try {
      auto r = run_simgrid_trial(sc, opt.seed, t, horizon, mo, so);
      std::string text = nlohmann::json{{"r", encode(r.result)}, {"p", r.platform.to_json()}}.dump();
      const char* p = text.data();
      std::size_t left = text.size();
      while (left > 0) {
        ssize_t w = ::write(fds[1], p, left);
        if (w <= 0) break;
        p += w;
        left -= static_cast<std::size_t>(w);
      }
    } catch (...) {
      code = 3;
    }
    ::close(fds[1]);
    ::_exit(code);
  }
  ::close(fds[1]);
  return {pid, fds[0], t};
}

// Reads a child's trial and waits for it; throws when the child failed.
std::pair<TrialResult, nlohmann::json> collect(const Child& c) {
  std::string text;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(c.fd, buf, sizeof buf);
    if (n <= 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  ::close(c.fd);
  int status = 0;
  ::waitpid(c.pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || text.empty())
    throw std::runtime_error("the SimGrid worker for trial " + std::to_string(c.trial) + " failed");
  auto j = nlohmann::json::parse(text);
  return {decode(j.at("r")), j.at("p")};
}

// Trials folded in trial order: blocks into superblocks into the total, as the fast
// engine's runner folds them (the first superblock copied, not merged into an empty one).
class InOrderFold {
 public:
  InOrderFold(const AggregateConfig& cfg, std::uint64_t total, std::uint64_t block)
      : cfg_(cfg), total_(cfg), superblock_(cfg), blk_(cfg), trials_(total), block_(block) {}
  void add(const TrialResult& r) {
    blk_.add(r);
    ++merged_;
    const std::uint64_t b = (merged_ - 1) / block_;
    if (merged_ % block_ != 0 && merged_ != trials_) return;  // not a block's end
    superblock_.merge(blk_);
    blk_ = Aggregate(cfg_);
    const std::uint64_t nblocks = (trials_ + block_ - 1) / block_;
    if ((b + 1) % kSuperblockBlocks != 0 && b + 1 != nblocks) return;
    if (empty_) total_ = superblock_;
    else total_.merge(superblock_);
    empty_ = false;
    superblock_ = Aggregate(cfg_);
  }
  std::uint64_t merged() const { return merged_; }
  Aggregate result() const { return empty_ ? Aggregate(cfg_) : total_; }

 private:
  AggregateConfig cfg_;
  Aggregate total_, superblock_, blk_;
  std::uint64_t trials_, block_, merged_ = 0;
  bool empty_ = true;
};

// The platform figures averaged over the trials (results.json "platform").
struct PlatformSums {
  double probe_ratio = 0, lost_bytes = 0, lost_s = 0;
  std::uint64_t trials = 0;
  void add(const nlohmann::json& p) {
    probe_ratio += p.value("probe_success_ratio", 1.0);
    lost_bytes += p.value("data_lost_bytes", 0.0);
    lost_s += p.value("data_lost_seconds", 0.0);
    ++trials;
  }
  nlohmann::json to_json(double probe_interval_s) const {
    const double n = static_cast<double>(std::max<std::uint64_t>(1, trials));
    return {{"trials", trials},
            {"probe_interval_seconds", probe_interval_s},
            {"mean_probe_success_ratio", probe_ratio / n},
            {"mean_data_lost_bytes", lost_bytes / n},
            {"mean_data_lost_seconds", lost_s / n}};
  }
};

}  // namespace

SimGridRunOutcome run_monte_carlo_simgrid(const Scenario& sc, const RunOptions& opt, double probe_interval_s) {
  const double horizon = opt.horizon > 0 ? opt.horizon : sc.horizon;
  const std::uint64_t total = opt.trials;
  const std::uint64_t block = opt.block == 0 ? 100 : opt.block;
  int jobs = opt.jobs > 0 ? opt.jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  SimGridRunOutcome out;
  out.run.cause_names = Model(sc).cause_names();
  AggregateConfig cfg;
  cfg.horizon = horizon;
  cfg.slo_target = sc.objectives.slo_target;
  cfg.slo_window = sc.objectives.slo_window;
  cfg.causes = out.run.cause_names.size();
  ModelOptions mo;
  mo.random_failures = opt.random_failures;
  SimGridOptions so;
  so.probe_interval_s = probe_interval_s;

  std::map<std::uint64_t, std::pair<TrialResult, nlohmann::json>> done;  // collected, not yet folded
  std::vector<Child> running;
  std::uint64_t next = 0;
  InOrderFold fold(cfg, total, block);
  PlatformSums platform;
  auto t0 = std::chrono::steady_clock::now();
  while (fold.merged() < total && g_stop_signal.load() == 0) {
    while (next < total && static_cast<int>(running.size()) < jobs) running.push_back(start_child(sc, opt, next++, horizon, mo, so));
    // Wait for the oldest child (results are merged in trial order anyway).
    Child c = running.front();
    running.erase(running.begin());
    done.emplace(c.trial, collect(c));
    for (auto it = done.find(fold.merged()); it != done.end(); it = done.find(fold.merged())) {
      fold.add(it->second.first);
      out.run.events += it->second.first.events;
      platform.add(it->second.second);
      done.erase(it);
    }
  }
  for (auto& c : running) {
    ::kill(c.pid, SIGTERM);
    ::close(c.fd);
    ::waitpid(c.pid, nullptr, 0);
  }
  if (fold.merged() < total) {
    out.run.interrupted = true;
    out.run.signal = g_stop_signal.load();
  }
  out.run.aggregate = fold.result();
  out.run.trials = out.run.aggregate.trials();
  out.run.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  out.run.jobs = jobs;
  out.platform = platform.to_json(probe_interval_s);
  return out;
}

}  // namespace drsim
