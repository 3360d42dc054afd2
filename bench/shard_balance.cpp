// Shard balance: the trials of each of N shards (max/min) for a run of T trials in
// blocks of B, as `drsim run --shard I/N` deals them (RunPlan: contiguous, balanced),
// next to the round-robin superblocks of 1000 blocks drsim dealt before issue 15, and
// the fold-tree nodes a shard writes (the size of its shard file). Arithmetic only.
// Usage: shard_balance [BLOCK]   (prints a Markdown table)
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "sim/block_tree.h"
#include "sim/runner.h"

namespace {

// Before issue 15: superblock s went to shard s % N.
std::uint64_t old_trials(std::uint64_t total, std::uint64_t block, std::uint64_t i, std::uint64_t n) {
  const drsim::BlockTree tree{total, block};
  const std::uint64_t nb = tree.nblocks(), nsuper = (nb + 999) / 1000;
  std::uint64_t t = 0;
  for (std::uint64_t s = i; s < nsuper; s += n) t += tree.trials_in(s * 1000, std::min(nb, (s + 1) * 1000));
  return t;
}

// How many nodes shard i writes: the maximal tree nodes inside its range.
std::uint64_t nodes_written(const drsim::RunPlan& p) {
  const drsim::BlockTree tree = p.tree();
  const std::uint64_t levels = tree.levels();
  std::uint64_t count = 0;
  for (std::uint64_t b = p.lo(); b < p.hi();) {
    std::uint64_t k = 0;
    // The largest node starting at b that lies inside the range is the maximal one there.
    while (k < levels && b % drsim::BlockTree::span(k + 1) == 0 && tree.node_end(k + 1, b / drsim::BlockTree::span(k + 1)) <= p.hi()) ++k;
    b = tree.node_end(k, b / drsim::BlockTree::span(k));
    ++count;
  }
  return count;
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint64_t block = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 100;
  std::printf("| trials | N | now: max / min trials per shard | nodes per shard file (max) | before: max / min |\n");
  std::printf("|---:|---:|---|---:|---|\n");
  for (std::uint64_t total : {100000ull, 10000000ull}) {
    for (std::uint64_t n : {3ull, 4ull, 7ull, 64ull}) {
      std::uint64_t mx = 0, mn = UINT64_MAX, omx = 0, omn = UINT64_MAX, nodes = 0;
      for (std::uint64_t i = 0; i < n; ++i) {
        const drsim::RunPlan p{total, block, i, n};
        const std::uint64_t t = p.trials_before(p.size());
        mx = std::max(mx, t);
        mn = std::min(mn, t);
        nodes = std::max(nodes, nodes_written(p));
        const std::uint64_t o = old_trials(total, block, i, n);
        omx = std::max(omx, o);
        omn = std::min(omn, o);
      }
      std::printf("| %llu | %llu | %llu / %llu | %llu | %llu / %llu%s |\n", static_cast<unsigned long long>(total),
                  static_cast<unsigned long long>(n), static_cast<unsigned long long>(mx), static_cast<unsigned long long>(mn),
                  static_cast<unsigned long long>(nodes), static_cast<unsigned long long>(omx), static_cast<unsigned long long>(omn),
                  omn == 0 ? " (empty shards)" : "");
    }
  }
}
