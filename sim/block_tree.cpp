// The fold tree over a run's blocks (see block_tree.h).
#include "sim/block_tree.h"

#include <algorithm>
#include <limits>
#include <map>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

namespace drsim {

std::uint64_t BlockTree::span(std::uint64_t level) {
  std::uint64_t s = 1;
  for (std::uint64_t k = 0; k < level; ++k) s *= kFanOut;
  return s;
}

std::uint64_t BlockTree::levels() const {
  std::uint64_t k = 1, s = kFanOut;
  while (s < nblocks()) {
    s *= kFanOut;
    ++k;
  }
  return k;
}

std::uint64_t BlockTree::node_begin(std::uint64_t level, std::uint64_t index) const { return std::min(index * span(level), nblocks()); }

std::uint64_t BlockTree::node_end(std::uint64_t level, std::uint64_t index) const {
  return std::min((index + 1) * span(level), nblocks());
}

std::uint64_t BlockTree::trials_in(std::uint64_t first, std::uint64_t end) const {
  auto at = [&](std::uint64_t b) { return std::min(b * block, trials); };
  return end > first ? at(end) - at(first) : 0;
}

BlockFold::BlockFold(BlockTree tree, std::uint64_t lo, std::uint64_t hi, AggregateConfig config)
    : tree_(tree), lo_(lo), hi_(hi), next_(lo), levels_(tree.levels()), cfg_(config), acc_(levels_, Aggregate(config)) {}

void BlockFold::add(Aggregate v) {
  std::uint64_t k = 0, j = next_++;
  for (;;) {
    if (k == levels_) {
      nodes_.push_back({k, j, v.state()});
      return;
    }
    const std::uint64_t parent = j / kFanOut;
    if (tree_.node_begin(k + 1, parent) < lo_ || tree_.node_end(k + 1, parent) > hi_) {
      // The parent reaches into another shard: this node is as far as this process folds.
      nodes_.push_back({k, j, v.state()});
      return;
    }
    Aggregate& acc = acc_[k];
    acc.merge(v);
    if (tree_.node_end(k, j) < tree_.node_end(k + 1, parent)) return;  // not the last child
    v = std::move(acc);
    acc = Aggregate(cfg_);
    j = parent;
    ++k;
  }
}

Aggregate BlockFold::prefix() const {
  if (!nodes_.empty()) return Aggregate::from_state(nodes_.back().state);
  Aggregate r(cfg_);
  for (std::uint64_t k = levels_; k-- > 0;) r.merge(acc_[k]);
  return r;
}

double BlockFold::prefix_relative_half_width() const {
  RunningStats d;
  if (!nodes_.empty()) d = Aggregate::from_state(nodes_.back().state).downtime_stats();
  for (std::uint64_t k = levels_; k-- > 0;) d.merge(acc_[k].downtime_stats());
  if (d.mean() <= 0) return std::numeric_limits<double>::infinity();
  return d.half_width() / d.mean();
}

void BlockFold::restore(std::uint64_t done, std::vector<Aggregate> pending, std::vector<FoldNode> nodes) {
  auto require = [](bool ok, const std::string& what) {
    if (!ok) throw std::invalid_argument(what);
  };
  require(done <= hi_ - lo_, "more blocks done than the run has");
  require(pending.size() == levels_, fmt::format("{} pending levels where the run has {}", pending.size(), levels_));
  const std::uint64_t next = lo_ + done;
  // Finished nodes: contiguous from lo, each whole, maximal, with its trials.
  std::uint64_t pos = lo_;
  for (const FoldNode& n : nodes) {
    require(n.level <= levels_, "a node above the root");
    const std::uint64_t b = tree_.node_begin(n.level, n.index), e = tree_.node_end(n.level, n.index);
    require(b == pos && e > b && e <= next, "the finished nodes do not follow each other");
    require(n.level == levels_ || tree_.node_begin(n.level + 1, n.index / kFanOut) < lo_ ||
                tree_.node_end(n.level + 1, n.index / kFanOut) > hi_,
            "a finished node that should have been folded into its parent");
    require(Aggregate::from_state(n.state, cfg_).trials() == tree_.trials_in(b, e), "a finished node's trial count");
    pos = e;
  }
  // Pending level k holds the finished children of the level-k node at `next`.
  std::uint64_t in_pending = 0;
  for (std::uint64_t k = 1; k <= levels_; ++k) {
    std::uint64_t want = 0;
    const std::uint64_t j = next / BlockTree::span(k), b = tree_.node_begin(k, j), e = tree_.node_end(k, j);
    if (next < hi_ && b >= lo_ && e <= hi_) want = tree_.trials_in(b, next / BlockTree::span(k - 1) * BlockTree::span(k - 1));
    require(pending[k - 1].trials() == want, fmt::format("level {} holds {} trials where {} were folded", k, pending[k - 1].trials(), want));
    in_pending += want;
  }
  require(tree_.trials_in(pos, next) == in_pending, "the finished and pending trials do not add up to the blocks done");
  next_ = next;
  acc_ = std::move(pending);
  nodes_ = std::move(nodes);
}

Aggregate fold_nodes(const BlockTree& tree, std::vector<FoldNode> nodes, const AggregateConfig& cfg) {
  const std::uint64_t levels = tree.levels(), nblocks = tree.nblocks();
  auto trial_range = [&](std::uint64_t b, std::uint64_t e) {
    return fmt::format("trials {}..{}", tree.trials_in(0, b), tree.trials_in(0, e) - 1);
  };
  for (const FoldNode& n : nodes)
    if (n.level > levels || n.index >= (nblocks + BlockTree::span(n.level) - 1) / BlockTree::span(n.level))
      throw std::invalid_argument(fmt::format("a node (level {}, index {}) lies outside the run's {} blocks", n.level, n.index, nblocks));
  // The nodes must tile the blocks exactly: then the fold below descends only into
  // nodes whose children are all given.
  std::sort(nodes.begin(), nodes.end(), [&](const FoldNode& a, const FoldNode& b) {
    return std::pair(tree.node_begin(a.level, a.index), a.level) < std::pair(tree.node_begin(b.level, b.index), b.level);
  });
  std::uint64_t pos = 0;
  std::map<std::pair<std::uint64_t, std::uint64_t>, const FoldNode*> by_key;
  for (const FoldNode& n : nodes) {
    const std::uint64_t b = tree.node_begin(n.level, n.index), e = tree.node_end(n.level, n.index);
    if (b > pos) throw std::invalid_argument(trial_range(pos, b) + " are missing (a shard is missing)");
    if (b < pos) throw std::invalid_argument(trial_range(b, std::min(e, pos)) + " are given twice (a shard given twice, or overlapping shards)");
    pos = e;
    by_key[{n.level, n.index}] = &n;
  }
  if (pos < nblocks) throw std::invalid_argument(trial_range(pos, nblocks) + " are missing (a shard is missing)");
  // Folded exactly as BlockFold::add does: children in order into an empty aggregate.
  auto value = [&](auto& self, std::uint64_t k, std::uint64_t j) -> Aggregate {
    const std::uint64_t b = tree.node_begin(k, j), e = tree.node_end(k, j);
    if (auto it = by_key.find({k, j}); it != by_key.end()) {
      Aggregate a;
      try {
        a = Aggregate::from_state(it->second->state, cfg);
      } catch (const std::exception& ex) {
        throw std::invalid_argument(fmt::format("the node holding {} is damaged ({})", trial_range(b, e), ex.what()));
      }
      if (a.trials() != tree.trials_in(b, e))
        throw std::invalid_argument(fmt::format("the node holding {} has {} trials (damaged)", trial_range(b, e), a.trials()));
      return a;
    }
    if (k == 0) throw std::invalid_argument(trial_range(b, e) + " are missing");
    Aggregate acc(cfg);
    for (std::uint64_t c = j * kFanOut; tree.node_begin(k - 1, c) < e; ++c) acc.merge(self(self, k - 1, c));
    return acc;
  };
  return value(value, levels, 0);
}

}  // namespace drsim
