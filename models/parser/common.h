// Internal to the scenario reader (models/scenario_parser.cpp and models/parser/): the
// small helpers every stage and section uses to write JSON pointers and messages, and
// the name tables' look-ups. Not part of models/' interface: include
// models/scenario_parser.h from outside.
//
// Thread-safety: pure functions, no shared state.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace drsim::parser {

using json = nlohmann::json;

// The pointer of `key` (escaped) or of element `index` under the pointer `base`.
std::string at(const std::string& base, std::string_view key);
std::string at(const std::string& base, std::size_t index);

// A user string in a message: in double quotes.
std::string q(std::string_view s);

// "a, b, c" (or with another separator).
std::string join(const std::vector<std::string>& items, const char* sep = ", ");

// The JSON type of a value as messages name it: "number", "string", "object", ...
std::string type_of(const json& j);

// The names of a (name, value) table, in its order.
template <typename T>
std::vector<std::string> keys_of(const std::vector<std::pair<std::string, T>>& table) {
  std::vector<std::string> out;
  for (const auto& kv : table) out.push_back(kv.first);
  return out;
}

// The value named `s` in a (name, value) table, or nullopt.
template <typename T>
std::optional<T> lookup(const std::vector<std::pair<std::string, T>>& table, const std::string& s) {
  for (const auto& kv : table)
    if (kv.first == s) return kv.second;
  return std::nullopt;
}

}  // namespace drsim::parser
