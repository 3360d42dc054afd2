// libFuzzer target: the scenario loader (parse + validate) on arbitrary bytes. It must
// return a scenario or diagnostics, never crash, hang or throw.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "models/scenario_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  drsim::Diagnostics d("fuzz.json");
  auto sc = drsim::parse_scenario(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.json", d);
  (void)sc;
  (void)d.format();
  return 0;
}
