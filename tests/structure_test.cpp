// The structure function on series, parallel, k-of-n, power-domain and cross-site
// cases: UP / DEGRADED / DOWN, the features down, and which failed components cut it.
#include <catch2/catch.hpp>

#include "models/scenario_parser.h"
#include "models/structure.h"

using drsim::ServiceState;

namespace {

// Two sites. Each: utility -> power domain; switch needs power; 2-of-3 app tier behind
// the switch. A GSLB group over the two site paths. Reports need a database at dc1.
const char* kSites = R"json({
  "drsim": 1,
  "components": [
    {"id": "dc1/utility", "kind": "utility"},
    {"id": "dc1/power", "kind": "power_domain", "needs": ["dc1/utility"]},
    {"id": "dc1/sw", "kind": "switch", "needs": ["dc1/power"]},
    {"id": "dc1/app1", "kind": "app_server", "needs": ["dc1/sw"]},
    {"id": "dc1/app2", "kind": "app_server", "needs": ["dc1/sw"]},
    {"id": "dc1/app3", "kind": "app_server", "needs": ["dc1/sw"]},
    {"id": "dc1/db", "kind": "database", "needs": ["dc1/power"]},
    {"id": "dc2/power", "kind": "power_domain"},
    {"id": "dc2/sw-a", "kind": "switch", "needs": ["dc2/power"]},
    {"id": "dc2/sw-b", "kind": "switch", "needs": ["dc2/power"]},
    {"id": "dc2/app", "kind": "app_server", "needs": ["dc2/switches"]},
    {"id": "dns", "kind": "dns"}
  ],
  "groups": [
    {"id": "dc1/apps", "members": ["dc1/app1", "dc1/app2", "dc1/app3"], "need": 2},
    {"id": "dc2/switches", "members": ["dc2/sw-a", "dc2/sw-b"], "need": 1},
    {"id": "gslb", "members": ["dc1/path", "dc2/path"], "need": 1, "mode": "active-standby"}
  ],
  "blocks": [
    {"id": "dc1/path", "all": ["dc1/apps"]},
    {"id": "dc2/path", "all": ["dc2/app"]}
  ],
  "service": {"requires": {"all": ["dns", "gslb"]},
              "features": [{"id": "reports", "requires": "dc1/db"}]}
})json";

struct Fixture {
  drsim::Diagnostics d{"sites.json"};
  std::optional<drsim::Scenario> sc = drsim::parse_scenario(kSites, "sites.json", d);
  Fixture() {
    INFO(d.format());
    REQUIRE(sc);
  }
};

}  // namespace

TEST_CASE("structure: series — one part down takes the service down", "[structure]") {
  Fixture f;
  drsim::StructureEvaluator ev(*f.sc);
  CHECK(ev.evaluate({}).level == ServiceState::Level::up);
  auto s = ev.evaluate({"dns"});
  CHECK(s.level == ServiceState::Level::down);
  CHECK(s.cut == std::vector<std::string>{"dns"});
  CHECK(s.single_repairs == std::vector<std::string>{"dns"});
}

TEST_CASE("structure: parallel — a redundant switch pair survives one loss", "[structure]") {
  Fixture f;
  drsim::StructureEvaluator ev(*f.sc);
  CHECK(ev.works("dc2/switches", {"dc2/sw-a"}));
  CHECK_FALSE(ev.works("dc2/switches", {"dc2/sw-a", "dc2/sw-b"}));
  CHECK_FALSE(ev.works("dc2/app", {"dc2/sw-a", "dc2/sw-b"}));
}

TEST_CASE("structure: k-of-n — the app tier needs 2 of 3", "[structure]") {
  Fixture f;
  drsim::StructureEvaluator ev(*f.sc);
  CHECK(ev.works("dc1/apps", {"dc1/app1"}));
  CHECK_FALSE(ev.works("dc1/apps", {"dc1/app1", "dc1/app3"}));
}

TEST_CASE("structure: a power domain takes down everything it feeds", "[structure]") {
  Fixture f;
  drsim::StructureEvaluator ev(*f.sc);
  CHECK_FALSE(ev.works("dc1/path", {"dc1/utility"}));
  CHECK_FALSE(ev.works("dc1/db", {"dc1/utility"}));
  // Site 2 carries the service; the reports feature (dc1/db) is lost: degraded.
  auto s = ev.evaluate({"dc1/utility"});
  CHECK(s.level == ServiceState::Level::degraded);
  CHECK(s.features_down == std::vector<std::string>{"reports"});
  CHECK(s.cut == std::vector<std::string>{"dc1/utility"});
}

TEST_CASE("structure: cross-site — down only when both site paths are lost, and why", "[structure]") {
  Fixture f;
  drsim::StructureEvaluator ev(*f.sc);
  CHECK(ev.evaluate({"dc2/power"}).level == ServiceState::Level::up);
  auto s = ev.evaluate({"dc2/power", "dc1/app1", "dc1/app2", "dc1/db"});
  CHECK(s.level == ServiceState::Level::down);
  // dc1/db is failed but outside the failed service's cone (only reports need it).
  CHECK(s.cut == std::vector<std::string>{"dc1/app1", "dc1/app2", "dc2/power"});
  // Repairing dc2/power alone, or one of the two apps, brings the service back.
  CHECK(s.single_repairs == std::vector<std::string>{"dc1/app1", "dc1/app2", "dc2/power"});
  auto both = ev.evaluate({"dc1/utility", "dc2/power"});
  CHECK(both.single_repairs == std::vector<std::string>{"dc1/utility", "dc2/power"});
}
