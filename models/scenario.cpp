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

}  // namespace drsim
