// Random small Markovian scenarios: see scenario_gen.h.
#include "scenario_gen.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

namespace drsim::testgen {
namespace {

using json = nlohmann::ordered_json;

// splitmix64: fully specified, so a seed gives the same scenario everywhere.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : s_(seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull) {}
  std::uint64_t next() {
    std::uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double u() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  double uni(double a, double b) { return a + (b - a) * u(); }
  double logu(double a, double b) { return std::exp(uni(std::log(a), std::log(b))); }
  int pick(int n) { return static_cast<int>(next() % static_cast<std::uint64_t>(n)); }
  bool chance(double p) { return u() < p; }

 private:
  std::uint64_t s_;
};

std::string hours(double h) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4fh", h);
  return buf;
}
std::string per_hour(double r) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6e/h", r);
  return buf;
}
double round4(double x) { return std::round(x * 1e4) / 1e4; }
json expo(double mean) { return {{"dist", "exponential"}, {"mean", hours(mean)}}; }

struct GroupPlan {
  std::string id;
  int n = 1, need = 1;
  bool standby_mode = false;  // active-standby
  std::string standby = "hot";
  double warm_factor = 0.5;
  bool beta = false, on_demand = false, identical = false, failback = false;
  double coverage = 1, manual = 0;
  int repair_crews = 0;
  bool in_pool = false;
  std::vector<std::string> members;
};

// A structure expression over `items` (ids or sub-expressions).
json structure(Rng& rng, std::vector<json> items, std::set<std::string>& tags) {
  if (items.size() == 1) return items[0];
  if (items.size() >= 3 && rng.chance(0.4)) {
    std::size_t cut = 2 + static_cast<std::size_t>(rng.pick(static_cast<int>(items.size()) - 2));
    std::vector<json> inner(items.begin(), items.begin() + static_cast<long>(cut));
    std::vector<json> outer{structure(rng, inner, tags)};
    outer.insert(outer.end(), items.begin() + static_cast<long>(cut), items.end());
    tags.insert("nested");
    items = outer;
    if (items.size() == 1) return items[0];
  }
  double r = rng.u();
  if (r < 0.45 || (r >= 0.75 && items.size() < 3)) return {{"all", items}};
  if (r < 0.75) {
    tags.insert("any");
    return {{"any", items}};
  }
  tags.insert("at_least");
  int k = 2 + rng.pick(static_cast<int>(items.size()) - 2);
  return {{"at_least", k}, {"of", items}};
}

}  // namespace

std::string Generated::summary() const {
  std::string s;
  for (const auto& f : features) s += (s.empty() ? "" : ",") + f;
  return s;
}

Generated generate(std::uint64_t seed, const GenOptions& opt) {
  Rng rng(seed);
  Generated out;
  const double sc = opt.ttf_scale;
  auto& tags = out.features;
  json doc;
  doc["drsim"] = 1;
  doc["title"] = "differential test scenario, seed " + std::to_string(seed);
  json components = json::array(), groups = json::array(), common = json::array(), crews = json::array();
  std::vector<std::string> units;       // what the service structure is over
  std::vector<std::string> targets;     // components with a mode "hw" (for injections)

  out.latent_class = rng.chance(opt.latent_share);
  // This seed's budget of failure modes: 4 up to the cap (the CTMC's cost grows with the
  // number of orderings of present faults, ~m! states for m modes).
  const int budget = std::min(opt.max_modes, 4) + rng.pick(std::max(1, opt.max_modes - 3));
  if (out.latent_class) {
    // ---- proof-test class ----
    tags.insert("latent");
    const double taus[] = {168, 730, 2190};
    const double tau = taus[rng.pick(3)];
    int G = 1 + rng.pick(3);
    std::vector<GroupPlan> plan(static_cast<std::size_t>(G));
    int modes = 0;
    for (int g = 0; g < G; ++g) {
      GroupPlan& p = plan[static_cast<std::size_t>(g)];
      p.id = "g" + std::to_string(g + 1);
      p.n = 1 + rng.pick(3);
      p.standby_mode = p.n >= 2 && rng.chance(0.4);
      p.need = p.standby_mode ? 1 + rng.pick(p.n - 1) : 1 + rng.pick(p.n);
      p.beta = p.n >= 2 && rng.chance(0.3);
      p.failback = p.standby_mode && rng.chance(0.5);
      p.identical = rng.chance(0.4) || (p.standby_mode && !p.failback);
      if (p.standby_mode) p.standby = std::array<const char*, 3>{"hot", "warm", "cold"}[static_cast<std::size_t>(rng.pick(3))];
      modes += p.n + (p.beta ? 1 : 0);
    }
    while (modes > budget) {  // shrink the largest group, drop its beta when alone
      auto it = std::max_element(plan.begin(), plan.end(), [](auto& a, auto& b) { return a.n < b.n; });
      if (it->n == 1) {
        modes -= 1;
        plan.pop_back();
        continue;
      }
      --it->n;
      --modes;
      it->need = std::min(it->need, it->standby_mode ? std::max(1, it->n - 1) : it->n);
      if (it->n < 2) {
        if (it->beta) --modes;
        it->beta = false;
        it->standby_mode = false;
      }
    }
    for (auto& p : plan) {
      double base = tau * rng.logu(5, 200);
      bool unlike = false;
      for (int m = 0; m < p.n; ++m) {
        std::string id = p.id + "/u" + std::to_string(m + 1);
        double mttf = p.identical ? base : base * rng.logu(0.5, 2);
        double cov = 1;
        if (!p.standby_mode && rng.chance(0.5)) {
          cov = round4(rng.uni(0.5, 0.95));
          tags.insert("test-coverage");
        }
        unlike = unlike || !p.identical;
        json mode = {{"id", "hw"}, {"type", "latent"}, {"ttf", expo(mttf * sc)},
                     {"proof_test", {{"interval", hours(tau)}, {"coverage", cov}}}, {"recovery", {{"repair", "0s"}}}};
        components.push_back({{"id", id}, {"kind", "generic"}, {"failures", json::array({mode})}});
        p.members.push_back(id);
        targets.push_back(id);
      }
      json g = {{"id", p.id}, {"members", p.members}, {"need", p.need}};
      if (p.need > 1) tags.insert("k-of-n");
      if (p.n >= 2 && unlike && !p.identical) tags.insert("unlike-members");
      if (p.standby_mode) {
        g["mode"] = "active-standby";
        g["standby"] = p.standby;
        if (p.standby == "warm") g["warm_factor"] = round4(rng.uni(0.2, 0.8));
        g["failover"] = {{"failback", p.failback}};
        tags.insert("active-standby");
        tags.insert(p.standby);
        tags.insert(p.failback ? "failback" : "no-failback");
      } else {
        g["mode"] = "active-active";
      }
      groups.push_back(g);
      if (p.beta) {
        common.push_back({{"id", p.id + "-ccf"}, {"group", p.id}, {"mode", "hw"}, {"beta", round4(rng.uni(0.03, 0.2))}});
        tags.insert("beta");
      }
      units.push_back(p.id);
    }
    out.horizon_hours = 200 * tau;  // 200 test intervals: the start from all-up weighs little
  } else {
    // ---- repairable class ----
    int G = 1 + rng.pick(5);
    std::vector<GroupPlan> plan(static_cast<std::size_t>(G));
    for (int g = 0; g < G; ++g) {
      GroupPlan& p = plan[static_cast<std::size_t>(g)];
      p.id = "g" + std::to_string(g + 1);
      p.n = 1 + rng.pick(4);
      p.beta = rng.chance(0.3);
      p.on_demand = rng.chance(0.4);
    }
    bool ext_outside = rng.chance(0.3), ext_member = rng.chance(0.3);
    auto count = [&] {
      int m = (ext_outside ? 1 : 0) + (ext_member ? 1 : 0);
      for (auto& p : plan) m += p.n + (p.beta && p.n >= 2 ? 1 : 0) + (p.on_demand && p.n >= 2 ? 1 : 0);
      return m;
    };
    while (count() > budget) {
      std::vector<int> choices;  // 0: drop an extra, 1: shrink a group, 2: drop a group
      bool extras = ext_outside || ext_member;
      for (auto& p : plan) extras = extras || (p.n >= 2 && (p.beta || p.on_demand));
      if (extras) choices.push_back(0);
      if (std::any_of(plan.begin(), plan.end(), [](auto& p) { return p.n > 1; })) choices.push_back(1);
      if (plan.size() > 1) choices.push_back(2);
      int c = choices[static_cast<std::size_t>(rng.pick(static_cast<int>(choices.size())))];
      if (c == 0) {
        std::vector<bool*> e;
        if (ext_outside) e.push_back(&ext_outside);
        if (ext_member) e.push_back(&ext_member);
        for (auto& p : plan)
          if (p.n >= 2) {
            if (p.beta) e.push_back(&p.beta);
            if (p.on_demand) e.push_back(&p.on_demand);
          }
        *e[static_cast<std::size_t>(rng.pick(static_cast<int>(e.size())))] = false;
      } else if (c == 1) {
        std::vector<GroupPlan*> big;
        for (auto& p : plan)
          if (p.n > 1) big.push_back(&p);
        --big[static_cast<std::size_t>(rng.pick(static_cast<int>(big.size())))]->n;
      } else {
        plan.erase(plan.begin() + rng.pick(static_cast<int>(plan.size())));
      }
    }
    // Group by group.
    for (std::size_t gi = 0; gi < plan.size(); ++gi) plan[gi].id = "g" + std::to_string(gi + 1);
    for (auto& p : plan) {
      if (p.n < 2) p.beta = p.on_demand = false;
      p.standby_mode = p.n >= 2 && rng.chance(0.5);
      if (!p.standby_mode) p.on_demand = false;  // on_demand modes belong to standbys
      p.need = p.standby_mode ? 1 + rng.pick(p.n - 1) : 1 + rng.pick(p.n);
      if (p.standby_mode) {
        p.standby = std::array<const char*, 3>{"hot", "warm", "cold"}[static_cast<std::size_t>(rng.pick(3))];
        p.warm_factor = round4(rng.uni(0.2, 0.8));
        p.failback = rng.chance(0.5);
      }
      bool redundant = p.standby_mode || p.need < p.n;
      if (redundant && rng.chance(0.5)) {
        p.coverage = round4(rng.uni(0.5, 0.95));
        p.manual = rng.logu(0.5, 8);
      }
      if (p.n >= 2 && rng.chance(0.4)) p.repair_crews = 1 + rng.pick(p.n - 1);
      p.identical = p.n >= 2 && rng.chance(0.4);
    }
    // Shared crew pools (rules R4).
    std::string pool;
    if (opt.crew_pools && rng.chance(0.5)) {
      pool = "tech";
      int size = rng.chance(0.7) ? 1 : 2;
      crews.push_back({{"id", pool}, {"size", size}});
      int joined = 0;
      for (auto& p : plan)
        if (p.repair_crews == 0 && rng.chance(0.7)) {
          p.in_pool = true;
          ++joined;
        }
      if (joined == 0) {  // at least one group in the pool
        GroupPlan& p = plan[static_cast<std::size_t>(rng.pick(static_cast<int>(plan.size())))];
        p.in_pool = true;
        p.repair_crews = 0;
        joined = 1;
      }
      tags.insert("crew-pool");
      if (joined >= 2) tags.insert("crew-pool-shared");
    }
    int ext_member_group = ext_member ? rng.pick(static_cast<int>(plan.size())) : -1;
    for (std::size_t gi = 0; gi < plan.size(); ++gi) {
      GroupPlan& p = plan[gi];
      const double base = rng.logu(300, 3000), base_r = rng.logu(2, 40);
      const int ext_slot = static_cast<int>(gi) == ext_member_group ? rng.pick(p.n) : -1;
      for (int m = 0; m < p.n; ++m) {
        std::string id = p.id + "/u" + std::to_string(m + 1);
        double mttf = p.identical ? base : base * rng.logu(0.5, 2);
        double mttr = p.identical ? base_r : rng.logu(2, 40);
        json failures = json::array();
        failures.push_back({{"id", "hw"}, {"type", "random"}, {"ttf", expo(mttf * sc)},
                            {"recovery", {{"repair", expo(mttr)}}}});
        if (p.on_demand && m == p.n - 1) {
          failures.push_back({{"id", "start"}, {"type", "on_demand"}, {"p", round4(rng.uni(0.02, 0.2))},
                              {"recovery", {{"repair", expo(rng.logu(2, 20))}}}});
          tags.insert("on_demand");
        }
        if (m == ext_slot) {
          failures.push_back({{"id", "ext"}, {"type", "external"}, {"rate", per_hour(1 / (rng.logu(500, 10000) * sc))},
                              {"duration", expo(rng.logu(0.5, 10))}});
          tags.insert("external-member");
        }
        json c = {{"id", id}, {"kind", "generic"}};
        if (!pool.empty() && !p.in_pool && rng.chance(0.15)) {
          c["crew"] = pool;  // a component's own crew overrides its group's
          tags.insert("component-crew");
        }
        c["failures"] = failures;
        components.push_back(c);
        p.members.push_back(id);
        targets.push_back(id);
      }
      json g = {{"id", p.id}, {"members", p.members}, {"need", p.need}};
      if (p.need > 1) tags.insert("k-of-n");
      if (p.n >= 2 && !p.identical) tags.insert("unlike-members");
      json fo = json::object();
      if (p.standby_mode) {
        g["mode"] = "active-standby";
        g["standby"] = p.standby;
        if (p.standby == "warm") g["warm_factor"] = p.warm_factor;
        fo["failback"] = p.failback;
        tags.insert("active-standby");
        tags.insert(p.standby);
        tags.insert(p.failback ? "failback" : "no-failback");
      } else {
        g["mode"] = "active-active";
        if (p.n >= 2) tags.insert("active-active");
      }
      if (p.coverage < 1) {
        fo["automatic"] = true;
        fo["coverage"] = p.coverage;
        fo["manual"] = expo(p.manual);
        tags.insert(p.need > 1 ? "coverage-k-of-n" : "coverage");
      }
      if (!fo.empty()) g["failover"] = fo;
      if (p.repair_crews > 0) {
        g["repair_crews"] = p.repair_crews;
        tags.insert("repair_crews");
      }
      if (p.in_pool) g["crew"] = pool;
      groups.push_back(g);
      if (p.beta) {
        common.push_back({{"id", p.id + "-ccf"}, {"group", p.id}, {"mode", "hw"}, {"beta", round4(rng.uni(0.03, 0.2))}});
        tags.insert("beta");
      }
      units.push_back(p.id);
    }
    if (ext_outside) {
      components.push_back(
          {{"id", "outside/power"},
           {"kind", "utility"},
           {"failures", json::array({{{"id", "loss"}, {"type", "external"}, {"rate", per_hour(1 / (rng.logu(1000, 20000) * sc))},
                                      {"duration", expo(rng.logu(0.5, 10))}}})}});
      tags.insert("external-outside");
    }
    out.horizon_hours = 17520;  // 2 y: relaxation times are tens of hours
  }

  std::vector<json> items(units.begin(), units.end());
  json expr = structure(rng, items, tags);
  bool outside = false;
  for (const auto& c : components)
    if (c["id"] == "outside/power") outside = true;
  if (outside) expr = json{{"all", json::array({expr, "outside/power"})}};
  if (opt.injections) {
    json inj = json::array();
    int k = 1 + rng.pick(3);
    for (int i = 0; i < k; ++i) {
      const std::string& t = targets[static_cast<std::size_t>(rng.pick(static_cast<int>(targets.size())))];
      char at[32];
      std::snprintf(at, sizeof at, "%.3fh", rng.uni(1, 200));
      inj.push_back({{"at", at}, {"action", out.latent_class ? "latent" : "fail"}, {"target", t}, {"mode", "hw"}});
    }
    if (outside && rng.chance(0.5)) {
      char at[32];
      std::snprintf(at, sizeof at, "%.3fh", rng.uni(1, 200));
      inj.push_back({{"at", at}, {"action", "cut_power"}, {"target", "outside/power"}});
    }
    std::sort(inj.begin(), inj.end(), [](const json& a, const json& b) {
      return std::stod(a["at"].get<std::string>()) < std::stod(b["at"].get<std::string>());
    });
    doc["injections"] = inj;
    tags.insert("injections");
  }

  doc["description"] = "";
  doc["horizon"] = hours(out.horizon_hours);
  doc["components"] = components;
  doc["groups"] = groups;
  if (!common.empty()) doc["common_causes"] = common;
  if (!crews.empty()) doc["crews"] = crews;
  doc["service"] = {{"requires", expr}};
  // Re-serialise the tags into the description (the structure added some).
  doc["description"] = "generated by tests/scenario_gen.cpp (seed " + std::to_string(seed) + "): " + out.summary();
  // Reorder: injections last, for readability.
  if (doc.contains("injections")) {
    json inj = doc["injections"];
    doc.erase("injections");
    doc["injections"] = inj;
  }
  out.json = doc.dump(2) + "\n";
  return out;
}

}  // namespace drsim::testgen
