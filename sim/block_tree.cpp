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

namespace {

std::string trial_range(const BlockTree& tree, std::uint64_t b, std::uint64_t e) {
  return fmt::format("trials {}..{}", tree.trials_in(0, b), tree.trials_in(0, e) - 1);
}

void check_in_tree(const BlockTree& tree, std::uint64_t level, std::uint64_t index) {
  const std::uint64_t nblocks = tree.nblocks();
  if (level > tree.levels() || index >= (nblocks + BlockTree::span(level) - 1) / BlockTree::span(level))
    throw std::invalid_argument(fmt::format("a node (level {}, index {}) lies outside the run's {} blocks", level, index, nblocks));
}

}  // namespace

FoldPart read_fold_node(const BlockTree& tree, const FoldNode& n, const AggregateConfig& cfg) {
  check_in_tree(tree, n.level, n.index);
  const std::uint64_t b = tree.node_begin(n.level, n.index), e = tree.node_end(n.level, n.index);
  FoldPart part{n.level, n.index, Aggregate(cfg)};
  try {
    part.aggregate = Aggregate::from_state(n.state, cfg);
  } catch (const std::exception& ex) {
    throw std::invalid_argument(fmt::format("the node holding {} is damaged ({})", trial_range(tree, b, e), ex.what()));
  }
  if (part.aggregate.trials() != tree.trials_in(b, e))
    throw std::invalid_argument(fmt::format("the node holding {} has {} trials (damaged)", trial_range(tree, b, e), part.aggregate.trials()));
  return part;
}

Aggregate fold_nodes(const BlockTree& tree, const std::vector<FoldNode>& nodes, const AggregateConfig& cfg) {
  std::vector<FoldPart> parts;
  parts.reserve(nodes.size());
  for (const FoldNode& n : nodes) parts.push_back(read_fold_node(tree, n, cfg));
  return fold_parts(tree, std::move(parts), cfg);
}

void PartFold::add(FoldPart part) {
  check_in_tree(tree_, part.level, part.index);
  std::uint64_t k = part.level, j = part.index;
  auto given_twice = [&](std::uint64_t level, std::uint64_t index) {
    return std::invalid_argument(trial_range(tree_, tree_.node_begin(level, index), tree_.node_end(level, index)) +
                                 " are given twice (a shard given twice, or overlapping shards)");
  };
  if (!parts_.emplace(std::pair(k, j), std::move(part.aggregate)).second) throw given_twice(k, j);
  // Up the tree while a node's children are all held: merged in order, as fold_parts'
  // descent would merge them.
  while (k < tree_.levels()) {
    const std::uint64_t parent = j / kFanOut, end = tree_.node_end(k + 1, parent);
    auto [held, added] = children_.try_emplace({k + 1, parent}, 0, 0);
    if (added)
      for (std::uint64_t c = parent * kFanOut; tree_.node_begin(k, c) < end; ++c) ++held->second.second;
    if (++held->second.first < held->second.second) return;
    children_.erase(held);
    Aggregate acc(cfg_);
    for (std::uint64_t c = parent * kFanOut; tree_.node_begin(k, c) < end; ++c) {
      auto it = parts_.find({k, c});
      acc.merge(it->second);
      parts_.erase(it);
    }
    ++k;
    j = parent;
    if (!parts_.emplace(std::pair(k, j), std::move(acc)).second) throw given_twice(k, j);
  }
}

Aggregate PartFold::finish() {
  const std::uint64_t levels = tree_.levels(), nblocks = tree_.nblocks();
  // The nodes must tile the blocks exactly: then the fold below descends only into
  // nodes whose children are all given.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> keys;
  for (const auto& [key, a] : parts_) keys.push_back(key);
  std::sort(keys.begin(), keys.end(), [&](const auto& a, const auto& b) {
    return std::pair(tree_.node_begin(a.first, a.second), a.first) < std::pair(tree_.node_begin(b.first, b.second), b.first);
  });
  std::uint64_t pos = 0;
  for (const auto& [k, j] : keys) {
    const std::uint64_t b = tree_.node_begin(k, j), e = tree_.node_end(k, j);
    if (b > pos) throw std::invalid_argument(trial_range(tree_, pos, b) + " are missing (a shard is missing)");
    if (b < pos)
      throw std::invalid_argument(trial_range(tree_, b, std::min(e, pos)) + " are given twice (a shard given twice, or overlapping shards)");
    pos = e;
  }
  if (pos < nblocks) throw std::invalid_argument(trial_range(tree_, pos, nblocks) + " are missing (a shard is missing)");
  // Folded exactly as BlockFold::add does: children in order into an empty aggregate.
  auto value = [&](auto& self, std::uint64_t k, std::uint64_t j) -> Aggregate {
    if (auto it = parts_.find({k, j}); it != parts_.end()) return std::move(it->second);  // each node is read once
    const std::uint64_t e = tree_.node_end(k, j);
    if (k == 0) throw std::invalid_argument(trial_range(tree_, tree_.node_begin(k, j), e) + " are missing");
    Aggregate acc(cfg_);
    for (std::uint64_t c = j * kFanOut; tree_.node_begin(k - 1, c) < e; ++c) acc.merge(self(self, k - 1, c));
    return acc;
  };
  Aggregate root = value(value, levels, 0);
  parts_.clear();
  return root;
}

Aggregate fold_parts(const BlockTree& tree, std::vector<FoldPart> parts, const AggregateConfig& cfg) {
  PartFold fold(tree, cfg);
  for (auto& p : parts) fold.add(std::move(p));
  return fold.finish();
}

}  // namespace drsim
