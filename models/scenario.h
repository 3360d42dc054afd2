// The scenario: drsim's engine-independent description of a system of data centres,
// its failure modes, its recovery procedures, its objectives and the injections of a
// drill. A Scenario is plain data, produced by load_scenario() (scenario_parser.h)
// only after full validation: every id it holds resolves, every duration is
// positive, every probability is in [0, 1], dependencies and runbooks are acyclic.
// Engines never see JSON.
//
// Units: time in hours (double); rates per hour; probabilities in [0, 1].
// The JSON key for each field is given in brackets where it differs from the name.
// docs/scenario-format.md documents the file format with an annotated example.
//
// Thread-safety: immutable after loading; share freely between threads.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "models/distribution.h"

namespace drsim {

// What kind of thing a component is. The kind sets defaults and how the SimGrid
// platform represents it; the failure behaviour comes from its failure modes.
enum class ComponentKind {
  utility,         // ["utility"] utility feed
  ats,             // ["ats"] automatic transfer switch
  ups,             // ["ups"] UPS; battery_runtime bridges power gaps
  generator,       // ["generator"]
  power_domain,    // ["power_domain"] what hosts and links draw power from
  network_switch,  // ["switch"]
  router,          // ["router"]
  wan_link,        // ["wan_link"] inter-site or uplink
  load_balancer,   // ["load_balancer"]
  app_server,      // ["app_server"]
  database,        // ["database"]
  storage,         // ["storage"] storage array, may replicate to another site
  dns,             // ["dns"] DNS / GSLB
  provider,        // ["provider"] outside provider: cloud control plane, hosting
  vendor,          // ["vendor"] a supplier that recovery steps wait on
  feature,         // ["feature"] a software function that changes can break
  generic,         // ["generic"]
};
const char* to_string(ComponentKind k);
std::optional<ComponentKind> component_kind_from_string(const std::string& s);
std::vector<std::string> component_kind_names();

// A reference from the model to a recovery: either a plain repair time or a runbook.
struct Recovery {
  std::optional<Distribution> detect;  // ["detect"] time until someone knows (0 if absent)
  std::optional<Distribution> repair;  // ["repair"] hands-on time after detection
  std::string runbook;                 // ["runbook"] id of a runbook instead of repair
  bool uses_crew = true;               // ["crew"] repair waits for the group's repair crew
  bool empty() const { return !repair && runbook.empty(); }
};

// Which role a failure mode's clock runs in.
enum class When { always, active, standby };

// One way a component (or, for shared causes, several components) can fail.
struct FailureMode {
  enum class Type {
    random,      // ["random"] a lifetime distribution ttf; failure is noticed
    latent,      // ["latent"] a lifetime ttf; the fault stays hidden until a demand or a proof test
    on_demand,   // ["on_demand"] fails with probability p each time it is asked to take over or start
    time_bomb,   // ["time_bomb"] a licence or certificate: armed by a renewal, goes off after its fuse
    external,    // ["external"] an outside event with a rate and a duration (utility loss, provider change)
    change,      // ["change"] deployments at a rate, a share of them bad
    dependency,  // ["on_dependency_loss"] abrupt loss of something it needs leaves it needing recovery
  };
  std::string id;      // ["id"] unique among the owner's failure modes
  Type type = Type::random;
  std::string pointer; // JSON pointer of this mode in the file (for messages and describe)

  Distribution ttf;    // ["ttf"] random, latent: time to failure;  external: ["rate"] stored as exponential ttf
  When when = When::always;   // ["when"] random: the roles in which the clock runs
  double p = 0;        // ["p"] on_demand: probability of failing per demand; change: ["p_bad"]
  std::vector<std::string> also_fails;  // ["also_fails"] further targets taken down with it

  // latent: proof test ["proof_test"]
  double proof_interval = 0;  // ["interval"] 0 = never tested
  double proof_offset = 0;    // ["offset"] first test at this time
  double proof_coverage = 1;  // ["coverage"] probability a test finds a present fault

  // external: ["duration"]; time the outside event lasts (the targets return on their own)
  std::optional<Distribution> duration;

  // time_bomb
  std::optional<Distribution> fuse;  // ["fuse"] time from arming (renewal or injection) to expiry
  double renew_every = 0;            // ["renewal"]["every"] 0 = no renewals within the horizon
  double p_wrong = 0;                // ["renewal"]["p_wrong"] share of renewals that install a bad key
  double alert_ahead = 0;            // ["monitoring"]["alert_ahead"] expiry alert lead time, 0 = none
  double audit_coverage = 0;         // ["audit"]["coverage"] chance an audit at renewal finds a bad key;
                                     //   change: ["qa"]["coverage"] chance QA stops a bad change

  // change: deploys at ["rate"], a share p_bad bad; a bad one breaks the targets until rolled back
  double rate = 0;

  Recovery recovery;   // ["recovery"] how the fault is repaired
  int escalate_after = 0;     // ["escalate"]["after"] after this many occurrences...
  Recovery escalation;        // ["escalate"]["recovery"] ...recover this way instead
  std::string source;  // ["source"]
};

// Replication of a storage array to its peer: the data lost when the array is lost.
struct Replication {
  std::string to;        // ["to"] peer component id
  bool sync = false;     // ["mode"] "sync" | "async"
  std::optional<Distribution> lag;  // ["lag"] async: replication lag (backlog in time) when lost
  double write_rate_mb_s = 10;      // ["write_rate"] MB/s written; sets the SimGrid stream
  std::string source;
};

// SimGrid platform hints for a component (defaults documented in docs/architecture.md).
struct PlatformHints {
  double bandwidth_mb_s = 0;  // ["bandwidth"] links: MB/s (0 = kind default)
  double latency_ms = -1;     // ["latency"] links: ms (-1 = kind default)
  double speed_gflops = 0;    // ["speed"] hosts
};

struct Component {
  std::string id;       // ["id"] e.g. "dc1/lb-a"; unique across components, groups, blocks
  std::string name;     // ["name"]
  ComponentKind kind = ComponentKind::generic;
  std::string site;     // ["site"] a site id, "" for outside things
  std::vector<std::string> needs;  // ["needs"] ids (components, groups, blocks) that must work
  std::vector<FailureMode> failures;  // ["failures"]
  double battery_runtime = 0;         // ["battery_runtime"] ups only
  std::optional<Replication> replication;  // ["replication"] storage only
  PlatformHints platform;              // ["platform"]
  std::string crew;                    // ["crew"] id of the crew pool that repairs it ("" = its group's)
  int crew_pool = -1;                  // resolved: index into Scenario::crews, -1 = unlimited crews
  std::string pointer;
  std::string source;
};

// How a redundancy group moves load off a failed member.
struct FailoverPolicy {
  std::optional<Distribution> detection;  // ["detection"] distribution, or {"interval","threshold"}
  std::optional<Distribution> switchover; // ["switchover"]
  double coverage = 1;                    // ["coverage"] P(the automatic failover works)
  bool automatic = true;                  // ["automatic"]
  std::optional<Distribution> manual;     // ["manual"] time to a manual switch-over when automatic
                                          //   failover is absent or failed
  std::string mechanism;                  // ["mechanism"] component that performs the failover (an
                                          //   ATS, a heartbeat link); if it is down, failover fails
  bool failback = false;                  // ["failback"] return to the preferred member when it is back
  std::string source;
};

struct Group {
  enum class Mode { active_active, active_standby };
  enum class Standby { hot, warm, cold };
  std::string id;
  std::string name;
  std::vector<std::string> members;  // ["members"] in order of preference
  int need = 1;                      // ["need"] k of n
  Mode mode = Mode::active_active;   // ["mode"] "active-active" | "active-standby"
  Standby standby = Standby::hot;    // ["standby"] "hot" | "warm" | "cold"
  double warm_factor = 0.5;          // ["warm_factor"] failure-rate multiplier of a warm standby
  FailoverPolicy failover;           // ["failover"]
  int repair_crews = 0;              // ["repair_crews"] 0 = one per member; k = a private pool of k
  std::string crew;                  // ["crew"] id of a shared crew pool (instead of repair_crews)
  int crew_pool = -1;                // resolved: index into Scenario::crews, -1 = none (unlimited)
  std::string bridge;                // ["bridge"] a UPS that carries the output through a gap
  std::string pointer;
  std::string source;
};

// A structure expression over components, groups and blocks.
struct Expr {
  enum class Op { ref, all, any, at_least };
  Op op = Op::ref;
  std::string ref;         // op == ref
  int k = 0;               // op == at_least
  std::vector<Expr> args;  // all / any / at_least
  std::string pointer;
};

// A named expression, e.g. one site's path: {"id": "dc1/path", "all": [...]}.
struct Block {
  std::string id;
  std::string name;
  Expr expr;
  std::string pointer;
};

struct Feature {
  std::string id;    // ["id"] e.g. "reporting"
  std::string name;
  Expr expr;         // ["requires"]
};

// The service: down when `requires` fails; degraded when a feature fails.
struct Service {
  std::string name;
  Expr requires_;                 // ["requires"]
  std::vector<Feature> features;  // ["features"]
};

struct RunbookStep {
  enum class Kind { detect, respond, diagnose, vendor, spares, repair, restart, verify, failover, failback, other };
  std::string id;
  std::string name;                  // ["name"] printed in the timeline
  Kind kind = Kind::other;           // ["kind"]
  Distribution duration;             // ["duration"]
  std::vector<std::string> after;    // ["after"] step ids that must finish first
  std::vector<std::string> restores; // ["restores"] component ids brought back when the step ends;
                                     //   "$targets" = the components the fault took down
  std::vector<std::string> waits_for;// ["waits_for"] ids (components, groups, blocks) that must work
                                     //   before the step can start (e.g. power back)
  std::string pointer;
  std::string source;
};

struct Runbook {
  std::string id;
  std::string name;
  std::vector<RunbookStep> steps;  // topologically ordered after validation
  int max_parallel = 0;            // ["max_parallel"] 0 = no limit
  std::string pointer;
};

// A fault shared by several components: one licence key, one provider, a beta factor.
struct CommonCause {
  std::string id;
  std::vector<std::string> targets;  // ["targets"]
  FailureMode mode;                  // ["failure"] how the shared thing fails (types random,
                                     //   latent, time_bomb, external, change)
  // beta-factor form: {"group": g, "mode": m, "beta": 0.1} splits each member's mode m
  std::string beta_group;
  std::string beta_mode;
  double beta = 0;
  std::string pointer;
};

// Repair people shared by whatever names them: one technician for the site, a vendor
// with two engineers. Within a pool, manual switch-overs go first (in the order they
// were asked for), then repairs first-come first-served (docs/model.md).
struct CrewPool {
  std::string id;       // ["id"]; for a group's `repair_crews` the group's id
  std::string name;     // ["name"]
  int size = 1;         // ["size"] people working at once
  bool implicit = false;  // made from a group's `repair_crews`, not written in "crews"
  std::string pointer;
  std::string source;
};

// A feature's own recovery-time objective (a degraded mode may be allowed longer).
struct FeatureObjective {
  std::string id;               // the feature's id (the key in ["features"])
  int feature = -1;             // resolved: index into Service::features
  double rto = 0;               // ["rto"] hours
};

// A site's own recovery objective: every interval in which the node that stands for the
// site working (its serving path, usually a block) is down is one recovery of the site.
struct SiteObjective {
  std::string site;             // the site's id (the key in ["sites"])
  std::string node;             // ["requires"] a component, group or block id
  double rto = 0;               // ["rto"] hours
};

struct Objectives {
  double slo_target = 0;        // ["slo"]["target"] e.g. 0.9995; 0 = none
  double slo_window = 720;      // ["slo"]["window"] hours, default 30d
  double rto = 0;               // ["rto"] hours, 0 = none: judges every full outage
  double rpo = 0;               // ["rpo"] hours, 0 = none: judges every data-loss event
  std::vector<FeatureObjective> features;  // ["features"] {"<feature id>": {"rto": "4h"}}
  std::vector<SiteObjective> sites;        // ["sites"] {"<site id>": {"rto": "4h", "requires": "dc1/path"}}
};

struct Injection {
  enum class Action { fail, expire, arm, cut_power, change_config, deploy_bad_change, latent };
  double at = 0;           // ["at"] hours after the scenario start ("10m" or ISO-8601 wall clock)
  Action action = Action::fail;
  std::string target;      // ["target"] component or common cause id
  std::string mode;        // ["mode"] failure mode id on the target ("" = the first that fits)
  int repeat = 1;          // ["repeat"]["count"]
  double every = 0;        // ["repeat"]["every"]
  std::string note;        // ["note"] printed in the timeline
  std::string pointer;
};

struct Site {
  std::string id;
  std::string name;
  std::string timezone;  // ["timezone"] informational
};

// A parameter's plausible span for drsim sensitivity: {"range": {"coverage": {"low":
// 0.9, "high": 0.99}}} next to "coverage" in the file. Values as written (JSON text).
struct ParameterRange {
  std::string pointer;        // of the value, indices resolved ("/groups/4/failover/coverage")
  std::string low, high;      // JSON text: a number, or a duration or rate string
  std::string range_pointer;  // of the {"low", "high"} object
};

struct Scenario {
  std::string file;         // the path it was loaded from
  std::string sha256;       // of the file's bytes
  std::string title;
  std::string description;
  std::optional<std::int64_t> start_epoch;  // ["start"] ISO-8601 wall clock of t = 0 (seconds since epoch)
  int start_utc_offset_minutes = 0;         // the offset written in "start", used to print wall clock
  double horizon = 8760;                    // ["horizon"] default 1y
  std::vector<Site> sites;
  std::vector<Component> components;
  std::vector<Group> groups;
  std::vector<Block> blocks;
  Service service;
  std::vector<Runbook> runbooks;
  std::vector<CommonCause> common_causes;
  std::vector<CrewPool> crews;              // ["crews"] explicit pools, then one per group with repair_crews
  Objectives objectives;
  std::vector<Injection> injections;
  std::map<std::string, std::string> expected;  // ["expected"] validation models: closed forms
  std::vector<std::string> variant_names;       // ["variants"] names of overlays in the file
  std::vector<ParameterRange> ranges;           // every "range" in the file (sensitivity), in file order

  const Component* component(const std::string& id) const;
  const Group* group(const std::string& id) const;
  const Block* block(const std::string& id) const;
  const Runbook* runbook(const std::string& id) const;
  const CommonCause* common_cause(const std::string& id) const;
};

/// The parts of the file that messages name, by the JSON pointer where each is written:
/// components, groups, blocks, crews, runbooks and common causes by id ("/components/14"
/// -> "dc3/db"), a runbook's steps as "RUNBOOK, step STEP", an injection by its target
/// ("target dc1/sw-a"). Parts without a valid id are left out. For
/// Diagnostics::name_subjects.
std::vector<std::pair<std::string, std::string>> named_parts(const Scenario& sc);

}  // namespace drsim
