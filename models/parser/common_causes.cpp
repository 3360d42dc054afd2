// "common_causes": one fault that takes several components down at once — either
// {"targets", "failure"} (a failure mode of its own) or a beta factor {"group",
// "mode", "beta"} that splits a mode every member of a group has (see checker.h).
#include <algorithm>

#include <fmt/format.h>

#include "models/parser/checker.h"

namespace drsim::parser {

void Checker::parse_common_causes(const json& v) {
  if (!want_array(v, "/common_causes")) return;
  for (std::size_t i = 0; i < v.size(); ++i) sc_.common_causes.push_back(parse_common_cause(v[i], at("/common_causes", i)));
}

CommonCause Checker::parse_common_cause(const json& j, const std::string& p) {
  CommonCause cc;
  cc.pointer = p;
  cc.mode.pointer = at(p, "failure");
  if (!want_object(j, p)) return cc;
  check_keys(j, p, {"id", "targets", "failure", "group", "mode", "beta"});
  if (auto id = id_at(j, p, "lb-licence")) {
    cc.id = *id;
    check_unique(cc.id, p);
  }
  bool beta_form = j.contains("group") || j.contains("mode") || j.contains("beta");
  bool target_form = j.contains("targets") || j.contains("failure");
  if (beta_form && target_form) {
    err(p, "a common cause is either {\"targets\", \"failure\"} or {\"group\", \"mode\", \"beta\"}, not both",
        "split it into two common causes");
  } else if (!beta_form) {
    if (!j.contains("targets")) missing(p, "targets", "the components the shared fault takes down, e.g. [\"dc1/lb-a\", \"dc2/lb-a\"]");
    else if (j["targets"].is_array() && j["targets"].empty())
      err(at(p, "targets"), "\"targets\" is empty", "list the components the shared fault takes down");
    cc.targets = ref_list_at(j, p, "targets", kComponent, "", true, "\"targets\" takes component ids");
    if (const json* f = get(j, "failure")) {
      cc.mode = parse_mode(*f, at(p, "failure"), true);
    } else {
      missing(p, "failure", "how the shared thing fails, e.g. {\"id\": \"expiry\", \"type\": \"time_bomb\", ...}");
      bad_mode_ptrs_.insert(cc.mode.pointer);
    }
  } else {
    parse_beta_factor(j, p, cc);
  }
  if (auto s = text_at(j, "source"); s && cc.mode.source.empty()) cc.mode.source = *s;
  return cc;
}

// The beta-factor form: {"group", "mode", "beta"}.
void Checker::parse_beta_factor(const json& j, const std::string& p, CommonCause& cc) {
  if (!j.contains("group")) missing(p, "group", "the group whose members share the fault");
  if (!j.contains("mode")) missing(p, "mode", "the failure mode of the members that is split, e.g. \"fail-to-start\"");
  if (!j.contains("beta")) missing(p, "beta", "the share of that mode's failures that hit every member at once, e.g. 0.01");
  auto g = ref_at(j, p, "group", kGroup, "", false, "a beta factor applies to a group of components");
  auto m = string_at(j, p, "mode");
  if (auto b = number_at(j, p, "beta")) {
    if (*b < 0 || *b > 1)
      err(at(p, "beta"), fmt::format("\"beta\" must be in [0, 1], got {}", j["beta"].dump()),
          "the share of a mode's failures that hit every member at once, e.g. 0.01");
    else cc.beta = *b;
  }
  if (g) cc.beta_group = *g;
  if (m) cc.beta_mode = *m;
  if (g && m) check_beta_mode(p, *g, *m);
}

// The mode must be present on every member of the group, and members must be components.
void Checker::check_beta_mode(const std::string& p, const std::string& g, const std::string& m) {
  const Group* grp = nullptr;
  for (const auto& x : sc_.groups)
    if (x.id == g) grp = &x;
  for (const auto& member : grp ? grp->members : std::vector<std::string>{}) {
    const IdInfo& info = ids_.at(member);
    if (info.kind != kComponent) {
      err(at(p, "group"), fmt::format("a beta factor needs a group of components: {} in {} is a {}", q(member), q(g), kind_word(info.kind)),
          "name a group whose members are components");
      break;
    }
    if (info.index >= sc_.components.size()) continue;
    const Component& comp = sc_.components[info.index];
    std::vector<std::string> modes;
    bool bad_type = false;
    for (const auto& fm : comp.failures) {
      if (!fm.id.empty()) modes.push_back(fm.id);
      bad_type = bad_type || bad_mode_ptrs_.count(fm.pointer);
    }
    if (std::find(modes.begin(), modes.end(), m) != modes.end() || bad_type) continue;
    std::string n = nearest(m, modes);
    err(at(p, "mode"), q(member) + " has no failure mode " + q(m),
        (n.empty() ? "" : "did you mean " + q(n) + "? ") + "a beta factor splits a mode that every member of " + q(g) + " has");
  }
}

}  // namespace drsim::parser
