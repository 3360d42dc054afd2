// Parameter ranges for drsim sensitivity: every "range" object is taken out of the
// document before validation (the Checker never sees one) and checked against the
// value beside it (see stages.h).
#include <optional>

#include <fmt/format.h>

#include "models/parser/stages.h"
#include "models/units.h"

namespace drsim::parser {

namespace {

// The range `e` (at `ep`) of `key`, a key of the object `j` at `p`: {"low", "high"} of
// the key's kind, around its value. Appended to `out` when it holds, else reported.
void read_range(const json& j, const std::string& key, const json& e, const std::string& p, const std::string& ep,
                std::vector<ParameterRange>& out, Diagnostics& d) {
  auto sib = j.find(key);
  if (key == "range" || sib == j.end()) {
    std::vector<std::string> keys;
    for (auto k = j.begin(); k != j.end(); ++k)
      if (k.key() != "range") keys.push_back(k.key());
    std::string n = nearest(key, keys);
    d.error(ep, "a range for " + q(key) + ", which is not beside it", n.empty() ? "a range names a key of the object it is in" : "did you mean " + q(n) + "?");
    return;
  }
  if (!e.is_object()) {
    d.error(ep, "expected an object, got " + type_of(e), "{\"low\": ..., \"high\": ...}");
    return;
  }
  bool ok = true;
  for (auto k = e.begin(); k != e.end(); ++k)
    if (k.key() != "low" && k.key() != "high" && k.key() != "source" && k.key() != "note") {
      std::string n = nearest(k.key(), {"low", "high"});
      d.error(at(ep, k.key()), "unknown key " + q(k.key()), (n.empty() ? "" : "did you mean " + q(n) + "? ") + "allowed keys: low, high, source, note");
      ok = false;
    }
  for (const char* k : {"low", "high"})
    if (!e.contains(k)) {
      d.error(ep, std::string("missing required key \"") + k + "\"", "a range is {\"low\": ..., \"high\": ...}");
      ok = false;
    }
  if (!ok) return;
  // The sibling's kind decides how low and high read.
  auto value_of = [&](const json& v) -> std::optional<double> {
    if (sib->is_number()) return v.is_number() ? std::optional<double>(v.get<double>()) : std::nullopt;
    if (!sib->is_string() || !v.is_string()) return std::nullopt;
    const std::string s = sib->get<std::string>(), t = v.get<std::string>();
    if (parse_rate(s)) return parse_rate(t);
    if (parse_duration(s)) return parse_duration(t);
    return std::nullopt;
  };
  const auto here = value_of(*sib);
  if (!here) {
    d.error(ep, "a range for " + q(key) + ", which is a " + type_of(*sib) + " (" + sib->dump() + ")",
            "a range applies to a number, a duration or a rate");
    return;
  }
  const char* kind = sib->is_number() ? "a number" : parse_rate(sib->get<std::string>()) ? "a rate, like \"1/y\"" : "a duration, like \"30m\"";
  const auto lo = value_of(e["low"]), hi = value_of(e["high"]);
  if (!lo) d.error(at(ep, "low"), "expected " + std::string(kind) + ", got " + e["low"].dump(), std::string("the same kind as ") + q(key));
  if (!hi) d.error(at(ep, "high"), "expected " + std::string(kind) + ", got " + e["high"].dump(), std::string("the same kind as ") + q(key));
  if (!lo || !hi) return;
  if (!(*lo <= *here && *here <= *hi)) {
    d.error(ep, fmt::format("the value {} lies outside its range [{}, {}]", sib->dump(), e["low"].dump(), e["high"].dump()),
            "low <= value <= high");
    return;
  }
  out.push_back({at(p, key), e["low"].dump(), e["high"].dump(), ep});
}

}  // namespace

void take_ranges(json& j, const std::string& p, std::vector<ParameterRange>& out, Diagnostics& d) {
  if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i) take_ranges(j[i], at(p, i), out, d);
    return;
  }
  if (!j.is_object()) return;
  auto r = j.find("range");
  if (r != j.end()) {
    const std::string rp = at(p, "range");
    const char* shape = "{\"range\": {\"coverage\": {\"low\": 0.9, \"high\": 0.99}}} next to \"coverage\"";
    if (!r->is_object()) {
      d.error(rp, "expected an object, got " + type_of(*r), shape);
    } else {
      for (auto it = r->begin(); it != r->end(); ++it) read_range(j, it.key(), *it, p, at(rp, it.key()), out, d);
    }
    j.erase(r);
  }
  for (auto it = j.begin(); it != j.end(); ++it)
    if (it.key() != "variants") take_ranges(*it, at(p, it.key()), out, d);
}

}  // namespace drsim::parser
