// The order in which a run's block results are folded: a fixed tree over the blocks.
//
// Floating-point merging is not associative, so a result is defined by the order of its
// merges. That order is a tree of fan-out kFanOut over the run's blocks, fixed by the
// trial count and --block alone: level 0 is a block, a level-k node is the in-order fold
// of its (up to) kFanOut level-(k-1) children, the root (level K, the smallest K >= 1
// with kFanOut^K >= blocks) is the result. Level 1 nodes are the superblocks of 1000
// blocks; for up to 10^6 blocks the tree is the two-level fold drsim has always done.
//
// A process that runs the contiguous blocks [lo, hi) — one shard — folds every node
// wholly inside its range and keeps, as FoldNodes, only the maximal ones (whose parent
// reaches outside the range): at most 2·(kFanOut-1) per level, whatever the trial count.
// `drsim merge` rebuilds the tree from the shards' nodes and folds the rest exactly as
// one process does, so the merged result is the single-process result, byte for byte.
//
// Thread-safety: values; a BlockFold is fed by one thread.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/aggregate.h"

namespace drsim {

inline constexpr std::uint64_t kFanOut = 1000;  // children per node (a superblock is 1000 blocks)

// One folded node: blocks [index·kFanOut^level, (index+1)·kFanOut^level), cut at the
// run's last block.
struct FoldNode {
  std::uint64_t level = 0;
  std::uint64_t index = 0;
  nlohmann::json state;  // Aggregate::state()
};

// The shape of one run's tree: which blocks a node covers and how many trials they hold.
struct BlockTree {
  std::uint64_t trials = 0, block = 1;
  std::uint64_t nblocks() const { return trials / block + (trials % block ? 1 : 0); }
  std::uint64_t levels() const;                          // K: the root's level, >= 1
  static std::uint64_t span(std::uint64_t level);        // blocks per node at this level
  std::uint64_t node_begin(std::uint64_t level, std::uint64_t index) const;
  std::uint64_t node_end(std::uint64_t level, std::uint64_t index) const;  // cut at nblocks()
  std::uint64_t trials_in(std::uint64_t first_block, std::uint64_t end_block) const;
};

// Folds the blocks [lo, hi) of a run in order, keeping O(kFanOut · levels) states.
class BlockFold {
 public:
  BlockFold(BlockTree tree, std::uint64_t lo, std::uint64_t hi, AggregateConfig config);

  // Adds block next()'s aggregate. REQUIRES: next() < hi.
  void add(Aggregate block);
  std::uint64_t next() const { return next_; }
  // The finished maximal nodes, in block order (for the whole run: the root, once done).
  const std::vector<FoldNode>& nodes() const { return nodes_; }
  // REQUIRES lo == 0 and hi == nblocks: the result of the blocks added so far, as one
  // process that stops here reports it (the root when done; else the pending levels
  // folded from the top down) — a --target-rel-ci stop.
  Aggregate prefix() const;
  // The 95 % CI half-width of prefix()'s mean downtime over that mean (inf at mean 0).
  double prefix_relative_half_width() const;

  // For checkpoints: the pending accumulators, levels 1..K.
  const std::vector<Aggregate>& pending() const { return acc_; }
  // Continues a fold from a checkpoint: `done` blocks added, its pending accumulators
  // and nodes. Every count is checked against the tree; a mismatch throws
  // std::invalid_argument naming the field.
  void restore(std::uint64_t done, std::vector<Aggregate> pending, std::vector<FoldNode> nodes);

 private:
  BlockTree tree_;
  std::uint64_t lo_, hi_, next_, levels_;
  AggregateConfig cfg_;
  std::vector<Aggregate> acc_;  // acc_[k-1]: the level-k node being filled
  std::vector<FoldNode> nodes_;
};

// A node read back: its aggregate, checked (its state valid and made with the run's
// configuration, its trial count the node's).
struct FoldPart {
  std::uint64_t level = 0;
  std::uint64_t index = 0;
  Aggregate aggregate;
};
// Reads one node's state. Throws std::invalid_argument naming the node's trials when it
// lies outside the tree, its state is damaged or of another run, or its count is wrong.
FoldPart read_fold_node(const BlockTree& tree, const FoldNode& node, const AggregateConfig& config);

// The fold of nodes that arrive in any order (drsim merge, one shard file at a time):
// whenever every child of a node is held, they are merged in order into that node and
// dropped, so what is held is about the gaps between the shards read so far, not every
// node of every shard. finish() folds the rest; the result is fold_parts()'s.
class PartFold {
 public:
  PartFold(const BlockTree& tree, const AggregateConfig& config) : tree_(tree), cfg_(config) {}
  // Throws std::invalid_argument for a node outside the tree or given twice.
  void add(FoldPart part);
  // The run's result. Throws std::invalid_argument when blocks are missing or overlap.
  Aggregate finish();
  std::size_t held() const { return parts_.size(); }

 private:
  BlockTree tree_;
  AggregateConfig cfg_;
  std::map<std::pair<std::uint64_t, std::uint64_t>, Aggregate> parts_;  // (level, index)
  // Per parent (level, index) whose children are partly held: how many are held, of how
  // many it has (so an arrival costs one lookup, not one per sibling).
  std::map<std::pair<std::uint64_t, std::uint64_t>, std::pair<std::uint64_t, std::uint64_t>> children_;
};

// Rebuilds a whole run's result from the maximal nodes of all its shards, folding in the
// tree's order. Throws std::invalid_argument when a node is damaged (wrong count, outside
// the tree), a block is missing, or a node is given twice or overlaps another.
Aggregate fold_parts(const BlockTree& tree, std::vector<FoldPart> parts, const AggregateConfig& config);
// The same from the nodes' states (each read with read_fold_node).
Aggregate fold_nodes(const BlockTree& tree, const std::vector<FoldNode>& nodes, const AggregateConfig& config);

}  // namespace drsim
