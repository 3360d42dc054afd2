#include "models/distribution.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <boost/math/distributions/gamma.hpp>
#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/weibull.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <fmt/format.h>

#include "models/units.h"

namespace drsim {
namespace {

constexpr double kZ90 = 1.2815515655446004;  // standard normal 0.9-quantile

std::string q(const std::string& s) { return "\"" + s + "\""; }

std::string type_of(const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::null: return "null";
    case nlohmann::json::value_t::boolean: return "boolean";
    case nlohmann::json::value_t::string: return "string";
    case nlohmann::json::value_t::array: return "array";
    case nlohmann::json::value_t::object: return "object";
    default: return "number";
  }
}

// Marsaglia–Tsang gamma(shape, 1) draw.
double gamma_draw(double k, RandomStream& rng) {
  if (k < 1) return gamma_draw(k + 1, rng) * std::pow(rng.uniform(), 1 / k);
  const double d = k - 1.0 / 3, c = 1 / std::sqrt(9 * d);
  for (;;) {
    double x, v;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    double u = rng.uniform();
    if (u < 1 - 0.0331 * x * x * x * x || std::log(u) < 0.5 * x * x + d * (1 - v + std::log(v))) return d * v;
  }
}

// A duration at `ptr`; `name` (may be empty) is the key named in messages.
std::optional<double> read_duration(const nlohmann::json& v, const std::string& ptr, const std::string& name,
                                    bool zero_ok, Diagnostics& d) {
  const std::string who = name.empty() ? "a duration" : q(name);
  if (v.is_number()) {
    d.error(ptr, "expected a duration, got number", fmt::format("write the unit, e.g. \"{0}m\" or \"{0}h\"", v.dump()));
    return std::nullopt;
  }
  if (!v.is_string()) {
    d.error(ptr, "expected a duration, got " + type_of(v), "a duration is a string like \"90s\", \"20m\" or \"3h\"");
    return std::nullopt;
  }
  const std::string s = v.get<std::string>();
  auto h = parse_duration(s);
  if (!h) {
    if (!s.empty() && s[0] == '-' && parse_duration(s.substr(1)))
      d.error(ptr, who + " must not be negative, got " + q(s), "write a positive duration, like \"3h\"");
    else
      d.error(ptr, "invalid duration " + q(s), "a number and a unit (s, m, h, d, w or y), like \"90s\" or \"3h\"");
    return std::nullopt;
  }
  if (!std::isfinite(*h)) {
    d.error(ptr, "duration " + q(s) + " is too large", "a duration must be finite, like \"100y\"");
    return std::nullopt;
  }
  if (*h == 0 && !zero_ok) {
    d.error(ptr, who + " must be positive, got " + q(s), "only delays (detection, switch-over, repair, steps) may be \"0s\"");
    return std::nullopt;
  }
  return h;
}

struct Reader {
  const nlohmann::json& obj;
  std::string p;
  Diagnostics& d;
  bool ok = true;

  void err(const std::string& ptr, const std::string& msg, const std::string& hint) {
    d.error(ptr, msg, hint);
    ok = false;
  }
  std::string at(const char* key) const { return p + "/" + key; }
  bool has(const char* key) const { return obj.contains(key); }

  std::optional<double> duration(const char* key, bool zero_ok) {
    auto h = read_duration(obj.at(key), at(key), key, zero_ok, d);
    if (!h) ok = false;
    return h;
  }
  std::optional<double> rate(const char* key) {
    const auto& v = obj.at(key);
    if (!v.is_string()) {
      err(at(key), "expected a rate, got " + type_of(v), "a rate is a string like \"1/y\", \"1e-3/h\" or \"2 per week\"");
      return std::nullopt;
    }
    auto r = parse_rate(v.get<std::string>());
    if (!r || !std::isfinite(*r)) {
      err(at(key), "invalid rate " + q(v.get<std::string>()), "a number per unit of time, like \"1/y\" or \"1e-3/h\"");
      return std::nullopt;
    }
    if (*r <= 0) {
      err(at(key), q(key) + " must be positive, got " + q(v.get<std::string>()), "a rate like \"1/y\"");
      return std::nullopt;
    }
    return r;
  }
  // A positive finite plain number (shape, sigma).
  std::optional<double> number(const char* key, const char* example) {
    const auto& v = obj.at(key);
    if (!v.is_number()) {
      err(at(key), "expected a number, got " + type_of(v), fmt::format("{} is a plain number, like {}", q(key), example));
      return std::nullopt;
    }
    double x = v.get<double>();
    if (!std::isfinite(x) || x <= 0 || x > 1e6) {
      err(at(key), fmt::format("{} must be a positive number, got {}", q(key), v.dump()), std::string("like ") + example);
      return std::nullopt;
    }
    return x;
  }
  void missing(const char* key, const std::string& what, const std::string& hint) {
    err(p, "missing required key " + q(key) + " in " + what, hint);
  }
  void conflict(const char* a, const char* b, const std::string& hint) {
    err(p, "give either " + q(a) + " or " + q(b) + ", not both", hint);
  }
};

const std::vector<std::string> kKinds = {"deterministic", "exponential", "weibull", "lognormal",
                                         "gamma",         "uniform",     "empirical"};

}  // namespace

Distribution Distribution::fixed(double h) {
  Distribution d;
  d.kind_ = Kind::deterministic;
  d.a_ = h;
  return d;
}
Distribution Distribution::exponential(double rate) {
  Distribution d;
  d.kind_ = Kind::exponential;
  d.a_ = rate;
  return d;
}
Distribution Distribution::weibull(double shape, double scale) {
  Distribution d;
  d.kind_ = Kind::weibull;
  d.a_ = shape;
  d.b_ = scale;
  return d;
}
Distribution Distribution::lognormal(double mu, double sigma) {
  Distribution d;
  d.kind_ = Kind::lognormal;
  d.a_ = mu;
  d.b_ = sigma;
  return d;
}
Distribution Distribution::gamma(double shape, double scale) {
  Distribution d;
  d.kind_ = Kind::gamma;
  d.a_ = shape;
  d.b_ = scale;
  return d;
}
Distribution Distribution::uniform(double lo, double hi) {
  Distribution d;
  d.kind_ = Kind::uniform;
  d.a_ = lo;
  d.b_ = hi;
  return d;
}
Distribution Distribution::empirical(std::vector<double> s) {
  Distribution d;
  d.kind_ = Kind::empirical;
  std::sort(s.begin(), s.end());
  d.samples_ = std::move(s);
  return d;
}

double Distribution::sample(RandomStream& rng) const {
  switch (kind_) {
    case Kind::deterministic: return a_;
    case Kind::exponential: return rng.exponential(a_);
    case Kind::weibull: return b_ * std::pow(-std::log(rng.uniform()), 1 / a_);
    case Kind::lognormal: return std::exp(a_ + b_ * rng.normal());
    case Kind::gamma: return b_ * gamma_draw(a_, rng);
    case Kind::uniform: return a_ + (b_ - a_) * rng.uniform();
    case Kind::empirical: {
      auto i = static_cast<std::size_t>(rng.uniform() * static_cast<double>(samples_.size()));
      return samples_[std::min(i, samples_.size() - 1)];
    }
  }
  return a_;
}

double Distribution::mean() const {
  switch (kind_) {
    case Kind::deterministic: return a_;
    case Kind::exponential: return 1 / a_;
    // Through lgamma: a tiny shape gives +inf instead of a Boost.Math overflow exception.
    case Kind::weibull: return b_ * std::exp(std::lgamma(1 + 1 / a_));
    case Kind::lognormal: return std::exp(a_ + b_ * b_ / 2);
    case Kind::gamma: return a_ * b_;
    case Kind::uniform: return (a_ + b_) / 2;
    case Kind::empirical: {
      double s = 0;
      for (double x : samples_) s += x;
      return s / static_cast<double>(samples_.size());
    }
  }
  return a_;
}

double Distribution::quantile(double p) const {
  p = std::clamp(p, 0.0, 1.0);
  switch (kind_) {
    case Kind::deterministic: return a_;
    case Kind::exponential: return p >= 1 ? INFINITY : -std::log1p(-p) / a_;
    case Kind::weibull: return p >= 1 ? INFINITY : b_ * std::pow(-std::log1p(-p), 1 / a_);
    case Kind::lognormal:
      if (p <= 0) return 0;
      if (p >= 1) return INFINITY;
      // exp of the normal quantile: an extreme sigma gives 0 or +inf, not a Boost.Math overflow.
      return std::exp(a_ + b_ * boost::math::quantile(boost::math::normal_distribution<double>(), p));
    case Kind::gamma:
      if (p <= 0) return 0;
      if (p >= 1) return INFINITY;
      try {
        return boost::math::quantile(boost::math::gamma_distribution<double>(a_, b_), p);
      } catch (const std::exception&) {  // overflow or no convergence at an extreme shape
        return p < 0.5 ? 0.0 : INFINITY;
      }
    case Kind::uniform: return a_ + p * (b_ - a_);
    case Kind::empirical: {
      auto n = samples_.size();
      auto i = static_cast<std::size_t>(std::ceil(p * static_cast<double>(n)));
      return samples_[std::clamp<std::size_t>(i, 1, n) - 1];
    }
  }
  return a_;
}

std::string Distribution::describe() const {
  switch (kind_) {
    case Kind::deterministic: return format_duration(a_);
    case Kind::exponential: return "exponential, mean " + format_duration(1 / a_);
    case Kind::weibull:
      return fmt::format("weibull, shape {:.3g}, scale {}, mean {}", a_, format_duration(b_), format_duration(mean()));
    case Kind::lognormal:
      return fmt::format("lognormal, median {}, p90 {}", format_duration(median()), format_duration(quantile(0.9)));
    case Kind::gamma: return fmt::format("gamma, shape {:.3g}, mean {}", a_, format_duration(mean()));
    case Kind::uniform: return fmt::format("uniform {} to {}", format_duration(a_), format_duration(b_));
    case Kind::empirical:
      return fmt::format("empirical, {} samples, median {}", samples_.size(), format_duration(median()));
  }
  return "";
}

nlohmann::json Distribution::to_json() const {
  auto h = [](double x) { return fmt::format("{}h", x); };
  switch (kind_) {
    case Kind::deterministic: return {{"dist", "deterministic"}, {"value", h(a_)}};
    case Kind::exponential: return {{"dist", "exponential"}, {"rate", fmt::format("{}/h", a_)}};
    case Kind::weibull: return {{"dist", "weibull"}, {"shape", a_}, {"scale", h(b_)}};
    case Kind::lognormal: return {{"dist", "lognormal"}, {"median", h(std::exp(a_))}, {"sigma", b_}};
    case Kind::gamma: return {{"dist", "gamma"}, {"shape", a_}, {"scale", h(b_)}};
    case Kind::uniform: return {{"dist", "uniform"}, {"min", h(a_)}, {"max", h(b_)}};
    case Kind::empirical: {
      nlohmann::json s = nlohmann::json::array();
      for (double x : samples_) s.push_back(h(x));
      return {{"dist", "empirical"}, {"samples", s}};
    }
  }
  return {};
}

std::optional<Distribution> parse_distribution(const nlohmann::json& j, const std::string& p, Diagnostics& diags,
                                               bool allow_zero) {
  const std::string shapes = "a duration like \"20m\", or {\"dist\": \"lognormal\", \"median\": \"32m\", \"p90\": \"1.5h\"}";
  if (j.is_string()) {
    auto h = read_duration(j, p, "", allow_zero, diags);
    if (!h) return std::nullopt;
    return Distribution::fixed(*h);
  }
  if (j.is_number()) {
    diags.error(p, "expected a duration or a distribution, got number",
                fmt::format("write the unit, e.g. \"{0}h\", or a distribution like {{\"dist\": \"exponential\", \"mean\": \"{0}h\"}}", j.dump()));
    return std::nullopt;
  }
  if (!j.is_object()) {
    diags.error(p, "expected a duration or a distribution, got " + type_of(j), shapes);
    return std::nullopt;
  }
  Reader r{j, p, diags};
  const auto* dk = j.contains("dist") ? &j.at("dist") : nullptr;
  if (!dk) {
    diags.error(p, "missing required key \"dist\"", "name the distribution: one of deterministic, exponential, weibull, lognormal, gamma, uniform, empirical");
    return std::nullopt;
  }
  if (!dk->is_string()) {
    diags.error(p + "/dist", "expected a string, got " + type_of(*dk), "one of deterministic, exponential, weibull, lognormal, gamma, uniform, empirical");
    return std::nullopt;
  }
  std::string kind = dk->get<std::string>();
  if (std::find(kKinds.begin(), kKinds.end(), kind) == kKinds.end()) {
    std::string near = nearest(kind, kKinds);
    diags.error(p + "/dist", "unknown distribution " + q(kind),
                near.empty() ? "one of deterministic, exponential, weibull, lognormal, gamma, uniform, empirical"
                             : "did you mean " + q(near) + "?");
    return std::nullopt;
  }
  std::vector<std::string> allowed = {"dist", "source", "note"};
  if (kind == "deterministic") allowed.insert(allowed.end(), {"value"});
  if (kind == "exponential") allowed.insert(allowed.end(), {"mean", "rate"});
  if (kind == "weibull") allowed.insert(allowed.end(), {"shape", "scale", "mean"});
  if (kind == "lognormal") allowed.insert(allowed.end(), {"median", "p90", "sigma", "mean", "sd"});
  if (kind == "gamma") allowed.insert(allowed.end(), {"shape", "scale", "mean"});
  if (kind == "uniform") allowed.insert(allowed.end(), {"min", "max"});
  if (kind == "empirical") allowed.insert(allowed.end(), {"samples"});
  for (const auto& [key, v] : j.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::vector<std::string> params(allowed.begin() + 3, allowed.end());
    std::string near = nearest(key, params);
    std::string list;
    for (const auto& a : params) list += (list.empty() ? "" : ", ") + q(a);
    r.err(p + "/" + key, "unknown key " + q(key) + " in a " + kind + " distribution",
          near.empty() ? "it takes " + list : "did you mean " + q(near) + "?");
  }
  for (const char* k : {"source", "note"})
    if (j.contains(k) && !j.at(k).is_string()) r.err(p + "/" + k, std::string("expected a string, got ") + type_of(j.at(k)), "free text, like \"vendor datasheet\"");
  const std::string what = "a " + kind + " distribution";
  std::optional<Distribution> out;
  if (kind == "deterministic") {
    if (!r.has("value")) r.missing("value", what, "e.g. {\"dist\": \"deterministic\", \"value\": \"20m\"}");
    else if (auto v = r.duration("value", allow_zero)) out = Distribution::fixed(*v);
  } else if (kind == "exponential") {
    if (r.has("mean") && r.has("rate")) r.conflict("mean", "rate", "the mean is 1/rate");
    else if (r.has("mean")) { if (auto v = r.duration("mean", false)) out = Distribution::exponential(1 / *v); }
    else if (r.has("rate")) { if (auto v = r.rate("rate")) out = Distribution::exponential(*v); }
    else r.missing("mean", what, "e.g. {\"dist\": \"exponential\", \"mean\": \"1000h\"} or \"rate\": \"1e-3/h\"");
  } else if (kind == "weibull" || kind == "gamma") {
    std::optional<double> shape;
    if (!r.has("shape")) r.missing("shape", what, kind == "weibull" ? "e.g. \"shape\": 1.5 (above 1: wear-out)" : "e.g. \"shape\": 2");
    else shape = r.number("shape", "1.5");
    if (r.has("scale") && r.has("mean")) r.conflict("scale", "mean", "give the one you know");
    else if (!r.has("scale") && !r.has("mean")) r.missing("mean", what, "e.g. \"mean\": \"1000h\" (or \"scale\")");
    else if (shape) {
      bool by_mean = r.has("mean");
      if (auto v = r.duration(by_mean ? "mean" : "scale", false)) {
        double scale = *v;
        if (kind == "weibull") {
          // Γ(1 + 1/shape) overflows a double below a shape of about 0.006: refused at the
          // shape, where the problem is, instead of an overflow deep in Boost.Math.
          double lg = *shape > 0 ? std::lgamma(1 + 1 / *shape) : INFINITY;
          if (by_mean && !(lg < 700)) {
            r.err(p + "/shape", fmt::format("a Weibull shape of {} is too small to give by its mean (Γ(1 + 1/shape) overflows)", *shape),
                  "shapes below about 0.01 put almost all of the mass at zero; give \"scale\" instead, or a shape of 0.1 or more");
          } else {
            if (by_mean) scale = *v / std::exp(lg);
            out = Distribution::weibull(*shape, scale);
          }
        } else {
          if (by_mean) scale = *v / *shape;
          out = Distribution::gamma(*shape, scale);
        }
      }
    }
  } else if (kind == "lognormal") {
    if (r.has("median")) {
      int spread = r.has("p90") + r.has("sigma");
      if (r.has("mean") || r.has("sd")) r.err(p, "give the median with \"p90\" or \"sigma\", or \"mean\" with \"sd\"; not both forms", "e.g. {\"dist\": \"lognormal\", \"median\": \"32m\", \"p90\": \"1.5h\"}");
      else if (spread == 0) r.missing("p90", what, "how spread it is: \"p90\": \"1.5h\" (nine in ten are shorter) or \"sigma\": 0.9");
      else if (spread == 2) r.conflict("p90", "sigma", "sigma = ln(p90/median)/1.2816");
      else if (auto m = r.duration("median", false)) {
        if (r.has("sigma")) {
          if (auto s = r.number("sigma", "0.9")) out = Distribution::lognormal(std::log(*m), *s);
        } else if (auto p90 = r.duration("p90", false)) {
          if (*p90 <= *m) r.err(p + "/p90", "\"p90\" must be above the median, got " + format_duration(*p90) + " for a median of " + format_duration(*m), "nine in ten are shorter than p90, half shorter than the median");
          else out = Distribution::lognormal(std::log(*m), std::log(*p90 / *m) / kZ90);
        }
      }
    } else if (r.has("mean")) {
      if (!r.has("sd")) r.missing("sd", what, "with \"mean\", give the standard deviation \"sd\" (or use \"median\" with \"p90\")");
      else {
        auto m = r.duration("mean", false);
        auto s = r.duration("sd", false);
        if (m && s) {
          // σ² = ln(1 + (sd/mean)²), computed without overflowing (sd/mean)².
          double r = *s / *m;
          double s2 = r < 1e100 ? std::log1p(r * r) : 2 * std::log(r);
          out = Distribution::lognormal(std::log(*m) - s2 / 2, std::sqrt(s2));
        }
      }
    } else {
      r.missing("median", what, "e.g. {\"dist\": \"lognormal\", \"median\": \"32m\", \"p90\": \"1.5h\"}");
    }
  } else if (kind == "uniform") {
    if (!r.has("min")) r.missing("min", what, "e.g. {\"dist\": \"uniform\", \"min\": \"10m\", \"max\": \"30m\"}");
    if (!r.has("max")) r.missing("max", what, "e.g. {\"dist\": \"uniform\", \"min\": \"10m\", \"max\": \"30m\"}");
    if (r.has("min") && r.has("max")) {
      auto lo = r.duration("min", true);
      auto hi = r.duration("max", allow_zero);
      if (lo && hi) {
        if (*hi < *lo) r.err(p, "\"max\" (" + format_duration(*hi) + ") is below \"min\" (" + format_duration(*lo) + ")", "swap them");
        else out = Distribution::uniform(*lo, *hi);
      }
    }
  } else if (kind == "empirical") {
    if (!r.has("samples")) r.missing("samples", what, "e.g. \"samples\": [\"12m\", \"25m\", \"40m\"]");
    else if (!j.at("samples").is_array() || j.at("samples").empty())
      r.err(p + "/samples", "expected a non-empty array of durations", "e.g. [\"12m\", \"25m\", \"40m\"]");
    else {
      std::vector<double> xs;
      const auto& arr = j.at("samples");
      bool all = true;
      for (std::size_t i = 0; i < arr.size(); ++i) {
        if (auto v = read_duration(arr[i], p + "/samples/" + std::to_string(i), "", true, diags)) xs.push_back(*v);
        else all = false;
      }
      if (all) out = Distribution::empirical(std::move(xs));
    }
  }
  if (!r.ok) return std::nullopt;
  if (out && j.contains("source") && j.at("source").is_string()) out->set_source(j.at("source").get<std::string>());
  return out;
}

}  // namespace drsim
