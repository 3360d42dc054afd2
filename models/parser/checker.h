// Internal to the scenario reader: the Checker, which validates a parsed scenario
// document into a Scenario (stage 5 of models/scenario_parser.cpp).
//
// The Checker reads each section with a few primitives (checker.cpp): typed readers of
// a field (string_at, int_at, duration_at, dist_at, ...) that report a value of the
// wrong type or range at its JSON pointer, check_keys for unknown keys with a "did you
// mean" hint, and ref/ref_list_at for references to ids, which record the dependency
// graph. Every reader returns nullopt (or an empty value) after reporting, so a
// section goes on past an error and skips only what depends on it.
//
// One file per section of the format defines its members, in the order run() calls
// them (top_level.cpp):
//   top_level.cpp      run(), the ids, the top-level keys ("drsim", "start", "horizon"),
//                      "sites", "expected"
//   crews.cpp          "crews", a "crew" reference, the pools each component uses
//   components.cpp     "components": kind, site, needs, battery, replication, platform
//   failure_modes.cpp  a failure mode of a component or a common cause, its recovery
//   groups.cpp         "groups": members, k of n, mode, standby, failover
//   blocks_and_service.cpp  "blocks", expressions, "service" and its features
//   runbooks.cpp       "runbooks": steps, "after" (cycles), step order
//   common_causes.cpp  "common_causes": shared faults and beta factors
//   objectives.cpp     "objectives": SLO, RTO, RPO, features' and sites' objectives
//   injections.cpp     "injections" of a drill, and which failure mode each acts on
//   model_checks.cpp   the whole model: dependency cycles, unused parts
//
// Thread-safety: a Checker is used by one thread, for one document.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "models/diagnostics.h"
#include "models/distribution.h"
#include "models/parser/common.h"
#include "models/scenario.h"

namespace drsim::parser {

// What an id names; references say which kinds they accept as a mask.
enum NodeKind : unsigned { kComponent = 1, kGroup = 2, kBlock = 4, kCause = 8, kNode = kComponent | kGroup | kBlock };

// "component", "group", "block" or "common cause".
const char* kind_word(unsigned k);
// "component", "component, group or block", ...
std::string kinds_words(unsigned mask);
// Letters, digits and - _ . / : only, not empty.
bool valid_id(const std::string& s);

using MType = FailureMode::Type;
struct ModeTypeInfo;  // failure_modes.cpp: a mode type's name and keys
// The name of a failure mode type as the file writes it ("time_bomb").
const char* type_name(MType t);

// Wall-clock times in the file (wall_clock.cpp): "2014-04-18T10:32:00-04:00".
extern const char* const kWallClockHint;
// Starts like a date ("2014-"): an "at" meant as a wall-clock time.
bool looks_like_wall_clock(const std::string& s);
// The hint for a wall-clock time that does not parse: the usual slip is a missing offset.
std::string wall_clock_hint(const std::string& s);

// The "after" of one runbook step: (index of the earlier step, pointer of the reference).
using StepAfter = std::vector<std::pair<std::size_t, std::string>>;

class Checker {
 public:
  // quiet: leave out the warnings (problems found before validation would make them noise).
  Checker(Diagnostics& d, bool quiet) : d_(d), errors_at_start_(d.error_count()), quiet_(quiet) {}

  // Validates `doc` (a JSON object) section by section, then the whole model. Problems go
  // to the Diagnostics; the Scenario returned is complete only when none is an error.
  Scenario run(const json& doc);

 private:
  Diagnostics& d_;
  std::size_t errors_at_start_;
  bool quiet_;
  Scenario sc_;
  const json* doc_ = nullptr;

  struct IdInfo {
    unsigned kind;
    std::size_t index;
    std::string pointer;
  };
  std::map<std::string, IdInfo> ids_;                // components, groups, blocks, common causes
  std::map<std::string, std::string> runbook_ptr_;   // runbook id -> pointer of the first runbook with it
  std::map<std::string, std::string> site_ptr_;
  std::map<std::string, std::string> crew_ptr_;      // crew pool id -> pointer of the first pool with it
  std::map<std::string, std::pair<std::string, std::string>> member_of_;  // node id -> (group id, pointer of the member)
  bool have_sites_ = false;
  bool start_given_ = false;
  std::set<std::string> used_nodes_, used_runbooks_;
  std::set<std::string> bad_mode_ptrs_;  // failure modes whose type is unknown
  std::set<std::string> misspelt_;       // pointers of keys that unknown keys look like
  struct Edge {
    std::string to, pointer;
  };
  std::map<std::string, std::vector<Edge>> edges_;  // dependency graph: node -> what it reads

  bool new_errors() const { return d_.error_count() > errors_at_start_; }
  void err(const std::string& p, std::string m, std::string h) { d_.error(p, std::move(m), std::move(h)); }

  // ----- primitives (checker.cpp): shapes and keys
  // The hint for a value that should have been a string.
  static std::string string_hint(const json& v);
  bool want_object(const json& v, const std::string& p, const std::string& hint = "");
  bool want_array(const json& v, const std::string& p, const std::string& hint = "");
  // Reports every key of `obj` that is not in `allowed` ("source" and "note" may appear
  // in any object). `misplaced` may claim a known-elsewhere key and report it itself.
  void check_keys(const json& obj, const std::string& p, std::vector<std::string> allowed,
                  const std::function<bool(const std::string&)>& misplaced = {});
  // True when an unknown key at `p` was reported as a likely misspelling of `key`:
  // then "missing `key`" would only repeat the same problem.
  bool misspelt(const std::string& p, const char* key) const { return misspelt_.count(at(p, key)) > 0; }
  void missing(const std::string& p, const char* key, const std::string& hint);
  // "source" and "note": check_keys has reported one that is not a string.
  static std::optional<std::string> text_at(const json& obj, const char* key);
  static const json* get(const json& obj, const char* key);

  // ----- primitives: scalar values (each nullopt when absent or after reporting)
  std::optional<std::string> string_at(const json& obj, const std::string& p, const char* key);
  std::optional<bool> bool_at(const json& obj, const std::string& p, const char* key);
  std::optional<double> number_at(const json& obj, const std::string& p, const char* key);
  // An integer >= min (and at most a billion).
  std::optional<long long> int_at(const json& obj, const std::string& p, const char* key, long long min,
                                  const std::string& meaning);
  std::optional<double> probability_at(const json& obj, const std::string& p, const char* key, const std::string& meaning);

  enum class Zero { allowed, refused };

  // What a trial can run: events a trial of the scenario's horizon may take from one
  // periodic clock or one lifetime, and the shortest mean lifetime (issue 12: a
  // microsecond proof test or a 1e-12 s lifetime validated, then never finished).
  static constexpr double kMaxHorizonHours = 1000 * 8760.0;  // 1000 years, as --horizon
  static constexpr double kMaxEventsPerTrial = 1e7;
  static constexpr double kMinLifetimeHours = 1.0 / 3600;    // one second
  static constexpr std::size_t kMaxRunbookSteps = 65536;      // a step is 16 bits of an event's argument
  void check_period(const std::string& p, double every, const char* what);
  static std::string format_hours(double h);

  // A duration string in hours. `name` is the key shown in messages.
  std::optional<double> duration(const json& v, const std::string& p, const std::string& name, Zero zero);
  std::optional<double> duration_at(const json& obj, const std::string& p, const char* key, Zero zero);
  // A rate string, per hour, > 0.
  std::optional<double> rate(const json& v, const std::string& p, const std::string& name);
  std::optional<Distribution> dist(const json& v, const std::string& p, Zero zero);
  std::optional<Distribution> dist_at(const json& obj, const std::string& p, const char* key, Zero zero);

  // ----- primitives: ids and references
  std::optional<std::string> id_at(const json& obj, const std::string& p, const std::string& example);
  // Reports a second entity with the id of an earlier one (one namespace).
  // Returns false for a duplicate, whose references then make no dependency edges
  // (they would show as cycles through the first holder of the id).
  bool check_unique(const std::string& id, const std::string& p);
  std::vector<std::string> ids_of(unsigned mask) const;
  // A reference to a component, group, block or common cause (by `mask`). `from`, when
  // set, records a dependency edge; `use` marks the target as used.
  std::optional<std::string> ref(const json& v, const std::string& p, unsigned mask, const std::string& from, bool use,
                                 const std::string& kind_hint = "");
  std::optional<std::string> ref_at(const json& obj, const std::string& p, const char* key, unsigned mask,
                                    const std::string& from, bool use, const std::string& kind_hint = "");
  std::vector<std::string> ref_list_at(const json& obj, const std::string& p, const char* key, unsigned mask,
                                       const std::string& from, bool use, const std::string& kind_hint = "");
  // Kind of a component as written in the file ("" when absent or not a string).
  std::string raw_kind(const std::string& component_id) const;

  // ----- sections, one file each (see the top of this file)
  // top_level.cpp
  void collect_ids(const json& doc);
  void parse_top(const json& doc);
  void parse_sites(const json& v);
  void parse_expected(const json& v);
  // crews.cpp
  void parse_crews(const json& v);
  std::optional<std::string> crew_ref_at(const json& obj, const std::string& p);
  void resolve_crews();
  // components.cpp
  void parse_components(const json& v);
  Component parse_component(const json& j, const std::string& p);
  bool parse_component_kind(const json& j, const std::string& p, Component& c, std::string& kind_name);
  void check_component_site(const std::string& site, const std::string& p);
  void parse_failure_list(const json& f, const std::string& fp, Component& c);
  void parse_replication(const json& j, const std::string& p, Component& c);
  void parse_platform(const json& pl, const std::string& pp, Component& c);
  // failure_modes.cpp
  FailureMode parse_mode(const json& j, const std::string& p, bool common_cause);
  const ModeTypeInfo* mode_type(const json& j, const std::string& p, bool common_cause);
  void check_mode_keys(const json& j, const std::string& p, const ModeTypeInfo* info);
  void parse_mode_lifetime(const json& j, const std::string& p, const ModeTypeInfo* info, FailureMode& fm);
  void parse_mode_events(const json& j, const std::string& p, const ModeTypeInfo* info, FailureMode& fm);
  void parse_escalation(const json& e, const std::string& ep, FailureMode& fm);
  Recovery parse_recovery(const json& j, const std::string& p);
  // groups.cpp
  void parse_groups(const json& v);
  Group parse_group(const json& j, const std::string& p);
  void parse_group_members(const json& j, const std::string& p, const std::string& from, Group& g);
  void parse_group_mode(const json& j, const std::string& p, Group& g);
  void parse_failover(const json& j, const std::string& p, FailoverPolicy& f, const std::string& group_id);
  // blocks_and_service.cpp
  void parse_blocks(const json& v);
  Expr parse_expr(const json& v, const std::string& p, const std::string& from);
  Expr parse_expr_object(const json& obj, const std::string& p, const std::string& from);
  void parse_service(const json& doc);
  void parse_features(const json& f);
  // runbooks.cpp
  void parse_runbooks(const json& v);
  Runbook parse_runbook(const json& j, const std::string& p, std::map<std::string, std::string>& seen);
  void parse_steps(const json& steps, const std::string& sp, Runbook& rb);
  RunbookStep parse_step(const json& st, const std::string& p2, std::size_t s, const std::string& sp,
                         const std::map<std::string, std::size_t>& step_index, const std::vector<std::string>& step_ids,
                         StepAfter& after);
  void parse_step_after(const json& a, const std::string& list_p, const std::map<std::string, std::size_t>& step_index,
                        const std::vector<std::string>& step_ids, RunbookStep& step, StepAfter& after);
  void parse_step_restores(const json& r, const std::string& rp, RunbookStep& step);
  bool report_step_cycles(const Runbook& rb, const std::vector<StepAfter>& after);
  // common_causes.cpp
  void parse_common_causes(const json& v);
  CommonCause parse_common_cause(const json& j, const std::string& p);
  void parse_beta_factor(const json& j, const std::string& p, CommonCause& cc);
  void check_beta_mode(const std::string& p, const std::string& group, const std::string& mode);
  // objectives.cpp
  void parse_objectives(const json& v);
  void parse_slo(const json& slo, const std::string& sp);
  void parse_feature_objectives(const json& fs, const std::string& p);
  void parse_site_objectives(const json& ss, const std::string& p);
  // injections.cpp
  void parse_injections(const json& v);
  Injection parse_injection(const json& j, const std::string& p);
  void parse_injection_at(const json& a, const std::string& p, Injection& inj);
  void check_injection_mode(const std::string& p, const Injection& inj, bool mode_given);
  // model_checks.cpp
  void check_cycles();
  void warn_unused();
};

}  // namespace drsim::parser
