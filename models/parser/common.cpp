// JSON pointers and message helpers of the scenario reader (see common.h).
#include "models/parser/common.h"

#include "models/scenario_parser.h"

namespace drsim {

std::string json_pointer_escape(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

namespace parser {

std::string at(const std::string& base, std::string_view key) { return base + "/" + json_pointer_escape(key); }
std::string at(const std::string& base, std::size_t index) { return base + "/" + std::to_string(index); }

std::string q(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    out += items[i];
  }
  return out;
}

std::string type_of(const json& j) {
  switch (j.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: return "number";
    case json::value_t::string: return "string";
    case json::value_t::array: return "array";
    case json::value_t::object: return "object";
    default: return "binary data";
  }
}

}  // namespace parser
}  // namespace drsim
