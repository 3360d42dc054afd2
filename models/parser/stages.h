// Internal to the scenario reader: the stages that work on the whole document, between
// the JSON parse and the Checker, and the load itself (models/scenario_parser.cpp runs
// them in this order):
//   extends.cpp   "extends": the base loaded on its own, this file's keys over it, its
//                 "patch" applied;
//   (templates.h  "templates" and "instances" expanded);
//   variants.cpp  the patch language, the requested "variants" and the caller's edits;
//   ranges.cpp    every "range" taken out for drsim sensitivity and checked;
//   locate.cpp    the Checker's problems moved to where they are written: a template
//                 element, this file's patch, the base, the variant that wrote a value.
//
// Thread-safety: no shared state, except the chain of files being extended, which is
// per thread (extends.cpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/diagnostics.h"
#include "models/parser/common.h"
#include "models/scenario.h"
#include "models/scenario_parser.h"
#include "models/templates.h"

namespace drsim::parser {

// ---------------------------------------------------------------- variants.cpp

// One operation of the patch language.
struct PatchOp {
  enum class Kind { set, remove, add } kind = Kind::set;
  std::string path;
  const json* value = nullptr;
  std::string pointer;  // of the operation in the file
  std::string origin;   // not in the file (an Edit): messages at `path`, prefixed by this
  bool must_exist = false;
};

// The structure of one variant ({"description", "patch": [ops]}) at `vp`; returns its
// well-formed operations, their values pointing into `v`.
std::vector<PatchOp> read_variant(const json& v, const std::string& vp, Diagnostics& d);

// Applies one operation. Path segments after an array may be an element's "id".
// Returns the resolved pointer of what changed, or "" after reporting a problem.
std::string apply_op(json& doc, const PatchOp& op, Diagnostics& d);

// What a requested variant or an edit changed, to point messages about it at the change.
struct Patched {
  std::string pointer, variant, op_pointer;  // variant "" for an edit; op_pointer then its origin
};

// Applies the requested variants (opt.variants) to `doc`, in order, and checks that every
// other variant in the file applies to the file as written.
std::vector<Patched> apply_variants(json& doc, const LoadOptions& opt, Diagnostics& d);

// ---------------------------------------------------------------- ranges.cpp

// Takes every "range" out of the document (the checker never sees them) into `out`,
// checking each: an object of {"low", "high"} per sibling key, of the sibling's kind
// (number, duration or rate), low <= value <= high.
void take_ranges(json& j, const std::string& p, std::vector<ParameterRange>& out, Diagnostics& d);

// ---------------------------------------------------------------- extends.cpp

// A scenario may build on another: {"drsim": 1, "extends": "base.json", "title": "...",
// "patch": [ops]}. The base (relative to this file) is loaded and validated on its own
// — its problems are reported in it — then this file's top-level keys replace the
// base's, then its patch applies (the variants' language), then all is validated. The
// base's variants are not inherited.
struct ExtPatched {
  std::string pointer;     // resolved, in the scenario as extended
  std::string op_pointer;  // "/patch/3" in this file
  bool has_value = false;  // set or add: the value is written at op_pointer + "/value"
};
struct Extension {
  bool used = false;
  std::string base;                   // the base's path
  std::vector<std::string> replaced;  // top-level keys this file writes itself
  std::vector<ExtPatched> patched;
  std::vector<TemplateOrigin> base_origins;  // the parts the base's own instances made
};

// REQUIRES: doc["extends"] exists. Replaces `doc` (of the file at `path`) by the scenario
// it extends with its own keys and patch applied, filling `ext`. Returns false after
// reporting (the base's own problems included, under its name); `doc` is then unspecified.
bool resolve_extends(json& doc, const std::string& path, Diagnostics& d, const LoadOptions& opt, Extension& ext);

// ---------------------------------------------------------------- locate.cpp

// Where the parts of the validated document came from.
struct Provenance {
  const std::vector<TemplateOrigin>& origins;  // the elements templates made
  const Extension& ext;                        // what "extends" did
  const std::vector<Patched>& patched;         // what variants and edits changed
};

// Appends the Checker's problems (`found`) to `diags`, each where it is written: at a
// template element naming its instance (one line for the same problem in several
// instances), at this file's patch or the base it extends, with a hint naming the
// variant or edit that wrote the value. `parts` are the named parts of the scenario.
void report_where_written(const Diagnostics& found, const Provenance& from,
                          const std::vector<std::pair<std::string, std::string>>& parts, Diagnostics& diags);

// ---------------------------------------------------------------- scenario_parser.cpp

// Reads a scenario file (size-limited, never blocking on a FIFO); problems into `diags`.
std::optional<std::string> read_scenario_file(const std::string& path, Diagnostics& diags, const LoadOptions& opt);

// All stages on `text` (the file at `path`). `doc_out`, when set, receives the document
// after "extends" and templates (validate --expanded); `origins_out` the elements
// templates made. Returns the scenario validated, or nullopt after an early stop.
std::optional<Scenario> parse_impl(std::string_view text, Diagnostics& diags, const LoadOptions& opt, const std::string& path,
                                   json* doc_out, std::vector<TemplateOrigin>* origins_out = nullptr);

}  // namespace drsim::parser
