// "components": the parts that fail, with their kind, site, dependencies ("needs"),
// failure modes (failure_modes.cpp reads each), and the kinds' own keys: a UPS's
// "battery_runtime", a storage array's "replication", and the SimGrid "platform"
// (see checker.h).
#include <map>

#include <fmt/format.h>

#include "models/parser/checker.h"

namespace drsim::parser {

void Checker::parse_components(const json& v) {
  if (!want_array(v, "/components")) return;
  for (std::size_t i = 0; i < v.size(); ++i) sc_.components.push_back(parse_component(v[i], at("/components", i)));
}

Component Checker::parse_component(const json& j, const std::string& p) {
  Component c;
  c.pointer = p;
  if (!want_object(j, p)) return c;
  check_keys(j, p, {"id", "name", "kind", "site", "needs", "failures", "battery_runtime", "replication", "platform", "crew"});
  if (auto crew = crew_ref_at(j, p)) c.crew = *crew;
  std::string from;  // this component as the source of dependency edges
  if (auto id = id_at(j, p, "dc1/lb-a")) {
    c.id = *id;
    if (check_unique(c.id, p)) from = c.id;
  }
  if (auto s = string_at(j, p, "name")) c.name = *s;
  std::string kind_name = "generic";
  const bool kind_ok = parse_component_kind(j, p, c, kind_name);
  if (auto s = string_at(j, p, "site")) {
    c.site = *s;
    check_component_site(*s, p);
  }
  c.needs = ref_list_at(j, p, "needs", kNode, from, true);
  if (const json* f = get(j, "failures"); f && want_array(*f, at(p, "failures"))) parse_failure_list(*f, at(p, "failures"), c);
  if (const json* b = get(j, "battery_runtime")) {
    if (kind_ok && c.kind != ComponentKind::ups)
      err(at(p, "battery_runtime"), "\"battery_runtime\" applies only to kind \"ups\", not " + q(kind_name),
          "remove it, or set \"kind\": \"ups\"");
    else if (auto h = duration(*b, at(p, "battery_runtime"), "battery_runtime", Zero::refused))
      c.battery_runtime = *h;
  }
  if (const json* r = get(j, "replication")) {
    if (kind_ok && c.kind != ComponentKind::storage)
      err(at(p, "replication"), "\"replication\" applies only to kind \"storage\", not " + q(kind_name),
          "remove it, or set \"kind\": \"storage\"");
    else
      parse_replication(*r, at(p, "replication"), c);
  }
  if (const json* pl = get(j, "platform"); pl && want_object(*pl, at(p, "platform"))) parse_platform(*pl, at(p, "platform"), c);
  if (auto s = text_at(j, "source")) c.source = *s;
  return c;
}

// "kind" (default "generic"); `kind_name` receives it as written. Returns false when the
// kind is unknown or not a string: then the kinds' own keys are not judged by it.
bool Checker::parse_component_kind(const json& j, const std::string& p, Component& c, std::string& kind_name) {
  if (auto s = string_at(j, p, "kind")) {
    kind_name = *s;
    if (auto k = component_kind_from_string(*s)) {
      c.kind = *k;
      return true;
    }
    auto kinds = component_kind_names();
    std::string n = nearest(*s, kinds);
    err(at(p, "kind"), "unknown kind " + q(*s), (n.empty() ? "" : "did you mean " + q(n) + "? ") + "kinds: " + join(kinds));
    return false;
  }
  return !get(j, "kind");
}

// With "sites" declared, a component's "site" must be one of them.
void Checker::check_component_site(const std::string& site, const std::string& p) {
  if (!have_sites_ || site_ptr_.count(site)) return;
  std::vector<std::string> sites;
  for (const auto& kv : site_ptr_) sites.push_back(kv.first);
  std::string n = nearest(site, sites);
  err(at(p, "site"), "unknown site " + q(site),
      n.empty() ? (sites.empty() ? "\"sites\" lists no sites" : "sites: " + join(sites)) : "did you mean " + q(n) + "?");
}

// "failures": each mode, and mode ids unique within the component.
void Checker::parse_failure_list(const json& f, const std::string& fp, Component& c) {
  std::map<std::string, std::string> seen;
  for (std::size_t m = 0; m < f.size(); ++m) {
    std::string mp = at(fp, m);
    FailureMode fm = parse_mode(f[m], mp, false);
    if (!fm.id.empty()) {
      auto [it, fresh] = seen.emplace(fm.id, mp);
      if (!fresh)
        err(at(mp, "id"), "duplicate failure mode id " + q(fm.id),
            "already used at " + it->second + "; failure mode ids are unique within a component");
    }
    c.failures.push_back(std::move(fm));
  }
}

void Checker::parse_replication(const json& j, const std::string& p, Component& c) {
  if (!want_object(j, p, "e.g. {\"to\": \"dc2/storage\", \"mode\": \"async\", \"lag\": \"30s\"}")) return;
  check_keys(j, p, {"to", "mode", "lag", "write_rate"});
  Replication r;
  if (!get(j, "to")) {
    missing(p, "to", "the peer storage array, e.g. \"to\": \"dc2/storage\"");
  } else if (auto to = ref_at(j, p, "to", kComponent, "", true)) {
    if (*to == c.id) err(at(p, "to"), "a storage array cannot replicate to itself", "name the peer array at the other site");
    else if (raw_kind(*to) != "storage")
      err(at(p, "to"), q(*to) + " is not a storage component", "replication goes to a peer array, a component of kind \"storage\"");
    r.to = *to;
  }
  if (auto m = string_at(j, p, "mode")) {
    if (*m == "sync") r.sync = true;
    else if (*m != "async")
      err(at(p, "mode"), "unknown replication mode " + q(*m), "allowed values: sync, async");
  }
  if (const json* lag = get(j, "lag")) {
    if (r.sync) err(at(p, "lag"), "\"lag\" applies only to \"mode\": \"async\"", "sync replication loses no data; remove \"lag\" or use \"async\"");
    else r.lag = dist(*lag, at(p, "lag"), Zero::allowed);
  }
  if (auto w = number_at(j, p, "write_rate")) {
    if (*w <= 0) err(at(p, "write_rate"), fmt::format("\"write_rate\" must be positive, got {}", j["write_rate"].dump()), "MB/s written to the array, e.g. 20");
    else r.write_rate_mb_s = *w;
  }
  if (auto s = text_at(j, "source")) r.source = *s;
  c.replication = std::move(r);
}

// "platform": what the SimGrid engine gives the component's host and link.
void Checker::parse_platform(const json& pl, const std::string& pp, Component& c) {
  check_keys(pl, pp, {"bandwidth", "latency", "speed"});
  if (auto x = number_at(pl, pp, "bandwidth")) {
    if (*x <= 0) err(at(pp, "bandwidth"), fmt::format("\"bandwidth\" must be positive, got {}", pl["bandwidth"].dump()), "MB/s, e.g. 1250 for 10 Gbit/s");
    else c.platform.bandwidth_mb_s = *x;
  }
  if (auto x = number_at(pl, pp, "latency")) {
    if (*x < 0) err(at(pp, "latency"), fmt::format("\"latency\" must not be negative, got {}", pl["latency"].dump()), "milliseconds, e.g. 2");
    else c.platform.latency_ms = *x;
  }
  if (auto x = number_at(pl, pp, "speed")) {
    if (*x <= 0) err(at(pp, "speed"), fmt::format("\"speed\" must be positive, got {}", pl["speed"].dump()), "Gflop/s, e.g. 10");
    else c.platform.speed_gflops = *x;
  }
}

}  // namespace drsim::parser
