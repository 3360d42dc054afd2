// The scenario (see scenario.h): the names of component kinds and the lookups by id.
// Lookups are linear scans: scenarios hold tens to hundreds of parts and engines
// resolve ids to indices once, when they compile a model.
//
// Thread-safety: every function here is read-only.
#include "models/scenario.h"

#include <algorithm>
#include <array>
#include <utility>

namespace drsim {

namespace {
constexpr std::array<std::pair<ComponentKind, const char*>, 17> kKindNames = {{
    {ComponentKind::utility, "utility"},
    {ComponentKind::ats, "ats"},
    {ComponentKind::ups, "ups"},
    {ComponentKind::generator, "generator"},
    {ComponentKind::power_domain, "power_domain"},
    {ComponentKind::network_switch, "switch"},
    {ComponentKind::router, "router"},
    {ComponentKind::wan_link, "wan_link"},
    {ComponentKind::load_balancer, "load_balancer"},
    {ComponentKind::app_server, "app_server"},
    {ComponentKind::database, "database"},
    {ComponentKind::storage, "storage"},
    {ComponentKind::dns, "dns"},
    {ComponentKind::provider, "provider"},
    {ComponentKind::vendor, "vendor"},
    {ComponentKind::feature, "feature"},
    {ComponentKind::generic, "generic"},
}};

template <typename T>
const T* find_by_id(const std::vector<T>& items, const std::string& id) {
  auto it = std::find_if(items.begin(), items.end(), [&](const T& x) { return x.id == id; });
  return it == items.end() ? nullptr : &*it;
}
}  // namespace

const char* to_string(ComponentKind k) {
  for (const auto& [kind, name] : kKindNames)
    if (kind == k) return name;
  return "generic";
}

std::optional<ComponentKind> component_kind_from_string(const std::string& s) {
  for (const auto& [kind, name] : kKindNames)
    if (s == name) return kind;
  return std::nullopt;
}

std::vector<std::string> component_kind_names() {
  std::vector<std::string> out;
  for (const auto& kv : kKindNames) out.emplace_back(kv.second);
  return out;
}

const Component* Scenario::component(const std::string& id) const { return find_by_id(components, id); }
const Group* Scenario::group(const std::string& id) const { return find_by_id(groups, id); }
const Block* Scenario::block(const std::string& id) const { return find_by_id(blocks, id); }
const Runbook* Scenario::runbook(const std::string& id) const { return find_by_id(runbooks, id); }
const CommonCause* Scenario::common_cause(const std::string& id) const { return find_by_id(common_causes, id); }

std::vector<std::pair<std::string, std::string>> named_parts(const Scenario& sc) {
  std::vector<std::pair<std::string, std::string>> parts;
  auto add = [&](const std::string& pointer, const std::string& subject) {
    if (!pointer.empty() && !subject.empty()) parts.emplace_back(pointer, subject);
  };
  for (const auto& c : sc.components) add(c.pointer, c.id);
  for (const auto& g : sc.groups) add(g.pointer, g.id);
  for (const auto& b : sc.blocks) add(b.pointer, b.id);
  // A group's implicit pool points into the group, which names it already.
  for (const auto& c : sc.crews)
    if (!sc.group(c.id)) add(c.pointer, c.id);
  for (const auto& rb : sc.runbooks) {
    add(rb.pointer, rb.id);
    for (const auto& st : rb.steps) add(st.pointer, rb.id.empty() || st.id.empty() ? std::string() : rb.id + ", step " + st.id);
  }
  for (const auto& cc : sc.common_causes) add(cc.pointer, cc.id);
  for (const auto& in : sc.injections) add(in.pointer, in.target.empty() ? std::string() : "target " + in.target);
  return parts;
}

}  // namespace drsim
