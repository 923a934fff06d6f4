#pragma once
// OCI lifecycle hooks (config.json "hooks"). Each hook is a program run with its own args and
// env and the container's state on stdin. One that fails (non-zero, killed, or past its
// timeout) fails its phase: prestart, createRuntime, createContainer and startContainer fail
// the container; poststart and poststop only warn, as the runtime spec says.
//
// Where each runs: prestart, createRuntime (the engine, host namespaces, before pivot_root),
// createContainer (the init, container namespaces, before pivot_root), startContainer (the
// init, after `start`, just before the program), poststart (the engine, after start) and
// poststop (the engine, when delete has removed the container).
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "oci/spec.hpp"

namespace engine::runtime {

// The state a hook reads on stdin (runtime-spec "state").
std::string hook_state(const std::string& oci_version, const std::string& id, const std::string& status,
                       pid_t pid, const std::string& bundle, const nlohmann::json& annotations);
// The same from the spec (during create and run, before a row has it all).
std::string hook_state(const oci::Spec& spec, const std::string& id, const std::string& status, pid_t pid,
                       const std::string& bundle);

// Runs the hooks in order; throws Error("PHASE hook PATH: cause") on the first that fails.
void run_hooks(const std::vector<oci::Hook>& hooks, const char* phase, const std::string& state);
// As run_hooks, but every failure is logged as a warning and the rest still run.
void run_hooks_warning(const std::vector<oci::Hook>& hooks, const char* phase, const std::string& state);

// Hooks kept in the state store for later phases (poststart, poststop).
nlohmann::json hooks_to_json(const std::vector<oci::Hook>& hooks);
std::vector<oci::Hook> hooks_from_json(const nlohmann::json& doc);

}  // namespace engine::runtime
