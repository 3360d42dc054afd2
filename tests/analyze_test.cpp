// drsim analyze: the CTMC built from each validation scenario reproduces design.md §6
// to ~1e-9 relative (closed forms from analysis/closed_forms.h, computed here), and a
// scenario that is not Markovian is refused — exit 2, the JSON pointer of the part, a hint.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <sys/wait.h>
#include <unistd.h>

#include "analysis/closed_forms.h"
#include "analysis/markov.h"
#include "models/scenario_parser.h"

using namespace drsim;
using namespace drsim::closed_forms;

namespace {

const double lam = 1e-3, mu = 0.1;

MarkovResult solve(const std::string& name) {
  Diagnostics d;
  auto sc = load_scenario(std::string(DRSIM_SOURCE_DIR) + "/scenarios/validation/" + name + ".json", d);
  REQUIRE(sc);
  Diagnostics why(name);
  auto r = analyze_markov(*sc, why);
  INFO(why.format());
  REQUIRE(r);
  return *r;
}

void close(double got, double want) {
  INFO("CTMC " << got << ", closed form " << want);
  CHECK(std::fabs(got - want) <= 1e-9 * std::fabs(want));
}

}  // namespace

TEST_CASE("analyze V1-V5: steady state of repairable designs", "[analytic][validation]") {
  close(solve("V1").unavailability, v1_unavailability(lam, mu));
  MarkovResult v2 = solve("V2");
  close(v2.unavailability, v2_unavailability(lam, mu));
  close(v2.mttff_hours, v2_mttff(lam, mu));
  close(solve("V3").unavailability, v3_unavailability(lam, mu));
  close(solve("V4").unavailability, v4_unavailability(lam, mu));
  close(solve("V5").unavailability, v5_unavailability(lam, mu, 0.95, 2));
}

TEST_CASE("analyze --at: A(t) and R(t) of one repairable unit", "[analytic]") {
  Diagnostics d;
  auto sc = load_scenario(std::string(DRSIM_SOURCE_DIR) + "/scenarios/validation/V1.json", d);
  REQUIRE(sc);
  for (double t : {10.0, 100.0, 8760.0}) {
    Diagnostics why;
    auto r = analyze_markov(*sc, why, 1000, t);
    REQUIRE(r);
    close(r->point_availability, one_unit_availability(lam, mu, t));
    close(r->reliability, one_unit_reliability(lam, t));
  }
}

TEST_CASE("analyze V6-V7: mean unavailability over a proof-test interval", "[analytic][validation]") {
  MarkovResult v6 = solve("V6");
  CHECK(v6.kind == MarkovResult::Kind::proof_test);
  close(v6.unavailability, v6_exact(1e-5, 730));
  close(solve("V7").unavailability, v7_exact(1e-5, 0.1, 730));
}

TEST_CASE("analyze refuses what is not Markovian, naming the part", "[analytic][cli]") {
  const char* text = R"({"drsim": 1, "components": [{"id": "u", "kind": "generic", "failures": [{"id": "hw", "type": "random",
    "ttf": {"dist": "exponential", "mean": "1000h"}, "recovery": {"repair": {"dist": "lognormal", "median": "4h", "p90": "12h"}}}]}],
    "service": {"requires": "u"}})";
  Diagnostics d("x.json");
  auto sc = parse_scenario(text, "x.json", d);
  REQUIRE(sc);
  Diagnostics why("x.json");
  CHECK_FALSE(analyze_markov(*sc, why));
  CHECK(why.format().find("x.json:/components/0/failures/0/recovery/repair: error: not Markovian: a lognormal repair time") !=
        std::string::npos);
  // Through the program: exit 2, nothing written.
  std::string dir = "/tmp/drsim-analyze-" + std::to_string(::getpid());
  std::system(("mkdir -p " + dir).c_str());
  std::ofstream(dir + "/x.json") << text;
  std::string cmd = std::string(DRSIM_BINARY) + " analyze " + dir + "/x.json --json " + dir + "/out.json 2>" + dir + "/err";
  int st = std::system(cmd.c_str());
  CHECK(WEXITSTATUS(st) == 2);
  std::ifstream err(dir + "/err");
  std::stringstream ss;
  ss << err.rdbuf();
  CHECK(ss.str().find("/components/0/failures/0/recovery/repair") != std::string::npos);
  CHECK_FALSE(std::ifstream(dir + "/out.json").good());
  std::system(("rm -rf " + dir).c_str());
}
