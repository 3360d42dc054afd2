// The Checker's primitives: typed readers of a field, key checks with "did you mean"
// hints, ids and references (see checker.h). Every message names the JSON pointer of
// the value it is about.
#include "models/parser/checker.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include <fmt/format.h>

#include "models/units.h"

namespace drsim::parser {

const char* kind_word(unsigned k) {
  switch (k) {
    case kComponent: return "component";
    case kGroup: return "group";
    case kBlock: return "block";
    default: return "common cause";
  }
}

// "component", "component, group or block", ...
std::string kinds_words(unsigned mask) {
  std::vector<std::string> w;
  for (unsigned k : {kComponent, kGroup, kBlock, kCause})
    if (mask & k) w.push_back(kind_word(k));
  if (w.size() == 1) return w[0];
  std::string last = w.back();
  w.pop_back();
  return join(w) + " or " + last;
}

bool valid_id(const std::string& s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '/' || c == ':';
  });
}

// ---------------------------------------------------------------- shapes and keys

// The hint for a value that should have been a string.
std::string Checker::string_hint(const json& v) {
  if (v.is_number() || v.is_boolean()) return "write it in double quotes: \"" + v.dump() + "\"";
  return "a string, in double quotes";
}

bool Checker::want_object(const json& v, const std::string& p, const std::string& hint) {
  if (v.is_object()) return true;
  err(p, "expected an object, got " + type_of(v), hint.empty() ? "an object: {\"key\": value, ...}" : hint);
  return false;
}

bool Checker::want_array(const json& v, const std::string& p, const std::string& hint) {
  if (v.is_array()) return true;
  std::string h = hint;
  if (h.empty()) h = v.is_string() ? "write a list: [" + v.dump() + "]" : "a list: [...]";
  err(p, "expected an array, got " + type_of(v), h);
  return false;
}

// Reports every key of `obj` that is not in `allowed` ("source" and "note" may appear
// in any object). `misplaced` may claim a known-elsewhere key and report it itself.
void Checker::check_keys(const json& obj, const std::string& p, std::vector<std::string> allowed,
                         const std::function<bool(const std::string&)>& misplaced) {
  allowed.push_back("source");
  allowed.push_back("note");
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    const std::string& k = it.key();
    if ((k == "source" || k == "note") && !it->is_string()) {
      err(at(p, k), "expected a string, got " + type_of(*it), string_hint(*it));
      continue;
    }
    if (std::find(allowed.begin(), allowed.end(), k) != allowed.end()) continue;
    if (misplaced && misplaced(k)) continue;
    std::string n = nearest(k, allowed);
    err(at(p, k), "unknown key " + q(k), (n.empty() ? "" : "did you mean " + q(n) + "? ") + "allowed keys: " + join(allowed));
    if (!n.empty()) misspelt_.insert(at(p, n));
  }
}

void Checker::missing(const std::string& p, const char* key, const std::string& hint) {
  if (!misspelt(p, key)) err(p, std::string("missing required key ") + q(key), hint);
}

// "source" and "note": check_keys has reported one that is not a string.
std::optional<std::string> Checker::text_at(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

const json* Checker::get(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

// ---------------------------------------------------------------- scalar values

std::optional<std::string> Checker::string_at(const json& obj, const std::string& p, const char* key) {
  const json* v = get(obj, key);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    err(at(p, key), "expected a string, got " + type_of(*v), string_hint(*v));
    return std::nullopt;
  }
  return v->get<std::string>();
}

std::optional<bool> Checker::bool_at(const json& obj, const std::string& p, const char* key) {
  const json* v = get(obj, key);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) {
    err(at(p, key), "expected a boolean, got " + type_of(*v), "write true or false");
    return std::nullopt;
  }
  return v->get<bool>();
}

std::optional<double> Checker::number_at(const json& obj, const std::string& p, const char* key) {
  const json* v = get(obj, key);
  if (!v) return std::nullopt;
  if (!v->is_number()) {
    std::string hint = v->is_string() ? "write the number without quotes" : "a number, like 2 or 0.5";
    err(at(p, key), "expected a number, got " + type_of(*v), hint);
    return std::nullopt;
  }
  return v->get<double>();
}

// An integer >= min (and at most a billion).
std::optional<long long> Checker::int_at(const json& obj, const std::string& p, const char* key, long long min,
                                         const std::string& meaning) {
  auto d = number_at(obj, p, key);
  if (!d) return std::nullopt;
  const json& v = *get(obj, key);
  if (*d != std::floor(*d)) {
    err(at(p, key), "expected an integer, got " + v.dump(), meaning);
    return std::nullopt;
  }
  if (*d < static_cast<double>(min)) {
    err(at(p, key), fmt::format("{} must be {} or more, got {}", q(key), min, v.dump()), meaning);
    return std::nullopt;
  }
  if (*d > 1e9) {
    err(at(p, key), fmt::format("{} must be at most 1000000000, got {}", q(key), v.dump()), meaning);
    return std::nullopt;
  }
  return static_cast<long long>(*d);
}

std::optional<double> Checker::probability_at(const json& obj, const std::string& p, const char* key,
                                              const std::string& meaning) {
  auto d = number_at(obj, p, key);
  if (!d) return std::nullopt;
  if (*d < 0 || *d > 1) {
    std::string hint = meaning + ", a number from 0 to 1";
    if (*d > 1 && *d <= 100) hint += fmt::format(" ({} for {} %)", *d / 100, *d);
    err(at(p, key), fmt::format("{} must be in [0, 1], got {}", q(key), get(obj, key)->dump()), hint);
    return std::nullopt;
  }
  return d;
}

void Checker::check_period(const std::string& p, double every, const char* what) {
  double n = sc_.horizon / every;
  if (n > kMaxEventsPerTrial)
    err(p, fmt::format("{} every {} would fire {:.3g} times in one trial of {}", what, format_hours(every), n,
                       format_hours(sc_.horizon)),
        fmt::format("at most {:.0f} per trial: make it at least {}, or shorten \"horizon\"", kMaxEventsPerTrial,
                    format_hours(sc_.horizon / kMaxEventsPerTrial)));
}

std::string Checker::format_hours(double h) {
  if (h >= 8760) return fmt::format("{:.4g} y", h / 8760);
  if (h >= 1) return fmt::format("{:.4g} h", h);
  if (h >= 1.0 / 60) return fmt::format("{:.4g} min", h * 60);
  return fmt::format("{:.4g} s", h * 3600);
}

// A duration string in hours. `name` is the key shown in messages.
std::optional<double> Checker::duration(const json& v, const std::string& p, const std::string& name, Zero zero) {
  if (v.is_number()) {
    err(p, "expected a duration, got number", fmt::format("write the unit, e.g. \"{0}m\" or \"{0}h\"", v.dump()));
    return std::nullopt;
  }
  if (!v.is_string()) {
    err(p, "expected a duration, got " + type_of(v), "a duration is a string like \"90s\", \"20m\" or \"3h\"");
    return std::nullopt;
  }
  std::string s = v.get<std::string>();
  std::optional<double> h = parse_duration(s);
  if (!h && !s.empty() && s[0] == '-')
    if (auto pos = parse_duration(std::string_view(s).substr(1))) h = -*pos;
  if (!h) {
    err(p, "invalid duration " + q(s), "a number and a unit (s, m, h, d, w or y), like \"90s\" or \"3h\"");
    return std::nullopt;
  }
  if (!std::isfinite(*h)) {
    err(p, "duration " + q(s) + " is too large", "a duration must be finite, like \"100y\"");
    return std::nullopt;
  }
  if (*h < 0) {
    err(p, q(name) + " must not be negative, got " + q(s),
        zero == Zero::allowed ? "use \"0s\" for no delay" : "write a positive duration, like \"3h\"");
    return std::nullopt;
  }
  if (*h == 0 && zero == Zero::refused) {
    err(p, q(name) + " must be positive, got " + q(s),
        "only delays (detection, switch-over, repair, steps) may be \"0s\"");
    return std::nullopt;
  }
  return h;
}

std::optional<double> Checker::duration_at(const json& obj, const std::string& p, const char* key, Zero zero) {
  const json* v = get(obj, key);
  if (!v) return std::nullopt;
  return duration(*v, at(p, key), key, zero);
}

// A rate string, per hour, > 0.
std::optional<double> Checker::rate(const json& v, const std::string& p, const std::string& name) {
  if (v.is_number()) {
    err(p, "expected a rate, got number", fmt::format("write it per unit of time, e.g. \"{0}/y\" or \"{0}/h\"", v.dump()));
    return std::nullopt;
  }
  if (!v.is_string()) {
    err(p, "expected a rate, got " + type_of(v), "a rate is a string like \"1/y\", \"1e-3/h\" or \"2 per week\"");
    return std::nullopt;
  }
  std::string s = v.get<std::string>();
  std::optional<double> r = parse_rate(s);
  if (!r && !s.empty() && s[0] == '-')
    if (auto pos = parse_rate(std::string_view(s).substr(1))) r = -*pos;
  if (!r) {
    err(p, "invalid rate " + q(s), "a number per unit of time, like \"1/y\", \"1e-3/h\" or \"2 per week\"");
    return std::nullopt;
  }
  if (!std::isfinite(*r)) {
    err(p, "rate " + q(s) + " is too large", "a rate must be finite, like \"10/h\"");
    return std::nullopt;
  }
  if (*r <= 0) {
    err(p, q(name) + " must be positive, got " + q(s), "for something that never happens, remove it");
    return std::nullopt;
  }
  return r;
}

std::optional<Distribution> Checker::dist(const json& v, const std::string& p, Zero zero) {
  return parse_distribution(v, p, d_, zero == Zero::allowed);
}

std::optional<Distribution> Checker::dist_at(const json& obj, const std::string& p, const char* key, Zero zero) {
  const json* v = get(obj, key);
  if (!v) return std::nullopt;
  return dist(*v, at(p, key), zero);
}

// ---------------------------------------------------------------- ids and references

std::optional<std::string> Checker::id_at(const json& obj, const std::string& p, const std::string& example) {
  const json* v = get(obj, "id");
  if (!v) {
    missing(p, "id", "give it an id, like " + q(example));
    return std::nullopt;
  }
  if (!v->is_string()) {
    err(at(p, "id"), "expected a string, got " + type_of(*v), "an id is a string, like " + q(example));
    return std::nullopt;
  }
  std::string s = v->get<std::string>();
  if (!valid_id(s)) {
    err(at(p, "id"), "invalid id " + q(s), "ids use letters, digits and - _ . / :");
    return std::nullopt;
  }
  return s;
}

// Reports a second entity with the id of an earlier one (one namespace).
// Returns false for a duplicate, whose references then make no dependency edges
// (they would show as cycles through the first holder of the id).
bool Checker::check_unique(const std::string& id, const std::string& p) {
  auto it = ids_.find(id);
  if (it == ids_.end() || it->second.pointer == p) return true;
  err(at(p, "id"), "duplicate id " + q(id),
      fmt::format("already the id of the {} at {}; components, groups, blocks and common causes share one namespace",
                  kind_word(it->second.kind), it->second.pointer));
  return false;
}

std::vector<std::string> Checker::ids_of(unsigned mask) const {
  std::vector<std::string> out;
  for (const auto& [id, info] : ids_)
    if (info.kind & mask) out.push_back(id);
  return out;
}

// A reference to a component, group, block or common cause (by `mask`). `from`, when
// set, records a dependency edge; `use` marks the target as used.
std::optional<std::string> Checker::ref(const json& v, const std::string& p, unsigned mask, const std::string& from,
                                        bool use, const std::string& kind_hint) {
  if (!v.is_string()) {
    err(p, "expected an id (a string), got " + type_of(v), "an id is a string, like \"dc1/lb-a\"");
    return std::nullopt;
  }
  std::string s = v.get<std::string>();
  auto it = ids_.find(s);
  if (it == ids_.end()) {
    std::string n = nearest(s, ids_of(mask));
    err(p, "unknown id " + q(s), n.empty() ? "no " + kinds_words(mask) + " has this id" : "did you mean " + q(n) + "?");
    return std::nullopt;
  }
  if (!(it->second.kind & mask)) {
    err(p, fmt::format("{} is a {}, expected a {}", q(s), kind_word(it->second.kind), kinds_words(mask)),
        kind_hint.empty() ? "only a " + kinds_words(mask) + " fits here" : kind_hint);
    return std::nullopt;
  }
  if (use) used_nodes_.insert(s);
  if (!from.empty()) edges_[from].push_back({s, p});
  return s;
}

std::optional<std::string> Checker::ref_at(const json& obj, const std::string& p, const char* key, unsigned mask,
                                           const std::string& from, bool use, const std::string& kind_hint) {
  const json* v = get(obj, key);
  if (!v) return std::nullopt;
  return ref(*v, at(p, key), mask, from, use, kind_hint);
}

std::vector<std::string> Checker::ref_list_at(const json& obj, const std::string& p, const char* key, unsigned mask,
                                              const std::string& from, bool use, const std::string& kind_hint) {
  std::vector<std::string> out;
  const json* v = get(obj, key);
  if (!v) return out;
  std::string lp = at(p, key);
  if (!want_array(*v, lp)) return out;
  for (std::size_t i = 0; i < v->size(); ++i) {
    auto r = ref((*v)[i], at(lp, i), mask, from, use, kind_hint);
    if (!r) continue;
    if (std::find(out.begin(), out.end(), *r) != out.end()) {
      err(at(lp, i), q(*r) + " is listed twice", "remove the repeat");
      continue;
    }
    out.push_back(*r);
  }
  return out;
}

// Kind of a component as written in the file ("" when absent or not a string).
std::string Checker::raw_kind(const std::string& component_id) const {
  auto it = ids_.find(component_id);
  if (it == ids_.end() || it->second.kind != kComponent) return "";
  const json& c = (*doc_)["components"][it->second.index];
  auto k = c.find("kind");
  return k != c.end() && k->is_string() ? k->get<std::string>() : "generic";
}

}  // namespace drsim::parser
