// Limits (issue 12): inputs at the edge of what can run finish, or are refused with the
// reason, and never hang or exhaust memory. Tag [limits]; all fast, also [sanitize].
//  - a 20,000-step runbook: validate, run and drill finish, and the drill's recovery is
//    the sum of the steps (20,000 s, known by hand); a 65,537-step one is refused;
//  - describe of spreads that keep the mean and put the median at zero: refused at the
//    field, not a Boost.Math overflow (also tests/bad/39);
//  - analyze: an absurd --max-states is refused before anything is built, and a solve
//    longer than --time-limit stops with exit 2 and writes nothing.
#include <catch2/catch.hpp>

#include "tests/cli_harness.h"

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace {

using namespace cli_harness;

// One unit whose only recovery is a chain of `n` one-second steps; a drill fails it at 1 h.
std::string chain_runbook(std::size_t n) {
  nlohmann::json steps = nlohmann::json::array();
  for (std::size_t i = 0; i < n; ++i) {
    nlohmann::json st = {{"id", "s" + std::to_string(i)}, {"kind", "other"}, {"duration", "1s"}};
    if (i > 0) st["after"] = {"s" + std::to_string(i - 1)};
    if (i + 1 == n) st["restores"] = {"$targets"};
    steps.push_back(st);
  }
  nlohmann::json sc = {
      {"drsim", 1},
      {"title", "a long runbook"},
      {"horizon", "1y"},
      {"components",
       {{{"id", "u"},
         {"kind", "generic"},
         {"failures", {{{"id", "hw"}, {"type", "random"}, {"ttf", {{"dist", "exponential"}, {"mean", "1000h"}}}, {"recovery", {{"runbook", "rb"}}}}}}}}},
      {"service", {{"requires", "u"}}},
      {"runbooks", {{{"id", "rb"}, {"steps", steps}}}},
      {"injections", {{{"at", "1h"}, {"action", "fail"}, {"target", "u"}}}}};
  return sc.dump();
}

}  // namespace

TEST_CASE("a 20,000-step runbook validates, runs and drills; its drill recovery is the steps' sum", "[limits][sanitize]") {
  TempDir tmp("limits");
  std::string f = write(tmp, "long.json", chain_runbook(20000));
  CHECK(run_drsim("validate " + f, tmp).code == 0);
  auto run = run_drsim("run " + f + " --trials 20 --jobs 1 --out " + (tmp / "r.json"), tmp);
  REQUIRE(run.code == 0);
  auto drill = run_drsim("drill " + f + " --engine fast --json " + (tmp / "d.json"), tmp);
  REQUIRE(drill.code == 0);
  auto d = nlohmann::json::parse(slurp(tmp / "d.json"));
  // 20,000 steps of 1 s after the fault at 1 h: the outage lasts 20,000 s.
  REQUIRE(d.contains("outages"));
  REQUIRE(d["outages"].size() == 1);
  const auto& o = d["outages"][0];
  CHECK(o["minutes"].get<double>() == Approx(20000.0 / 60).epsilon(1e-9));
  CHECK(o["critical_path"].size() == 20000);  // every step is on the path of a chain
}

TEST_CASE("a runbook of more steps than drsim can address is refused at its steps", "[limits][sanitize]") {
  TempDir tmp("limits");
  std::string f = write(tmp, "huge.json", chain_runbook(65537));
  auto r = run_drsim("validate " + f, tmp);
  CHECK(r.code == 2);
  CHECK(r.err.find("/runbooks/0/steps") != std::string::npos);
  CHECK(r.err.find("65537 steps in one runbook") != std::string::npos);
}

TEST_CASE("describe refuses spreads that put almost every lifetime at zero, at the field", "[limits][sanitize]") {
  TempDir tmp("limits");
  auto r = run_drsim("describe " + kSource + "/tests/bad/39-wide-spreads.json", tmp);
  CHECK(r.code == 2);
  CHECK(r.err.find("/components/0/failures/0/ttf") != std::string::npos);
  CHECK(r.err.find("/components/0/failures/1/ttf") != std::string::npos);
  CHECK(r.err.find("half of the lifetimes are shorter than 1 s") != std::string::npos);
  CHECK(r.err.find("overflow") == std::string::npos);
  CHECK(r.err.find("internal error") == std::string::npos);
}

TEST_CASE("analyze refuses what it cannot finish: state caps beyond memory, solves beyond the time limit", "[limits][sanitize]") {
  TempDir tmp("limits");
  // A 10-of-20 group of unlike units (MTTF 1000 h, 1001 h, ...: nothing to lump), a crew
  // each: 2^20 = 1,048,576 states, more than the cap of 10^6 below, and ~8 s to build to
  // the cap on two cores (docs/performance.md) — the 1 s limit stops it first. (A 5-of-10
  // group with one crew, 9,864,101 states, reaches a 10^6 cap in 0.6 s now.)
  nlohmann::json sc = {{"drsim", 1}, {"title", "10-of-20 unlike units"}, {"horizon", "1y"}};
  nlohmann::json members = nlohmann::json::array();
  for (int i = 0; i < 20; ++i) {
    std::string id = "u" + std::to_string(i);
    members.push_back(id);
    sc["components"].push_back({{"id", id},
                                {"kind", "generic"},
                                {"failures",
                                 {{{"id", "hw"},
                                   {"type", "random"},
                                   {"ttf", {{"dist", "exponential"}, {"mean", std::to_string(1000 + i) + "h"}}},
                                   {"recovery", {{"repair", {{"dist", "exponential"}, {"mean", "10h"}}}}}}}}});
  }
  sc["groups"] = {{{"id", "g"}, {"members", members}, {"mode", "active-active"}, {"need", 10}}};
  sc["service"] = {{"requires", "g"}};
  std::string f = write(tmp, "k10.json", sc.dump());

  auto huge = run_drsim("analyze " + f + " --max-states 1000000000000 --json " + (tmp / "a.json"), tmp);
  CHECK(huge.code == 2);
  CHECK(huge.err.find("--max-states") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(tmp / "a.json"));

  auto slow = run_drsim("analyze " + f + " --max-states 1000000 --time-limit 1s --json " + (tmp / "a.json"), tmp);
  CHECK(slow.code == 2);
  CHECK(slow.err.find("did not finish within") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(tmp / "a.json"));

  auto small = run_drsim("analyze " + f + " --max-states 1000", tmp);
  CHECK(small.code == 2);
  CHECK(small.err.find("more than 1000 states") != std::string::npos);
}
