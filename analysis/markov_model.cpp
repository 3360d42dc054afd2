// MarkovModel: the public face of markov_detail::Builder (analysis/markov_model_impl.h).
#include "analysis/markov_model.h"

#include "analysis/markov_model_impl.h"

namespace drsim {

using markov_detail::Builder;

MarkovModel::MarkovModel(std::unique_ptr<Builder> b) : b_(std::move(b)) {}
MarkovModel::~MarkovModel() = default;

std::unique_ptr<MarkovModel> MarkovModel::compile(const Scenario& sc, Diagnostics& diags, bool lump) {
  auto b = std::make_unique<Builder>(sc, diags, lump);
  if (!b->compile()) return nullptr;
  return std::unique_ptr<MarkovModel>(new MarkovModel(std::move(b)));
}

bool MarkovModel::proof_test() const { return b_->latent_; }
double MarkovModel::proof_interval() const { return b_->tau_; }
MarkovState MarkovModel::all_up() const { return b_->start(); }

void MarkovModel::successors(const MarkovState& s, std::vector<MarkovTransition>& out) const { b_->transitions(s, out); }
void MarkovModel::for_each_successor(const MarkovState& s, int part, const TransitionFn& f) const {
  b_->for_each_transition(s, part, [&f](const MarkovState& next, double rate, bool failure) { f(next, rate, failure); });
}

std::vector<std::pair<MarkovState, double>> MarkovModel::test_jumps(const MarkovState& s) const { return b_->test_jumps(s); }

bool MarkovModel::service_down(const MarkovState& s) const {
  Builder::Eval e(*b_, s);
  return !e.expr(b_->service_expr_);
}

int MarkovModel::group_count() const { return b_->G_; }
const std::string& MarkovModel::group_id(int g) const { return b_->sc_.groups[static_cast<std::size_t>(g)].id; }
int MarkovModel::group_index(const std::string& id) const {
  for (int g = 0; g < b_->G_; ++g)
    if (group_id(g) == id) return g;
  return -1;
}
bool MarkovModel::group_down(const MarkovState& s, int g) const {
  Builder::Eval e(*b_, s);
  return !e.works(b_->C_ + g);
}

int MarkovModel::part_count() const { return b_->parts_; }
int MarkovModel::group_part(int g) const { return b_->group_part_[static_cast<std::size_t>(g)]; }
void MarkovModel::part_successors(const MarkovState& s, int p, std::vector<MarkovTransition>& out) const {
  b_->transitions(s, out, p);
}
std::vector<char> MarkovModel::part_view(const MarkovState& s, int p) const {
  Builder::Eval e(*b_, s);
  std::vector<char> v;
  for (int n : b_->part_exposed_[static_cast<std::size_t>(p)]) v.push_back(e.works(n) ? 1 : 0);
  return v;
}
MarkovState MarkovModel::compose(const std::vector<const MarkovState*>& per_part) const { return b_->compose(per_part); }

}  // namespace drsim
