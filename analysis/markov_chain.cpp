// Building the chain breadth-first (analysis/markov_chain.h).
#include "analysis/markov_chain.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <thread>

#include <unistd.h>

#include <fmt/format.h>

namespace drsim {

void StateSet::encode(const MarkovState& s, Key& out) {
  out.push_back(static_cast<std::uint32_t>(s.faults.size()));
  for (int f : s.faults) out.push_back(static_cast<std::uint32_t>(f));
  out.push_back(static_cast<std::uint32_t>(s.windows.size()));
  for (const auto& [g, pending] : s.windows) {
    out.push_back(static_cast<std::uint32_t>(g));
    out.push_back(static_cast<std::uint32_t>(pending));
  }
  out.push_back(static_cast<std::uint32_t>(s.roles.size()));
  for (std::size_t k = 0; k < s.roles.size(); ++k) {
    if (k % 4 == 0) out.push_back(0);
    out.back() |= static_cast<std::uint32_t>(static_cast<std::uint8_t>(s.roles[k])) << (8 * (k % 4));
  }
}

std::uint64_t StateSet::hash(const std::uint32_t* w, std::size_t n) {
  std::uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
  for (std::size_t i = 0; i < n; ++i) h = (h ^ w[i]) * 0xff51afd7ed558ccdull;
  h ^= h >> 33;  // (murmur3's finaliser: every bit of the words reaches the low bits)
  h *= 0xc4ceb9fe1a85ec53ull;
  return h ^ (h >> 33);
}

int StateSet::intern(const std::uint32_t* key, std::size_t n, std::uint64_t h, std::size_t cap) {
  if (2 * (size() + 1) > table_.size()) grow();
  const std::uint64_t mask = table_.size() - 1, tag = h >> 32;
  for (std::uint64_t at = h & mask;; at = (at + 1) & mask) {
    const std::uint64_t slot = table_[at];
    if (slot == 0) {
      if (size() >= cap) return -1;
      const auto number = static_cast<std::uint32_t>(size());
      words_.insert(words_.end(), key, key + n);
      start_.push_back(words_.size());
      table_[at] = tag << 32 | (number + 1u);
      return static_cast<int>(number);
    }
    const auto number = static_cast<std::uint32_t>(slot) - 1u;
    if (slot >> 32 == tag && start_[number + 1] - start_[number] == n &&
        std::equal(key, key + n, words_.begin() + static_cast<std::ptrdiff_t>(start_[number])))
      return static_cast<int>(number);
  }
}

int StateSet::intern(const MarkovState& s, std::size_t cap) {
  key_.clear();
  encode(s, key_);
  return intern(key_.data(), key_.size(), hash(key_.data(), key_.size()), cap);
}

void StateSet::get(std::size_t i, MarkovState& out) const {
  const std::uint32_t* w = words_.data() + start_[i];
  out.faults.assign(w + 1, w + 1 + w[0]);
  w += 1 + w[0];
  out.windows.resize(w[0]);
  for (std::size_t k = 0; k < out.windows.size(); ++k)
    out.windows[k] = {static_cast<int>(w[1 + 2 * k]), static_cast<int>(w[2 + 2 * k])};
  w += 1 + 2 * out.windows.size();
  out.roles.resize(w[0]);
  for (std::size_t k = 0; k < out.roles.size(); ++k)
    out.roles[k] = static_cast<signed char>(static_cast<std::uint8_t>(w[1 + k / 4] >> (8 * (k % 4))));
}

void StateSet::grow() {
  std::vector<std::uint64_t> bigger(std::max<std::size_t>(1024, 2 * table_.size()), 0);
  table_.swap(bigger);
  const std::uint64_t mask = table_.size() - 1;
  for (std::size_t i = 0; i < size(); ++i) {
    const std::uint64_t h = hash(words_.data() + start_[i], start_[i + 1] - start_[i]);
    std::uint64_t at = h & mask;
    while (table_[at] != 0) at = (at + 1) & mask;
    table_[at] = (h >> 32) << 32 | (i + 1);
  }
}

namespace {

// Resident memory of this process in bytes (Linux /proc/self/statm; 0 if unknown).
double resident_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  unsigned long size = 0, resident = 0;
  const int got = std::fscanf(f, "%lu %lu", &size, &resident);
  std::fclose(f);
  return got == 2 ? static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGE_SIZE)) : 0;
}

// Half the machine's physical memory: what building and solving a chain may use.
double memory_budget() {
  return static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGE_SIZE)) / 2;
}

// States whose successors are found in one go (split between the threads): ~40,000
// transitions of a 20-unit chain, a few MB of packed successors.
constexpr std::size_t kBatch = 2048;

// What one thread found for a run of states: per state its successors (packed, hashed,
// with their rates) in the order found, then, in the proof-test class, where a test
// takes it.
struct Found {
  struct Next {
    std::uint64_t hash;
    std::size_t at, len;  // in words
    double weight;        // rate, or a test jump's probability
  };
  StateSet::Key words;
  std::vector<Next> next;
  std::vector<std::size_t> ends;  // per state: the end of its successors in `next`
  std::vector<std::size_t> tests;  // per state: the end of its test jumps (proof-test class)

  void clear() {
    words.clear();
    next.clear();
    ends.clear();
    tests.clear();
  }
  void add(const MarkovState& s, double weight) {
    const std::size_t at = words.size();
    StateSet::encode(s, words);
    next.push_back({StateSet::hash(words.data() + at, words.size() - at), at, words.size() - at, weight});
  }
};

void find(const MarkovModel& model, int part, const MarkovState* from, std::size_t count, Found& out) {
  out.clear();
  const MarkovModel::TransitionFn add = [&](const MarkovState& next, double rate, bool) {
    if (rate > 0) out.add(next, rate);
  };
  for (std::size_t i = 0; i < count; ++i) {
    model.for_each_successor(from[i], part, add);
    out.ends.push_back(out.next.size());
    if (model.proof_test()) {
      for (const auto& [next, prob] : model.test_jumps(from[i])) out.add(next, prob);
      out.tests.push_back(out.next.size());
    }
  }
}

// Appends state s's row: one entry per target, the rates summed in the order found,
// self-loops dropped. False when the chain has more transitions than an int counts.
bool append_row(Chain& c, std::size_t s, std::vector<std::pair<int, double>>& row) {
  std::stable_sort(row.begin(), row.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (std::size_t j = 0; j < row.size();) {
    const int target = row[j].first;
    double rate = 0;
    for (; j < row.size() && row[j].first == target; ++j) rate += row[j].second;
    if (target == static_cast<int>(s)) continue;
    c.cols.push_back(target);
    c.rates.push_back(rate);
  }
  if (c.cols.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) return false;
  c.row_start.push_back(static_cast<int>(c.cols.size()));
  return true;
}

}  // namespace

bool build_chain(const MarkovModel& model, std::size_t max_states, int threads, Diagnostics& diags, Chain& c, int part) {
  auto too_big = [&] {
    diags.error("", fmt::format("the Markov chain has more than {} states", max_states),
                "give a larger --max-states (up to 5,000,000), or use drsim rare or drsim run for large designs");
    return false;
  };
  c.states.intern(model.all_up(), max_states);
  // Measured while building: a chain that outgrows the memory budget is refused before
  // the machine swaps (a solve needs more again).
  const double budget = memory_budget();
  const auto T = static_cast<std::size_t>(std::max(1, threads));
  std::vector<MarkovState> from;
  std::vector<Found> found(T);
  std::vector<std::pair<int, double>> row;
  std::size_t checked = 0;
  // Breadth-first: states are numbered in the order found, so the queue is a counter;
  // each round takes the next states already found (up to kBatch), their successors
  // found on T threads, then numbered here in order.
  for (std::size_t s = 0; s < c.states.size();) {
    if (s >= checked + 65536) {
      checked = s;
      if (budget > 0 && resident_bytes() > budget) {
        diags.error("", fmt::format("the Markov chain outgrew half of this machine's memory ({:.1f} GiB) at {} states",
                                    budget / (1 << 30), c.states.size()),
                    "give a smaller --max-states, or use drsim rare or drsim run");
        return false;
      }
    }
    const std::size_t n = std::min(kBatch, c.states.size() - s);
    from.resize(n);
    for (std::size_t i = 0; i < n; ++i) c.states.get(s + i, from[i]);
    const std::size_t used = std::min(T, (n + 63) / 64);  // small rounds: fewer threads
    const std::size_t share = (n + used - 1) / used;
    std::vector<std::thread> helpers;
    for (std::size_t t = 1; t < used; ++t)
      helpers.emplace_back(find, std::cref(model), part, from.data() + t * share, std::min(share, n - std::min(n, t * share)),
                           std::ref(found[t]));
    find(model, part, from.data(), std::min(share, n), found[0]);
    for (auto& h : helpers) h.join();
    for (std::size_t t = 0; t < used; ++t) {
      const Found& f = found[t];
      // Numbered in order; the table slot of a successor a few ahead fetched meanwhile.
      auto number = [&](std::size_t k) {
        if (k + 8 < f.next.size()) c.states.prefetch(f.next[k + 8].hash);
        const auto& x = f.next[k];
        return c.states.intern(f.words.data() + x.at, x.len, x.hash, max_states);
      };
      std::size_t k = 0;
      for (std::size_t i = 0; i < f.ends.size(); ++i, ++s) {
        row.clear();
        for (; k < f.ends[i]; ++k) {
          const int t = number(k);
          if (t < 0) return too_big();
          row.emplace_back(t, f.next[k].weight);
        }
        if (!append_row(c, s, row)) return too_big();
        if (model.proof_test()) {
          std::vector<std::pair<int, double>> jumps;
          for (; k < f.tests[i]; ++k) {
            const int t = number(k);
            if (t < 0) return too_big();
            jumps.emplace_back(t, f.next[k].weight);
          }
          if (c.tests.size() <= s) c.tests.resize(s + 1);
          c.tests[s] = std::move(jumps);
        }
      }
    }
  }
  return true;
}

Ctmc to_ctmc(Chain& c) {
  const auto n = static_cast<int>(c.states.size());
  Ctmc::RateMatrix r(n, n);
  r.resizeNonZeros(static_cast<Eigen::Index>(c.cols.size()));
  std::copy(c.row_start.begin(), c.row_start.end(), r.outerIndexPtr());
  std::copy(c.cols.begin(), c.cols.end(), r.innerIndexPtr());
  std::copy(c.rates.begin(), c.rates.end(), r.valuePtr());
  std::vector<int>().swap(c.cols);
  std::vector<double>().swap(c.rates);
  return Ctmc(std::move(r));
}

}  // namespace drsim
