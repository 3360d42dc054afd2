#include "analysis/aggregate.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace drsim {

Aggregate::Aggregate(AggregateConfig config) : cfg_(config) {
  c_sum_.assign(cfg_.causes, 0);
  c_sq_.assign(cfg_.causes, 0);
  c_cross_.assign(cfg_.causes, 0);
}

void Aggregate::add(const TrialResult& r) {
  ++trials_;
  const double x = r.downtime_full;
  downtime_.add(x);
  degraded_.add(r.downtime_degraded);
  data_loss_.add(r.data_loss);
  availability_.add(r.end_time > 0 ? 1 - x / r.end_time : 1);
  int full = 0;
  for (const auto& o : r.outages) {
    if (!o.full) continue;
    ++full;
    outage_.add(o.end - o.start);
    if (o.detected >= 0) detect_.add(o.detected - o.start);
  }
  outages_.add(full);
  if (full) ++trials_with_outage_;

  if (cfg_.slo_target > 0 && cfg_.slo_window > 0 && r.end_time > 0) {
    const double budget = (1 - cfg_.slo_target) * cfg_.slo_window;
    auto nwin = static_cast<std::size_t>(std::ceil(r.end_time / cfg_.slo_window - 1e-9));
    scratch_.assign(nwin, 0);
    for (const auto& o : r.outages) {
      if (!o.full) continue;
      for (auto w = static_cast<std::size_t>(o.start / cfg_.slo_window); w < nwin; ++w) {
        double ws = static_cast<double>(w) * cfg_.slo_window, we = ws + cfg_.slo_window;
        if (ws >= o.end) break;
        scratch_[w] += std::min(o.end, we) - std::max(o.start, ws);
      }
    }
    bool any = false;
    for (double d : scratch_) {
      ++windows_;
      if (d > budget) ++windows_breached_, any = true;
      budget_.add(budget > 0 ? d / budget : 0);
    }
    if (any) ++trials_window_breached_;
    ++years_;
    if (x > (1 - cfg_.slo_target) * r.end_time) ++years_breached_;
  }

  if (obj_.size() < r.objectives.size()) obj_.resize(r.objectives.size());
  for (std::size_t k = 0; k < r.objectives.size(); ++k) {
    const ObjectiveTally& t = r.objectives[k];
    ObjectiveStats& st = obj_[k];
    st.judged += t.values.size();
    st.breached += static_cast<std::uint64_t>(t.breached);
    if (t.breached > 0) ++st.trials_breached;
    for (double v : t.values) st.values.add(v);
    st.beyond.add(t.beyond);
  }

  x_sum_ += x;
  x_sq_ += x * x;
  for (std::size_t c = 0; c < cfg_.causes && c < r.downtime_by_cause.size(); ++c) {
    double xc = r.downtime_by_cause[c];
    c_sum_[c] += xc;
    c_sq_[c] += xc * xc;
    c_cross_[c] += xc * x;
  }
}

void Aggregate::merge(const Aggregate& o) {
  trials_ += o.trials_;
  trials_with_outage_ += o.trials_with_outage_;
  windows_ += o.windows_;
  windows_breached_ += o.windows_breached_;
  years_ += o.years_;
  years_breached_ += o.years_breached_;
  trials_window_breached_ += o.trials_window_breached_;
  downtime_.merge(o.downtime_);
  degraded_.merge(o.degraded_);
  outage_.merge(o.outage_);
  data_loss_.merge(o.data_loss_);
  budget_.merge(o.budget_);
  availability_.merge(o.availability_);
  outages_.merge(o.outages_);
  detect_.merge(o.detect_);
  if (obj_.size() < o.obj_.size()) obj_.resize(o.obj_.size());
  for (std::size_t k = 0; k < o.obj_.size(); ++k) {
    obj_[k].judged += o.obj_[k].judged;
    obj_[k].breached += o.obj_[k].breached;
    obj_[k].trials_breached += o.obj_[k].trials_breached;
    obj_[k].values.merge(o.obj_[k].values);
    obj_[k].beyond.merge(o.obj_[k].beyond);
  }
  x_sum_ += o.x_sum_;
  x_sq_ += o.x_sq_;
  if (c_sum_.size() < o.c_sum_.size()) {
    c_sum_.resize(o.c_sum_.size(), 0);
    c_sq_.resize(o.c_sum_.size(), 0);
    c_cross_.resize(o.c_sum_.size(), 0);
  }
  for (std::size_t c = 0; c < o.c_sum_.size(); ++c) {
    c_sum_[c] += o.c_sum_[c];
    c_sq_[c] += o.c_sq_[c];
    c_cross_[c] += o.c_cross_[c];
  }
}

double Aggregate::relative_half_width() const {
  double m = downtime_.mean();
  if (m <= 0) return std::numeric_limits<double>::infinity();
  return downtime_.stats().half_width() / m;
}

double Aggregate::relative_half_width(const Aggregate& partial) const {
  RunningStats d = downtime_.stats();
  d.merge(partial.downtime_.stats());
  if (d.mean() <= 0) return std::numeric_limits<double>::infinity();
  return d.half_width() / d.mean();
}

namespace {

// k of m as {"value", "ci95"} with the exact (Clopper-Pearson) interval.
nlohmann::json proportion(std::uint64_t k, std::uint64_t m) {
  Interval ci = clopper_pearson(k, m);
  return nlohmann::json{{"value", m ? static_cast<double>(k) / static_cast<double>(m) : 0.0}, {"ci95", {ci.lo, ci.hi}}};
}

}  // namespace

// The SLO judgement ({} without an SLO target): windows and trials breached, the budget used.
nlohmann::json Aggregate::slo_json() const {
  return {{"target", cfg_.slo_target},
          {"window_hours", cfg_.slo_window},
          {"windows", windows_},
          {"p_breach_window", proportion(windows_breached_, windows_)},
          {"windows_are", "calendar"},
          {"p_trial_any_window_breached", proportion(trials_window_breached_, years_)},
          {"p_trial_over_budget", proportion(years_breached_, years_)},
          {"p_breach_year", proportion(years_breached_, years_)},
          {"budget_used", budget_.summary(1)}};
}

// Causes: share of the mean full downtime, a ratio estimator with a delta-method CI;
// largest first.
nlohmann::json Aggregate::causes_json(const std::vector<std::string>& cause_names) const {
  const double n = static_cast<double>(trials_);
  nlohmann::json causes = nlohmann::json::array();
  if (trials_ > 1 && x_sum_ > 0) {
    const double mx = x_sum_ / n, vx = (x_sq_ - n * mx * mx) / (n - 1);
    const double z = z_value(0.95);
    for (std::size_t c = 0; c < c_sum_.size(); ++c) {
      if (c_sum_[c] <= 0) continue;
      const double mc = c_sum_[c] / n;
      const double vc = (c_sq_[c] - n * mc * mc) / (n - 1);
      const double cov = (c_cross_[c] - n * mc * mx) / (n - 1);
      const double s = mc / mx;
      const double var = std::max(0.0, (vc - 2 * s * cov + s * s * vx) / (n * mx * mx));
      const double h = z * std::sqrt(var);
      causes.push_back({{"cause", c < cause_names.size() ? cause_names[c] : "cause " + std::to_string(c)},
                        {"mean_minutes", mc * 60},
                        {"downtime_share", s},
                        {"ci95", {std::max(0.0, s - h), std::min(1.0, s + h)}}});
    }
    std::stable_sort(causes.begin(), causes.end(),
                     [](const nlohmann::json& a, const nlohmann::json& b) { return a["downtime_share"].get<double>() > b["downtime_share"].get<double>(); });
  }
  return causes;
}

// Recovery objectives: P(a recovery breaches) per outage or event and P(any breach) per
// trial, both exact binomial intervals; the distribution of what was judged and of the
// time beyond the target per trial (quantile CIs by order statistics).
void Aggregate::objectives_json(const std::vector<ObjectiveSpec>& objectives, nlohmann::json& j) const {
  const bool year = std::fabs(cfg_.horizon - 8760) < 1e-9;
  for (std::size_t k = 0; k < objectives.size(); ++k) {
    const ObjectiveSpec& sp = objectives[k];
    static const ObjectiveStats none{};
    const ObjectiveStats& st = k < obj_.size() ? obj_[k] : none;
    const bool rto = sp.kind == ObjectiveSpec::Kind::rto;
    const double scale = rto ? 60 : 3600;
    nlohmann::json e;
    e["scope"] = sp.scope_kind();
    if (sp.feature >= 0) e["feature"] = sp.scope;
    if (sp.site >= 0) e["site"] = sp.scope;
    e[rto ? "target_minutes" : "target_seconds"] = sp.target * scale;
    e[rto ? "recoveries" : "loss_events"] = st.judged;
    e["breached"] = st.breached;
    e[rto ? "p_breach_per_outage" : "p_breach_per_event"] = proportion(st.breached, st.judged);
    e["p_any_breach_per_trial"] = proportion(st.trials_breached, trials_);
    e["per_trial_is"] = year ? "year" : "trial";
    e[rto ? "recovery_minutes" : "data_lost_seconds"] = st.values.summary(scale);
    e[rto ? "beyond_rto_minutes_per_trial" : "beyond_rpo_seconds_per_trial"] =
        trials_ ? st.beyond.summary(scale) : Sample().summary(scale);
    j[rto ? "rto" : "rpo"][sp.key()] = e;
    j["survival"][std::string(rto ? "rto." : "rpo.") + sp.key()] = st.values.survival(scale);
  }
}

nlohmann::json Aggregate::to_json(const std::vector<std::string>& cause_names, const std::vector<ObjectiveSpec>& objectives) const {
  const double n = static_cast<double>(trials_);
  nlohmann::json j;
  j["trials"] = trials_;
  j["horizon_hours"] = cfg_.horizon;
  j["downtime_minutes"] = downtime_.summary(60);
  j["degraded_minutes"] = degraded_.summary(60);
  {
    Interval a = availability_.mean_ci();
    j["availability"] = {{"mean", availability_.mean()},
                         {"ci95", {std::max(0.0, a.lo), std::min(1.0, a.hi)}},
                         {"nines", nines(availability_.mean())},
                         {"nines_ci95", {nines(a.lo), nines(std::min(1.0, a.hi))}}};
  }
  j["outage_minutes"] = outage_.summary(60);
  {
    Interval o = outages_.mean_ci();
    j["outages_per_trial"] = {{"mean", outages_.mean()}, {"ci95", {std::max(0.0, o.lo), o.hi}}};
  }
  {
    Interval d = detect_.mean_ci();
    j["time_to_detect_minutes"] = {
        {"n", detect_.count()}, {"mean", detect_.mean() * 60}, {"ci95", {d.lo * 60, d.hi * 60}}};
  }
  {
    nlohmann::json dl = data_loss_.summary(3600);
    std::uint64_t with_loss = data_loss_.count() - data_loss_.histogram().zeros();
    Interval p = clopper_pearson(with_loss, data_loss_.count());
    dl["p_any_loss"] = {{"value", data_loss_.count() ? static_cast<double>(with_loss) / static_cast<double>(data_loss_.count()) : 0},
                   {"ci95", {p.lo, p.hi}}};
    j["data_loss_seconds"] = dl;
  }
  {
    Interval p = clopper_pearson(trials_with_outage_, trials_);
    j["p_any_outage"] = {{"value", trials_ ? static_cast<double>(trials_with_outage_) / n : 0}, {"ci95", {p.lo, p.hi}}};
  }
  if (cfg_.slo_target > 0) j["slo"] = slo_json();
  j["causes"] = causes_json(cause_names);
  // Survival curves P(X >= x) with pointwise bands, for plots (drsim report); the
  // objectives' judged values join them below as "rto.KEY" and "rpo.KEY".
  j["survival"] = {{"downtime_minutes", downtime_.survival(60)},
                   {"degraded_minutes", degraded_.survival(60)},
                   {"outage_minutes", outage_.survival(60)},
                   {"data_loss_seconds", data_loss_.survival(3600)}};
  objectives_json(objectives, j);
  return j;
}

nlohmann::json Aggregate::state() const {
  return {{"config", {cfg_.horizon, cfg_.slo_target, cfg_.slo_window, cfg_.causes}},
          {"counts", {trials_, trials_with_outage_, windows_, windows_breached_, years_, years_breached_, trials_window_breached_}},
          {"downtime", downtime_.state()},
          {"degraded", degraded_.state()},
          {"outage", outage_.state()},
          {"data_loss", data_loss_.state()},
          {"budget", budget_.state()},
          {"availability", availability_.state()},
          {"outages", outages_.state()},
          {"detect", detect_.state()},
          {"x", {x_sum_, x_sq_}},
          {"c_sum", c_sum_},
          {"c_sq", c_sq_},
          {"c_cross", c_cross_},
          {"objectives", [this] {
             nlohmann::json a = nlohmann::json::array();
             for (const auto& o : obj_)
               a.push_back({{"counts", {o.judged, o.breached, o.trials_breached}}, {"values", o.values.state()}, {"beyond", o.beyond.state()}});
             return a;
           }()},
          {"version", kStateVersion}};
}

namespace {
void require(bool ok, const char* what) {
  if (!ok) throw std::invalid_argument(what);
}
std::vector<double> finite_vector(const nlohmann::json& j, std::size_t n, const char* what) {
  require(j.is_array() && j.size() == n, what);
  std::vector<double> v = j.get<std::vector<double>>();
  for (double x : v) require(std::isfinite(x), what);
  return v;
}
}  // namespace

Aggregate Aggregate::from_state(const nlohmann::json& j) {
  require(j.is_object(), "aggregate: an object expected");
  require(j.contains("version") && j["version"] == kStateVersion,
          "aggregate: written by another version of drsim (aggregate state version differs)");
  AggregateConfig cfg;
  const auto& c = j.at("config");
  require(c.is_array() && c.size() == 4, "aggregate: config is [horizon, slo target, slo window, causes]");
  cfg.horizon = c.at(0).get<double>();
  cfg.slo_target = c.at(1).get<double>();
  cfg.slo_window = c.at(2).get<double>();
  cfg.causes = state_count(c.at(3), "aggregate: causes");
  require(std::isfinite(cfg.horizon) && cfg.horizon > 0 && std::isfinite(cfg.slo_target) && cfg.slo_target >= 0 &&
              cfg.slo_target < 1 && std::isfinite(cfg.slo_window) && cfg.slo_window >= 0 && cfg.causes <= 1000000,
          "aggregate: config out of range");
  Aggregate a(cfg);
  const auto& k = j.at("counts");
  require(k.is_array() && k.size() == 7, "aggregate: 7 counts expected");
  a.trials_ = state_count(k.at(0), "aggregate: counts");
  a.trials_with_outage_ = state_count(k.at(1), "aggregate: counts");
  a.windows_ = state_count(k.at(2), "aggregate: counts");
  a.windows_breached_ = state_count(k.at(3), "aggregate: counts");
  a.years_ = state_count(k.at(4), "aggregate: counts");
  a.years_breached_ = state_count(k.at(5), "aggregate: counts");
  a.trials_window_breached_ = state_count(k.at(6), "aggregate: counts");
  require(a.trials_window_breached_ <= a.years_ && a.trials_window_breached_ <= a.windows_breached_, "aggregate: inconsistent window counts");
  require(a.trials_with_outage_ <= a.trials_ && a.windows_breached_ <= a.windows_ && a.years_ <= a.trials_ &&
              a.years_breached_ <= a.years_,
          "aggregate: inconsistent counts");
  a.downtime_ = Sample::from_state(j.at("downtime"));
  a.degraded_ = Sample::from_state(j.at("degraded"));
  a.outage_ = Sample::from_state(j.at("outage"));
  a.data_loss_ = Sample::from_state(j.at("data_loss"));
  a.budget_ = Sample::from_state(j.at("budget"));
  a.availability_ = RunningStats::from_state(j.at("availability"));
  a.outages_ = RunningStats::from_state(j.at("outages"));
  a.detect_ = RunningStats::from_state(j.at("detect"));
  const std::uint64_t n = a.trials_;
  require(a.downtime_.count() == n && a.degraded_.count() == n && a.data_loss_.count() == n &&
              a.availability_.count() == n && a.outages_.count() == n,
          "aggregate: a statistic's count differs from the number of trials");
  require(a.budget_.count() == a.windows_, "aggregate: the budget statistic's count differs from the number of windows");
  require(a.detect_.count() <= a.outage_.count(), "aggregate: more detections than outages");
  require((a.outage_.count() == 0) == (a.trials_with_outage_ == 0) && a.outage_.count() >= a.trials_with_outage_,
          "aggregate: outage counts disagree");
  require(a.downtime_.stats().min() >= 0 && a.degraded_.stats().min() >= 0 && a.outage_.stats().min() >= 0,
          "aggregate: negative downtime");
  const auto& x = j.at("x");
  require(x.is_array() && x.size() == 2, "aggregate: x is [sum, sum of squares]");
  a.x_sum_ = x.at(0).get<double>();
  a.x_sq_ = x.at(1).get<double>();
  require(std::isfinite(a.x_sum_) && std::isfinite(a.x_sq_) && a.x_sum_ >= 0 && a.x_sq_ >= 0, "aggregate: bad downtime sums");
  a.c_sum_ = finite_vector(j.at("c_sum"), cfg.causes, "aggregate: the cause sums do not match the number of causes");
  a.c_sq_ = finite_vector(j.at("c_sq"), cfg.causes, "aggregate: the cause squares do not match the number of causes");
  a.c_cross_ = finite_vector(j.at("c_cross"), cfg.causes, "aggregate: the cause products do not match the number of causes");
  const auto& ob = j.at("objectives");
  require(ob.is_array() && ob.size() <= 10000, "aggregate: objectives is an array");
  for (const auto& e : ob) {
    require(e.is_object(), "aggregate: an objective is an object");
    const auto& k = e.at("counts");
    require(k.is_array() && k.size() == 3, "aggregate: an objective's counts are [judged, breached, trials breached]");
    ObjectiveStats st;
    st.judged = state_count(k.at(0), "objective: counts");
    st.breached = state_count(k.at(1), "objective: counts");
    st.trials_breached = state_count(k.at(2), "objective: counts");
    st.values = Sample::from_state(e.at("values"));
    st.beyond = Sample::from_state(e.at("beyond"));
    require(st.breached <= st.judged && st.trials_breached <= n && st.trials_breached <= st.breached &&
                st.values.count() == st.judged && st.beyond.count() == n &&
                (st.judged == 0 || st.values.stats().min() >= 0) && (n == 0 || st.beyond.stats().min() >= 0),
            "aggregate: an objective's counts disagree");
    a.obj_.push_back(std::move(st));
  }
  return a;
}

Aggregate Aggregate::from_state(const nlohmann::json& j, const AggregateConfig& expected) {
  Aggregate a = from_state(j);
  require(a.cfg_.horizon == expected.horizon && a.cfg_.slo_target == expected.slo_target &&
              a.cfg_.slo_window == expected.slo_window && a.cfg_.causes == expected.causes,
          "aggregate: made for another horizon, SLO or set of causes");
  return a;
}

}  // namespace drsim
