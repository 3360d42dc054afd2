// `drsim describe`: the model as a tree a person can check against their design —
// sites with the power chain, groups with failover policy, failure modes in human
// units, runbooks, the service structure.
#include <catch2/catch.hpp>

#include "models/describe.h"
#include "models/scenario_parser.h"

namespace {

const char* kTwoSites = R"json({
  "drsim": 1, "title": "two sites",
  "sites": [{"id": "dc1", "name": "primary"}, {"id": "dc2", "name": "secondary"}],
  "components": [
    {"id": "dc1/utility", "kind": "utility", "site": "dc1",
     "failures": [{"id": "loss", "type": "external", "rate": "1/y", "duration": {"dist": "lognormal", "median": "32m", "sigma": 0.9}}]},
    {"id": "dc1/ups", "kind": "ups", "site": "dc1", "battery_runtime": "10m", "needs": ["dc1/utility"]},
    {"id": "dc1/lb-a", "kind": "load_balancer", "site": "dc1", "needs": ["dc1/ups"],
     "failures": [{"id": "hw", "type": "random", "ttf": {"dist": "exponential", "mean": "5y"}, "recovery": {"detect": "2m", "repair": "4h"}}]},
    {"id": "dc1/lb-b", "kind": "load_balancer", "site": "dc1", "needs": ["dc1/ups"],
     "failures": [{"id": "stuck", "type": "latent", "ttf": "5000h", "proof_test": {"interval": "90d"}, "recovery": {"repair": "1h"}}]},
    {"id": "dc2/app", "kind": "app_server", "site": "dc2",
     "failures": [{"id": "deploy", "type": "change", "rate": "2 per week", "p_bad": 0.05, "recovery": {"runbook": "rollback"}}]}
  ],
  "groups": [{"id": "dc1/lbs", "members": ["dc1/lb-a", "dc1/lb-b"], "mode": "active-standby",
              "failover": {"detection": {"interval": "5s", "threshold": 3}, "switchover": "10s", "coverage": 0.67, "manual": "30m"}}],
  "service": {"requires": {"any": ["dc1/lbs", "dc2/app"]},
              "features": [{"id": "reports", "requires": "dc2/app"}]},
  "runbooks": [{"id": "rollback", "max_parallel": 1, "steps": [
     {"id": "notice", "kind": "detect", "duration": "20m"},
     {"id": "revert", "kind": "repair", "duration": "15m", "after": ["notice"], "restores": ["$targets"]}]}],
  "objectives": {"slo": {"target": 0.999, "window": "30d"}}
})json";

}  // namespace

TEST_CASE("describe shows sites, power chain, groups, modes in human units, runbooks, service", "[describe]") {
  drsim::Diagnostics d("two.json");
  auto sc = drsim::parse_scenario(kTwoSites, "two.json", d);
  INFO(d.format());
  REQUIRE(sc);
  const std::string t = drsim::describe_scenario(*sc);
  INFO(t);
  auto has = [&](const std::string& s) { return t.find(s) != std::string::npos; };
  CHECK(has("site dc1 \"primary\""));
  CHECK(has("power chain: dc1/utility → dc1/ups"));
  CHECK(has("battery 10m"));
  CHECK(has("hw: random, exponential, mean 5y"));
  CHECK(has("detect 2m; repair 4h"));
  CHECK(has("latent (hidden until a demand or a proof test)"));
  CHECK(has("proof test every 90d"));
  CHECK(has("lognormal, median 32m"));
  CHECK((has("changes at 2/w") || has("changes at 0.286/d")));
  CHECK(has("dc1/lbs: active-standby (hot), needs 1 of 2: dc1/lb-a, dc1/lb-b"));
  CHECK(has("coverage 0.67"));
  CHECK(has("manual switch-over 30m"));
  CHECK(has("rollback (at most 1 steps at once)"));
  CHECK(has("revert [repair] 15m; after notice; restores $targets"));
  CHECK(has("up when any of (dc1/lbs, dc2/app)"));
  CHECK(has("feature reports"));
  CHECK(has("SLO 99.9 % over 30d (error budget 43.2m)"));
}
