// Semantic validation of config.json: the spec's MUST/REQUIRED rules that a
// schema cannot express. The first violation is reported with its JSON path.
#include <set>

#include "validate_resources.hpp"
#include "validate_util.hpp"

namespace oci {
namespace detail {
namespace {

// SemVer 2.0 identifiers: alphanumerics and hyphens, numeric ones without
// leading zeros (prerelease only).
bool semver_identifiers(std::string_view s, bool numeric_rules) {
  if (s.empty()) return false;
  while (true) {
    auto dot = s.find('.');
    std::string_view id = s.substr(0, dot);
    if (id.empty()) return false;
    bool numeric = std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; });
    bool ok = std::all_of(id.begin(), id.end(), [](char c) {
      return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
    });
    if (!ok || (numeric_rules && numeric && id.size() > 1 && id[0] == '0')) return false;
    if (dot == std::string_view::npos) return true;
    s.remove_prefix(dot + 1);
  }
}

bool is_semver(std::string_view v) {
  auto plus = v.find('+');
  if (plus != std::string_view::npos && !semver_identifiers(v.substr(plus + 1), false)) return false;
  v = v.substr(0, plus);
  auto dash = v.find('-');
  if (dash != std::string_view::npos && !semver_identifiers(v.substr(dash + 1), true)) return false;
  v = v.substr(0, dash);
  for (int part = 0; part < 3; ++part) {
    auto dot = v.find('.');
    if ((part < 2) == (dot == std::string_view::npos)) return false;
    std::string_view n = v.substr(0, dot);
    if (n.empty() || (n.size() > 1 && n[0] == '0') ||
        !std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return false;
    v = dot == std::string_view::npos ? std::string_view() : v.substr(dot + 1);
  }
  return true;
}

Status validate_hooks(const Hooks& hooks, const Path& p) {
  const std::pair<std::string_view, const std::vector<Hook>*> kinds[] = {
      {"prestart", &hooks.prestart},         {"createRuntime", &hooks.create_runtime},
      {"createContainer", &hooks.create_container}, {"startContainer", &hooks.start_container},
      {"poststart", &hooks.poststart},       {"poststop", &hooks.poststop}};
  for (const auto& [name, list] : kinds) {
    Path kind = p.child(name);
    for (std::size_t i = 0; i < list->size(); ++i) {
      const Hook& h = (*list)[i];
      Path hp = kind.at(i);
      TRY_VOID(check_absolute(hp.child("path"), h.path));
      if (h.timeout && *h.timeout < 1)
        return fail_at(hp.child("timeout"), fmt::format("must be greater than zero, got {}", *h.timeout));
    }
  }
  return {};
}

Status validate_mount(const Mount& m, const Path& p) {
  // Relative destinations are deprecated but allowed on Linux (relative to "/").
  if (m.destination.empty()) return fail_at(p.child("destination"), "must not be empty");
  if (m.uid_mappings.empty() != m.gid_mappings.empty()) {
    return fail_at(p.child(m.uid_mappings.empty() ? "gidMappings" : "uidMappings"),
                   "uidMappings and gidMappings must be given together");
  }
  return {};
}

Status validate_rlimits(const std::vector<Rlimit>& rlimits, const Path& p) {
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < rlimits.size(); ++i) {
    const Rlimit& r = rlimits[i];
    TRY_VOID(check_name(p.at(i).child("type"), r.type, kRlimits, "rlimit"));
    if (!seen.insert(r.type).second)
      return fail_at(p.at(i).child("type"), fmt::format("rlimit {} listed twice", quote(r.type)));
    if (r.soft > r.hard)
      return fail_at(p.at(i), fmt::format("soft limit {} exceeds hard limit {}", r.soft, r.hard));
  }
  return {};
}

// Unknown but well-formed names are left to the runtime, which must warn and
// go on (config.md: runtimes SHOULD NOT fail on capabilities they cannot grant).
Status validate_capabilities(const Capabilities& caps, const Path& p) {
  const std::pair<std::string_view, const std::optional<std::vector<std::string>>*> sets[] = {
      {"bounding", &caps.bounding},   {"effective", &caps.effective},
      {"inheritable", &caps.inheritable}, {"permitted", &caps.permitted},
      {"ambient", &caps.ambient}};
  for (const auto& [name, set] : sets) {
    if (!*set) continue;
    for (std::size_t i = 0; i < (*set)->size(); ++i) {
      const std::string& cap = (**set)[i];
      bool ok = cap.size() > 4 && cap.starts_with("CAP_") &&
                std::all_of(cap.begin(), cap.end(), [](char c) { return (c >= 'A' && c <= 'Z') || c == '_'; });
      if (!ok) return fail_at(p.child(name).at(i), fmt::format("invalid capability name {}", quote(cap)));
    }
  }
  return {};
}

Status check_cpu_list(const Path& p, const std::string& v) {
  if (std::all_of(v.begin(), v.end(), [](char c) { return (c >= '0' && c <= '9') || c == ',' || c == ' ' || c == '-'; }))
    return {};
  return fail_at(p, fmt::format("expected a CPU list like \"0-3,7\", got {}", quote(v)));
}

// The kernel's ranges: refused here rather than by sched_setattr in the init.
Status validate_scheduler(const Scheduler& s, const Path& p) {
  TRY_VOID(check_name(p.child("policy"), s.policy, kSchedulerPolicies, "scheduler policy"));
  TRY_VOID(check_names(p.child("flags"), s.flags, kSchedulerFlags, "scheduler flag"));
  if (s.nice && (*s.nice < -20 || *s.nice > 19))
    return fail_at(p.child("nice"), fmt::format("must be between -20 and 19, got {}", *s.nice));
  bool realtime = s.policy == "SCHED_FIFO" || s.policy == "SCHED_RR";
  int priority = s.priority.value_or(0);
  if (realtime && (priority < 1 || priority > 99))
    return fail_at(p.child("priority"), fmt::format("must be between 1 and 99 for {}, got {}", s.policy, priority));
  if (!realtime && priority != 0)
    return fail_at(p.child("priority"), fmt::format("must be 0 for {}, got {}", s.policy, priority));
  return {};
}

Status validate_process_details(const Process& pr, const Path& p) {
  if (pr.capabilities) TRY_VOID(validate_capabilities(*pr.capabilities, p.child("capabilities")));
  TRY_VOID(validate_rlimits(pr.rlimits, p.child("rlimits")));
  if (const auto& io = pr.io_priority) {
    TRY_VOID(check_name(p.child("ioPriority").child("class"), io->io_class, kIoPriorityClasses,
                        "I/O priority class"));
    if (io->priority < 0 || io->priority > 7)
      return fail_at(p.child("ioPriority").child("priority"),
                     fmt::format("must be between 0 and 7, got {}", io->priority));
  }
  if (pr.scheduler) TRY_VOID(validate_scheduler(*pr.scheduler, p.child("scheduler")));
  if (pr.oom_score_adj && (*pr.oom_score_adj < -1000 || *pr.oom_score_adj > 1000))
    return fail_at(p.child("oomScoreAdj"), fmt::format("must be between -1000 and 1000, got {}", *pr.oom_score_adj));
  if (const auto& a = pr.exec_cpu_affinity) {
    TRY_VOID(check_cpu_list(p.child("execCPUAffinity").child("initial"), a->initial));
    TRY_VOID(check_cpu_list(p.child("execCPUAffinity").child("final"), a->final));
  }
  return {};
}

}  // namespace

// consoleSize without terminal is not an error: the spec says to ignore it.
Status validate_process(const Process& pr, const Path& p) {
  if (pr.args.empty()) return fail_at(p.child("args"), "must not be empty");
  if (pr.args.front().empty()) return fail_at(p.child("args").at(0), "must not be empty");
  TRY_VOID(check_absolute(p.child("cwd"), pr.cwd));
  for (std::size_t i = 0; i < pr.env.size(); ++i) {
    auto eq = pr.env[i].find('=');
    if (eq == std::string::npos || eq == 0)
      return fail_at(p.child("env").at(i), fmt::format("expected KEY=VALUE, got {}", quote(pr.env[i])));
  }
  return validate_process_details(pr, p);
}

Status validate_config(const Config& c) {
  Path root;
  if (!is_semver(c.oci_version))
    return fail_at(root.child("ociVersion"),
                   fmt::format("expected a SemVer 2.0 version, got {}", quote(c.oci_version)));
  if (!c.root) return fail_at(root.child("root"), "required on Linux");
  if (c.root->path.empty()) return fail_at(root.child("root").child("path"), "must not be empty");
  for (std::size_t i = 0; i < c.mounts.size(); ++i)
    TRY_VOID(validate_mount(c.mounts[i], root.child("mounts").at(i)));
  if (c.process) TRY_VOID(validate_process(*c.process, root.child("process")));
  TRY_VOID(validate_hooks(c.hooks, root.child("hooks")));
  TRY_VOID(check_no_empty_key(root.child("annotations"), c.annotations));
  return validate_linux(c, root);
}

}  // namespace detail

std::expected<void, SpecError> validate(const Config& c) { return detail::validate_config(c); }

std::expected<void, SpecError> validate(const Resources& r) {
  return detail::validate_resources(r, detail::Path().child("linux").child("resources"));
}

std::expected<void, SpecError> validate(const Process& p) {
  return detail::validate_process(p, detail::Path());
}

}  // namespace oci
