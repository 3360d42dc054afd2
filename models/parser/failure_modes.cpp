// A failure mode, of a component ("failures") or of a common cause ("failure"): its
// type, the keys each type takes, its lifetime, its events, also_fails, and its
// recovery (a repair time or a runbook) and escalation (see checker.h).
#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "models/parser/checker.h"

namespace drsim::parser {

struct ModeTypeInfo {
  const char* name;
  MType type;
  std::vector<std::string> keys;      // besides the keys every mode has
  std::vector<std::string> required;  // besides id and type
};

namespace {

const std::vector<ModeTypeInfo>& mode_types() {
  static const std::vector<ModeTypeInfo> t = {
      {"random", MType::random, {"ttf", "when"}, {"ttf"}},
      {"latent", MType::latent, {"ttf", "when", "proof_test"}, {"ttf"}},
      {"on_demand", MType::on_demand, {"p"}, {"p"}},
      {"time_bomb", MType::time_bomb, {"fuse", "renewal", "monitoring", "audit"}, {"fuse"}},
      {"external", MType::external, {"rate", "duration"}, {"rate", "duration"}},
      {"change", MType::change, {"rate", "p_bad", "qa"}, {"rate", "p_bad"}},
      {"on_dependency_loss", MType::dependency, {}, {}},
  };
  return t;
}

const std::vector<std::string> kModeCommonKeys = {"id", "type", "recovery", "also_fails", "escalate"};

std::vector<std::string> names_of(const std::vector<ModeTypeInfo>& v) {
  std::vector<std::string> out;
  for (const auto& m : v) out.emplace_back(m.name);
  return out;
}

// Distributions the format implies rather than spells out: an exponential for an
// event rate. Built through parse_distribution so that it is exactly what the written
// form would give.
Distribution exponential_with_rate(double per_hour) {
  Diagnostics scratch;
  auto d = parse_distribution(nlohmann::json{{"dist", "exponential"}, {"rate", fmt::format("{}/h", per_hour)}}, "", scratch);
  return d ? *d : Distribution::fixed(1 / per_hour);
}

// A key of the mode's type that the file gives (with an unknown type, any key present,
// so that its own problems are reported too).
bool mine(const json& j, const ModeTypeInfo* info, const char* k) {
  return j.find(k) != j.end() && (!info || std::find(info->keys.begin(), info->keys.end(), k) != info->keys.end());
}

}  // namespace

const char* type_name(MType t) {
  for (const auto& m : mode_types())
    if (m.type == t) return m.name;
  return "random";
}

FailureMode Checker::parse_mode(const json& j, const std::string& p, bool common_cause) {
  FailureMode fm;
  fm.pointer = p;
  if (!want_object(j, p)) return fm;
  if (auto id = id_at(j, p, "hw")) fm.id = *id;
  const ModeTypeInfo* info = mode_type(j, p, common_cause);
  if (!info) bad_mode_ptrs_.insert(p);
  else fm.type = info->type;
  check_mode_keys(j, p, info);
  // Values of the type's keys. Keys of other types were reported above.
  parse_mode_lifetime(j, p, info, fm);
  parse_mode_events(j, p, info, fm);
  fm.also_fails = ref_list_at(j, p, "also_fails", kComponent, "", true, "\"also_fails\" takes component ids");
  if (const json* r = get(j, "recovery")) fm.recovery = parse_recovery(*r, at(p, "recovery"));
  if (const json* e = get(j, "escalate"); e && want_object(*e, at(p, "escalate"))) parse_escalation(*e, at(p, "escalate"), fm);
  if (auto s = text_at(j, "source")) fm.source = *s;
  return fm;
}

// "type": its entry in mode_types(), or nullptr after reporting it (missing, unknown,
// or not allowed for a common cause).
const ModeTypeInfo* Checker::mode_type(const json& j, const std::string& p, bool common_cause) {
  const ModeTypeInfo* info = nullptr;
  const json* tv = get(j, "type");
  if (!tv) {
    missing(p, "type", "types: " + join(names_of(mode_types())));
  } else if (!tv->is_string()) {
    err(at(p, "type"), "expected a string, got " + type_of(*tv), "types: " + join(names_of(mode_types())));
  } else {
    std::string t = tv->get<std::string>();
    for (const auto& m : mode_types())
      if (t == m.name) info = &m;
    if (!info) {
      auto names = names_of(mode_types());
      std::string n = nearest(t, names);
      err(at(p, "type"), "unknown failure mode type " + q(t), (n.empty() ? "" : "did you mean " + q(n) + "? ") + "types: " + join(names));
    } else if (common_cause && (info->type == MType::on_demand || info->type == MType::dependency)) {
      err(at(p, "type"), "type " + q(t) + " cannot be a common cause", "a common cause is of type random, latent, time_bomb, external or change");
      info = nullptr;
    }
  }
  return info;
}

// Keys: those every mode has, plus the type's own, and the type's required keys. With
// an unknown type (`info` null), only keys that no type knows are reported.
void Checker::check_mode_keys(const json& j, const std::string& p, const ModeTypeInfo* info) {
  std::vector<std::string> allowed = kModeCommonKeys;
  if (info) {
    allowed.insert(allowed.end(), info->keys.begin(), info->keys.end());
  } else {
    for (const auto& m : mode_types()) allowed.insert(allowed.end(), m.keys.begin(), m.keys.end());
  }
  std::vector<std::string> shown = allowed;
  shown.push_back("source");
  shown.push_back("note");
  check_keys(j, p, allowed, [&](const std::string& k) {
    if (!info) return false;
    std::vector<std::string> owners;
    for (const auto& m : mode_types())
      if (std::find(m.keys.begin(), m.keys.end(), k) != m.keys.end()) owners.push_back(m.name);
    if (owners.empty()) return false;
    err(at(p, k), q(k) + " does not apply to type " + q(info->name),
        q(k) + " belongs to type " + join(owners, " and ") + "; keys for " + info->name + ": " + join(shown));
    return true;
  });

  if (info) {
    static const std::map<std::string, std::string> hints = {
        {"ttf", "the time to failure, e.g. {\"dist\": \"exponential\", \"mean\": \"1000h\"}"},
        {"p", "the probability of failing per demand, e.g. 0.01"},
        {"fuse", "the time from installing a wrong key to its expiry, e.g. \"40d\""},
        {"rate", "how often it happens, e.g. \"1/y\""},
        {"duration", "how long it lasts, e.g. {\"dist\": \"lognormal\", \"median\": \"32m\", \"sigma\": 0.9}"},
        {"p_bad", "the share of deployments that are bad, e.g. 0.05"},
    };
    for (const auto& k : info->required)
      if (!get(j, k.c_str())) missing(p, k.c_str(), hints.at(k));
    if (info->type != MType::external && !get(j, "recovery"))
      missing(p, "recovery", "how it is repaired: {\"repair\": \"4h\"} or {\"runbook\": \"...\"}");
  }
}

// The keys of random and latent modes: "ttf", "when", "proof_test".
void Checker::parse_mode_lifetime(const json& j, const std::string& p, const ModeTypeInfo* info, FailureMode& fm) {
  if (mine(j, info, "ttf"))
    if (auto d = dist_at(j, p, "ttf", Zero::refused)) {
      fm.ttf = *d;
      double m = d->mean();
      if (!(m >= kMinLifetimeHours))
        err(at(p, "ttf"), "a mean lifetime of " + (std::isfinite(m) ? format_hours(m) : std::string("0")) + " is shorter than drsim runs",
            "a lifetime's mean must be at least 1 s");
      // A huge spread keeps the mean while putting almost every lifetime at zero:
      // such a trial would never reach its end.
      else if (double md = d->median(); !(md >= kMinLifetimeHours))
        err(at(p, "ttf"), "half of the lifetimes are shorter than 1 s (median " + (md > 0 ? fmt::format("{:.3g} s", md * 3600) : std::string("0")) +
                              "): a trial would never end",
            "the spread is too wide for the mean: give a smaller \"sd\" or \"sigma\", or a Weibull shape of 0.1 or more");
      else check_period(at(p, "ttf"), m, "a failure");
    }
  if (mine(j, info, "when"))
    if (auto w = string_at(j, p, "when")) {
      if (*w == "always") fm.when = When::always;
      else if (*w == "active") fm.when = When::active;
      else if (*w == "standby") fm.when = When::standby;
      else {
        std::string n = nearest(*w, {"always", "active", "standby"});
        err(at(p, "when"), "unknown value " + q(*w) + " for \"when\"",
            (n.empty() ? "" : "did you mean " + q(n) + "? ") + "allowed values: always, active, standby");
      }
    }
  if (mine(j, info, "proof_test"))
    if (const json* pt = get(j, "proof_test"); want_object(*pt, at(p, "proof_test"))) {
      std::string pp = at(p, "proof_test");
      check_keys(*pt, pp, {"interval", "offset", "coverage"});
      if (!get(*pt, "interval")) missing(pp, "interval", "the time between proof tests, e.g. \"730h\"");
      if (auto h = duration_at(*pt, pp, "interval", Zero::refused)) {
        fm.proof_interval = *h;
        check_period(at(pp, "interval"), *h, "a proof test");
      }
      if (auto h = duration_at(*pt, pp, "offset", Zero::allowed)) fm.proof_offset = *h;
      if (auto c = probability_at(*pt, pp, "coverage", "the chance a test finds a present fault")) fm.proof_coverage = *c;
    }
}

// The keys of the other types: on_demand "p", change "p_bad", "qa" and "rate",
// time_bomb "fuse", "renewal", "monitoring", "audit", external "rate", "duration".
void Checker::parse_mode_events(const json& j, const std::string& p, const ModeTypeInfo* info, FailureMode& fm) {
  if (mine(j, info, "p"))
    if (auto x = probability_at(j, p, "p", "the chance of failing per demand")) fm.p = *x;
  if (mine(j, info, "p_bad"))
    if (auto x = probability_at(j, p, "p_bad", "the share of deployments that are bad")) fm.p = *x;
  if (mine(j, info, "fuse")) fm.fuse = dist_at(j, p, "fuse", Zero::refused);
  if (mine(j, info, "renewal"))
    if (const json* r = get(j, "renewal"); want_object(*r, at(p, "renewal"))) {
      std::string rp = at(p, "renewal");
      check_keys(*r, rp, {"every", "p_wrong"});
      if (auto h = duration_at(*r, rp, "every", Zero::refused)) {
        fm.renew_every = *h;
        check_period(at(rp, "every"), *h, "a renewal");
      }
      if (auto x = probability_at(*r, rp, "p_wrong", "the share of renewals that install a wrong key")) fm.p_wrong = *x;
    }
  if (mine(j, info, "monitoring"))
    if (const json* m = get(j, "monitoring"); want_object(*m, at(p, "monitoring"))) {
      std::string mp = at(p, "monitoring");
      check_keys(*m, mp, {"alert_ahead"});
      if (auto h = duration_at(*m, mp, "alert_ahead", Zero::allowed)) fm.alert_ahead = *h;
    }
  if (mine(j, info, "audit"))
    if (const json* a = get(j, "audit"); want_object(*a, at(p, "audit"))) {
      std::string ap = at(p, "audit");
      check_keys(*a, ap, {"coverage"});
      if (auto x = probability_at(*a, ap, "coverage", "the chance an audit finds a wrong key")) fm.audit_coverage = *x;
    }
  if (mine(j, info, "qa"))
    if (const json* a = get(j, "qa"); want_object(*a, at(p, "qa"))) {
      std::string ap = at(p, "qa");
      check_keys(*a, ap, {"coverage"});
      if (auto x = probability_at(*a, ap, "coverage", "the chance QA catches a bad change before it ships")) fm.audit_coverage = *x;
    }
  if (mine(j, info, "rate"))
    if (const json* r = get(j, "rate"); auto per_hour = rate(*r, at(p, "rate"), "rate")) {
      fm.rate = *per_hour;
      if (info && info->type == MType::external)
        fm.ttf = exponential_with_rate(*per_hour);  // an outside event: a Poisson process
    }
  if (mine(j, info, "duration")) fm.duration = dist_at(j, p, "duration", Zero::refused);
}

// "escalate": after N occurrences recovered the usual way, later ones use its recovery.
void Checker::parse_escalation(const json& e, const std::string& ep, FailureMode& fm) {
  check_keys(e, ep, {"after", "recovery"});
  if (!get(e, "after")) missing(ep, "after", "the number of occurrences recovered the usual way, e.g. 2");
  if (auto n = int_at(e, ep, "after", 1, "the number of occurrences recovered the usual way")) fm.escalate_after = static_cast<int>(*n);
  if (const json* r = get(e, "recovery")) fm.escalation = parse_recovery(*r, at(ep, "recovery"));
  else missing(ep, "recovery", "how later occurrences are recovered: {\"repair\": \"4h\"} or {\"runbook\": \"...\"}");
}

Recovery Checker::parse_recovery(const json& j, const std::string& p) {
  Recovery r;
  if (!want_object(j, p, "{\"repair\": \"4h\"} or {\"runbook\": \"...\"}")) return r;
  check_keys(j, p, {"detect", "repair", "runbook", "crew"});
  bool has_repair = get(j, "repair"), has_runbook = get(j, "runbook");
  if (has_repair && has_runbook)
    err(p, "\"repair\" and \"runbook\" exclude each other", "a recovery is either a repair time or a runbook");
  else if (!has_repair && !has_runbook && !misspelt(p, "repair") && !misspelt(p, "runbook"))
    err(p, "a recovery needs \"repair\" or \"runbook\"", "e.g. {\"repair\": \"4h\"} or {\"runbook\": \"site-restart\"}");
  r.detect = dist_at(j, p, "detect", Zero::allowed);
  r.repair = dist_at(j, p, "repair", Zero::allowed);
  if (auto rb = string_at(j, p, "runbook")) {
    if (!runbook_ptr_.count(*rb)) {
      std::vector<std::string> ids;
      for (const auto& kv : runbook_ptr_) ids.push_back(kv.first);
      std::string n = nearest(*rb, ids);
      err(at(p, "runbook"), "unknown runbook " + q(*rb),
          !n.empty() ? "did you mean " + q(n) + "?" : ids.empty() ? "the file has no \"runbooks\"" : "runbooks: " + join(ids));
    } else {
      r.runbook = *rb;
      used_runbooks_.insert(*rb);
    }
  }
  if (auto c = bool_at(j, p, "crew")) r.uses_crew = *c;
  return r;
}

}  // namespace drsim::parser
