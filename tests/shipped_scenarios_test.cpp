// Every shipped scenario loads without errors, alone and with each of its variants,
// and every failure mode in it says where its numbers come from.
#include <catch2/catch.hpp>

#include <filesystem>

#include "models/scenario_parser.h"

namespace fs = std::filesystem;

TEST_CASE("every shipped scenario and variant validates", "[scenarios]") {
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(std::string(DRSIM_SOURCE_DIR) + "/scenarios")) {
    if (e.path().extension() != ".json") continue;
    ++files;
    const std::string path = e.path().string();
    drsim::Diagnostics d(path);
    auto sc = drsim::load_scenario(path, d);
    INFO(d.format());
    REQUIRE(sc);
    CHECK_FALSE(d.has_errors());
    for (const auto& v : sc->variant_names) {
      drsim::Diagnostics dv(path);
      drsim::LoadOptions lo;
      lo.variants = {v};
      INFO("variant " << v);
      CHECK(drsim::load_scenario(path, dv, lo));
      INFO(dv.format());
    }
  }
  CHECK(files >= 8);  // the baseline and V1-V7 at least
}

TEST_CASE("every design gives every failure mode a source", "[scenarios]") {
  int designs = 0;
  for (const auto& e : fs::directory_iterator(std::string(DRSIM_SOURCE_DIR) + "/scenarios/designs")) {
    if (e.path().extension() != ".json") continue;
    ++designs;
    drsim::Diagnostics d;
    auto sc = drsim::load_scenario(e.path().string(), d);
    INFO(e.path().string());
    REQUIRE(sc);
    for (const auto& c : sc->components)
      for (const auto& m : c.failures) {
        INFO(c.id << "/" << m.id);
        bool sourced = !m.source.empty() || m.ttf.source() != "" ||
                       (m.recovery.repair && !m.recovery.repair->source().empty()) || (m.duration && !m.duration->source().empty());
        CHECK(sourced);
      }
  }
  CHECK(designs >= 3);  // the baseline, three-site, active-active
}
