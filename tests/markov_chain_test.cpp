// The packed state set that `drsim analyze` builds its chain in (analysis/markov_chain.h):
// states come back exactly as they went in, are numbered in the order first added, and
// a state already held is found, not added again — also across the table's growth.
#include <catch2/catch.hpp>

#include <random>

#include "analysis/markov_chain.h"

using namespace drsim;

namespace {

MarkovState random_state(std::mt19937& rng) {
  MarkovState s;
  const int faults = static_cast<int>(rng() % 6), windows = static_cast<int>(rng() % 3), roles = static_cast<int>(rng() % 11);
  for (int i = 0; i < faults; ++i) s.faults.push_back(static_cast<int>(rng() % 40000));
  for (int i = 0; i < windows; ++i) s.windows.emplace_back(static_cast<int>(rng() % 300), static_cast<int>(rng() % 5) - 1);
  for (int i = 0; i < roles; ++i) s.roles.push_back(static_cast<signed char>(rng() % 3));
  return s;
}

}  // namespace

TEST_CASE("StateSet: states round-trip, numbered in order, found again after growth", "[analyze][markov]") {
  std::mt19937 rng(7);
  StateSet set;
  std::vector<MarkovState> added;  // the reference: what a std::vector would number
  for (int i = 0; i < 20000; ++i) {
    MarkovState s = random_state(rng);
    int want = -1;
    for (std::size_t k = 0; k < added.size() && want < 0; ++k)
      if (added[k] == s) want = static_cast<int>(k);
    if (want < 0) {
      want = static_cast<int>(added.size());
      added.push_back(s);
    }
    REQUIRE(set.intern(s, 1000000) == want);
  }
  REQUIRE(set.size() == added.size());
  REQUIRE(added.size() > 5000u);  // the table grew several times
  MarkovState back;
  for (std::size_t k = 0; k < added.size(); ++k) {
    set.get(k, back);
    INFO("state " << k);
    REQUIRE(back == added[k]);
  }
  // A pending slot of -1 and every role value survive packing.
  MarkovState edge;
  edge.windows = {{0, -1}, {7, 3}};
  edge.roles = {0, 1, 2, 2, 1};
  const int n = set.intern(edge, 1000000);
  CHECK(set[static_cast<std::size_t>(n)] == edge);
  // At the cap a new state is refused; one held is still found.
  CHECK(set.intern(random_state(rng), set.size()) == -1);
  CHECK(set.intern(added[3], set.size()) == 3);
}
