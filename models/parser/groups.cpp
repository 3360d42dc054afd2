// "groups": redundancy groups — members in order of preference, k of n ("need"),
// active-active or active-standby (hot, warm, cold), their failover policy, their
// repair crews and a UPS bridge (see checker.h).
#include <fmt/format.h>

#include "models/parser/checker.h"

namespace drsim::parser {

namespace {

// Health-check detection: uniform between its bounds, built through
// parse_distribution so that it is exactly what the written form would give.
Distribution uniform_between(double lo_hours, double hi_hours) {
  Diagnostics scratch;
  auto d = parse_distribution(
      nlohmann::json{{"dist", "uniform"}, {"min", fmt::format("{}h", lo_hours)}, {"max", fmt::format("{}h", hi_hours)}}, "",
      scratch, true);
  return d ? *d : Distribution::fixed((lo_hours + hi_hours) / 2);
}

}  // namespace

void Checker::parse_groups(const json& v) {
  if (!want_array(v, "/groups")) return;
  for (std::size_t i = 0; i < v.size(); ++i) sc_.groups.push_back(parse_group(v[i], at("/groups", i)));
}

Group Checker::parse_group(const json& j, const std::string& p) {
  Group g;
  g.pointer = p;
  if (!want_object(j, p)) return g;
  check_keys(j, p, {"id", "name", "members", "need", "mode", "standby", "warm_factor", "failover", "repair_crews", "crew", "bridge"});
  std::string from;
  if (auto id = id_at(j, p, "dc1/lbs")) {
    g.id = *id;
    if (check_unique(g.id, p)) from = g.id;
  }
  if (auto s = string_at(j, p, "name")) g.name = *s;
  parse_group_members(j, p, from, g);
  parse_group_mode(j, p, g);
  if (const json* f = get(j, "failover")) parse_failover(*f, at(p, "failover"), g.failover, from);
  if (auto n = int_at(j, p, "repair_crews", 0, "0 = one crew per member")) g.repair_crews = static_cast<int>(*n);
  if (auto crew = crew_ref_at(j, p)) {
    g.crew = *crew;
    if (g.repair_crews > 0)
      err(at(p, "crew"), "\"crew\" and \"repair_crews\" both given",
          "\"repair_crews\": k is a private pool of k crews; \"crew\" names a shared pool from \"crews\": keep one");
  }
  if (auto b = ref_at(j, p, "bridge", kComponent, from, true, "\"bridge\" takes a component of kind \"ups\"")) {
    if (raw_kind(*b) != "ups") err(at(p, "bridge"), q(*b) + " is not a ups", "a bridge is a component of kind \"ups\" with \"battery_runtime\"");
    g.bridge = *b;
  }
  if (auto s = text_at(j, "source")) g.source = *s;
  return g;
}

// "members" (each in one group only) and "need", at most the number of members.
void Checker::parse_group_members(const json& j, const std::string& p, const std::string& from, Group& g) {
  const json* members = get(j, "members");
  if (!members) missing(p, "members", "the redundant parts, in order of preference: [\"dc1/lb-a\", \"dc1/lb-b\"]");
  else if (members->is_array() && members->empty())
    err(at(p, "members"), "\"members\" is empty", "a group needs at least one member");
  g.members = ref_list_at(j, p, "members", kNode, from, true);
  for (std::size_t k = 0; k < g.members.size(); ++k) {
    std::string mp = at(at(p, "members"), k);
    auto [it, fresh] = member_of_.emplace(g.members[k], std::make_pair(g.id, mp));
    if (!fresh)
      err(mp, q(g.members[k]) + " is already a member of group " + q(it->second.first) + " (at " + it->second.second + ")",
          "a component, group or block can be in one redundancy group only: a second group would give it two "
          "roles and two crews; to make several groups depend on it, list it in their members' \"needs\" instead");
  }
  if (auto k = int_at(j, p, "need", 1, "the number of members that must work (k of n)")) {
    g.need = static_cast<int>(*k);
    if (members && members->is_array() && !members->empty() && *k > static_cast<long long>(members->size()))
      err(at(p, "need"), fmt::format("\"need\" is {} but the group has only {} member{}", *k, members->size(), members->size() == 1 ? "" : "s"),
          fmt::format("k of n: \"need\" can be at most {}", members->size()));
  }
}

// "mode", and what applies only to some modes: "standby", "warm_factor".
void Checker::parse_group_mode(const json& j, const std::string& p, Group& g) {
  bool standby_mode = false;
  if (auto m = string_at(j, p, "mode")) {
    if (*m == "active-active") g.mode = Group::Mode::active_active;
    else if (*m == "active-standby") standby_mode = true, g.mode = Group::Mode::active_standby;
    else {
      std::string n = nearest(*m, {"active-active", "active-standby"});
      err(at(p, "mode"), "unknown group mode " + q(*m), (n.empty() ? "" : "did you mean " + q(n) + "? ") + "allowed values: active-active, active-standby");
      standby_mode = true;  // unknown: do not also complain about "standby"
    }
  }
  bool warm = false;
  if (auto s = string_at(j, p, "standby")) {
    if (!standby_mode) {
      err(at(p, "standby"), "\"standby\" applies only to \"mode\": \"active-standby\"", "remove it, or set \"mode\": \"active-standby\"");
    } else if (*s == "hot") g.standby = Group::Standby::hot;
    else if (*s == "warm") warm = true, g.standby = Group::Standby::warm;
    else if (*s == "cold") g.standby = Group::Standby::cold;
    else {
      std::string n = nearest(*s, {"hot", "warm", "cold"});
      err(at(p, "standby"), "unknown standby " + q(*s), (n.empty() ? "" : "did you mean " + q(n) + "? ") + "allowed values: hot, warm, cold");
      warm = true;
    }
  }
  if (get(j, "warm_factor")) {
    if (!warm) {
      err(at(p, "warm_factor"), "\"warm_factor\" applies only to \"standby\": \"warm\"", "remove it, or set \"standby\": \"warm\"");
    } else if (auto x = number_at(j, p, "warm_factor")) {
      if (*x < 0 || *x > 1)
        err(at(p, "warm_factor"), fmt::format("\"warm_factor\" must be in [0, 1], got {}", j["warm_factor"].dump()),
            "the failure-rate multiplier of a warm standby: 0 = as cold, 1 = as hot");
      else g.warm_factor = *x;
    }
  }
}

void Checker::parse_failover(const json& j, const std::string& p, FailoverPolicy& f, const std::string& group_id) {
  if (!want_object(j, p)) return;
  check_keys(j, p, {"detection", "switchover", "coverage", "automatic", "manual", "mechanism", "failback"});
  if (const json* d = get(j, "detection")) {
    std::string dp = at(p, "detection");
    if (d->is_object() && d->contains("interval") && !d->contains("dist")) {
      // Health checks every T, k misses to declare a failure: detection is uniform in
      // [(k-1)T, kT] (the failure falls anywhere within a check interval).
      check_keys(*d, dp, {"interval", "threshold"});
      auto t = duration_at(*d, dp, "interval", Zero::refused);
      long long k = 1;
      if (get(*d, "threshold")) {
        auto kk = int_at(*d, dp, "threshold", 1, "the number of failed checks that declare a member down");
        k = kk ? *kk : 0;
      }
      if (t && k > 0) f.detection = uniform_between(static_cast<double>(k - 1) * *t, static_cast<double>(k) * *t);
    } else {
      f.detection = dist(*d, dp, Zero::allowed);
    }
  }
  f.switchover = dist_at(j, p, "switchover", Zero::allowed);
  if (auto c = probability_at(j, p, "coverage", "the chance the automatic failover works when needed")) f.coverage = *c;
  if (auto a = bool_at(j, p, "automatic")) f.automatic = *a;
  f.manual = dist_at(j, p, "manual", Zero::allowed);
  if (auto m = ref_at(j, p, "mechanism", kComponent, group_id, true, "\"mechanism\" takes a component id")) f.mechanism = *m;
  if (auto b = bool_at(j, p, "failback")) f.failback = *b;
  if (auto s = text_at(j, "source")) f.source = *s;
}

}  // namespace drsim::parser
