// Building the chain breadth-first (analysis/markov_chain.h).
#include "analysis/markov_chain.h"

#include <algorithm>
#include <atomic>
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

std::pair<std::uint64_t, int> StateSet::probe(const std::uint32_t* key, std::size_t n, std::uint64_t h) const {
  if (table_.empty()) return {0, -1};
  const std::uint64_t mask = table_.size() - 1, tag = h >> 32;
  for (std::uint64_t at = h & mask;; at = (at + 1) & mask) {
    const std::uint64_t slot = table_[at];
    if (slot == 0) return {at, -1};
    const auto number = static_cast<std::uint32_t>(slot) - 1u;
    if (slot >> 32 == tag && start_[number + 1] - start_[number] == n &&
        std::equal(key, key + n, words_.begin() + static_cast<std::ptrdiff_t>(start_[number])))
      return {at, static_cast<int>(number)};
  }
}

int StateSet::intern(const std::uint32_t* key, std::size_t n, std::uint64_t h, std::size_t cap) {
  if (2 * (size() + 1) > table_.size()) grow();
  const auto [at, found] = probe(key, n, h);
  if (found >= 0) return found;
  if (size() >= cap) return -1;
  const auto number = static_cast<std::uint32_t>(size());
  words_.insert(words_.end(), key, key + n);
  start_.push_back(words_.size());
  table_[at] = (h >> 32) << 32 | (number + 1u);
  return static_cast<int>(number);
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

// States taken per round (~40,000 transitions of a 20-unit chain, a few MB of packed
// successors), cut into chunks the threads take as they come free (later states carry
// more faults and cost more: an even split left one thread waiting).
constexpr std::size_t kBatch = 2048;
constexpr std::size_t kChunk = 128;

// What one thread found for a chunk of states: per state its successors (packed, hashed,
// with their rates) in the order found, then, in the proof-test class, where a test
// takes it; once every successor is numbered, the chunk's rows.
struct Found {
  struct Next {
    std::uint64_t hash;
    std::size_t at, len;  // in words
    double weight;        // rate, or a test jump's probability
    int number;           // its number (-1 until known)
  };
  StateSet::Key words;
  std::vector<Next> next;
  std::vector<std::size_t> ends;   // per state: the end of its successors in `next`
  std::vector<std::size_t> tests;  // per state: the end of its test jumps (proof-test class)
  std::vector<int> cols;           // the rows: targets, rates, per state its end in cols
  std::vector<double> rates;
  std::vector<std::size_t> row_ends;
  std::vector<std::pair<int, double>> row;  // (scratch)

  void clear() {
    words.clear();
    next.clear();
    ends.clear();
    tests.clear();
  }
  void add(const MarkovState& s, double weight) {
    const std::size_t at = words.size();
    StateSet::encode(s, words);
    next.push_back({StateSet::hash(words.data() + at, words.size() - at), at, words.size() - at, weight, -1});
  }
  // The rows of the chunk's states, numbered first, first + 1, ...: one entry per
  // target, the rates summed in the order found, self-loops dropped.
  void make_rows(std::size_t first);
};

void Found::make_rows(std::size_t first) {
  cols.clear();
  rates.clear();
  row_ends.clear();
  // Stable: equal targets keep the order found, so their rates sum in that order. Short
  // rows by insertion (std::stable_sort allocates a buffer per call).
  const auto less = [](const auto& a, const auto& b) { return a.first < b.first; };
  std::size_t k = 0;
  for (std::size_t i = 0; i < ends.size(); ++i) {
    row.clear();
    for (; k < ends[i]; ++k) row.emplace_back(next[k].number, next[k].weight);
    if (!tests.empty()) k = tests[i];
    if (row.size() <= 32) {
      for (std::size_t a = 1; a < row.size(); ++a)
        for (std::size_t b = a; b > 0 && less(row[b], row[b - 1]); --b) std::swap(row[b], row[b - 1]);
    } else {
      std::stable_sort(row.begin(), row.end(), less);
    }
    for (std::size_t j = 0; j < row.size();) {
      const int target = row[j].first;
      double rate = 0;
      for (; j < row.size() && row[j].first == target; ++j) rate += row[j].second;
      if (target == static_cast<int>(first + i)) continue;
      cols.push_back(target);
      rates.push_back(rate);
    }
    row_ends.push_back(cols.size());
  }
}

// The successors of from[0, count), then each looked up in `known` (the states numbered
// before this round: most successors are among them, so the one thread that numbers
// the rest has ~1 in 20 left to add), the table slots fetched a few ahead.
void find(const MarkovModel& model, int part, const MarkovState* from, std::size_t count, const StateSet& known, Found& out) {
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
  constexpr std::size_t kAhead = 8;
  for (std::size_t k = 0; k < out.next.size(); ++k) {
    if (k + kAhead < out.next.size()) known.prefetch(out.next[k + kAhead].hash);
    auto& x = out.next[k];
    x.number = known.find(out.words.data() + x.at, x.len, x.hash);
  }
}

// work(0), ..., work(jobs - 1) on up to `threads` threads (this one included), each job
// taken by the next thread free.
template <class Work>
void on_threads(std::size_t threads, std::size_t jobs, const Work& work) {
  std::atomic<std::size_t> next{0};
  const auto worker = [&] {
    for (std::size_t j; (j = next.fetch_add(1)) < jobs;) work(j);
  };
  std::vector<std::thread> helpers;
  for (std::size_t t = 1; t < std::min(threads, jobs); ++t) helpers.emplace_back(worker);
  worker();
  for (auto& h : helpers) h.join();
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
  std::vector<Found> found;
  std::size_t checked = 0;
  // Breadth-first: states are numbered in the order found, so the queue is a counter.
  // Each round takes the next states already found (up to kBatch); their successors are
  // found and looked up on T threads, the new ones numbered here in order (the only
  // writes to the set), the rows made on T threads and appended here.
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
    const std::size_t chunks = (n + kChunk - 1) / kChunk;
    if (found.size() < chunks) found.resize(chunks);
    on_threads(T, chunks, [&](std::size_t j) {
      find(model, part, from.data() + j * kChunk, std::min(kChunk, n - j * kChunk), c.states, found[j]);
    });
    for (std::size_t j = 0; j < chunks; ++j) {
      Found& f = found[j];
      for (auto& x : f.next) {
        if (x.number >= 0) continue;
        x.number = c.states.intern(f.words.data() + x.at, x.len, x.hash, max_states);
        if (x.number < 0) return too_big();
      }
      if (!model.proof_test()) continue;
      for (std::size_t i = 0; i < f.ends.size(); ++i) {
        std::vector<std::pair<int, double>> jumps;
        for (std::size_t k = f.ends[i]; k < f.tests[i]; ++k) jumps.emplace_back(f.next[k].number, f.next[k].weight);
        const std::size_t at = s + j * kChunk + i;
        if (c.tests.size() <= at) c.tests.resize(at + 1);
        c.tests[at] = std::move(jumps);
      }
    }
    on_threads(T, chunks, [&](std::size_t j) { found[j].make_rows(s + j * kChunk); });
    for (std::size_t j = 0; j < chunks; ++j) {
      const Found& f = found[j];
      const std::size_t base = c.cols.size();
      if (base + f.cols.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) return too_big();
      c.cols.insert(c.cols.end(), f.cols.begin(), f.cols.end());
      c.rates.insert(c.rates.end(), f.rates.begin(), f.rates.end());
      for (std::size_t e : f.row_ends) c.row_start.push_back(static_cast<int>(base + e));
    }
    s += n;
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
