// `drsim describe`: the model as a tree a person can check against their design —
// sites with the power chain, groups with failover policy, failure modes in human
// units, runbooks, the service structure.
#include <catch2/catch.hpp>

#include "models/describe.h"
#include "models/scenario_parser.h"

#include <string>

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

TEST_CASE("describe shows sites, power paths, groups, modes in human units, runbooks, service", "[describe]") {
  drsim::Diagnostics d("two.json");
  auto sc = drsim::parse_scenario(kTwoSites, "two.json", d);
  INFO(d.format());
  REQUIRE(sc);
  const std::string t = drsim::describe_scenario(*sc);
  INFO(t);
  auto has = [&](const std::string& s) { return t.find(s) != std::string::npos; };
  CHECK(has("site dc1 \"primary\""));
  CHECK(has("power: dc1/utility → dc1/ups\n"));
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

namespace {

// A rack fed A+B: two paths from two utilities through two UPSs to two PDUs, either
// enough (a block "any"), and a server whose needs are a pair of switches.
const char* kAPlusB = R"json({
  "drsim": 1,
  "sites": [{"id": "dc1"}],
  "components": [
    {"id": "dc1/utility-a", "kind": "utility", "site": "dc1",
     "failures": [{"id": "loss", "type": "external", "rate": "1/y", "duration": "30m"}]},
    {"id": "dc1/utility-b", "kind": "utility", "site": "dc1",
     "failures": [{"id": "loss", "type": "external", "rate": "1/y", "duration": "30m"}]},
    {"id": "dc1/ups-a", "kind": "ups", "site": "dc1", "battery_runtime": "10m", "needs": ["dc1/utility-a"]},
    {"id": "dc1/ups-b", "kind": "ups", "site": "dc1", "battery_runtime": "10m", "needs": ["dc1/utility-b"]},
    {"id": "dc1/pdu-a", "kind": "power_domain", "site": "dc1", "needs": ["dc1/ups-a"]},
    {"id": "dc1/pdu-b", "kind": "power_domain", "site": "dc1", "needs": ["dc1/ups-b"]},
    {"id": "dc1/rack", "kind": "power_domain", "site": "dc1", "needs": ["dc1/feeds"]},
    {"id": "dc1/sw-a", "kind": "switch", "site": "dc1", "needs": ["dc1/rack"],
     "failures": [{"id": "hw", "type": "random", "ttf": "5y", "recovery": {"repair": "4h"}}]},
    {"id": "dc1/sw-b", "kind": "switch", "site": "dc1", "needs": ["dc1/rack"],
     "failures": [{"id": "hw", "type": "random", "ttf": "5y", "recovery": {"repair": "4h"}}]},
    {"id": "dc1/app", "kind": "app_server", "site": "dc1", "needs": ["dc1/rack", "dc1/switches"]}
  ],
  "groups": [{"id": "dc1/switches", "members": ["dc1/sw-a", "dc1/sw-b"], "mode": "active-active"}],
  "blocks": [{"id": "dc1/feeds", "any": ["dc1/pdu-a", "dc1/pdu-b"]}],
  "service": {"requires": "dc1/app"}
})json";

}  // namespace

// Regression: describe printed every power part of a site as one series chain
// ("dc1/utility-a → dc1/utility-b → dc1/ups-a → ..."), also for parallel feeds.
TEST_CASE("describe shows A+B power feeds and parallel needs as parallel paths", "[describe]") {
  drsim::Diagnostics d("ab.json");
  auto sc = drsim::parse_scenario(kAPlusB, "ab.json", d);
  INFO(d.format());
  REQUIRE(sc);
  const std::string t = drsim::describe_scenario(*sc);
  INFO(t);
  auto has = [&](const std::string& s) { return t.find(s) != std::string::npos; };
  // One line for the load, both paths side by side, each a series of its own.
  CHECK(has("  power: dc1/feeds ((dc1/utility-a → dc1/ups-a → dc1/pdu-a) ∥ (dc1/utility-b → dc1/ups-b → dc1/pdu-b)) → dc1/rack\n"));
  CHECK_FALSE(has("dc1/utility-a → dc1/utility-b"));
  CHECK_FALSE(has("power: dc1/utility-a → dc1/ups-a → dc1/pdu-a\n"));  // a path is not a load of its own
  CHECK(has("dc1/app [app_server] needs dc1/rack, dc1/switches (dc1/sw-a ∥ dc1/sw-b)"));
  CHECK(has("dc1/rack [power_domain] needs dc1/feeds (any of (dc1/pdu-a, dc1/pdu-b))"));
}

// The baseline's feed is a group: utility or generator, switched by the ATS, the UPS
// bridging the transfer. Both sites read that way, and the ATS and UPS are no loads.
TEST_CASE("describe shows the baseline's utility and generator as parallel feeds", "[describe]") {
  drsim::Diagnostics d;
  auto sc = drsim::load_scenario(std::string(DRSIM_SOURCE_DIR) + "/scenarios/designs/two-site-baseline.json", d);
  INFO(d.format());
  REQUIRE(sc);
  const std::string t = drsim::describe_scenario(*sc);
  INFO(t);
  auto has = [&](const std::string& s) { return t.find(s) != std::string::npos; };
  for (const std::string dc : {"dc1", "dc2"}) {
    CHECK(has("  power: " + dc + "/feed (" + dc + "/utility ∥ " + dc + "/generator; active-standby, switched by " + dc +
              "/ats, gaps bridged by " + dc + "/ups (battery 10m)) → " + dc + "/power\n"));
    CHECK_FALSE(has("power: " + dc + "/ats"));
    CHECK_FALSE(has("power: " + dc + "/ups"));
  }
  CHECK_FALSE(has("power chain"));
}
