#include "sim/simgrid/simgrid_engine.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include <simgrid/s4u.hpp>

#include "models/scheduler.h"

namespace sg4 = simgrid::s4u;

namespace drsim {
namespace {

constexpr double kSecondsPerHour = 3600;

bool is_host_kind(ComponentKind k) {
  return k == ComponentKind::load_balancer || k == ComponentKind::app_server || k == ComponentKind::database ||
         k == ComponentKind::storage || k == ComponentKind::dns;
}
bool is_link_kind(ComponentKind k) {
  return k == ComponentKind::network_switch || k == ComponentKind::router || k == ComponentKind::wan_link;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  auto k = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size())));
  return v[std::clamp<std::size_t>(k, 1, v.size()) - 1];
}


struct Platform {
  const Scenario& sc;
  PlatformMetrics& m;
  const SimGridOptions& opt;
  sg4::Host* users = nullptr;
  sg4::Host* control = nullptr;
  std::vector<sg4::Host*> host_of;  // by component, or null
  std::vector<sg4::Link*> link_of;  // by component, or null
  std::map<std::string, sg4::Link*> fabric;  // by site
  std::vector<bool> works;          // by component, as the model says
  int down = 0;                     // components not working
  bool service_impaired = false;    // the model's service is DOWN or DEGRADED

  Platform(const Scenario& s, PlatformMetrics& metrics, const SimGridOptions& o) : sc(s), m(metrics), opt(o) {}

  void build() {
    auto* zone = sg4::create_full_zone("datacentres");
    const std::size_t n = sc.components.size();
    host_of.assign(n, nullptr);
    link_of.assign(n, nullptr);
    works.assign(n, true);
    users = zone->create_host("users", 1e10)->seal();
    control = zone->create_host("control", 1e10)->seal();
    std::map<sg4::Host*, sg4::Link*> nic;
    std::map<sg4::Host*, std::string> site_of;
    auto make_link = [&](const std::string& name, double mb_s, double latency_ms) {
      return zone->create_link(name, mb_s * 1e6)->set_latency(latency_ms * 1e-3)->seal();
    };
    for (std::size_t c = 0; c < n; ++c) {
      const auto& comp = sc.components[c];
      const auto& hint = comp.platform;
      if (is_host_kind(comp.kind)) {
        auto* h = zone->create_host(comp.id, (hint.speed_gflops > 0 ? hint.speed_gflops : 10) * 1e9)->seal();
        host_of[c] = h;
        nic[h] = make_link(comp.id + "/nic", 1250, 0.01);
        site_of[h] = comp.site;
      } else if (is_link_kind(comp.kind)) {
        double bw = hint.bandwidth_mb_s > 0 ? hint.bandwidth_mb_s : comp.kind == ComponentKind::wan_link ? 125 : 1250;
        double lat = hint.latency_ms >= 0 ? hint.latency_ms : comp.kind == ComponentKind::wan_link ? 10 : 0.05;
        link_of[c] = make_link(comp.id, bw, lat);
      }
    }
    sg4::Link* wan = nullptr;
    for (std::size_t c = 0; c < n; ++c)
      if (sc.components[c].kind == ComponentKind::wan_link && !wan) wan = link_of[c];
    if (!wan) wan = make_link("wan", 125, 10);
    sg4::Link* internet = make_link("internet", 125, 20);
    auto fabric_of = [&](const std::string& site) {
      auto it = fabric.find(site);
      if (it != fabric.end()) return it->second;
      return fabric[site] = make_link("fabric:" + (site.empty() ? std::string("outside") : site), 1250, 0.05);
    };
    std::vector<sg4::Host*> hosts;
    for (auto* h : host_of)
      if (h) hosts.push_back(h);
    for (auto* h : hosts) fabric_of(site_of[h]);
    // Routes: users <-> every host; every pair of hosts.
    for (auto* h : hosts) {
      std::vector<sg4::LinkInRoute> r = {sg4::LinkInRoute(internet), sg4::LinkInRoute(fabric_of(site_of[h])), sg4::LinkInRoute(nic[h])};
      zone->add_route(users->get_netpoint(), h->get_netpoint(), nullptr, nullptr, r);
      zone->add_route(control->get_netpoint(), h->get_netpoint(), nullptr, nullptr, {sg4::LinkInRoute(nic[h])});
    }
    zone->add_route(users->get_netpoint(), control->get_netpoint(), nullptr, nullptr, {sg4::LinkInRoute(internet)});
    for (std::size_t i = 0; i < hosts.size(); ++i)
      for (std::size_t j = i + 1; j < hosts.size(); ++j) {
        auto *a = hosts[i], *b = hosts[j];
        std::vector<sg4::LinkInRoute> r = {sg4::LinkInRoute(nic[a]), sg4::LinkInRoute(fabric_of(site_of[a]))};
        if (site_of[a] != site_of[b]) {
          r.emplace_back(wan);
          r.emplace_back(fabric_of(site_of[b]));
        }
        r.emplace_back(nic[b]);
        zone->add_route(a->get_netpoint(), b->get_netpoint(), nullptr, nullptr, r);
      }
    zone->seal();
    sg4::Host::on_state_change_cb([this](const sg4::Host&) { ++m.host_state_changes; });
    sg4::Link::on_state_change_cb([this](const sg4::Link&) { ++m.link_state_changes; });
  }

  // The model says component c starts or stops working.
  void set(int c, bool ok) {
    auto u = static_cast<std::size_t>(c);
    if (works[u] == ok) return;
    for (auto& st : streams) settle(*st);  // the backlogs up to now, under the old states
    works[u] = ok;
    down += ok ? -1 : 1;
    if (auto* h = host_of[u]) {
      if (!ok) {
        on_storage_lost(c);
        h->turn_off();
      } else {
        h->turn_on();
      }
    }
    if (auto* l = link_of[u]) ok ? l->turn_on() : l->turn_off();
    for (auto& st : streams) st->wake->release();
    if (sc.components[u].kind == ComponentKind::network_switch) {
      // The site's fabric carries traffic while any of its switches works.
      const std::string& site = sc.components[u].site;
      bool any = false;
      for (std::size_t k = 0; k < sc.components.size(); ++k)
        if (sc.components[k].kind == ComponentKind::network_switch && sc.components[k].site == site && works[k]) any = true;
      if (auto it = fabric.find(site); it != fabric.end()) {
        if (any && !it->second->is_on()) it->second->turn_on();
        if (!any && it->second->is_on()) it->second->turn_off();
      }
    }
  }

  // ---- replication
  // Event-driven: the actor ships the backlog in catch-up transfers until the peer is
  // less than a second of writes behind, then sleeps (streaming, the peer `lag` seconds
  // behind) until a component changes state. Between transfers the backlog is known in
  // closed form (writes accrue at `rate` while the array works), so a quiet year costs
  // a handful of wake-ups, not one every few seconds.
  struct Stream {
    int src = -1, dst = -1;
    double rate = 0;          // bytes per second
    double backlog = 0;       // bytes written and not at the peer, as of `since`
    double since = 0;         // simulated seconds
    bool streaming = false;   // caught up: the peer is `lag` seconds of writes behind
    double lag = 0;
    sg4::SemaphorePtr wake;   // released by set() on every state change
  };
  std::vector<std::shared_ptr<Stream>> streams;

  // Simulated seconds: the model's time in maestro (SimGrid's clock may stand still there
  // when no activity ends before the model event), SimGrid's in an actor.
  double maestro_now_s = 0;
  double clock() const { return sg4::Actor::is_maestro() ? maestro_now_s : sg4::Engine::get_clock(); }

  // Bytes not yet at the peer now (writes accrue only while the array works).
  double backlog_now(const Stream& s) const {
    if (s.streaming) return s.rate * s.lag;
    const bool writing = works[static_cast<std::size_t>(s.src)];
    return s.backlog + (writing ? s.rate * (clock() - s.since) : 0.0);
  }
  void settle(Stream& s) {
    s.backlog = backlog_now(s);
    s.since = clock();
    s.streaming = false;
  }

  void on_storage_lost(int c) {
    for (auto& s : streams) {
      if (s->src != c) continue;
      settle(*s);
      if (works[static_cast<std::size_t>(s->dst)]) {
        // The writes not yet at the peer are lost; a transfer under way dies with the host.
        m.data_lost_bytes += s->backlog;
        m.data_lost_seconds += s->rate > 0 ? s->backlog / s->rate : 0;
      }
      s->backlog = 0;
    }
  }

  void start_actors() {
    for (std::size_t c = 0; c < sc.components.size(); ++c) {
      const auto& comp = sc.components[c];
      if (!comp.replication || comp.replication->sync || !host_of[c]) continue;
      auto* peer = sc.component(comp.replication->to);
      if (!peer) continue;
      auto s = std::make_shared<Stream>();
      s->wake = sg4::Semaphore::create(0);
      s->src = static_cast<int>(c);
      s->dst = static_cast<int>(peer - sc.components.data());
      if (!host_of[static_cast<std::size_t>(s->dst)]) continue;
      s->rate = comp.replication->write_rate_mb_s * 1e6;
      streams.push_back(s);
      ++m.replication_streams;
      sg4::Actor::create("replication:" + comp.id, control, [this, s]() { replicate(s); });
    }
    if (opt.probe_interval_s > 0) sg4::Actor::create("probes", users, [this]() { probe_loop(); });
  }

  // Blocks until set() reports a state change (drains repeated reports).
  static void wait_change(Stream& s) {
    s.wake->acquire();
    while (!s.wake->would_block()) s.wake->acquire();
  }

  void replicate(const std::shared_ptr<Stream>& s) {
    sg4::Host* src = host_of[static_cast<std::size_t>(s->src)];
    sg4::Host* dst = host_of[static_cast<std::size_t>(s->dst)];
    for (;;) {
      if (!works[static_cast<std::size_t>(s->src)] || !src->is_on() || !dst->is_on()) {
        wait_change(*s);
        continue;
      }
      // One catch-up transfer of what is pending (at least a byte, to measure the lag).
      settle(*s);
      const double t0 = s->since;
      const double bytes = std::max(1.0, s->backlog);
      try {
        sg4::Comm::sendto_async(src, dst, static_cast<std::uint64_t>(bytes))->wait();
      } catch (const simgrid::Exception&) {
        wait_change(*s);  // a host or link of the route went off: retry when something changes
        continue;
      }
      settle(*s);
      s->backlog = std::max(0.0, s->backlog - bytes);
      const double took = sg4::Engine::get_clock() - t0;
      if (took <= opt.replication_catch_up_s && s->backlog <= s->rate * opt.replication_catch_up_s) {
        s->streaming = true;
        s->lag = took;
        wait_change(*s);
        settle(*s);
      }
    }
  }

  sg4::Host* pick(ComponentKind kind, const std::string& prefer_site) {
    sg4::Host* any = nullptr;
    for (std::size_t c = 0; c < sc.components.size(); ++c) {
      if (sc.components[c].kind != kind || !host_of[c] || !host_of[c]->is_on()) continue;
      if (sc.components[c].site == prefer_site) return host_of[c];
      if (!any) any = host_of[c];
    }
    return any;
  }
  std::string site_of_host(sg4::Host* h) {
    for (std::size_t c = 0; c < sc.components.size(); ++c)
      if (host_of[c] == h) return sc.components[c].site;
    return "";
  }
  bool has_kind(ComponentKind k) const {
    for (std::size_t c = 0; c < sc.components.size(); ++c)
      if (sc.components[c].kind == k && host_of[c]) return true;
    return false;
  }

  void probe_loop() {
    const ComponentKind tiers[] = {ComponentKind::dns, ComponentKind::load_balancer, ComponentKind::app_server, ComponentKind::database};
    for (;;) {
      sg4::this_actor::sleep_for(opt.probe_interval_s);
      const bool degraded = service_impaired;
      const double t0 = sg4::Engine::get_clock();
      bool ok = true;
      sg4::Host* prev = users;
      std::string site;
      for (auto k : tiers) {
        if (!has_kind(k)) continue;
        sg4::Host* next = pick(k, site);
        if (!next) {
          ok = false;
          break;
        }
        try {
          sg4::Comm::sendto_async(prev, next, 1000)->wait_for(opt.probe_timeout_s);
        } catch (const simgrid::Exception&) {
          ok = false;
          break;
        }
        prev = next;
        site = site_of_host(next);
      }
      const double latency = sg4::Engine::get_clock() - t0;
      ++m.probes;
      if (degraded) ++m.probes_degraded;
      if (ok) {
        ++m.probes_ok;
        m.latency_ok_s.push_back(latency);
        if (degraded) {
          ++m.probes_degraded_ok;
          m.latency_degraded_s.push_back(latency);
        }
      }
    }
  }
};

bool g_used = false;

}  // namespace

nlohmann::json PlatformMetrics::to_json() const {
  auto pct = [](const std::vector<double>& v) {
    return nlohmann::json{{"p50_ms", percentile(v, 0.5) * 1e3}, {"p99_ms", percentile(v, 0.99) * 1e3}, {"n", v.size()}};
  };
  return {{"probes", probes},
          {"probe_success_ratio", probes ? static_cast<double>(probes_ok) / static_cast<double>(probes) : 1.0},
          {"probes_while_degraded", probes_degraded},
          {"probe_success_ratio_while_degraded",
           probes_degraded ? static_cast<double>(probes_degraded_ok) / static_cast<double>(probes_degraded) : 1.0},
          {"latency", pct(latency_ok_s)},
          {"latency_while_degraded", pct(latency_degraded_s)},
          {"replication_streams", replication_streams},
          {"data_lost_bytes", data_lost_bytes},
          {"data_lost_seconds", data_lost_seconds},
          {"host_state_changes", host_state_changes},
          {"link_state_changes", link_state_changes}};
}

SimGridTrial run_simgrid_trial(const Scenario& sc, std::uint64_t seed, std::uint64_t trial, double horizon, ModelOptions mo,
                               const SimGridOptions& sgo) {
  if (g_used)
    throw std::logic_error("SimGrid allows one engine per process and never resets its clock: run one SimGrid trial per process");
  g_used = true;
  int argc = 2;
  char arg0[] = "drsim";
  char arg1[] = "--log=root.thres:critical";
  char* argv[] = {arg0, arg1, nullptr};
  // Leaked on purpose: the engine lives until the process ends (actors loop forever).
  auto* engine = new sg4::Engine(&argc, argv);
  SimGridTrial out;
  Platform p(sc, out.platform, sgo);
  p.build();
  mo.record = true;
  Model model(sc, mo);
  model.set_observer([&p](int c, bool ok) { p.set(c, ok); });
  Scheduler s;  // the model's events; SimGrid is advanced between them
  model.begin_trial(s, seed, trial);
  p.start_actors();
  bool done = model.finished();
  EventCalendar::Entry e;
  while (!done && s.calendar().peek(e)) {
    if (e.t > horizon) break;
    engine->run_until(e.t * kSecondsPerHour);
    s.set_now(e.t);
    s.calendar().pop();
    p.maestro_now_s = e.t * kSecondsPerHour;
    const std::size_t seen = model.events().size();
    model.fire(e.handler, e.arg);
    for (std::size_t i = seen; i < model.events().size(); ++i) {
      auto k = model.events()[i].kind;
      if (k == ModelEvent::Kind::service_up) p.service_impaired = false;
      if (k == ModelEvent::Kind::service_down || k == ModelEvent::Kind::service_degraded) p.service_impaired = true;
    }
    done = model.finished();
  }
  const double t_end = done ? s.now() : horizon;
  p.maestro_now_s = t_end * kSecondsPerHour;
  engine->run_until(t_end * kSecondsPerHour);
  out.result = model.end_trial(t_end);
  out.events = model.events();
  return out;
}

}  // namespace drsim
