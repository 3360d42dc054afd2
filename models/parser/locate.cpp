// Where a problem the Checker found is written (see stages.h). The Checker reads the
// scenario as it is after "extends", templates, variants and edits; its pointers are
// into that document. Here each goes back to the text the user wrote.
#include <algorithm>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "models/parser/stages.h"

namespace drsim::parser {

namespace {

// Adds to `hint` which variant or edit wrote the value at `pointer` (the latest that did).
void add_patch_hint(std::string& hint, const std::string& pointer, const std::vector<Patched>& patched) {
  for (auto p = patched.rbegin(); p != patched.rend(); ++p)
    if (pointer == p->pointer || pointer.rfind(p->pointer + "/", 0) == 0) {
      hint += (hint.empty() ? "" : "; ") + (p->variant.empty() ? "the value comes from " + p->op_pointer
                                                                : std::string("the value comes from variant ") + q(p->variant) + " (" + p->op_pointer + ")");
      break;
    }
}

// The template element a pointer into an expanded array element lies in, or nullptr.
const TemplateOrigin* template_origin(const std::string& pointer, const std::map<std::string, const TemplateOrigin*>& origin_of) {
  const std::size_t second = pointer.find('/', 1);
  if (second == std::string::npos) return nullptr;
  const std::size_t third = pointer.find('/', second + 1);
  auto o = origin_of.find(pointer.substr(0, third));
  return o == origin_of.end() ? nullptr : o->second;
}

// A problem in a part an instance made: at the template element, naming the instance.
Diagnostic in_template(const Diagnostic& item, const TemplateOrigin& o, const std::vector<Patched>& patched,
                       const std::vector<std::pair<std::string, std::string>>& parts, const std::string& file) {
  Diagnostics named(file);
  named.add(item);
  named.name_subjects(parts);
  Diagnostic dg = named.items().front();
  dg.file = file;
  dg.pointer = o.written + item.pointer.substr(o.expanded.size());
  dg.subject = (dg.subject.empty() ? "" : dg.subject + "; ") + o.instance;
  add_patch_hint(dg.hint, item.pointer, patched);
  return dg;
}

// The same problem in another instance: named on the first one's line.
void also_in(std::string& subject, const TemplateOrigin& o) {
  const std::string instance = o.instance.substr(0, o.instance.find(','));  // "instance /instances/2"
  if (subject.find("; also in ") == std::string::npos) subject += "; also in " + instance.substr(9);
  else subject += ", " + instance.substr(9);
}

// In a scenario that extends another: where it is written, in this file's patch, in a
// key this file sets, or else in the scenario as extended.
void in_extension(const Extension& ext, std::string& pointer, std::string& hint) {
  // Where it is written: in this file's patch, in a key this file sets, or else in
  // the scenario as extended.
  const auto top = pointer.substr(0, pointer.find('/', 1));
  auto p = std::find_if(ext.patched.rbegin(), ext.patched.rend(), [&](const ExtPatched& e) {
    return pointer == e.pointer || pointer.rfind(e.pointer + "/", 0) == 0;
  });
  if (p != ext.patched.rend()) {
    if (p->has_value) pointer = p->op_pointer + "/value" + pointer.substr(p->pointer.size());
    else hint += (hint.empty() ? "" : "; ") + std::string("after ") + p->op_pointer;
  } else if (std::find(ext.replaced.begin(), ext.replaced.end(), top.empty() ? "" : top.substr(1)) == ext.replaced.end()) {
    // Written in the base, perhaps in one of its templates: where it is written there.
    std::string written = pointer.empty() ? "/" : pointer;
    const std::size_t s2 = pointer.find('/', 1);
    const std::string part = s2 == std::string::npos ? "" : pointer.substr(0, pointer.find('/', s2 + 1));
    auto bo = std::find_if(ext.base_origins.begin(), ext.base_origins.end(), [&](const TemplateOrigin& o) { return !part.empty() && o.expanded == part; });
    if (bo != ext.base_origins.end()) written = bo->written + pointer.substr(part.size()) + " (" + bo->instance + ")";
    hint += (hint.empty() ? "" : "; ") + fmt::format("at {} of {} as this file extends it", written, ext.base);
  }
}

}  // namespace

void report_where_written(const Diagnostics& found, const Provenance& from,
                          const std::vector<std::pair<std::string, std::string>>& parts, Diagnostics& diags) {
  std::map<std::string, const TemplateOrigin*> origin_of;
  for (const auto& o : from.origins) origin_of.emplace(o.expanded, &o);
  // The same problem of a template element in several instances is one line, naming
  // the first instance and the others (pointer, message, hint) -> index in `out`.
  std::vector<Diagnostic> out;
  std::map<std::tuple<std::string, std::string, std::string>, std::size_t> same_in_instances;
  for (const auto& item : found.items()) {
    if (const TemplateOrigin* o = template_origin(item.pointer, origin_of)) {
      Diagnostic dg = in_template(item, *o, from.patched, parts, diags.file());
      auto key = std::make_tuple(dg.pointer, dg.message, dg.hint);
      if (auto first = same_in_instances.find(key); first != same_in_instances.end()) {
        also_in(out[first->second].subject, *o);
        continue;
      }
      same_in_instances.emplace(std::move(key), out.size());
      out.push_back(std::move(dg));
      continue;
    }
    std::string hint = item.hint;
    std::string pointer = item.pointer;
    if (from.ext.used) in_extension(from.ext, pointer, hint);
    add_patch_hint(hint, item.pointer, from.patched);
    out.push_back(Diagnostic{item.severity, diags.file(), pointer, item.message, hint, ""});
  }
  for (auto& dg : out) diags.add(std::move(dg));
}

}  // namespace drsim::parser
