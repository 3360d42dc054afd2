// "injections": the scripted events of a drill — when ("at": a duration or a
// wall-clock time), what ("action"), on what ("target", "mode"), how often ("repeat") —
// and whether the target has a failure mode the action can act on (see checker.h).
#include <algorithm>

#include <fmt/format.h>

#include "models/parser/checker.h"
#include "models/scenario_parser.h"

namespace drsim::parser {

namespace {

const std::vector<std::pair<std::string, Injection::Action>> kActions = {
    {"fail", Injection::Action::fail},
    {"expire", Injection::Action::expire},
    {"arm", Injection::Action::arm},
    {"cut_power", Injection::Action::cut_power},
    {"change_config", Injection::Action::change_config},
    {"deploy_bad_change", Injection::Action::deploy_bad_change},
    {"latent", Injection::Action::latent},
};

// Which failure modes an injection action can act on (as the model resolves them).
bool action_fits(Injection::Action a, MType t) {
  switch (a) {
    case Injection::Action::fail: return t != MType::dependency;
    case Injection::Action::expire:
    case Injection::Action::arm: return t == MType::time_bomb;
    case Injection::Action::cut_power:
    case Injection::Action::change_config: return t == MType::external || t == MType::random;
    case Injection::Action::deploy_bad_change: return t == MType::change;
    case Injection::Action::latent: return t == MType::latent || t == MType::on_demand;
  }
  return false;
}
const char* action_fit_words(Injection::Action a) {
  switch (a) {
    case Injection::Action::fail: return "a failure mode of any type but on_dependency_loss";
    case Injection::Action::expire:
    case Injection::Action::arm: return "a time_bomb mode";
    case Injection::Action::cut_power:
    case Injection::Action::change_config: return "an external or random mode";
    case Injection::Action::deploy_bad_change: return "a change mode";
    case Injection::Action::latent: return "a latent or on_demand mode";
  }
  return "";
}

}  // namespace

void Checker::parse_injections(const json& v) {
  if (!want_array(v, "/injections")) return;
  for (std::size_t i = 0; i < v.size(); ++i) sc_.injections.push_back(parse_injection(v[i], at("/injections", i)));
}

Injection Checker::parse_injection(const json& j, const std::string& p) {
  Injection inj;
  inj.pointer = p;
  if (!want_object(j, p, "e.g. {\"at\": \"10m\", \"action\": \"fail\", \"target\": \"dc1/sw-a\"}")) return inj;
  check_keys(j, p, {"at", "action", "target", "mode", "repeat"});
  if (const json* a = get(j, "at")) {
    parse_injection_at(*a, p, inj);
  } else {
    missing(p, "at", "when it happens: a duration after the start like \"10m\", or a wall-clock time");
  }
  std::optional<Injection::Action> action;
  if (auto s = string_at(j, p, "action")) {
    action = lookup(kActions, *s);
    if (!action) {
      auto names = keys_of(kActions);
      std::string n = nearest(*s, names);
      err(at(p, "action"), "unknown action " + q(*s), (n.empty() ? "" : "did you mean " + q(n) + "? ") + "actions: " + join(names));
    }
  } else if (!get(j, "action")) {
    missing(p, "action", "what happens: " + join(keys_of(kActions)));
  }
  std::optional<std::string> target;
  if (get(j, "target"))
    target = ref_at(j, p, "target", kComponent | kCause, "", false, "an injection acts on a failure mode of a component or a common cause");
  else
    missing(p, "target", "the component or common cause it acts on");
  if (target) inj.target = *target;
  auto mode = string_at(j, p, "mode");
  if (mode) inj.mode = *mode;
  if (action) inj.action = *action;
  if (action && target && (mode || !get(j, "mode"))) check_injection_mode(p, inj, mode.has_value());
  if (const json* r = get(j, "repeat"); r && want_object(*r, at(p, "repeat"), "e.g. {\"count\": 3, \"every\": \"20h\"}")) {
    std::string rp = at(p, "repeat");
    check_keys(*r, rp, {"count", "every"});
    if (auto n = int_at(*r, rp, "count", 1, "how many times it happens in all")) inj.repeat = static_cast<int>(*n);
    if (auto h = duration_at(*r, rp, "every", Zero::refused)) inj.every = *h;
    if (inj.repeat > 1 && !get(*r, "every")) missing(rp, "every", "the time between repeats, e.g. \"20h\"");
  }
  if (auto s = text_at(j, "note")) inj.note = *s;
  return inj;
}

// "at" of the injection at `p`: a duration after the start, or a wall-clock time
// (which needs "start").
void Checker::parse_injection_at(const json& a, const std::string& p, Injection& inj) {
  if (a.is_string() && looks_like_wall_clock(a.get<std::string>())) {
    std::string s = a.get<std::string>();
    auto wc = parse_wall_clock(s);
    if (!wc) {
      err(at(p, "at"), "invalid wall-clock time " + q(s), wall_clock_hint(s));
    } else if (!start_given_) {
      err(at(p, "at"), "a wall-clock \"at\" needs \"start\" at the top level",
          "add \"start\" (the wall-clock time of t = 0), or write \"at\" as a duration like \"32m\"");
    } else if (sc_.start_epoch) {
      double start = static_cast<double>(*sc_.start_epoch);
      if (wc->epoch_seconds < start)
        err(at(p, "at"), q(s) + " is before \"start\" " + q((*doc_)["start"].get<std::string>()),
            "injections happen at or after the start of the scenario");
      else inj.at = (wc->epoch_seconds - start) / 3600.0;
    }
  } else if (auto h = duration(a, at(p, "at"), "at", Zero::allowed)) {
    inj.at = *h;
  }
}

// The injection's target must have a failure mode its action can act on: the named
// one, or any (the model takes the first that fits).
void Checker::check_injection_mode(const std::string& p, const Injection& inj, bool mode_given) {
  const IdInfo& info = ids_.at(inj.target);
  std::vector<std::pair<std::string, MType>> modes;  // (id, type) of the target's modes
  bool unknown_types = false;
  if (info.kind == kComponent) {
    if (info.index >= sc_.components.size()) return;
    for (const auto& fm : sc_.components[info.index].failures) {
      if (bad_mode_ptrs_.count(fm.pointer)) unknown_types = true;
      else if (!fm.id.empty()) modes.push_back({fm.id, fm.type});
    }
  } else {
    if (info.index >= sc_.common_causes.size()) return;
    const CommonCause& cc = sc_.common_causes[info.index];
    if (!cc.beta_group.empty()) {
      // A beta factor's shared mode is the members' mode of that id.
      bool found = false;
      for (const auto& comp : sc_.components)
        for (const auto& fm : comp.failures)
          if (!found && fm.id == cc.beta_mode && !bad_mode_ptrs_.count(fm.pointer)) {
            const Group* g = sc_.group(cc.beta_group);
            if (g && std::find(g->members.begin(), g->members.end(), comp.id) != g->members.end()) {
              modes.push_back({fm.id, fm.type});
              found = true;
            }
          }
      if (!found) return;  // the beta factor itself is broken (reported there)
    } else if (bad_mode_ptrs_.count(cc.mode.pointer)) {
      unknown_types = true;
    } else if (!cc.mode.id.empty()) {
      modes.push_back({cc.mode.id, cc.mode.type});
    }
  }
  std::string action = keys_of(kActions)[static_cast<std::size_t>(inj.action)];
  if (mode_given) {
    std::vector<std::string> ids;
    for (const auto& m : modes) ids.push_back(m.first);
    auto it = std::find_if(modes.begin(), modes.end(), [&](const auto& m) { return m.first == inj.mode; });
    if (it == modes.end()) {
      if (unknown_types) return;
      std::string n = nearest(inj.mode, ids);
      err(at(p, "mode"), q(inj.target) + " has no failure mode " + q(inj.mode),
          !n.empty() ? "did you mean " + q(n) + "?" : ids.empty() ? q(inj.target) + " has no failure modes" : "its failure modes: " + join(ids));
    } else if (!action_fits(inj.action, it->second)) {
      err(at(p, "mode"), fmt::format("\"{}\" cannot act on failure mode {} of type {}", action, q(inj.mode), type_name(it->second)),
          fmt::format("\"{}\" acts on {}", action, action_fit_words(inj.action)));
    }
    return;
  }
  if (unknown_types) return;
  if (std::none_of(modes.begin(), modes.end(), [&](const auto& m) { return action_fits(inj.action, m.second); }))
    err(at(p, "target"), fmt::format("{} has no failure mode that \"{}\" can act on", q(inj.target), action),
        fmt::format("\"{}\" acts on {}: give {} one, or target the common cause that has it", action,
                    action_fit_words(inj.action), q(inj.target)));
}

}  // namespace drsim::parser
