// Lumping (analysis/markov_model_impl.h, "lumping"): each state brought to the
// canonical one of its class.
#include "analysis/markov_model_impl.h"

namespace drsim::markov_detail {

void Builder::sort_claims(State& s) const {
  auto fkey = [&](int mi) {
    int p = claim_pool(mi);
    return std::pair<int, int>(p, ordered_pool(p) ? 0 : mi);
  };
  insertion_sort(s.faults, [&](int a, int b) { return fkey(a) < fkey(b); });
  auto wkey = [&](const std::pair<int, int>& w) {
    int p = groups_[w.first].pool;
    return std::pair<int, int>(p, ordered_pool(p) ? 0 : w.first);
  };
  if (lump_) insertion_sort(s.windows, [&](const auto& a, const auto& b) { return wkey(a) < wkey(b); });
}

// Members of a class, each described by what the state says of it: its role, then per
// own mode -2 absent, -1 present (unordered), or its position among the claims (a
// contended pool: positions do not depend on which member holds the fault).
void Builder::canonical(State& s) const {
  sort_claims(s);
  bool moved = false;
  for (std::size_t c = 0; c < classes_.size(); ++c) {
    const SymClass& k = classes_[c];
    const std::size_t n = k.slots.size(), nm = k.modes.front().size();
    const auto offset = static_cast<std::size_t>(groups_[k.group].offset);
    std::vector<std::vector<int>> sig(n, std::vector<int>(1 + nm, -2));
    for (std::size_t j = 0; j < n; ++j) sig[j][0] = s.roles[offset + static_cast<std::size_t>(k.slots[j])];
    for (std::size_t i = 0; i < s.faults.size(); ++i) {
      const int f = s.faults[i];
      const auto& [cl, j] = mode_member_[static_cast<std::size_t>(f)];
      if (cl == static_cast<int>(c))
        sig[static_cast<std::size_t>(j)][1 + static_cast<std::size_t>(mode_rank_[static_cast<std::size_t>(f)])] =
            ordered_pool(claim_pool(f)) ? static_cast<int>(i) : -1;
    }
    std::vector<int> order(n);
    for (std::size_t j = 0; j < n; ++j) order[j] = static_cast<int>(j);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return sig[static_cast<std::size_t>(a)] < sig[static_cast<std::size_t>(b)]; });
    bool identity = true;
    for (std::size_t j = 0; j < n && identity; ++j) identity = order[j] == static_cast<int>(j) || sig[static_cast<std::size_t>(order[j])] == sig[j];
    if (identity) continue;
    std::vector<int> moves_to(n);  // member j's condition goes to member moves_to[j]
    for (std::size_t j = 0; j < n; ++j) moves_to[static_cast<std::size_t>(order[j])] = static_cast<int>(j);
    for (std::size_t j = 0; j < n; ++j) s.roles[offset + static_cast<std::size_t>(k.slots[j])] = static_cast<signed char>(sig[static_cast<std::size_t>(order[j])][0]);
    for (int& f : s.faults) {
      const auto& [cl, j] = mode_member_[static_cast<std::size_t>(f)];
      if (cl == static_cast<int>(c))
        f = k.modes[static_cast<std::size_t>(moves_to[static_cast<std::size_t>(j)])][static_cast<std::size_t>(mode_rank_[static_cast<std::size_t>(f)])];
    }
    moved = true;
  }
  if (moved) sort_claims(s);
}

}  // namespace drsim::markov_detail
