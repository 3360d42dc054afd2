// "crews": shared repair crew pools, a part's "crew" reference, and which pool each
// component's repairs wait for (see checker.h).
#include <algorithm>

#include "models/parser/checker.h"

namespace drsim::parser {

void Checker::parse_crews(const json& v) {
  if (!want_array(v, "/crews", "a list of crew pools: [{\"id\": \"site-tech\", \"size\": 1}]")) return;
  for (std::size_t i = 0; i < v.size(); ++i) {
    std::string p = at("/crews", i);
    const json& j = v[i];
    CrewPool c;
    c.pointer = p;
    if (!want_object(j, p)) continue;
    check_keys(j, p, {"id", "name", "size"});
    if (auto id = id_at(j, p, "site-tech")) {
      c.id = *id;
      auto [it, fresh] = crew_ptr_.emplace(c.id, p);
      if (!fresh) err(at(p, "id"), "duplicate crew id " + q(c.id), "already the id of the crew pool at " + it->second);
    }
    if (auto s = string_at(j, p, "name")) c.name = *s;
    if (!get(j, "size")) missing(p, "size", "how many repairs it can work on at once, e.g. 1");
    if (auto n = int_at(j, p, "size", 1, "how many repairs the pool works on at once")) c.size = static_cast<int>(*n);
    if (auto s = text_at(j, "source")) c.source = *s;
    sc_.crews.push_back(std::move(c));
  }
}

std::optional<std::string> Checker::crew_ref_at(const json& obj, const std::string& p) {
  auto s = string_at(obj, p, "crew");
  if (!s) return std::nullopt;
  if (crew_ptr_.count(*s)) return s;
  std::vector<std::string> known;
  for (const auto& [id, ptr] : crew_ptr_) known.push_back(id);
  std::string n = nearest(*s, known);
  err(at(p, "crew"), "unknown crew pool " + q(*s),
      (n.empty() ? "" : "did you mean " + q(n) + "? ") +
          (known.empty() ? std::string("declare it at the top level: \"crews\": [{\"id\": \"") + *s + "\", \"size\": 1}]"
                         : "crew pools: " + join(known)));
  return std::nullopt;
}

// Every pool gets an index: the declared ones in order, then one private pool per group
// with `repair_crews`. A component uses its own `crew`, else its group's pool.
void Checker::resolve_crews() {
  auto index_of = [&](const std::string& id) {
    for (std::size_t i = 0; i < sc_.crews.size(); ++i)
      if (!sc_.crews[i].implicit && sc_.crews[i].id == id) return static_cast<int>(i);
    return -1;
  };
  for (auto& g : sc_.groups) {
    if (!g.crew.empty()) {
      g.crew_pool = index_of(g.crew);
    } else if (g.repair_crews > 0) {
      CrewPool c;
      c.id = g.id;
      c.size = g.repair_crews;
      c.implicit = true;
      c.pointer = at(g.pointer, "repair_crews");
      g.crew_pool = static_cast<int>(sc_.crews.size());
      sc_.crews.push_back(std::move(c));
    }
  }
  for (auto& c : sc_.components) {
    if (!c.crew.empty()) {
      c.crew_pool = index_of(c.crew);
      continue;
    }
    for (const auto& g : sc_.groups)
      if (std::find(g.members.begin(), g.members.end(), c.id) != g.members.end()) c.crew_pool = g.crew_pool;
  }
}

}  // namespace drsim::parser
