// The checks of the whole model, after every section is read: dependency cycles
// through "needs", group members, blocks and failover mechanisms, and the warnings
// about parts nothing uses (see checker.h).
#include <algorithm>

#include "models/parser/checker.h"

namespace drsim::parser {

void Checker::check_cycles() {
  // Nodes in file order: components, groups, blocks.
  std::vector<std::string> nodes;
  for (const auto& c : sc_.components) nodes.push_back(c.id);
  for (const auto& g : sc_.groups) nodes.push_back(g.id);
  for (const auto& b : sc_.blocks) nodes.push_back(b.id);
  std::map<std::string, std::size_t> order;
  for (std::size_t i = 0; i < nodes.size(); ++i)
    if (!nodes[i].empty()) order.emplace(nodes[i], i);
  std::map<std::string, int> color;
  std::set<std::vector<std::string>> reported;
  for (const auto& start : nodes) {
    if (start.empty() || color[start]) continue;
    std::vector<std::pair<std::string, std::size_t>> stack{{start, 0}};
    color[start] = 1;
    while (!stack.empty()) {
      std::string u = stack.back().first;
      std::size_t next = stack.back().second;
      const auto& out = edges_[u];
      if (next == out.size()) {
        color[u] = 2;
        stack.pop_back();
        continue;
      }
      ++stack.back().second;
      const std::string& w = out[next].to;
      if (color[w] == 0) {
        color[w] = 1;
        stack.push_back({w, 0});
      } else if (color[w] == 1) {
        std::vector<std::string> cyc;
        std::size_t from = 0;
        while (stack[from].first != w) ++from;
        for (std::size_t k = from; k < stack.size(); ++k) cyc.push_back(stack[k].first);
        // Start the path at the node that comes first in the file, for a stable message.
        std::rotate(cyc.begin(), std::min_element(cyc.begin(), cyc.end(), [&](const auto& a, const auto& b) {
                      return order[a] < order[b];
                    }), cyc.end());
        if (!reported.insert(cyc).second) continue;
        std::string path;
        for (const auto& n : cyc) path += n + " -> ";
        path += cyc[0];
        const std::string& second = cyc.size() > 1 ? cyc[1] : cyc[0];
        std::string ptr;
        for (const auto& e : edges_[cyc[0]])
          if (e.to == second) {
            ptr = e.pointer;
            break;
          }
        err(ptr, "dependency cycle: " + path, "a part cannot depend on itself, directly or through others: break the loop");
      }
    }
  }
}

void Checker::warn_unused() {
  const char* hint = "name it in \"needs\", a group, a block or the service, or remove it";
  for (const auto& c : sc_.components)
    if (!used_nodes_.count(c.id))
      d_.warning(c.pointer, "component " + q(c.id) + " is not used: nothing depends on it", hint);
  for (const auto& g : sc_.groups)
    if (!used_nodes_.count(g.id)) d_.warning(g.pointer, "group " + q(g.id) + " is not used: nothing depends on it", hint);
  for (const auto& b : sc_.blocks)
    if (!used_nodes_.count(b.id)) d_.warning(b.pointer, "block " + q(b.id) + " is not used: nothing depends on it", hint);
  for (const auto& rb : sc_.runbooks)
    if (!used_runbooks_.count(rb.id))
      d_.warning(rb.pointer, "runbook " + q(rb.id) + " is never used",
                 "name it in a failure mode's recovery: {\"runbook\": " + q(rb.id) + "}, or remove it");
}

}  // namespace drsim::parser
