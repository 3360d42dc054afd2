// The Checker's run over a document, and the scenario's top level: the ids every
// section may refer to, the format version, "title", "description", "start",
// "horizon", the names of the variants, "sites" and "expected" (see checker.h).
#include <cmath>
#include <cstdint>

#include "models/parser/checker.h"
#include "models/scenario_parser.h"

namespace drsim::parser {

// Ids first, so that a reference may name a part written later in the file.
void Checker::collect_ids(const json& doc) {
  const std::pair<const char*, unsigned> sections[] = {
      {"components", kComponent}, {"groups", kGroup}, {"blocks", kBlock}, {"common_causes", kCause}};
  for (const auto& [name, kind] : sections) {
    const json* arr = get(doc, name);
    if (!arr || !arr->is_array()) continue;
    for (std::size_t i = 0; i < arr->size(); ++i) {
      const json& e = (*arr)[i];
      if (!e.is_object()) continue;
      const json* id = get(e, "id");
      if (id && id->is_string() && valid_id(id->get<std::string>()))
        ids_.emplace(id->get<std::string>(), IdInfo{kind, i, at(std::string("/") + name, i)});
    }
  }
  if (const json* rbs = get(doc, "runbooks"); rbs && rbs->is_array())
    for (std::size_t i = 0; i < rbs->size(); ++i) {
      const json& e = (*rbs)[i];
      const json* id = e.is_object() ? get(e, "id") : nullptr;
      if (id && id->is_string() && valid_id(id->get<std::string>()))
        runbook_ptr_.emplace(id->get<std::string>(), at("/runbooks", i));
    }
}

// The sections in a fixed order: each may use what an earlier one read (sites before
// components, components before groups, groups before common causes, ...).
Scenario Checker::run(const json& doc) {
  doc_ = &doc;
  collect_ids(doc);
  parse_top(doc);
  if (const json* v = get(doc, "sites")) parse_sites(*v);
  if (const json* v = get(doc, "crews")) parse_crews(*v);
  if (const json* v = get(doc, "components")) parse_components(*v);
  if (const json* v = get(doc, "groups")) parse_groups(*v);
  if (const json* v = get(doc, "blocks")) parse_blocks(*v);
  parse_service(doc);
  if (const json* v = get(doc, "runbooks")) parse_runbooks(*v);
  // Recoveries of components were checked against runbook ids before the runbooks were
  // parsed; that is fine: ids were collected first.
  if (const json* v = get(doc, "common_causes")) parse_common_causes(*v);
  resolve_crews();
  if (const json* v = get(doc, "objectives")) parse_objectives(*v);
  if (const json* v = get(doc, "injections")) parse_injections(*v);
  if (const json* v = get(doc, "expected"); v && want_object(*v, "/expected")) parse_expected(*v);
  if (const json* v = get(doc, "sources")) want_object(*v, "/sources", "free-form notes: {\"name\": \"where it comes from\"}");
  check_cycles();
  if (!new_errors() && !quiet_) warn_unused();
  return std::move(sc_);
}

void Checker::parse_top(const json& doc) {
  check_keys(doc, "", {"drsim", "title", "description", "start", "horizon", "sites", "components", "groups", "blocks",
                       "service", "runbooks", "common_causes", "crews", "objectives", "injections", "variants",
                       "expected", "sources"});
  const json* ver = get(doc, "drsim");
  if (!ver) {
    missing("", "drsim", "the format version: start the file with {\"drsim\": 1, ...}");
  } else if (!ver->is_number()) {
    err("/drsim", "expected the number 1, got " + type_of(*ver), "write \"drsim\": 1 (a number, without quotes)");
  } else if (ver->get<double>() != 1) {
    err("/drsim", "unsupported format version " + ver->dump(), "this drsim reads version 1");
  }
  if (auto s = string_at(doc, "", "title")) sc_.title = *s;
  if (auto s = string_at(doc, "", "description")) sc_.description = *s;
  if (const json* v = get(doc, "start")) {
    start_given_ = true;
    if (!v->is_string()) {
      err("/start", "expected a wall-clock time (a string), got " + type_of(*v), kWallClockHint);
    } else if (auto wc = parse_wall_clock(v->get<std::string>())) {
      sc_.start_epoch = static_cast<std::int64_t>(std::floor(wc->epoch_seconds));
      sc_.start_utc_offset_minutes = wc->utc_offset_minutes;
    } else {
      err("/start", "invalid wall-clock time " + v->dump(), wall_clock_hint(v->get<std::string>()));
    }
  }
  if (auto h = duration_at(doc, "", "horizon", Zero::refused)) {
    if (*h > kMaxHorizonHours)
      err("/horizon", "\"horizon\" of " + format_hours(*h) + " is longer than drsim runs (at most 1000 y per trial)",
          "run more trials instead of longer ones: a trial-year is a trial-year");
    else sc_.horizon = *h;
  }
  if (const json* v = get(doc, "variants"); v && v->is_object())
    for (auto it = v->begin(); it != v->end(); ++it) sc_.variant_names.push_back(it.key());
}

void Checker::parse_sites(const json& v) {
  if (!want_array(v, "/sites")) return;
  have_sites_ = true;
  for (std::size_t i = 0; i < v.size(); ++i) {
    std::string p = at("/sites", i);
    const json& s = v[i];
    if (!want_object(s, p)) continue;
    check_keys(s, p, {"id", "name", "timezone"});
    Site site;
    if (auto id = id_at(s, p, "dc1")) {
      site.id = *id;
      auto [it, fresh] = site_ptr_.emplace(*id, p);
      if (!fresh) err(at(p, "id"), "duplicate site id " + q(*id), "already the id of the site at " + it->second);
    }
    if (auto n = string_at(s, p, "name")) site.name = *n;
    if (auto t = string_at(s, p, "timezone")) site.timezone = *t;
    sc_.sites.push_back(std::move(site));
  }
}

void Checker::parse_expected(const json& v) {
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (it->is_string()) sc_.expected[it.key()] = it->get<std::string>();
    else if (it->is_number()) sc_.expected[it.key()] = it->dump();
    else err(at("/expected", it.key()), "expected a number or a string, got " + type_of(*it), "the value a closed form gives, e.g. 9.90099e-3");
  }
}

}  // namespace drsim::parser
