// Tests of scenario loading (models/scenario_parser.h): a scenario that uses every
// section parses to the right values (hours, distributions, groups, expressions,
// injections at wall-clock times and offsets), variants apply, runbook steps come out
// in dependency order, warnings do not fail a load, and SHA-256 matches the FIPS
// vectors. The exact texts of error messages are pinned by the bad corpus
// (bad_corpus_test.cpp).
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "models/scenario_parser.h"
#include "models/sha256.h"

namespace {

using drsim::Diagnostics;
using drsim::LoadOptions;
using drsim::Scenario;

const char* kGood = R"json(// A small two-site scenario that uses every section.
{
  "drsim": 1,
  "title": "two sites",
  "description": "parser test",
  "start": "2014-04-18T10:00:00-04:00",
  "horizon": "2y",
  "sites": [{"id": "dc1", "name": "primary", "timezone": "America/New_York"}, {"id": "dc2"}],
  "components": [
    {"id": "dc1/utility", "kind": "utility", "site": "dc1",
     "failures": [{"id": "loss", "type": "external", "rate": "1/y",
                   "duration": {"dist": "lognormal", "median": "32m", "sigma": 0.9}}]},
    {"id": "dc1/ups", "kind": "ups", "site": "dc1", "battery_runtime": "10m", "needs": ["dc1/utility"]},
    {"id": "dc1/lb-a", "name": "load balancer A", "kind": "load_balancer", "site": "dc1", "needs": ["dc1/ups"],
     "failures": [{"id": "hw", "type": "random", "ttf": {"dist": "exponential", "mean": "1000h"}, "when": "active",
                   "also_fails": ["dc1/lb-b"], "recovery": {"detect": "2m", "repair": "4h"}},
                  {"id": "stuck", "type": "on_demand", "p": 0.33, "recovery": {"repair": "1h", "crew": false}}],
     "platform": {"bandwidth": 1250, "latency": 2, "speed": 10}, "source": "Gill et al. 2011"},
    {"id": "dc1/lb-b", "kind": "load_balancer", "site": "dc1", "needs": ["dc1/ups"],
     "failures": [{"id": "hw", "type": "random", "ttf": "1000h", "recovery": {"repair": "4h"}},
                  {"id": "stuck", "type": "latent", "ttf": "5000h",
                   "proof_test": {"interval": "730h", "offset": "100h", "coverage": 0.9}, "recovery": {"repair": "0s"}}]},
    {"id": "dc2/web", "kind": "app_server", "site": "dc2",
     "failures": [{"id": "deploy", "type": "change", "rate": "2 per week", "p_bad": 0.05, "recovery": {"runbook": "rollback"},
                   "escalate": {"after": 2, "recovery": {"repair": "1d"}}}]},
    {"id": "dc1/storage", "kind": "storage", "site": "dc1",
     "replication": {"to": "dc2/storage", "mode": "async", "lag": "30s", "write_rate": 20}},
    {"id": "dc2/storage", "kind": "storage", "site": "dc2",
     "failures": [{"id": "power", "type": "on_dependency_loss", "recovery": {"runbook": "rollback"}}]}
  ],
  "groups": [
    {"id": "dc1/lbs", "members": ["dc1/lb-a", "dc1/lb-b"], "need": 1, "mode": "active-standby",
     "standby": "warm", "warm_factor": 0.25,
     "failover": {"detection": {"interval": "5s", "threshold": 3}, "switchover": "10s", "coverage": 0.67,
                  "automatic": true, "manual": "30m", "failback": true},
     "repair_crews": 1, "bridge": "dc1/ups"}
  ],
  "blocks": [
    {"id": "dc1/path", "all": ["dc1/lbs", "dc1/storage"]},
    {"id": "sites", "any": ["dc1/path", {"at_least": 1, "of": ["dc2/web", "dc2/storage"]}]}
  ],
  "service": {"name": "platform", "requires": "sites",
              "features": [{"id": "web", "name": "website", "requires": "dc2/web"}]},
  "runbooks": [
    {"id": "rollback", "name": "roll back", "max_parallel": 2, "steps": [
      {"id": "verify", "kind": "verify", "duration": "10m", "after": ["revert"]},
      {"id": "notice", "kind": "detect", "duration": {"dist": "uniform", "min": "10m", "max": "30m"}},
      {"id": "revert", "kind": "repair", "duration": "20m", "after": ["notice"], "restores": ["$targets", "dc2/web"],
       "waits_for": ["dc1/ups"]}
    ]},
    {"id": "rekey", "steps": [{"id": "vendor", "kind": "vendor", "duration": "20m", "restores": ["$targets"]}]}
  ],
  "common_causes": [
    {"id": "lb-licence", "targets": ["dc1/lb-a", "dc1/lb-b"],
     "failure": {"id": "expiry", "type": "time_bomb", "fuse": "40d", "renewal": {"every": "1y", "p_wrong": 0.02},
                 "monitoring": {"alert_ahead": "0s"}, "audit": {"coverage": 0.5}, "recovery": {"runbook": "rekey"}}},
    {"id": "lbs-ccf", "group": "dc1/lbs", "mode": "hw", "beta": 0.1}
  ],
  "objectives": {"slo": {"target": 0.9995, "window": "30d"}, "rto": "1h", "rpo": "5m"},
  "injections": [
    {"at": "2014-04-18T10:32:00-04:00", "action": "cut_power", "target": "dc1/utility", "note": "car hits power pole"},
    {"at": "2014-04-18T15:00:00Z", "action": "expire", "target": "lb-licence"},
    {"at": "10m", "action": "latent", "target": "dc1/lb-b", "mode": "stuck"},
    {"at": "0s", "action": "fail", "target": "dc1/lb-a", "repeat": {"count": 3, "every": "20h"}}
  ],
  "variants": {
    "quarterly-tests": {"description": "proof tests every quarter", "patch": [
      {"op": "set", "path": "/components/dc1~1lb-b/failures/stuck/proof_test/interval", "value": "2190h"},
      {"op": "remove", "path": "/injections/3"},
      {"op": "add", "path": "/components/dc1~1lb-a/failures",
       "value": {"id": "fw", "type": "random", "ttf": "2y", "recovery": {"repair": "1h"}}}
    ]},
    "ten-years": {"patch": [{"op": "set", "path": "/horizon", "value": "10y"}]}
  },
  "expected": {"unavailability": 0.5, "formula": "lambda/(lambda+mu)"},
  "sources": {"lb": "Gill et al. 2011"}
}
)json";

std::optional<Scenario> parse(const std::string& text, Diagnostics& d, const LoadOptions& opt = {}) {
  return drsim::parse_scenario(text, "good.json", d, opt);
}

const drsim::Component& comp(const Scenario& sc, const std::string& id) {
  const drsim::Component* c = sc.component(id);
  REQUIRE(c != nullptr);
  return *c;
}

}  // namespace

TEST_CASE("a good scenario parses to the right values", "[parser]") {
  Diagnostics d("good.json");
  auto sc = parse(kGood, d);
  INFO(d.format());
  REQUIRE(sc);
  CHECK(d.items().empty());

  CHECK(sc->file == "good.json");
  CHECK(sc->sha256 == drsim::sha256_hex(kGood));
  CHECK(sc->title == "two sites");
  CHECK(sc->description == "parser test");
  REQUIRE(sc->start_epoch);
  CHECK(*sc->start_epoch == 1397829600);  // 2014-04-18T14:00:00Z
  CHECK(sc->start_utc_offset_minutes == -240);
  CHECK(sc->horizon == Approx(2 * 8760));
  REQUIRE(sc->sites.size() == 2);
  CHECK(sc->sites[0].timezone == "America/New_York");
  CHECK(sc->variant_names == std::vector<std::string>{"quarterly-tests", "ten-years"});
  CHECK(sc->expected.at("formula") == "lambda/(lambda+mu)");
  CHECK(std::stod(sc->expected.at("unavailability")) == Approx(0.5));

  SECTION("components and failure modes") {
    REQUIRE(sc->components.size() == 7);
    const auto& util = comp(*sc, "dc1/utility");
    CHECK(util.kind == drsim::ComponentKind::utility);
    CHECK(util.pointer == "/components/0");
    REQUIRE(util.failures.size() == 1);
    const auto& loss = util.failures[0];
    CHECK(loss.type == drsim::FailureMode::Type::external);
    CHECK(loss.rate == Approx(1.0 / 8760));
    CHECK(loss.ttf.mean() == Approx(8760));  // a rate becomes an exponential lifetime
    REQUIRE(loss.duration);
    CHECK(loss.duration->median() == Approx(32.0 / 60));
    CHECK(loss.recovery.empty());  // an external event ends by itself

    const auto& ups = comp(*sc, "dc1/ups");
    CHECK(ups.battery_runtime == Approx(10.0 / 60));
    CHECK(ups.needs == std::vector<std::string>{"dc1/utility"});

    const auto& lba = comp(*sc, "dc1/lb-a");
    CHECK(lba.name == "load balancer A");
    CHECK(lba.site == "dc1");
    CHECK(lba.kind == drsim::ComponentKind::load_balancer);
    CHECK(lba.source == "Gill et al. 2011");
    CHECK(lba.platform.bandwidth_mb_s == 1250);
    CHECK(lba.platform.latency_ms == 2);
    CHECK(lba.platform.speed_gflops == 10);
    REQUIRE(lba.failures.size() == 2);
    const auto& hw = lba.failures[0];
    CHECK(hw.id == "hw");
    CHECK(hw.pointer == "/components/2/failures/0");
    CHECK(hw.type == drsim::FailureMode::Type::random);
    CHECK(hw.when == drsim::When::active);
    CHECK(hw.ttf.mean() == Approx(1000));
    CHECK(hw.also_fails == std::vector<std::string>{"dc1/lb-b"});
    REQUIRE(hw.recovery.detect);
    CHECK(hw.recovery.detect->median() == Approx(2.0 / 60));
    REQUIRE(hw.recovery.repair);
    CHECK(hw.recovery.repair->median() == Approx(4));
    CHECK(hw.recovery.uses_crew);
    const auto& stuck = lba.failures[1];
    CHECK(stuck.type == drsim::FailureMode::Type::on_demand);
    CHECK(stuck.p == Approx(0.33));
    CHECK_FALSE(stuck.recovery.uses_crew);

    const auto& lbb = comp(*sc, "dc1/lb-b");
    CHECK(lbb.failures[0].ttf.median() == Approx(1000));  // "1000h": a fixed lifetime
    const auto& latent = lbb.failures[1];
    CHECK(latent.type == drsim::FailureMode::Type::latent);
    CHECK(latent.proof_interval == Approx(730));
    CHECK(latent.proof_offset == Approx(100));
    CHECK(latent.proof_coverage == Approx(0.9));
    CHECK(latent.recovery.repair->median() == 0);

    const auto& web = comp(*sc, "dc2/web");
    const auto& deploy = web.failures.at(0);
    CHECK(deploy.type == drsim::FailureMode::Type::change);
    CHECK(deploy.rate == Approx(2.0 / 168));
    CHECK(deploy.p == Approx(0.05));
    CHECK(deploy.recovery.runbook == "rollback");
    CHECK(deploy.escalate_after == 2);
    REQUIRE(deploy.escalation.repair);
    CHECK(deploy.escalation.repair->median() == Approx(24));

    const auto& st = comp(*sc, "dc1/storage");
    REQUIRE(st.replication);
    CHECK(st.replication->to == "dc2/storage");
    CHECK_FALSE(st.replication->sync);
    CHECK(st.replication->lag->median() == Approx(30.0 / 3600));
    CHECK(st.replication->write_rate_mb_s == 20);
    CHECK(comp(*sc, "dc2/storage").failures.at(0).type == drsim::FailureMode::Type::dependency);
  }

  SECTION("groups, blocks and the service") {
    REQUIRE(sc->groups.size() == 1);
    const auto& g = sc->groups[0];
    CHECK(g.members == std::vector<std::string>{"dc1/lb-a", "dc1/lb-b"});
    CHECK(g.need == 1);
    CHECK(g.mode == drsim::Group::Mode::active_standby);
    CHECK(g.standby == drsim::Group::Standby::warm);
    CHECK(g.warm_factor == Approx(0.25));
    REQUIRE(g.failover.detection);
    // 3 health checks 5 s apart: uniform in [10 s, 15 s].
    CHECK(g.failover.detection->mean() == Approx(12.5 / 3600));
    CHECK(g.failover.detection->quantile(0.0) == Approx(10.0 / 3600));
    CHECK(g.failover.switchover->median() == Approx(10.0 / 3600));
    CHECK(g.failover.coverage == Approx(0.67));
    CHECK(g.failover.automatic);
    CHECK(g.failover.manual->median() == Approx(0.5));
    CHECK(g.failover.failback);
    CHECK(g.repair_crews == 1);
    CHECK(g.bridge == "dc1/ups");
    CHECK(sc->group("dc1/lbs") == &g);

    REQUIRE(sc->blocks.size() == 2);
    const auto& path = sc->blocks[0].expr;
    CHECK(path.op == drsim::Expr::Op::all);
    REQUIRE(path.args.size() == 2);
    CHECK(path.args[0].op == drsim::Expr::Op::ref);
    CHECK(path.args[0].ref == "dc1/lbs");
    const auto& sites = sc->block("sites")->expr;
    CHECK(sites.op == drsim::Expr::Op::any);
    REQUIRE(sites.args.size() == 2);
    CHECK(sites.args[1].op == drsim::Expr::Op::at_least);
    CHECK(sites.args[1].k == 1);
    CHECK(sites.args[1].args.size() == 2);
    CHECK(sites.args[1].pointer == "/blocks/1/any/1");

    CHECK(sc->service.name == "platform");
    CHECK(sc->service.requires_.op == drsim::Expr::Op::ref);
    CHECK(sc->service.requires_.ref == "sites");
    REQUIRE(sc->service.features.size() == 1);
    CHECK(sc->service.features[0].id == "web");
    CHECK(sc->service.features[0].expr.ref == "dc2/web");
  }

  SECTION("runbooks, common causes and objectives") {
    const drsim::Runbook* rb = sc->runbook("rollback");
    REQUIRE(rb);
    CHECK(rb->max_parallel == 2);
    REQUIRE(rb->steps.size() == 3);
    // Written verify, notice, revert; "after" puts them in the order they can run.
    CHECK(rb->steps[0].id == "notice");
    CHECK(rb->steps[1].id == "revert");
    CHECK(rb->steps[2].id == "verify");
    CHECK(rb->steps[0].kind == drsim::RunbookStep::Kind::detect);
    CHECK(rb->steps[0].duration.mean() == Approx(20.0 / 60));
    CHECK(rb->steps[1].restores == std::vector<std::string>{"$targets", "dc2/web"});
    CHECK(rb->steps[1].waits_for == std::vector<std::string>{"dc1/ups"});
    CHECK(rb->steps[1].pointer == "/runbooks/0/steps/2");

    const drsim::CommonCause* lic = sc->common_cause("lb-licence");
    REQUIRE(lic);
    CHECK(lic->targets.size() == 2);
    CHECK(lic->mode.type == drsim::FailureMode::Type::time_bomb);
    CHECK(lic->mode.fuse->median() == Approx(40 * 24));
    CHECK(lic->mode.renew_every == Approx(8760));
    CHECK(lic->mode.p_wrong == Approx(0.02));
    CHECK(lic->mode.alert_ahead == 0);
    CHECK(lic->mode.audit_coverage == Approx(0.5));
    CHECK(lic->mode.recovery.runbook == "rekey");
    const drsim::CommonCause* beta = sc->common_cause("lbs-ccf");
    REQUIRE(beta);
    CHECK(beta->beta_group == "dc1/lbs");
    CHECK(beta->beta_mode == "hw");
    CHECK(beta->beta == Approx(0.1));

    CHECK(sc->objectives.slo_target == Approx(0.9995));
    CHECK(sc->objectives.slo_window == Approx(720));
    CHECK(sc->objectives.rto == Approx(1));
    CHECK(sc->objectives.rpo == Approx(5.0 / 60));
  }

  SECTION("injections at wall-clock times and offsets") {
    REQUIRE(sc->injections.size() == 4);
    const auto& cut = sc->injections[0];
    CHECK(cut.at == Approx(32.0 / 60));
    CHECK(cut.action == drsim::Injection::Action::cut_power);
    CHECK(cut.target == "dc1/utility");
    CHECK(cut.note == "car hits power pole");
    CHECK(sc->injections[1].at == Approx(1.0));  // 15:00Z is 11:00-04:00
    CHECK(sc->injections[1].action == drsim::Injection::Action::expire);
    CHECK(sc->injections[2].at == Approx(10.0 / 60));
    CHECK(sc->injections[2].mode == "stuck");
    CHECK(sc->injections[3].at == 0);
    CHECK(sc->injections[3].repeat == 3);
    CHECK(sc->injections[3].every == Approx(20));
  }
}

TEST_CASE("variants are applied in the order asked, before validation", "[parser]") {
  Diagnostics d("good.json");
  LoadOptions opt;
  opt.variants = {"quarterly-tests", "ten-years"};
  auto sc = parse(kGood, d, opt);
  INFO(d.format());
  REQUIRE(sc);
  CHECK(sc->horizon == Approx(10 * 8760));
  CHECK(comp(*sc, "dc1/lb-b").failures[1].proof_interval == Approx(2190));
  CHECK(sc->injections.size() == 3);
  const auto& lba = comp(*sc, "dc1/lb-a");
  REQUIRE(lba.failures.size() == 3);
  CHECK(lba.failures[2].id == "fw");
  CHECK(lba.failures[2].ttf.median() == Approx(2 * 8760));
  CHECK(sc->variant_names.size() == 2);
  // The hash is of the file, whatever was applied.
  CHECK(sc->sha256 == drsim::sha256_hex(kGood));
}

TEST_CASE("an unknown variant is an error that lists the ones in the file", "[parser]") {
  Diagnostics d("good.json");
  LoadOptions opt;
  opt.variants = {"ten-year"};
  CHECK_FALSE(parse(kGood, d, opt));
  CHECK(d.format() ==
        "good.json:/variants: error: unknown variant \"ten-year\" (hint: did you mean \"ten-years\"? "
        "variants in the file: quarterly-tests, ten-years)\n");
}

TEST_CASE("a problem in a value a variant wrote names the variant", "[parser]") {
  std::string text = kGood;
  text.replace(text.find("\"value\": \"10y\""), 14, "\"value\": \"0y\"");
  Diagnostics d("good.json");
  LoadOptions opt;
  opt.variants = {"ten-years"};
  CHECK_FALSE(parse(text, d, opt));
  CHECK(d.format() ==
        "good.json:/horizon: error: \"horizon\" must be positive, got \"0y\" (hint: only delays (detection, "
        "switch-over, repair, steps) may be \"0s\"; the value comes from variant \"ten-years\" (/variants/ten-years/patch/0))\n");
}

TEST_CASE("runbook steps come out in dependency order, stable otherwise", "[parser]") {
  const char* text = R"({"drsim": 1,
    "components": [{"id": "a", "failures": [{"id": "f", "type": "random", "ttf": "1y", "recovery": {"runbook": "r"}}]}],
    "service": {"requires": "a"},
    "runbooks": [{"id": "r", "steps": [
      {"id": "d", "duration": "1m", "after": ["b", "c"]},
      {"id": "c", "duration": "1m", "after": ["a"]},
      {"id": "b", "duration": "1m", "after": ["a"]},
      {"id": "e", "duration": "1m"},
      {"id": "a", "duration": "1m"}]}]})";
  Diagnostics d("t.json");
  auto sc = drsim::parse_scenario(text, "t.json", d);
  INFO(d.format());
  REQUIRE(sc);
  std::vector<std::string> order;
  for (const auto& s : sc->runbooks[0].steps) order.push_back(s.id);
  // Each step after everything in its "after"; among ready steps, file order.
  CHECK(order == std::vector<std::string>{"e", "a", "c", "b", "d"});
}

TEST_CASE("unused parts and runbooks are warnings, and the scenario still loads", "[parser]") {
  const char* text = R"({"drsim": 1,
    "components": [{"id": "a"}, {"id": "spare"}],
    "service": {"requires": "a"},
    "runbooks": [{"id": "r", "steps": [{"id": "s", "duration": "1m"}]}]})";
  Diagnostics d("t.json");
  auto sc = drsim::parse_scenario(text, "t.json", d);
  REQUIRE(sc);
  CHECK_FALSE(d.has_errors());
  CHECK(d.format() ==
        "t.json:/components/1 (spare): warning: component \"spare\" is not used: nothing depends on it (hint: name it in "
        "\"needs\", a group, a block or the service, or remove it)\n"
        "t.json:/runbooks/0 (r): warning: runbook \"r\" is never used (hint: name it in a failure mode's recovery: "
        "{\"runbook\": \"r\"}, or remove it)\n");
}

// Issue 13: a pointer such as /components/14/failures/0/ttf says where, not what; the
// message names the part by its id next to the pointer.
TEST_CASE("messages name the component, group, block, crew, runbook step, common cause and injection they lie in", "[parser]") {
  const char* text = R"({"drsim": 1,
    "crews": [{"id": "night", "size": 0}],
    "components": [
      {"id": "dc1/ok"},
      {"id": "dc3/db", "failures": [{"id": "hw", "type": "random", "ttf": "-5h"}]},
      {"id": "bad id!", "kind": "nope"},
      {"id": "dc3/db"}],
    "groups": [{"id": "dc3/pair", "members": ["dc1/ok", "ghost"]}],
    "blocks": [{"id": "dc3/path", "all": ["dc3/pair", "phantom"]}],
    "service": {"requires": "dc3/path"},
    "runbooks": [{"id": "restart", "steps": [{"id": "power", "duration": "1m"}, {"id": "app", "duration": "2m", "after": ["nothing"]}]}],
    "common_causes": [{"id": "storm", "targets": ["dc1/ok", "nowhere"], "failure": {"id": "s", "type": "random", "ttf": "1y"}}],
    "injections": [{"at": "soon", "action": "fail", "target": "dc1/ok"}]})";
  Diagnostics d("t.json");
  CHECK_FALSE(drsim::parse_scenario(text, "t.json", d));
  const std::string f = d.format();
  INFO(f);
  auto line_at = [&](const std::string& pointer) {
    std::size_t k = f.find("t.json:" + pointer + " ");
    if (k == std::string::npos) k = f.find("t.json:" + pointer + ":");
    return k == std::string::npos ? std::string("(none)") : f.substr(k, f.find('\n', k) - k);
  };
  auto starts = [&](const std::string& pointer, const std::string& head) {
    INFO(pointer);
    CHECK(line_at(pointer).rfind("t.json:" + head, 0) == 0);
  };
  starts("/crews/0/size", "/crews/0/size (night): error: ");
  starts("/components/1/failures/0/ttf", "/components/1/failures/0/ttf (dc3/db): error: ");
  // An invalid id names nothing; a duplicate id is quoted by the message, not beside it.
  starts("/components/2/kind", "/components/2/kind: error: ");
  starts("/components/3/id", "/components/3/id: error: ");
  starts("/groups/0/members/1", "/groups/0/members/1 (dc3/pair): error: ");
  starts("/blocks/0/all/1", "/blocks/0/all/1 (dc3/path): error: ");
  starts("/runbooks/0/steps/1/after/0", "/runbooks/0/steps/1/after/0 (restart, step app): error: ");
  starts("/common_causes/0/targets/1", "/common_causes/0/targets/1 (storm): error: ");
  starts("/injections/0/at", "/injections/0/at (target dc1/ok): error: ");
  // Outside any part: no name.
  CHECK(f.find("t.json:/drsim (") == std::string::npos);
}

TEST_CASE("name_subjects: the longest enclosing part, a part's own id excepted", "[parser]") {
  Diagnostics d("t.json");
  d.error("/runbooks/1/steps/2/id", "m");
  d.error("/runbooks/1/steps/2", "m");
  d.error("/runbooks/10", "m");
  d.error("/runbooks/1", "m");
  d.error("/runbooks/1/id", "m");
  d.error("/components/0", "m");
  d.name_subjects({{"/runbooks/1", "r"}, {"/runbooks/1/steps/2", "r, step s"}, {"/components/0", ""}});
  CHECK(d.format() ==
        "t.json:/runbooks/1/steps/2/id (r): error: m\n"
        "t.json:/runbooks/1/steps/2 (r, step s): error: m\n"
        "t.json:/runbooks/10: error: m\n"
        "t.json:/runbooks/1 (r): error: m\n"
        "t.json:/runbooks/1/id: error: m\n"
        "t.json:/components/0: error: m\n");
}

TEST_CASE("load_scenario reads a file, names it and hashes its bytes", "[parser]") {
  auto dir = std::filesystem::temp_directory_path() / ("drsim-parser-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string path = (dir / "good.json").string();
  {
    std::ofstream out(path, std::ios::binary);
    out << kGood;
  }
  Diagnostics d;  // names no file: load_scenario names it
  auto sc = drsim::load_scenario(path, d);
  INFO(d.format());
  REQUIRE(sc);
  CHECK(d.file() == path);
  CHECK(sc->file == path);
  CHECK(sc->sha256 == drsim::sha256_hex(kGood));
  std::filesystem::remove_all(dir);
}

TEST_CASE("a diagnostics list that names a file keeps its name", "[parser]") {
  Diagnostics d("shown.json");
  CHECK_FALSE(drsim::parse_scenario("[]", "other.json", d));
  CHECK(d.format() ==
        "shown.json:/: error: expected an object at the top level, got array (hint: a scenario is a JSON object "
        "starting with {\"drsim\": 1, ...})\n");
}

TEST_CASE("SHA-256 matches the FIPS 180-4 vectors", "[parser]") {
  CHECK(drsim::sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(drsim::sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(drsim::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(drsim::sha256_hex(std::string(1000000, 'a')) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  // Fed in pieces that straddle the 64-byte blocks, the digest is the same.
  drsim::Sha256 h;
  std::string msg(200, 'x');
  h.update(std::string_view(msg).substr(0, 63));
  h.update(std::string_view(msg).substr(63, 2));
  h.update(std::string_view(msg).substr(65));
  CHECK(h.hex() == drsim::sha256_hex(msg));
}

TEST_CASE("wall-clock times need an offset and a real date", "[parser]") {
  auto t = drsim::parse_wall_clock("2014-04-18T10:32:00-04:00");
  REQUIRE(t);
  CHECK(t->epoch_seconds == 1397831520);
  CHECK(t->utc_offset_minutes == -240);
  CHECK(drsim::parse_wall_clock("1970-01-01T00:00Z")->epoch_seconds == 0);
  CHECK(drsim::parse_wall_clock("2012-11-13T12:50:30.5+0000")->epoch_seconds == Approx(1352811030.5));
  CHECK(drsim::parse_wall_clock("2000-02-29T00:00:00+05:30")->utc_offset_minutes == 330);
  CHECK_FALSE(drsim::parse_wall_clock("2014-04-18T10:32:00"));  // no offset
  CHECK_FALSE(drsim::parse_wall_clock("2014-02-30T10:32:00Z"));
  CHECK_FALSE(drsim::parse_wall_clock("2013-02-29T10:32:00Z"));
  CHECK_FALSE(drsim::parse_wall_clock("2014-04-18 10:32:00Z"));
  CHECK_FALSE(drsim::parse_wall_clock("2014-04-18T25:00:00Z"));
  CHECK_FALSE(drsim::parse_wall_clock("10m"));
}

TEST_CASE("json pointer tokens are escaped", "[parser]") {
  CHECK(drsim::json_pointer_escape("dc1/lb-a") == "dc1~1lb-a");
  CHECK(drsim::json_pointer_escape("a~b") == "a~0b");
}

TEST_CASE("component kinds round-trip through their names", "[parser]") {
  for (const auto& name : drsim::component_kind_names()) {
    auto k = drsim::component_kind_from_string(name);
    REQUIRE(k);
    CHECK(drsim::to_string(*k) == name);
  }
  CHECK(drsim::to_string(drsim::ComponentKind::network_switch) == std::string("switch"));
  CHECK_FALSE(drsim::component_kind_from_string("loadbalancer"));
}
