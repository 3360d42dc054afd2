// What "up" means: "blocks" (named expressions), the expressions themselves (an id,
// {"all": [...]}, {"any": [...]}, {"at_least": k, "of": [...]}), and "service" with
// its "requires" and its "features" (see checker.h).
#include <map>

#include <fmt/format.h>

#include "models/parser/checker.h"

namespace drsim::parser {

void Checker::parse_blocks(const json& v) {
  if (!want_array(v, "/blocks")) return;
  for (std::size_t i = 0; i < v.size(); ++i) {
    std::string p = at("/blocks", i);
    const json& j = v[i];
    Block b;
    b.pointer = p;
    if (!want_object(j, p, "e.g. {\"id\": \"dc1/path\", \"all\": [\"dc1/power\", \"dc1/lbs\"]}")) {
      sc_.blocks.push_back(std::move(b));
      continue;
    }
    check_keys(j, p, {"id", "name", "all", "any", "at_least", "of"});
    std::string from;
    if (auto id = id_at(j, p, "dc1/path")) {
      b.id = *id;
      if (check_unique(b.id, p)) from = b.id;
    }
    if (auto s = string_at(j, p, "name")) b.name = *s;
    b.expr = parse_expr_object(j, p, from);
    sc_.blocks.push_back(std::move(b));
  }
}

namespace {
const char* const kExprHint = "an expression is an id, {\"all\": [...]}, {\"any\": [...]} or {\"at_least\": k, \"of\": [...]}";
}  // namespace

Expr Checker::parse_expr(const json& v, const std::string& p, const std::string& from) {
  Expr e;
  e.pointer = p;
  if (v.is_string()) {
    e.op = Expr::Op::ref;
    if (auto r = ref(v, p, kNode, from, true)) e.ref = *r;
    return e;
  }
  if (v.is_object()) {
    check_keys(v, p, {"all", "any", "at_least", "of"});
    return parse_expr_object(v, p, from);
  }
  err(p, "expected an id or an expression, got " + type_of(v),
      v.is_array() ? "for a list, write {\"all\": [...]} or {\"any\": [...]}" : kExprHint);
  return e;
}

// The expression in `obj` (its keys were checked by the caller).
Expr Checker::parse_expr_object(const json& obj, const std::string& p, const std::string& from) {
  Expr e;
  e.pointer = p;
  std::vector<std::string> ops;
  for (const char* k : {"all", "any", "at_least"})
    if (obj.contains(k)) ops.push_back(k);
  if (ops.empty()) {
    if (obj.contains("of")) err(p, "\"of\" needs \"at_least\"", "write {\"at_least\": k, \"of\": [...]}");
    else if (!misspelt(p, "all") && !misspelt(p, "any") && !misspelt(p, "at_least")) err(p, "missing \"all\", \"any\" or \"at_least\"", kExprHint);
    return e;
  }
  if (ops.size() > 1) {
    std::vector<std::string> quoted;
    for (const auto& o : ops) quoted.push_back(q(o));
    err(p, join(quoted, " and ") + " exclude each other", "nest them instead: {\"all\": [..., {\"any\": [...]}]}");
    return e;
  }
  const std::string op = ops[0];
  std::string list_key = op == "at_least" ? "of" : op;
  if (op != "at_least" && obj.contains("of")) err(at(p, "of"), "\"of\" belongs with \"at_least\"", "remove it, or write {\"at_least\": k, \"of\": [...]}");
  e.op = op == "all" ? Expr::Op::all : op == "any" ? Expr::Op::any : Expr::Op::at_least;
  const json* list = get(obj, list_key.c_str());
  std::string lp = at(p, list_key);
  if (!list) {
    missing(p, "of", "the alternatives: {\"at_least\": 2, \"of\": [\"a\", \"b\", \"c\"]}");
  } else if (want_array(*list, lp, op == "at_least" ? "" : "write {\"" + op + "\": [...]}")) {
    if (list->empty()) err(lp, q(list_key) + " is empty", "list at least one id or expression");
    for (std::size_t i = 0; i < list->size(); ++i) e.args.push_back(parse_expr((*list)[i], at(lp, i), from));
  }
  if (op == "at_least") {
    if (auto k = int_at(obj, p, "at_least", 1, "how many of \"of\" must work (k of n)")) {
      e.k = static_cast<int>(*k);
      if (list && list->is_array() && !list->empty() && *k > static_cast<long long>(list->size()))
        err(at(p, "at_least"), fmt::format("\"at_least\" is {} but \"of\" has only {} entr{}", *k, list->size(), list->size() == 1 ? "y" : "ies"),
            fmt::format("k of n: \"at_least\" can be at most {}", list->size()));
    }
  }
  return e;
}

void Checker::parse_service(const json& doc) {
  const char* hint = "say what must work for the service to be up, e.g. \"requires\": \"sites\" or {\"all\": [...]}";
  const json* s = get(doc, "service");
  if (!s) {
    missing("", "service", "say what \"up\" means: \"service\": {\"requires\": \"...\"}");
    return;
  }
  if (!want_object(*s, "/service", "\"service\": {\"requires\": \"...\"}")) return;
  check_keys(*s, "/service", {"name", "requires", "features"});
  if (auto n = string_at(*s, "/service", "name")) sc_.service.name = *n;
  const json* r = get(*s, "requires");
  bool empty_object = r && r->is_object() && !r->contains("all") && !r->contains("any") && !r->contains("at_least") && !r->contains("of");
  if (!r) {
    if (!misspelt("/service", "requires")) err("/service", "the service has no definition: \"requires\" is missing", hint);
  }
  else if ((r->is_string() && r->get<std::string>().empty()) || empty_object || (r->is_array() && r->empty()))
    err("/service/requires", "the service has no definition: \"requires\" is empty", hint);
  else sc_.service.requires_ = parse_expr(*r, "/service/requires", "");
  if (const json* f = get(*s, "features"); f && want_array(*f, "/service/features")) parse_features(*f);
}

// "features": parts of the service with their own "requires" (and objectives).
void Checker::parse_features(const json& f) {
  std::map<std::string, std::string> seen;
  for (std::size_t i = 0; i < f.size(); ++i) {
    std::string p = at("/service/features", i);
    const json& j = f[i];
    Feature feat;
    if (!want_object(j, p, "e.g. {\"id\": \"reporting\", \"requires\": \"reports/init\"}")) {
      sc_.service.features.push_back(std::move(feat));
      continue;
    }
    check_keys(j, p, {"id", "name", "requires"});
    if (auto id = id_at(j, p, "reporting")) {
      feat.id = *id;
      auto [it, fresh] = seen.emplace(*id, p);
      if (!fresh) err(at(p, "id"), "duplicate feature id " + q(*id), "already the id of the feature at " + it->second);
    }
    if (auto n = string_at(j, p, "name")) feat.name = *n;
    if (const json* fr = get(j, "requires")) feat.expr = parse_expr(*fr, at(p, "requires"), "");
    else missing(p, "requires", "what must work for this feature, e.g. \"requires\": \"reports/init\"");
    sc_.service.features.push_back(std::move(feat));
  }
}

}  // namespace drsim::parser
