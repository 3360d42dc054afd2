// Template expansion (see templates.h). Three passes: the templates' shape and every
// "${...}" in them; the instances against the templates; then the copies, counted
// against the caps before and while they are made, and the ids they bring checked
// against each other and against the parts written by hand.
#include "models/templates.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>

namespace drsim {

using json = nlohmann::json;

namespace {

std::string esc(std::string_view token) {
  std::string out;
  for (char c : token) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}
std::string at(const std::string& base, std::string_view key) { return base + "/" + esc(key); }
std::string at(const std::string& base, std::size_t i) { return base + "/" + std::to_string(i); }
std::string q(std::string_view s) { return "\"" + std::string(s) + "\""; }
std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + v[i];
  return out;
}
std::string type_of(const json& j) {
  if (j.is_null()) return "null";
  if (j.is_boolean()) return "boolean";
  if (j.is_number()) return "number";
  if (j.is_string()) return "string";
  if (j.is_array()) return "array";
  if (j.is_object()) return "object";
  return "binary data";
}
bool valid_param(const std::string& s) {
  return !s.empty() && s.size() <= 64 &&
         std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; });
}
std::string did_you_mean(const std::string& word, const std::vector<std::string>& names, const std::string& tail) {
  std::string n = nearest(word, names);
  return (n.empty() ? "" : "did you mean " + q(n) + "? ") + tail;
}

// One piece of a string: literal text, or a parameter reference.
struct Piece {
  bool param = false;
  std::string text;  // the literal, or the parameter's name
};
// Splits "${site}/lb-a" into pieces; false when a "${" is not closed.
bool split(const std::string& s, std::vector<Piece>& out) {
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t b = s.find("${", i);
    if (b == std::string::npos) {
      out.push_back({false, s.substr(i)});
      break;
    }
    if (b > i) out.push_back({false, s.substr(i, b - i)});
    std::size_t e = s.find('}', b + 2);
    if (e == std::string::npos) return false;
    out.push_back({true, s.substr(b + 2, e - b - 2)});
    i = e + 1;
  }
  return true;
}

struct Template {
  std::string name, pointer;
  std::vector<std::string> params;
  const json* body = nullptr;
};

std::size_t count_values(const json& j) {
  std::size_t n = 1;
  if (j.is_structured())
    for (const auto& v : j) n += count_values(v);
  return n;
}

// Copies `j` with every parameter substituted; `bytes` counts the string characters made.
json substitute(const json& j, const std::map<std::string, const json*>& with, std::size_t& bytes) {
  if (j.is_string()) {
    const std::string& s = j.get_ref<const std::string&>();
    std::vector<Piece> pieces;
    split(s, pieces);  // checked before: every "${" is closed and names a parameter
    if (pieces.size() == 1 && pieces[0].param) {
      const json& v = *with.at(pieces[0].text);
      if (v.is_string()) bytes += v.get_ref<const std::string&>().size();
      return v;  // "${need}" alone takes the value as written, a number stays a number
    }
    std::string out;
    for (const auto& p : pieces) {
      if (!p.param) {
        out += p.text;
        continue;
      }
      const json& v = *with.at(p.text);
      out += v.is_string() ? v.get<std::string>() : v.dump();
    }
    bytes += out.size();
    return out;
  }
  if (j.is_array()) {
    json a = json::array();
    for (const auto& v : j) a.push_back(substitute(v, with, bytes));
    return a;
  }
  if (j.is_object()) {
    json o = json::object();
    for (auto it = j.begin(); it != j.end(); ++it) o[it.key()] = substitute(*it, with, bytes);
    return o;
  }
  return j;
}

// Reports every "${...}" in `j` that is not closed or names no parameter; records the used ones.
void check_refs(const json& j, const std::string& p, const Template& t, std::set<std::string>& used, Diagnostics& d) {
  if (j.is_string()) {
    const std::string& s = j.get_ref<const std::string&>();
    if (s.find("${") == std::string::npos) return;
    std::vector<Piece> pieces;
    if (!split(s, pieces)) {
      d.error(p, "unclosed \"${\" in " + q(s), "write a parameter as \"${name}\"");
      return;
    }
    for (const auto& pc : pieces) {
      if (!pc.param) continue;
      if (std::find(t.params.begin(), t.params.end(), pc.text) != t.params.end()) {
        used.insert(pc.text);
        continue;
      }
      d.error(p, "unknown parameter " + q(pc.text) + " in " + q(s),
              did_you_mean(pc.text, t.params,
                           t.params.empty() ? "template " + q(t.name) + " declares no \"params\""
                                            : "parameters of template " + q(t.name) + ": " + join(t.params) + " (" + at(t.pointer, "params") + ")"));
    }
    return;
  }
  if (j.is_array())
    for (std::size_t i = 0; i < j.size(); ++i) check_refs(j[i], at(p, i), t, used, d);
  if (j.is_object())
    for (auto it = j.begin(); it != j.end(); ++it) check_refs(*it, at(p, it.key()), t, used, d);
}

// Reads doc["templates"]; every problem reported.
std::vector<Template> read_templates(const json& all, Diagnostics& d) {
  std::vector<Template> out;
  if (!all.is_object()) {
    d.error("/templates", "expected an object, got " + type_of(all),
            "named templates: {\"site\": {\"params\": [\"site\"], \"components\": [...]}}");
    return out;
  }
  std::vector<std::string> allowed = {"params", "description"};
  for (const auto& s : template_sections()) allowed.push_back(s);
  allowed.push_back("source");
  allowed.push_back("note");
  for (auto it = all.begin(); it != all.end(); ++it) {
    Template t;
    t.name = it.key();
    t.pointer = at("/templates", it.key());
    t.body = &*it;
    if (!it->is_object()) {
      d.error(t.pointer, "expected an object, got " + type_of(*it), "a template is {\"params\": [\"site\"], \"components\": [...], ...}");
      continue;
    }
    bool ok = true;
    for (auto k = it->begin(); k != it->end(); ++k) {
      const std::string kp = at(t.pointer, k.key());
      if (k.key() == "templates" || k.key() == "instances") {
        d.error(kp, "a template cannot hold " + q(k.key()) + ": templates do not instantiate templates",
                "instantiate every template at the top level, in \"instances\"");
        ok = false;
      } else if (std::find(allowed.begin(), allowed.end(), k.key()) == allowed.end()) {
        d.error(kp, "unknown key " + q(k.key()), did_you_mean(k.key(), allowed, "allowed keys: " + join(allowed)));
        ok = false;
      } else if (k.key() == "params") {
        if (!k->is_array()) {
          d.error(kp, "expected an array, got " + type_of(*k), "the parameters' names: [\"site\", \"peer\"]");
          ok = false;
          continue;
        }
        for (std::size_t i = 0; i < k->size(); ++i) {
          const json& n = (*k)[i];
          if (!n.is_string() || !valid_param(n.get<std::string>())) {
            d.error(at(kp, i), "invalid parameter name " + n.dump(), "a name of letters, digits, \"_\" and \"-\", e.g. \"site\"");
            ok = false;
          } else if (std::find(t.params.begin(), t.params.end(), n.get<std::string>()) != t.params.end()) {
            d.error(at(kp, i), "duplicate parameter " + n.dump(), "name each parameter once");
            ok = false;
          } else {
            t.params.push_back(n.get<std::string>());
          }
        }
      } else if (k.key() == "description" || k.key() == "source" || k.key() == "note") {
        if (!k->is_string()) {
          d.error(kp, "expected a string, got " + type_of(*k), "a string, in double quotes");
          ok = false;
        }
      } else if (!k->is_array()) {
        d.error(kp, "expected an array, got " + type_of(*k), "the " + k.key() + " each instance adds: [{...}, ...]");
        ok = false;
      }
    }
    if (!ok) continue;
    std::set<std::string> used;
    for (const auto& s : template_sections())
      if (auto f = it->find(s); f != it->end()) check_refs(*f, at(t.pointer, s), t, used, d);
    for (std::size_t i = 0; i < t.params.size(); ++i)
      if (!used.count(t.params[i]))
        d.warning(at(at(t.pointer, "params"), i), "parameter " + q(t.params[i]) + " is never used",
                  "write it as \"${" + t.params[i] + "}\" in the template, or remove it");
    out.push_back(std::move(t));
  }
  return out;
}

std::string shown(const json& v) {
  std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  return s.size() > 40 ? s.substr(0, 37) + "..." : s;
}

struct Inst {
  const Template* t = nullptr;
  std::map<std::string, const json*> with;
  std::string pointer, label;
};

struct Def {
  std::string pointer, label;
};

// Instance i ({"template": NAME, "with": {...}}) checked against the templates; nullopt
// (and errors) if it is not sound. `names` are every template's name, broken ones too.
std::optional<Inst> read_instance(const json& e, std::size_t i, const std::vector<Template>& templates,
                                  const std::vector<std::string>& names, Diagnostics& d) {
  Inst in;
  in.pointer = at("/instances", i);
  if (!e.is_object()) {
    d.error(in.pointer, "expected an object, got " + type_of(e), "an instance is {\"template\": \"site\", \"with\": {\"site\": \"dc1\"}}");
    return std::nullopt;
  }
  bool ok = true;
  for (auto k = e.begin(); k != e.end(); ++k)
    if (k.key() != "template" && k.key() != "with" && k.key() != "source" && k.key() != "note") {
      d.error(at(in.pointer, k.key()), "unknown key " + q(k.key()),
              did_you_mean(k.key(), {"template", "with"}, "allowed keys: template, with, source, note"));
      ok = false;
    }
  auto tn = e.find("template");
  if (tn == e.end()) {
    d.error(in.pointer, "missing required key \"template\"", names.empty() ? "the name of a template" : "templates: " + join(names));
    return std::nullopt;
  }
  if (!tn->is_string()) {
    d.error(at(in.pointer, "template"), "expected a string, got " + type_of(*tn), "the name of a template, in double quotes");
    return std::nullopt;
  }
  const std::string name = tn->get<std::string>();
  auto t = std::find_if(templates.begin(), templates.end(), [&](const Template& x) { return x.name == name; });
  if (t == templates.end()) {
    if (std::find(names.begin(), names.end(), name) == names.end())
      d.error(at(in.pointer, "template"), "unknown template " + q(name),
              did_you_mean(name, names, names.empty() ? "\"templates\" defines none" : "templates: " + join(names)));
    return std::nullopt;
  }
  in.t = &*t;
  const std::string wp = at(in.pointer, "with");
  auto w = e.find("with");
  if (w != e.end() && !w->is_object()) {
    d.error(wp, "expected an object, got " + type_of(*w), "the parameters' values: {\"site\": \"dc1\"}");
    return std::nullopt;
  }
  if (w != e.end())
    for (auto k = w->begin(); k != w->end(); ++k) {
      if (std::find(t->params.begin(), t->params.end(), k.key()) == t->params.end()) {
        d.error(at(wp, k.key()), "unknown parameter " + q(k.key()) + " of template " + q(name),
                did_you_mean(k.key(), t->params, t->params.empty() ? "the template has no parameters" : "parameters: " + join(t->params)));
        ok = false;
      } else if (!(k->is_string() || k->is_number() || k->is_boolean())) {
        d.error(at(wp, k.key()), "expected a string or a number, got " + type_of(*k), "the text that replaces \"${" + k.key() + "}\"");
        ok = false;
      } else {
        in.with[k.key()] = &*k;
      }
    }
  for (const auto& p : t->params)
    if (!(w != e.end() && w->contains(p))) {
      d.error(w != e.end() ? wp : in.pointer, "missing value for parameter " + q(p) + " of template " + q(name),
              w != e.end() ? "add " + q(p) + ": \"...\" to \"with\"" : "add \"with\": {" + q(p) + ": \"...\"}");
      ok = false;
    }
  if (!ok) return std::nullopt;
  in.label = "instance " + in.pointer;
  for (const auto& p : t->params) in.label += ", " + p + "=" + shown(*in.with[p]);
  return in;
}

// Appends each instance's copy of its template's sections to `doc`, reporting ids that
// collide (with what was written or another instance) at both places; false when the
// substituted text outgrows max_string_bytes.
bool append_instances(json& doc, const std::vector<Inst>& insts, Diagnostics& d, std::size_t max_string_bytes,
                      std::vector<TemplateOrigin>& origins) {
  // Where each id is defined, to report a collision at both places.
  std::map<std::string, Def> ids, site_ids;
  auto scan_written = [&](const std::string& s, std::map<std::string, Def>& into) {
    if (!doc.contains(s)) return;
    const json& a = doc[s];
    for (std::size_t i = 0; i < a.size(); ++i)
      if (a[i].is_object() && a[i].contains("id") && a[i]["id"].is_string())
        into.emplace(a[i]["id"].get<std::string>(), Def{at(at("", s), i), ""});
  };
  for (const auto& s : template_sections()) scan_written(s, s == "sites" ? site_ids : ids);

  std::size_t bytes = 0;
  for (const auto& in : insts)
    for (const auto& s : template_sections()) {
      auto f = in.t->body->find(s);
      if (f == in.t->body->end()) continue;
      json& arr = doc[s];
      if (arr.is_null()) arr = json::array();
      for (std::size_t k = 0; k < f->size(); ++k) {
        json el = substitute((*f)[k], in.with, bytes);
        if (bytes > max_string_bytes) {
          d.error(in.pointer, fmt::format("the instances expand to more than {} of text", max_string_bytes),
                  "the values in \"with\" are substituted into every \"${...}\"; make them shorter");
          return false;
        }
        TemplateOrigin o{at(at("", s), arr.size()), at(at(in.t->pointer, s), k), in.label};
        if (el.is_object() && el.contains("id") && el["id"].is_string()) {
          auto& into = s == "sites" ? site_ids : ids;
          const std::string id = el["id"].get<std::string>();
          auto [prev, fresh] = into.emplace(id, Def{o.written, in.label});
          if (!fresh) {
            Diagnostic dg;
            dg.file = d.file();
            dg.pointer = at(o.written, "id");
            dg.subject = in.label;
            dg.message = std::string("duplicate ") + (s == "sites" ? "site " : "") + "id " + q(id);
            dg.hint = "already the id of " + prev->second.pointer + (prev->second.label.empty() ? "" : " (" + prev->second.label + ")") +
                      "; give each instance its own ids, e.g. \"${" + (in.t->params.empty() ? std::string("site") : in.t->params[0]) + "}/...\"";
            d.add(std::move(dg));
          }
        }
        arr.push_back(std::move(el));
        origins.push_back(std::move(o));
      }
    }
  return true;
}

}  // namespace

const std::vector<std::string>& template_sections() {
  static const std::vector<std::string> s = {"sites", "components", "groups", "blocks", "common_causes"};
  return s;
}

bool expand_templates(json& doc, Diagnostics& d, std::size_t max_string_bytes, std::vector<TemplateOrigin>& origins) {
  const bool has_t = doc.contains("templates"), has_i = doc.contains("instances");
  if (!has_t && !has_i) return true;
  const std::size_t errors = d.error_count();
  const json templates_j = has_t ? doc["templates"] : json::object();
  const json instances_j = has_i ? doc["instances"] : json::array();
  doc.erase("templates");
  doc.erase("instances");
  std::vector<Template> templates = read_templates(templates_j, d);
  if (has_t && !has_i && d.error_count() == errors)
    d.warning("/templates", "templates are never instantiated", "add \"instances\": [{\"template\": \"NAME\", \"with\": {...}}]");
  if (has_i && !has_t) {
    d.error("/instances", "instances, but the file has no \"templates\"",
            "define what they instantiate: \"templates\": {\"site\": {\"params\": [\"site\"], \"components\": [...]}}");
    return false;
  }
  if (!instances_j.is_array()) {
    d.error("/instances", "expected an array, got " + type_of(instances_j), "[{\"template\": \"site\", \"with\": {\"site\": \"dc1\"}}, ...]");
    return false;
  }
  if (instances_j.size() > kMaxInstances) {
    d.error("/instances", fmt::format("{} instances, over the limit of {}", instances_j.size(), kMaxInstances),
            "a template is for a few sites or blocks; write fewer instances");
    return false;
  }
  std::vector<std::string> names;
  for (const auto& t : templates) names.push_back(t.name);
  for (auto it = templates_j.begin(); templates_j.is_object() && it != templates_j.end(); ++it)
    if (std::find(names.begin(), names.end(), it.key()) == names.end()) names.push_back(it.key());  // broken ones: no second error

  std::vector<Inst> insts;
  for (std::size_t i = 0; i < instances_j.size(); ++i)
    if (auto in = read_instance(instances_j[i], i, templates, names, d)) insts.push_back(std::move(*in));
  if (d.error_count() > errors) return false;

  // The size before any copy: values per template times its instances.
  std::size_t values = 0;
  for (const auto& in : insts) values += count_values(*in.t->body);
  if (values > kMaxExpandedValues) {
    d.error("/instances", fmt::format("the instances expand to {} values, over the limit of {}", values, kMaxExpandedValues),
            "a template is for a few sites or blocks; write fewer instances or smaller templates");
    return false;
  }
  for (const auto& s : template_sections())
    if (doc.contains(s) && !doc[s].is_array()) {
      d.error(at("", s), "expected an array, got " + type_of(doc[s]), "instances append to it: a list [...]");
      return false;
    }

  if (!append_instances(doc, insts, d, max_string_bytes, origins)) return false;
  return d.error_count() == errors;
}

}  // namespace drsim
