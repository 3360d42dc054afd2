// Templates with parameters (issue 16, models/templates.h): a templated scenario is
// the same scenario as the one written out by hand — the same results for the same
// seed — and every problem is reported where it is written: at the template element,
// naming the instance, or at the instance's "with". Expansion is capped.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "models/scenario_parser.h"
#include "tests/cli_harness.h"

using namespace cli_harness;

namespace {

// Two sites from one template: a unit each (mean lifetime a parameter, typed
// "${need}" for the pair's k), a pair group, a block; GSLB across both by hand.
const char* kTemplated = R"({"drsim": 1, "title": "two from a template", "horizon": "2y",
  "templates": {"site": {"params": ["site", "mttf", "need"],
    "sites": [{"id": "${site}"}],
    "components": [
      {"id": "${site}/a", "kind": "generic", "site": "${site}", "failures": [{"id": "hw", "type": "random",
        "ttf": {"dist": "exponential", "mean": "${mttf}"}, "recovery": {"repair": {"dist": "exponential", "mean": "20h"}}}]},
      {"id": "${site}/b", "kind": "generic", "site": "${site}", "failures": [{"id": "hw", "type": "random",
        "ttf": {"dist": "exponential", "mean": "${mttf}"}, "recovery": {"repair": {"dist": "exponential", "mean": "20h"}}}]},
      {"id": "${site}/db", "kind": "database", "site": "${site}", "failures": [{"id": "hw", "type": "random",
        "ttf": {"dist": "exponential", "mean": "3y"}, "recovery": {"runbook": "fix"}}]}],
    "groups": [{"id": "${site}/pair", "members": ["${site}/a", "${site}/b"], "need": "${need}", "mode": "active-active",
                "failover": {"detection": "1m", "switchover": "1m", "coverage": 0.9, "manual": "30m"}}],
    "blocks": [{"id": "${site}/path", "all": ["${site}/pair", "${site}/db"]}]}},
  "instances": [{"template": "site", "with": {"site": "dc1", "mttf": "500h", "need": 1}},
                {"template": "site", "with": {"site": "dc2", "mttf": "800h", "need": 2}}],
  "components": [{"id": "dns", "kind": "dns", "failures": [{"id": "x", "type": "external", "rate": "2/y", "duration": "1h"}]}],
  "groups": [{"id": "sites", "members": ["dc1/path", "dc2/path"], "mode": "active-standby",
              "failover": {"detection": "1m", "switchover": "5m", "coverage": 0.95, "manual": "45m"}}],
  "service": {"requires": {"all": ["dns", "sites"]}},
  "runbooks": [{"id": "fix", "steps": [{"id": "go", "kind": "repair", "duration": "2h", "restores": ["$targets"]}]}],
  "objectives": {"rto": "1h", "sites": {"dc1": {"rto": "4h", "requires": "dc1/path"}}}})";

// The same, written out: the hand-written parts first, then each instance in order.
const char* kByHand = R"({"drsim": 1, "title": "two from a template", "horizon": "2y",
  "sites": [{"id": "dc1"}, {"id": "dc2"}],
  "components": [{"id": "dns", "kind": "dns", "failures": [{"id": "x", "type": "external", "rate": "2/y", "duration": "1h"}]},
      {"id": "dc1/a", "kind": "generic", "site": "dc1", "failures": [{"id": "hw", "type": "random",
        "ttf": {"dist": "exponential", "mean": "500h"}, "recovery": {"repair": {"dist": "exponential", "mean": "20h"}}}]},
      {"id": "dc1/b", "kind": "generic", "site": "dc1", "failures": [{"id": "hw", "type": "random",
        "ttf": {"dist": "exponential", "mean": "500h"}, "recovery": {"repair": {"dist": "exponential", "mean": "20h"}}}]},
      {"id": "dc1/db", "kind": "database", "site": "dc1", "failures": [{"id": "hw", "type": "random",
        "ttf": {"dist": "exponential", "mean": "3y"}, "recovery": {"runbook": "fix"}}]},
      {"id": "dc2/a", "kind": "generic", "site": "dc2", "failures": [{"id": "hw", "type": "random",
        "ttf": {"dist": "exponential", "mean": "800h"}, "recovery": {"repair": {"dist": "exponential", "mean": "20h"}}}]},
      {"id": "dc2/b", "kind": "generic", "site": "dc2", "failures": [{"id": "hw", "type": "random",
        "ttf": {"dist": "exponential", "mean": "800h"}, "recovery": {"repair": {"dist": "exponential", "mean": "20h"}}}]},
      {"id": "dc2/db", "kind": "database", "site": "dc2", "failures": [{"id": "hw", "type": "random",
        "ttf": {"dist": "exponential", "mean": "3y"}, "recovery": {"runbook": "fix"}}]}],
  "groups": [{"id": "sites", "members": ["dc1/path", "dc2/path"], "mode": "active-standby",
              "failover": {"detection": "1m", "switchover": "5m", "coverage": 0.95, "manual": "45m"}},
             {"id": "dc1/pair", "members": ["dc1/a", "dc1/b"], "need": 1, "mode": "active-active",
                "failover": {"detection": "1m", "switchover": "1m", "coverage": 0.9, "manual": "30m"}},
             {"id": "dc2/pair", "members": ["dc2/a", "dc2/b"], "need": 2, "mode": "active-active",
                "failover": {"detection": "1m", "switchover": "1m", "coverage": 0.9, "manual": "30m"}}],
  "blocks": [{"id": "dc1/path", "all": ["dc1/pair", "dc1/db"]}, {"id": "dc2/path", "all": ["dc2/pair", "dc2/db"]}],
  "service": {"requires": {"all": ["dns", "sites"]}},
  "runbooks": [{"id": "fix", "steps": [{"id": "go", "kind": "repair", "duration": "2h", "restores": ["$targets"]}]}],
  "objectives": {"rto": "1h", "sites": {"dc1": {"rto": "4h", "requires": "dc1/path"}}}})";

nlohmann::json results_without_identity(const std::string& text) {
  auto j = without_timing(text);
  j.erase("scenario");
  j.erase("scenario_sha256");
  return j;
}

std::string load_problems(const std::string& text, drsim::LoadOptions lo = {}) {
  drsim::Diagnostics d("t.json");
  auto sc = drsim::parse_scenario(text, "t.json", d, lo);
  return d.format() + (sc ? "(loaded)\n" : "(refused)\n");
}

// kTemplated with one substring replaced.
std::string templated_with(const std::string& from, const std::string& to) {
  std::string s = kTemplated;
  auto at = s.find(from);
  REQUIRE(at != std::string::npos);
  return s.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("a templated scenario runs exactly as the one written out by hand", "[templates]") {
  TempDir tmp("templates");
  const auto a = write(tmp, "templated.json", kTemplated), b = write(tmp, "by-hand.json", kByHand);
  drsim::Diagnostics d;
  auto sc = drsim::load_scenario(a, d);
  INFO(d.format());
  REQUIRE(sc);
  CHECK(d.items().empty());
  REQUIRE(sc->components.size() == 7);
  CHECK(sc->components[1].id == "dc1/a");
  CHECK(sc->components[6].id == "dc2/db");
  REQUIRE(sc->groups.size() == 3);
  CHECK(sc->groups[2].need == 2);  // "${need}" alone keeps the number
  CHECK(sc->sites.size() == 2);
  auto ra = run_drsim("run " + a + " --trials 600 --seed 7 -q --out " + (tmp / "a.json"), tmp);
  auto rb = run_drsim("run " + b + " --trials 600 --seed 7 -q --out " + (tmp / "b.json"), tmp);
  INFO(ra.err << rb.err);
  REQUIRE(ra.code == 0);
  REQUIRE(rb.code == 0);
  const auto ja = results_without_identity(slurp(tmp / "a.json")), jb = results_without_identity(slurp(tmp / "b.json"));
  CHECK(ja == jb);
  CHECK(ja.dump().find("\"downtime") != std::string::npos);
  // And the difference is real: another mean lifetime gives other results.
  write(tmp, "other.json", templated_with("\"mttf\": \"800h\"", "\"mttf\": \"300h\""));
  REQUIRE(run_drsim("run " + (tmp / "other.json") + " --trials 600 --seed 7 -q --out " + (tmp / "c.json"), tmp).code == 0);
  CHECK(results_without_identity(slurp(tmp / "c.json")) != ja);
}

TEST_CASE("a problem inside an instance is reported at the template element, naming the instance", "[templates]") {
  const std::string out = load_problems(templated_with("\"mttf\": \"800h\"", "\"mttf\": \"800x\""));
  INFO(out);
  CHECK(out.find("t.json:/templates/site/components/0/failures/0/ttf/mean (dc2/a; instance /instances/1, site=dc2, mttf=800x, need=2): error: ") == 0);
  CHECK(out.find("t.json:/templates/site/components/1/failures/0/ttf/mean (dc2/b; instance /instances/1, site=dc2, mttf=800x, need=2): error: ") !=
        std::string::npos);
  CHECK(out.find("instances/0") == std::string::npos);  // dc1 is fine
  CHECK(out.find("(refused)") != std::string::npos);
}

TEST_CASE("template parameters: unknown, missing, unused, not a value", "[templates]") {
  SECTION("an unknown parameter in the template") {
    CHECK(load_problems(templated_with("\"${site}/db\", \"kind\"", "\"${sit}/db\", \"kind\"")) ==
          "t.json:/templates/site/components/2/id: error: unknown parameter \"sit\" in \"${sit}/db\" (hint: did you mean \"site\"? "
          "parameters of template \"site\": site, mttf, need (/templates/site/params))\n(refused)\n");
  }
  SECTION("a missing value and an unknown one in an instance's with") {
    CHECK(load_problems(templated_with("\"site\": \"dc2\", \"mttf\": \"800h\"", "\"site\": \"dc2\", \"mtf\": \"800h\"")) ==
          "t.json:/instances/1/with/mtf: error: unknown parameter \"mtf\" of template \"site\" (hint: did you mean \"mttf\"? parameters: site, mttf, need)\n"
          "t.json:/instances/1/with: error: missing value for parameter \"mttf\" of template \"site\" (hint: add \"mttf\": \"...\" to \"with\")\n"
          "(refused)\n");
  }
  SECTION("an unused parameter is a warning") {
    auto doc = nlohmann::json::parse(kTemplated);
    doc["templates"]["site"]["params"].push_back("zone");
    doc["instances"][0]["with"]["zone"] = "a";
    doc["instances"][1]["with"]["zone"] = "b";
    const std::string out = load_problems(doc.dump());
    CHECK(out == "t.json:/templates/site/params/3: warning: parameter \"zone\" is never used (hint: write it as \"${zone}\" in the template, or remove it)\n(loaded)\n");
  }
  SECTION("an unclosed reference and an object as a value") {
    CHECK(load_problems(templated_with("\"${site}/path\", \"all\"", "\"${site/path\", \"all\"")) ==
          "t.json:/templates/site/blocks/0/id: error: unclosed \"${\" in \"${site/path\" (hint: write a parameter as \"${name}\")\n(refused)\n");
    CHECK(load_problems(templated_with("\"need\": 2}", "\"need\": {\"k\": 2}}")) ==
          "t.json:/instances/1/with/need: error: expected a string or a number, got object (hint: the text that replaces \"${need}\")\n(refused)\n");
  }
  SECTION("an unknown template") {
    CHECK(load_problems(templated_with("{\"template\": \"site\", \"with\": {\"site\": \"dc2\"", "{\"template\": \"sites\", \"with\": {\"site\": \"dc2\"")) ==
          "t.json:/instances/1/template: error: unknown template \"sites\" (hint: did you mean \"site\"? templates: site)\n(refused)\n");
  }
}

TEST_CASE("ids two instances both make are reported at both places", "[templates]") {
  // Both instances name their site dc1: every id of the second collides with the first's.
  const std::string out = load_problems(templated_with("\"site\": \"dc2\"", "\"site\": \"dc1\""));
  INFO(out);
  CHECK(out.find("t.json:/templates/site/sites/0/id (instance /instances/1, site=dc1, mttf=800h, need=2): error: duplicate site id \"dc1\" "
                 "(hint: already the id of /templates/site/sites/0 (instance /instances/0, site=dc1, mttf=500h, need=1); "
                 "give each instance its own ids, e.g. \"${site}/...\")\n") == 0);
  CHECK(out.find("t.json:/templates/site/components/0/id (instance /instances/1, site=dc1, mttf=800h, need=2): error: duplicate id \"dc1/a\" "
                 "(hint: already the id of /templates/site/components/0 (instance /instances/0, site=dc1, mttf=500h, need=1);") != std::string::npos);
  // With a part written by hand.
  const std::string hand = load_problems(templated_with("{\"id\": \"dns\"", "{\"id\": \"dc2/db\""));
  CHECK(hand.find("t.json:/templates/site/components/2/id (instance /instances/1, site=dc2, mttf=800h, need=2): error: duplicate id \"dc2/db\" "
                  "(hint: already the id of /components/0;") != std::string::npos);
}

TEST_CASE("templates cannot instantiate templates, and expansion is capped", "[templates]") {
  SECTION("no templates or instances inside a template") {
    CHECK(load_problems(templated_with("\"sites\": [{\"id\": \"${site}\"}],", "\"instances\": [], \"sites\": [{\"id\": \"${site}\"}],")) ==
          "t.json:/templates/site/instances: error: a template cannot hold \"instances\": templates do not instantiate templates "
          "(hint: instantiate every template at the top level, in \"instances\")\n(refused)\n");
  }
  SECTION("at most 1000 instances") {
    auto doc = nlohmann::json::parse(kTemplated);
    for (int i = 0; i < 1000; ++i) doc["instances"].push_back(doc["instances"][0]);
    CHECK(load_problems(doc.dump()) ==
          "t.json:/instances: error: 1002 instances, over the limit of 1000 (hint: a template is for a few sites or blocks; write fewer instances)\n(refused)\n");
  }
  SECTION("at most a million values") {
    auto doc = nlohmann::json::parse(kTemplated);
    auto& comps = doc["templates"]["site"]["components"];
    for (int i = 0; i < 20000; ++i) comps.push_back({{"id", "${site}/x" + std::to_string(i)}, {"kind", "generic"}, {"site", "${site}"}});
    for (int i = 0; i < 30; ++i) doc["instances"].push_back({{"template", "site"}, {"with", {{"site", "s" + std::to_string(i)}, {"mttf", "1y"}, {"need", 1}}}});
    const std::string out = load_problems(doc.dump());
    CHECK(out.find("t.json:/instances: error: the instances expand to ") == 0);
    CHECK(out.find(" values, over the limit of 1000000 (hint: ") != std::string::npos);
  }
  SECTION("at most max_bytes of substituted text") {
    drsim::LoadOptions lo;
    lo.max_bytes = 40000;
    const std::string out = load_problems(templated_with("\"mttf\": \"800h\"", "\"mttf\": \"" + std::string(25000, 'h') + "\""), lo);
    CHECK(out == "t.json:/instances/1: error: the instances expand to more than 40000 of text (hint: the values in \"with\" are substituted "
                 "into every \"${...}\"; make them shorter)\n(refused)\n");
  }
}

TEST_CASE("a variant and an edit apply to the expanded scenario", "[templates]") {
  std::string s = kTemplated;
  s.insert(s.rfind('}'), R"(, "variants": {"slow": {"patch": [{"op": "set", "path": "/groups/dc2~1pair/need", "value": 3}]}})");
  drsim::Diagnostics d("t.json");
  drsim::LoadOptions lo;
  lo.variants = {"slow"};
  CHECK_FALSE(drsim::parse_scenario(s, "t.json", d, lo));
  // need 3 of 2 members: reported at the template element, naming the instance and the variant.
  CHECK(d.format().find("t.json:/templates/site/groups/0/need (dc2/pair; instance /instances/1, site=dc2, mttf=800h, need=2): error: ") == 0);
  CHECK(d.format().find("the value comes from variant \"slow\"") != std::string::npos);
  drsim::Diagnostics e("t.json");
  drsim::LoadOptions le;
  le.edits.push_back({drsim::Edit::Op::set, "/components/dc1~1a/failures/hw/ttf/mean", "900h", "--set"});
  auto sc = drsim::parse_scenario(kTemplated, "t.json", e, le);
  INFO(e.format());
  REQUIRE(sc);
}

TEST_CASE("the shipped template designs validate, are short, and expand as intended", "[templates]") {
  const std::string dir = kSource + "/scenarios/designs/";
  for (const char* f : {"three-site.json", "active-active.json"}) {
    INFO(f);
    std::ifstream in(dir + f);
    std::size_t lines = 0;
    for (std::string l; std::getline(in, l);) ++lines;
    CHECK(lines > 5);
    CHECK(lines < 200);
    drsim::Diagnostics d(dir + f);
    auto sc = drsim::load_scenario(dir + f, d);
    INFO(d.format());
    REQUIRE(sc);
    CHECK(d.items().empty());
  }
  drsim::Diagnostics d;
  auto three = drsim::load_scenario(dir + "three-site.json", d);
  REQUIRE(three);
  CHECK(three->sites.size() == 3);
  CHECK(three->components.size() == 3 * 15 + 3);
  auto sites = std::find_if(three->groups.begin(), three->groups.end(), [](const auto& g) { return g.id == "sites"; });
  REQUIRE(sites != three->groups.end());
  CHECK(sites->members.size() == 3);
  CHECK(sites->need == 2);
  auto aa = drsim::load_scenario(dir + "active-active.json", d);
  REQUIRE(aa);
  auto g = std::find_if(aa->groups.begin(), aa->groups.end(), [](const auto& x) { return x.id == "sites"; });
  REQUIRE(g != aa->groups.end());
  CHECK(g->mode == drsim::Group::Mode::active_active);
}

TEST_CASE("validate --expanded prints the scenario written out, which runs the same", "[templates]") {
  TempDir tmp("templates-x");
  const auto a = write(tmp, "templated.json", kTemplated);
  auto r = run_drsim("validate --expanded " + a, tmp);
  INFO(r.err);
  REQUIRE(r.code == 0);
  const auto doc = nlohmann::json::parse(r.out);
  CHECK_FALSE(doc.contains("templates"));
  CHECK_FALSE(doc.contains("instances"));
  CHECK(doc["components"].size() == 7);
  CHECK(doc["groups"][2]["need"] == 2);
  // Structurally the hand-written file, up to the order of the sections' keys.
  CHECK(doc == nlohmann::json::parse(kByHand));
  write(tmp, "expanded.json", r.out);
  REQUIRE(run_drsim("run " + a + " --trials 300 --seed 3 -q --out " + (tmp / "a.json"), tmp).code == 0);
  REQUIRE(run_drsim("run " + (tmp / "expanded.json") + " --trials 300 --seed 3 -q --out " + (tmp / "b.json"), tmp).code == 0);
  CHECK(results_without_identity(slurp(tmp / "a.json")) == results_without_identity(slurp(tmp / "b.json")));
  // A file with problems prints nothing on stdout and exits 2.
  const auto bad = write(tmp, "bad.json", templated_with("\"${site}/db\", \"kind\"", "\"${sit}/db\", \"kind\""));
  auto rb = run_drsim("validate --expanded " + bad, tmp);
  CHECK(rb.code == 2);
  CHECK(rb.out.empty());
  CHECK(rb.err.find("unknown parameter \"sit\"") != std::string::npos);
}

TEST_CASE("a file extends a templated design and patches a copy by its id", "[templates]") {
  TempDir tmp("templates-ext");
  const std::string base = kSource + "/scenarios/designs/three-site.json";
  const auto f = write(tmp, "slow.json", R"({"drsim": 1, "extends": ")" + base + R"(", "title": "slow dc3 database",
    "patch": [{"op": "set", "path": "/components/dc3~1db/failures/hw/recovery/repair/median", "value": "4h"}]})");
  drsim::Diagnostics d(f);
  auto sc = drsim::load_scenario(f, d);
  INFO(d.format());
  REQUIRE(sc);
  CHECK(sc->components.size() == 48);
  // A bad value the patch writes is reported in the patch.
  const auto g = write(tmp, "bad.json", R"({"drsim": 1, "extends": ")" + base + R"(",
    "patch": [{"op": "set", "path": "/components/dc3~1db/failures/hw/recovery/repair/median", "value": "-8h"}]})");
  drsim::Diagnostics e("bad.json");
  CHECK_FALSE(drsim::load_scenario(g, e));
  CHECK(e.format().find("bad.json:/patch/0/value: error: \"median\" must not be negative") == 0);
  // A value the base's template wrote, broken by the patch: where it is written in the base.
  const auto h = write(tmp, "p90.json", R"({"drsim": 1, "extends": ")" + base + R"(",
    "patch": [{"op": "set", "path": "/components/dc3~1db/failures/hw/recovery/repair/median", "value": "8h"}]})");
  drsim::Diagnostics k("p90.json");
  CHECK_FALSE(drsim::load_scenario(h, k));
  CHECK(k.format() == "p90.json:/components/46/failures/0/recovery/repair/p90 (dc3/db): error: \"p90\" must be above the median, got 8h for a "
                      "median of 8h (hint: nine in ten are shorter than p90, half shorter than the median; at "
                      "/templates/site/components/13/failures/0/recovery/repair/p90 (instance /instances/2, site=dc3, peer=dc1) of " + base +
                      " as this file extends it)\n");
}
