// "extends": a scenario built on another (see stages.h). The base is loaded with the
// same stages as any file, so it may itself extend a third; the chain is followed on
// this thread and refused when it loops or grows past kMaxExtendsDepth.
#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "models/parser/stages.h"

namespace drsim::parser {

namespace {

// Canonical paths of the files being extended on this thread, outermost first: cycles.
thread_local std::vector<std::string> t_extending;
constexpr std::size_t kMaxExtendsDepth = 16;

// Loads and validates the base (ext.base, canonically `canon`) on its own into `base`;
// its problems go to `d` under its name. False when it has errors.
bool load_base(const std::string& canon, const LoadOptions& opt, Diagnostics& d, Extension& ext, json& base) {
  LoadOptions bo;
  bo.max_bytes = opt.max_bytes;
  bo.max_depth = opt.max_depth;
  Diagnostics bd(ext.base);
  std::optional<Scenario> bsc;
  if (auto text = read_scenario_file(ext.base, bd, bo)) {
    t_extending.push_back(canon);
    try {
      bsc = parse_impl(*text, bd, bo, ext.base, &base, &ext.base_origins);
    } catch (...) {
      t_extending.pop_back();
      throw;
    }
    t_extending.pop_back();
  }
  for (const auto& item : bd.items()) d.add(item);
  if (!bsc || bd.has_errors()) {
    d.error("/extends", fmt::format("the scenario it extends, {}, has {} error{}", ext.base, bd.error_count(), bd.error_count() == 1 ? "" : "s"),
            "a scenario extends a valid one; fix that file first");
    return false;
  }
  return true;
}

// This file's top-level keys over the base's, then its "patch". False after reporting a
// problem of the patch.
bool extend_base(json& doc, json& base, Diagnostics& d, Extension& ext) {
  ext.used = true;
  // The base's what-ifs are its own: they need not apply to what this file makes of it.
  base.erase("variants");
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (it.key() == "extends" || it.key() == "patch") continue;
    base[it.key()] = *it;
    if (it.key() != "drsim") ext.replaced.push_back(it.key());
  }
  if (auto p = doc.find("patch"); p != doc.end()) {
    const json wrapper = {{"patch", *p}};
    const std::size_t errors = d.error_count();
    auto ops = read_variant(wrapper, "", d);
    for (const auto& op : ops) {
      std::string changed = apply_op(base, op, d);
      if (!changed.empty()) ext.patched.push_back({changed, op.pointer, op.kind != PatchOp::Kind::remove});
    }
    if (d.error_count() > errors) return false;
  }
  doc = std::move(base);
  return true;
}

}  // namespace

bool resolve_extends(json& doc, const std::string& path, Diagnostics& d, const LoadOptions& opt, Extension& ext) {
  namespace fs = std::filesystem;
  const json& e = doc["extends"];
  if (!e.is_string() || e.get<std::string>().empty()) {
    d.error("/extends", "expected a file name, got " + (e.is_string() ? std::string("an empty string") : type_of(e)),
            "the scenario this one builds on, relative to this file, e.g. \"two-site-baseline.json\"");
    return false;
  }
  fs::path bp(e.get<std::string>());
  if (bp.is_relative()) bp = fs::path(path).parent_path() / bp;
  ext.base = bp.lexically_normal().string();
  std::error_code ec;
  const std::string self = fs::weakly_canonical(fs::absolute(path, ec), ec).string();
  const std::string canon = fs::weakly_canonical(fs::absolute(bp, ec), ec).string();
  const bool pushed_self = t_extending.empty() || t_extending.back() != self;
  if (pushed_self) t_extending.push_back(self);
  struct Pop {
    bool on;
    ~Pop() {
      if (on) t_extending.pop_back();
    }
  } pop{pushed_self};
  if (std::find(t_extending.begin(), t_extending.end(), canon) != t_extending.end()) {
    d.error("/extends", "extends " + q(ext.base) + ", which extends this file: a cycle", "a chain of \"extends\" must end in a file without one");
    return false;
  }
  if (t_extending.size() >= kMaxExtendsDepth) {
    d.error("/extends", fmt::format("more than {} files extend one another", kMaxExtendsDepth), "extend a complete scenario directly");
    return false;
  }
  json base;
  return load_base(canon, opt, d, ext, base) && extend_base(doc, base, d, ext);
}

}  // namespace drsim::parser
