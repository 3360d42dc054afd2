// "objectives": what the service promises — an SLO (target and window), RTO and RPO —
// and the objectives of single features and sites (see checker.h).
#include <algorithm>

#include <fmt/format.h>

#include "models/parser/checker.h"

namespace drsim::parser {

void Checker::parse_objectives(const json& v) {
  const std::string p = "/objectives";
  if (!want_object(v, p, "e.g. {\"slo\": {\"target\": 0.9995, \"window\": \"30d\"}, \"rto\": \"1h\", \"rpo\": \"5m\"}")) return;
  check_keys(v, p, {"slo", "rto", "rpo", "features", "sites"});
  if (const json* slo = get(v, "slo"); slo && want_object(*slo, at(p, "slo"), "e.g. {\"target\": 0.9995, \"window\": \"30d\"}"))
    parse_slo(*slo, at(p, "slo"));
  if (auto h = duration_at(v, p, "rto", Zero::allowed)) sc_.objectives.rto = *h;
  if (auto h = duration_at(v, p, "rpo", Zero::allowed)) sc_.objectives.rpo = *h;
  if (const json* fs = get(v, "features");
      fs && want_object(*fs, at(p, "features"), "a feature's own objective, e.g. {\"reporting\": {\"rto\": \"8h\"}}"))
    parse_feature_objectives(*fs, at(p, "features"));
  if (const json* ss = get(v, "sites");
      ss && want_object(*ss, at(p, "sites"), "a site's own recovery, e.g. {\"dc1\": {\"rto\": \"4h\", \"requires\": \"dc1/path\"}}"))
    parse_site_objectives(*ss, at(p, "sites"));
}

// "slo" (at `sp`): {"target": availability in (0, 1), "window": a duration}.
void Checker::parse_slo(const json& slo, const std::string& sp) {
  check_keys(slo, sp, {"target", "window"});
  if (!get(slo, "target")) missing(sp, "target", "the promised availability, e.g. 0.9995");
  if (auto t = number_at(slo, sp, "target")) {
    if (*t <= 0 || *t >= 1) {
      std::string hint = "the promised availability, a number between 0 and 1, e.g. 0.9995 for 99.95 %";
      if (*t >= 50 && *t < 100) hint = fmt::format("a fraction, not a percentage: write {} for {} %", *t / 100, *t);
      err(at(sp, "target"), fmt::format("\"target\" must be in (0, 1), got {}", slo["target"].dump()), hint);
    } else {
      sc_.objectives.slo_target = *t;
    }
  }
  if (auto w = duration_at(slo, sp, "window", Zero::refused)) {
    if (*w < 1.0 / 60)
      err(at(sp, "window"), "an SLO window of " + format_hours(*w) + " is shorter than one minute",
          "SLO windows are days or weeks, e.g. \"30d\" or \"7d\"");
    else if (sc_.horizon / *w > 1e6)
      err(at(sp, "window"), fmt::format("an SLO window of {} cuts one trial of {} into {:.3g} windows", format_hours(*w),
                                        format_hours(sc_.horizon), sc_.horizon / *w),
          "at most a million windows per trial: a longer window, or a shorter \"horizon\"");
    else sc_.objectives.slo_window = *w;
  }
}

// objectives.features: {"<feature id>": {"rto": "8h"}}, the keys ids of /service/features.
void Checker::parse_feature_objectives(const json& fs, const std::string& p) {
  std::vector<std::string> ids;
  for (const auto& f : sc_.service.features) ids.push_back(f.id);
  for (auto it = fs.begin(); it != fs.end(); ++it) {
    const std::string fp = at(p, it.key());
    const auto found = std::find(ids.begin(), ids.end(), it.key());
    if (found == ids.end()) {
      std::string n = nearest(it.key(), ids);
      err(fp, "the service has no feature " + q(it.key()),
          (n.empty() ? std::string() : "did you mean " + q(n) + "? ") + "keys are ids of /service/features");
      continue;
    }
    if (!want_object(*it, fp, "e.g. {\"rto\": \"8h\"}")) continue;
    check_keys(*it, fp, {"rto"});
    if (!get(*it, "rto")) missing(fp, "rto", "how long the feature may be unavailable, e.g. \"8h\"");
    if (auto h = duration_at(*it, fp, "rto", Zero::allowed))
      sc_.objectives.features.push_back({it.key(), static_cast<int>(found - ids.begin()), *h});
  }
}

// objectives.sites: {"<site id>": {"rto": "4h", "requires": "<node id>"}}. The keys are the
// sites of /sites (or, without /sites, the sites components name); "requires" names what
// the site working means.
void Checker::parse_site_objectives(const json& ss, const std::string& p) {
  std::vector<std::string> sites;
  for (const auto& s : sc_.sites) sites.push_back(s.id);
  if (!have_sites_)
    for (const auto& c : sc_.components)
      if (!c.site.empty() && std::find(sites.begin(), sites.end(), c.site) == sites.end()) sites.push_back(c.site);
  for (auto it = ss.begin(); it != ss.end(); ++it) {
    const std::string sp = at(p, it.key());
    if (std::find(sites.begin(), sites.end(), it.key()) == sites.end()) {
      std::string n = nearest(it.key(), sites);
      err(sp, "the scenario has no site " + q(it.key()),
          (n.empty() ? std::string() : "did you mean " + q(n) + "? ") +
              (have_sites_ ? "keys are ids of /sites" : "keys are the sites components name in \"site\""));
      continue;
    }
    if (!want_object(*it, sp, "e.g. {\"rto\": \"4h\", \"requires\": \"" + it.key() + "/path\"}")) continue;
    check_keys(*it, sp, {"rto", "requires"});
    if (!get(*it, "rto")) missing(sp, "rto", "how long the site may be down, e.g. \"4h\"");
    if (!get(*it, "requires"))
      missing(sp, "requires", "the component, group or block that is this site working, e.g. \"" + it.key() + "/path\"");
    auto node = ref_at(*it, sp, "requires", kNode, "", true, "a site works when a component, group or block does");
    auto h = duration_at(*it, sp, "rto", Zero::allowed);
    if (node && h) sc_.objectives.sites.push_back({it.key(), *node, *h});
  }
}

}  // namespace drsim::parser
