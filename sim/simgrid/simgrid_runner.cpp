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

}  // namespace

SimGridRunOutcome run_monte_carlo_simgrid(const Scenario& sc, const RunOptions& opt, double probe_interval_s) {
  const double horizon = opt.horizon > 0 ? opt.horizon : sc.horizon;
  const std::uint64_t total = opt.trials;
  const std::uint64_t block = opt.block == 0 ? 100 : opt.block;
  int jobs = opt.jobs > 0 ? opt.jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  SimGridRunOutcome out;
  {
    Model probe(sc);
    out.run.cause_names = probe.cause_names();
  }
  AggregateConfig cfg;
  cfg.horizon = horizon;
  cfg.slo_target = sc.objectives.slo_target;
  cfg.slo_window = sc.objectives.slo_window;
  cfg.causes = out.run.cause_names.size();
  ModelOptions mo;
  mo.random_failures = opt.random_failures;
  SimGridOptions so;
  so.probe_interval_s = probe_interval_s;

  std::map<std::uint64_t, std::pair<TrialResult, nlohmann::json>> done;
  std::vector<Child> running;
  std::uint64_t next = 0, merged_upto = 0;
  Aggregate total_agg(cfg), superblock(cfg), blk(cfg);
  bool empty = true;
  double probe_ratio_sum = 0, lost_bytes_sum = 0, lost_s_sum = 0;
  std::uint64_t probe_trials = 0;
  auto t0 = std::chrono::steady_clock::now();

  auto start_child = [&](std::uint64_t t) {
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
    running.push_back({pid, fds[0], t});
  };
  auto collect = [&](Child c) {
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
    done.emplace(c.trial, std::make_pair(decode(j.at("r")), j.at("p")));
  };

  while (merged_upto < total && g_stop_signal.load() == 0) {
    while (next < total && static_cast<int>(running.size()) < jobs) start_child(next++);
    // Wait for the oldest child (results are merged in trial order anyway).
    Child c = running.front();
    running.erase(running.begin());
    collect(c);
    while (done.count(merged_upto)) {
      auto& [r, p] = done[merged_upto];
      blk.add(r);
      out.run.events += r.events;
      probe_ratio_sum += p.value("probe_success_ratio", 1.0);
      lost_bytes_sum += p.value("data_lost_bytes", 0.0);
      lost_s_sum += p.value("data_lost_seconds", 0.0);
      ++probe_trials;
      done.erase(merged_upto);
      ++merged_upto;
      const std::uint64_t b = (merged_upto - 1) / block;
      const bool block_end = merged_upto % block == 0 || merged_upto == total;
      if (block_end) {
        superblock.merge(blk);
        blk = Aggregate(cfg);
        const std::uint64_t nblocks = (total + block - 1) / block;
        if ((b + 1) % kSuperblockBlocks == 0 || b + 1 == nblocks) {
          if (empty) total_agg = superblock;
          else total_agg.merge(superblock);
          empty = false;
          superblock = Aggregate(cfg);
        }
      }
    }
  }
  for (auto& c : running) {
    ::kill(c.pid, SIGTERM);
    ::close(c.fd);
    ::waitpid(c.pid, nullptr, 0);
  }
  if (merged_upto < total) {
    out.run.interrupted = true;
    out.run.signal = g_stop_signal.load();
  }
  out.run.aggregate = empty ? Aggregate(cfg) : total_agg;
  out.run.trials = out.run.aggregate.trials();
  out.run.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  out.run.jobs = jobs;
  const double n = static_cast<double>(std::max<std::uint64_t>(1, probe_trials));
  out.platform = {{"trials", probe_trials},
                  {"probe_interval_seconds", probe_interval_s},
                  {"mean_probe_success_ratio", probe_ratio_sum / n},
                  {"mean_data_lost_bytes", lost_bytes_sum / n},
                  {"mean_data_lost_seconds", lost_s_sum / n}};
  return out;
}

}  // namespace drsim
