// Confidence intervals that mean what they say: 200 independent small Monte Carlo
// runs of design.md V1 (one repairable unit, exponential lifetimes and repairs), each
// reporting a 95 % CI for the mean downtime per trial; the exact expected downtime
// must lie inside between 92 % and 98 % of them.
#include <catch2/catch.hpp>

#include <cmath>

#include <nlohmann/json.hpp>

#include "models/scenario_parser.h"
#include "sim/runner.h"

namespace {

const char* kV1 = R"({"drsim": 1, "title": "V1", "horizon": "2y",
  "components": [{"id": "u", "kind": "generic", "failures": [{"id": "hw", "type": "random",
    "ttf": {"dist": "exponential", "mean": "1000h"}, "recovery": {"repair": {"dist": "exponential", "mean": "10h"}}}]}],
  "service": {"requires": "u"}})";

}  // namespace

TEST_CASE("the 95 % CI of mean downtime covers the truth 92-98 % of the time", "[mc][coverage]") {
  drsim::Diagnostics d("V1");
  auto sc = drsim::parse_scenario(kV1, "V1", d);
  REQUIRE(sc);
  const double lambda = 1e-3, mu = 0.1, T = 2 * 8760.0;
  // Expected downtime over [0, T] from the all-up state (two-state Markov chain):
  // ∫ q (1 - e^{-(λ+μ)t}) dt with q = λ/(λ+μ).
  const double s = lambda + mu, q = lambda / s;
  const double truth_minutes = 60 * q * (T - (1 - std::exp(-s * T)) / s);
  const int reps = 200;
  int covered = 0;
  for (int r = 0; r < reps; ++r) {
    drsim::RunOptions o;
    o.trials = 100;
    o.seed = 1000 + static_cast<std::uint64_t>(r);
    o.jobs = 1;
    auto out = drsim::run_monte_carlo(*sc, o);
    auto j = out.aggregate.to_json(out.cause_names);
    double lo = j["downtime_minutes"]["ci95"][0], hi = j["downtime_minutes"]["ci95"][1];
    if (lo <= truth_minutes && truth_minutes <= hi) ++covered;
  }
  double share = static_cast<double>(covered) / reps;
  INFO("coverage " << share << " of " << reps << " runs; truth " << truth_minutes << " min");
  CHECK(share >= 0.92);
  CHECK(share <= 0.98);
}
