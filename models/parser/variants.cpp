// Variants and edits: the patch language (set, remove, add at a JSON pointer whose
// segments after an array may be an element's "id"), the file's "variants" read and
// applied, and every other variant checked against the file as written (see stages.h).
#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "models/parser/stages.h"

namespace drsim::parser {

namespace {

std::vector<std::string> keys_in(const json& obj) {
  std::vector<std::string> out;
  for (auto it = obj.begin(); it != obj.end(); ++it) out.push_back(it.key());
  return out;
}

// ---------------------------------------------------------------- reading

// Reports a variant's unknown keys and notes that are not strings. Returns true when an
// unknown key looks like "patch" (then "patch" missing is the same problem).
bool check_variant_keys(const json& v, const std::string& vp, Diagnostics& d) {
  const std::vector<std::string> allowed = {"description", "patch", "source", "note"};
  bool patch_misspelt = false;
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end()) {
      std::string n = nearest(it.key(), allowed);
      patch_misspelt = patch_misspelt || n == "patch";
      d.error(at(vp, it.key()), "unknown key " + q(it.key()), (n.empty() ? "" : "did you mean " + q(n) + "? ") + "allowed keys: " + join(allowed));
    } else if (it.key() != "patch" && !it->is_string()) {
      d.error(at(vp, it.key()), "expected a string, got " + type_of(*it), "a string, in double quotes");
    }
  }
  return patch_misspelt;
}

// One operation of a patch, at `op_ptr`; nullopt after reporting its problems.
std::optional<PatchOp> read_op(const json& o, const std::string& op_ptr, Diagnostics& d) {
  const std::vector<std::string> op_keys = {"op", "path", "value", "source", "note"};
  bool ok = true;
  for (auto it = o.begin(); it != o.end(); ++it)
    if (std::find(op_keys.begin(), op_keys.end(), it.key()) == op_keys.end()) {
      std::string n = nearest(it.key(), op_keys);
      d.error(at(op_ptr, it.key()), "unknown key " + q(it.key()), (n.empty() ? "" : "did you mean " + q(n) + "? ") + "allowed keys: " + join(op_keys));
      ok = false;
    }
  PatchOp op;
  op.pointer = op_ptr;
  bool kind_known = false;
  auto k = o.find("op");
  if (k == o.end()) {
    d.error(op_ptr, "missing required key \"op\"", "ops: set, remove, add");
    ok = false;
  } else if (!k->is_string()) {
    d.error(at(op_ptr, "op"), "expected a string, got " + type_of(*k), "ops: set, remove, add");
    ok = false;
  } else {
    std::string s = k->get<std::string>();
    kind_known = s == "set" || s == "remove" || s == "add";
    if (s == "set") op.kind = PatchOp::Kind::set;
    else if (s == "remove") op.kind = PatchOp::Kind::remove;
    else if (s == "add") op.kind = PatchOp::Kind::add;
    else {
      std::string n = nearest(s, {"set", "remove", "add"});
      d.error(at(op_ptr, "op"), "unknown op " + q(s), (n.empty() ? "" : "did you mean " + q(n) + "? ") + "ops: set, remove, add");
      ok = false;
    }
  }
  auto path = o.find("path");
  if (path == o.end()) {
    d.error(op_ptr, "missing required key \"path\"", "a JSON pointer such as \"/components/dc1~1lb-a/failures/hw/ttf\"");
    ok = false;
  } else if (!path->is_string()) {
    d.error(at(op_ptr, "path"), "expected a string, got " + type_of(*path), "a JSON pointer such as \"/horizon\"");
    ok = false;
  } else {
    op.path = path->get<std::string>();
  }
  auto value = o.find("value");
  if (kind_known && op.kind != PatchOp::Kind::remove && value == o.end()) {
    d.error(op_ptr, "missing required key \"value\"", "the new value" + (op.path.empty() ? std::string() : " for " + q(op.path)));
    ok = false;
  }
  if (kind_known && op.kind == PatchOp::Kind::remove && value != o.end()) {
    d.error(at(op_ptr, "value"), "\"remove\" takes no \"value\"", "remove the value, or use \"set\"");
    ok = false;
  }
  if (value != o.end()) op.value = &*value;
  if (!ok) return std::nullopt;
  return op;
}

// ---------------------------------------------------------------- applying

// Messages about one operation: those of an Edit (not in the file) name its origin.
struct OpReport {
  Diagnostics& d;
  const std::string& origin;
  void error(const std::string& p, const std::string& m, const std::string& h) const {
    d.error(p, origin.empty() ? m : origin + ": " + m, h);
  }
};

// The reference tokens of the operation's path, unescaped; false after reporting.
bool split_path(const PatchOp& op, const std::string& pp, const OpReport& rep, std::vector<std::string>& tokens) {
  const char* path_hint = "a JSON pointer such as \"/components/dc1~1lb-a/failures/hw/ttf\" (\"~1\" stands for \"/\")";
  if (op.path.empty()) {
    rep.error(pp, "a patch cannot replace the whole scenario", "name a part, e.g. \"/horizon\"");
    return false;
  }
  if (op.path[0] != '/') {
    rep.error(pp, "invalid path " + q(op.path) + ": it must start with \"/\"", path_hint);
    return false;
  }
  for (std::size_t i = 1;;) {
    std::size_t e = op.path.find('/', i);
    std::string raw = op.path.substr(i, e == std::string::npos ? std::string::npos : e - i);
    std::string tok;
    for (std::size_t k = 0; k < raw.size(); ++k) {
      if (raw[k] != '~') {
        tok += raw[k];
      } else if (k + 1 < raw.size() && (raw[k + 1] == '0' || raw[k + 1] == '1')) {
        tok += raw[++k] == '0' ? '~' : '/';
      } else {
        rep.error(pp, "invalid path " + q(op.path) + ": \"~\" must be followed by 0 or 1", "\"~1\" stands for \"/\" and \"~0\" for \"~\"");
        return false;
      }
    }
    tokens.push_back(tok);
    if (e == std::string::npos) break;
    i = e + 1;
  }
  if (tokens[0] == "variants") {
    rep.error(pp, "a patch cannot change \"variants\"", "patch the scenario's parts, e.g. \"/horizon\"");
    return false;
  }
  return true;
}

// Where a path leads, token by token.
struct Location {
  json* cur = nullptr;
  json* parent = nullptr;
  std::string walked;     // the resolved pointer so far
  std::string key;        // the last token, when the parent is an object
  std::size_t index = 0;  // the last index, when the parent is an array
  bool exists = true;     // the final location holds a value
};
enum class Walk { on, end, failed };  // go on with the next token; the location is new; reported

Walk into_object(const std::string& tok, bool last, const PatchOp& op, const std::string& pp, const OpReport& rep,
                 Location& loc) {
  const std::string where_now = loc.walked.empty() ? "/" : loc.walked;
  auto f = loc.cur->find(tok);
  if (f == loc.cur->end()) {
    if (last && op.kind != PatchOp::Kind::remove && !(op.kind == PatchOp::Kind::set && op.must_exist)) {
      loc.parent = loc.cur;
      loc.key = tok;
      loc.exists = false;
      loc.walked = at(loc.walked, tok);
      return Walk::end;
    }
    auto keys = keys_in(*loc.cur);
    std::string n = nearest(tok, keys);
    rep.error(pp, "no key " + q(tok) + " at " + where_now,
              !n.empty() ? "did you mean " + q(n) + "?" : keys.empty() ? "the object there is empty" : "keys there: " + join(keys));
    return Walk::failed;
  }
  loc.parent = loc.cur;
  loc.key = tok;
  loc.cur = &*f;
  loc.walked = at(loc.walked, tok);
  return Walk::on;
}

// The index of the element of `arr` whose "id" is tokens[t], or nullopt after reporting.
std::optional<std::size_t> element_by_id(const json& arr, const std::vector<std::string>& tokens, std::size_t t,
                                         const std::string& where_now, const std::string& pp, const OpReport& rep) {
  const std::string& tok = tokens[t];
  std::vector<std::string> ids;
  std::optional<std::size_t> idx;
  for (std::size_t k = 0; k < arr.size(); ++k) {
    const json& el = arr[k];
    auto id = el.is_object() ? el.find("id") : el.end();
    if (el.is_object() && id != el.end() && id->is_string()) {
      ids.push_back(id->get<std::string>());
      if (!idx && ids.back() == tok) idx = k;
    }
  }
  if (idx) return idx;
  // An id with "/" written as is: "dc1/lb-a" must be "dc1~1lb-a" in a path.
  std::string joined = tok, slash_hint;
  for (std::size_t u = t + 1; u < tokens.size() && slash_hint.empty(); ++u) {
    joined += "/" + tokens[u];
    if (std::find(ids.begin(), ids.end(), joined) != ids.end())
      slash_hint = "write the \"/\" in " + q(joined) + " as \"~1\": " + q(json_pointer_escape(joined));
  }
  std::string n = nearest(tok, ids);
  rep.error(pp, "no element with id " + q(tok) + " in " + where_now,
            !slash_hint.empty() ? slash_hint
            : !n.empty()        ? "did you mean " + q(n) + "?"
            : ids.empty()       ? "the elements there have no ids; use an index"
                                : "ids there: " + join(ids));
  return std::nullopt;
}

Walk into_array(const std::vector<std::string>& tokens, std::size_t t, const PatchOp& op, const std::string& pp,
                const OpReport& rep, Location& loc) {
  const std::string& tok = tokens[t];
  const bool last = t + 1 == tokens.size();
  const std::string where_now = loc.walked.empty() ? "/" : loc.walked;
  json* cur = loc.cur;
  bool digits = !tok.empty() && tok.size() < 10 && std::all_of(tok.begin(), tok.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (last && op.kind == PatchOp::Kind::add && (tok == "-" || (digits && std::stoul(tok) == cur->size()))) {
    loc.parent = cur;
    loc.index = cur->size();
    loc.exists = false;
    loc.walked = at(loc.walked, loc.index);
    return Walk::end;
  }
  std::size_t idx = 0;
  if (digits) {
    idx = std::stoul(tok);
    if (idx >= cur->size()) {
      rep.error(pp, fmt::format("index {} is past the end of {} ({} element{})", idx, where_now, cur->size(), cur->size() == 1 ? "" : "s"),
                "indices start at 0; \"add\" with \"-\" appends");
      return Walk::failed;
    }
  } else if (auto found = element_by_id(*cur, tokens, t, where_now, pp, rep)) {
    idx = *found;
  } else {
    return Walk::failed;
  }
  loc.parent = cur;
  loc.index = idx;
  loc.cur = &(*cur)[idx];
  loc.walked = at(loc.walked, idx);
  return Walk::on;
}

// Follows the tokens from the document's root; false after reporting.
bool walk(const std::vector<std::string>& tokens, const PatchOp& op, const std::string& pp, const OpReport& rep,
          Location& loc) {
  for (std::size_t t = 0; t < tokens.size(); ++t) {
    Walk w;
    if (loc.cur->is_object()) {
      w = into_object(tokens[t], t + 1 == tokens.size(), op, pp, rep, loc);
    } else if (loc.cur->is_array()) {
      w = into_array(tokens, t, op, pp, rep, loc);
    } else {
      const std::string where_now = loc.walked.empty() ? "/" : loc.walked;
      rep.error(pp, "no key " + q(tokens[t]) + " at " + where_now + ": it is a " + type_of(*loc.cur),
                "a path can only go into objects and arrays");
      return false;
    }
    if (w == Walk::failed) return false;
    if (w == Walk::end) break;
  }
  return true;
}

// Does what the operation says at the location; false after reporting.
bool write(const PatchOp& op, const Location& loc, const std::string& pp, const OpReport& rep) {
  json* cur = loc.cur;
  json* parent = loc.parent;
  const std::string& walked = loc.walked;
  const std::string& key = loc.key;
  const std::size_t index = loc.index;
  const bool exists = loc.exists;
  switch (op.kind) {
    case PatchOp::Kind::set:
      if (!exists && parent->is_array()) {
        rep.error(pp, "nothing to set at " + walked, "use \"add\" to append to an array");
        return false;
      }
      if (exists) *cur = *op.value;
      else (*parent)[key] = *op.value;
      break;
    case PatchOp::Kind::remove:
      if (parent->is_object()) parent->erase(key);
      else parent->erase(index);
      break;
    case PatchOp::Kind::add:
      if (exists && cur->is_array()) {
        cur->push_back(*op.value);
      } else if (exists) {
        rep.error(pp, "there is already a value at " + walked, "use \"set\" to replace it; \"add\" creates a key or appends to an array");
        return false;
      } else if (parent->is_object()) {
        (*parent)[key] = *op.value;
      } else {
        parent->push_back(*op.value);
      }
      break;
  }
  return true;
}

}  // namespace

std::vector<PatchOp> read_variant(const json& v, const std::string& vp, Diagnostics& d) {
  std::vector<PatchOp> ops;
  if (!v.is_object()) {
    d.error(vp, "expected an object, got " + type_of(v), "a variant is {\"description\": \"...\", \"patch\": [...]}");
    return ops;
  }
  bool patch_misspelt = check_variant_keys(v, vp, d);
  auto pit = v.find("patch");
  if (pit == v.end()) {
    if (!patch_misspelt)
      d.error(vp, "missing required key \"patch\"", "the changes: [{\"op\": \"set\", \"path\": \"/horizon\", \"value\": \"10y\"}]");
    return ops;
  }
  std::string pp = at(vp, "patch");
  if (!pit->is_array()) {
    d.error(pp, "expected an array, got " + type_of(*pit), "a list of operations: [{\"op\": \"set\", \"path\": \"...\", \"value\": ...}]");
    return ops;
  }
  for (std::size_t i = 0; i < pit->size(); ++i) {
    const json& o = (*pit)[i];
    std::string op_ptr = at(pp, i);
    if (!o.is_object()) {
      d.error(op_ptr, "expected an object, got " + type_of(o), "an operation is {\"op\": \"set\", \"path\": \"...\", \"value\": ...}");
      continue;
    }
    if (auto op = read_op(o, op_ptr, d)) ops.push_back(*op);
  }
  return ops;
}

std::string apply_op(json& doc, const PatchOp& op, Diagnostics& d) {
  const std::string pp = op.origin.empty() ? at(op.pointer, "path") : op.path;
  const OpReport rep{d, op.origin};
  std::vector<std::string> tokens;
  if (!split_path(op, pp, rep, tokens)) return {};
  Location loc;
  loc.cur = &doc;
  if (!walk(tokens, op, pp, rep, loc) || !write(op, loc, pp, rep)) return {};
  return loc.walked;
}

std::vector<Patched> apply_variants(json& doc, const LoadOptions& opt, Diagnostics& d) {
  std::vector<Patched> patched;
  auto it = doc.find("variants");
  if (it == doc.end()) {
    for (const auto& name : opt.variants) d.error("/variants", "unknown variant " + q(name), "the file defines no variants");
    return patched;
  }
  if (!it->is_object()) {
    d.error("/variants", "expected an object, got " + type_of(*it), "named overlays: {\"name\": {\"description\": \"...\", \"patch\": [...]}}");
    return patched;
  }
  const json base = doc;
  const json& variants = base["variants"];
  std::map<std::string, std::vector<PatchOp>> ops;
  for (auto v = variants.begin(); v != variants.end(); ++v) {
    std::string vp = at("/variants", v.key());
    ops[v.key()] = read_variant(*v, vp, d);
    if (std::find(opt.variants.begin(), opt.variants.end(), v.key()) == opt.variants.end()) {
      json scratch = base;
      for (const auto& op : ops[v.key()]) apply_op(scratch, op, d);
    }
  }
  auto names = keys_in(variants);
  for (const auto& name : opt.variants) {
    auto found = ops.find(name);
    if (found == ops.end()) {
      std::string n = nearest(name, names);
      d.error("/variants", "unknown variant " + q(name),
              (n.empty() ? "" : "did you mean " + q(n) + "? ") + (names.empty() ? "the file defines no variants" : "variants in the file: " + join(names)));
      continue;
    }
    for (const auto& op : found->second) {
      std::string changed = apply_op(doc, op, d);
      if (!changed.empty()) patched.push_back({changed, name, op.pointer});
    }
  }
  return patched;
}

}  // namespace drsim::parser
