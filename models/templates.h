// Templates with parameters (issue 16): a scenario may write a site or a block once, as
// a template, and instantiate it several times with different parameters:
//
//   "templates": {"site": {"params": ["site", "peer"],
//                          "components": [{"id": "${site}/lb-a", ...}], "groups": [...]}},
//   "instances": [{"template": "site", "with": {"site": "dc1", "peer": "dc2"}}, ...]
//
// expand_templates() replaces both keys by what they stand for: each instance's copies
// of the template's arrays, with "${param}" substituted in every string, appended in
// instance order to the document's arrays of the same name. It runs before variants
// and validation, so everything after it sees a scenario as if written out by hand.
// Templates cannot instantiate templates, and the expansion is capped in size.
//
// Internal to models/ (used by scenario_parser.cpp). Thread-safety: no shared state.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/diagnostics.h"

namespace drsim {

// Where one expanded array element came from, to report problems where they are written.
struct TemplateOrigin {
  std::string expanded;   // "/components/14": its pointer in the expanded document
  std::string written;    // "/templates/site/components/3": the template element
  std::string instance;   // "instance /instances/2, site=dc3"
};

// The sections a template may fill, in this order.
const std::vector<std::string>& template_sections();

// Caps on what instances may produce (beyond them: an error at /instances).
constexpr std::size_t kMaxInstances = 1000;
constexpr std::size_t kMaxExpandedValues = 1000000;  // JSON values written by all instances

/// Expands doc["templates"] and doc["instances"] in place (both keys are removed).
/// REQUIRES: doc is an object. Returns false, after reporting every problem of the
/// templates and instances to `d` (at their pointers, with hints), when the expansion
/// is not possible; then `doc` is unspecified. Warnings (a parameter a template never
/// uses) do not make it fail. `max_string_bytes` caps the characters substituted
/// strings may hold in all. On success `origins` lists every element added.
bool expand_templates(nlohmann::json& doc, Diagnostics& d, std::size_t max_string_bytes, std::vector<TemplateOrigin>& origins);

}  // namespace drsim
