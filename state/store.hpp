#pragma once
// The engine's lifecycle state: one sqlite database under --root (state.db).
// Every transition is a compare-and-set inside a transaction, so concurrent engine
// invocations never lose or duplicate a container.
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

struct sqlite3;

namespace engine::state {

enum class Status { creating, created, running, paused, stopped };
const char* to_string(Status s);
std::optional<Status> status_from_string(const std::string& s);

class StateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// Insert of an id that is taken; what(): "container with id ID already exists".
class AlreadyExists : public StateError {
 public:
  using StateError::StateError;
};
// Lookup of an unknown id; what(): "container ID does not exist".
class NotFound : public StateError {
 public:
  using StateError::StateError;
};

// Wall-clock time, nanoseconds since the epoch.
using TimeNs = int64_t;

struct ContainerRecord {
  std::string id;
  std::string bundle;
  std::string rootfs;
  Status status = Status::creating;
  pid_t pid = 0;                  // init's host pid, 0 until known
  uint64_t pid_start_time = 0;    // field 22 of /proc/PID/stat, to tell a reused pid apart
  pid_t creator_pid = 0;          // the engine process that is creating it (status creating)
  uint64_t creator_start_time = 0;
  TimeNs created_at = 0;
  TimeNs started_at = 0;
  TimeNs finished_at = 0;
  std::optional<int> exit_code;
  std::string config_digest;      // sha256 hex of config.json as read
  std::string terminal_provider;  // plugin name, "" when process.terminal is false
  std::string log_driver;
  std::string annotations_json = "{}";
  std::string owner;
  std::string runtime_json = "{}";  // engine-private facts: cgroup paths, monitor pid, sockets
  uint64_t pid_inode = 0;  // init's pidfs inode (kernel 6.9+); 0: unknown, pid_start_time decides
};

struct ExecRecord {
  std::string container_id;
  std::string exec_id;
  pid_t pid = 0;
  uint64_t pid_start_time = 0;
  TimeNs started_at = 0;
  Status status = Status::created;
  std::optional<int> exit_code;
  TimeNs finished_at = 0;
};

// Fields a transition may set; unset optionals are left as they are.
struct Update {
  std::optional<pid_t> pid;
  std::optional<uint64_t> pid_start_time;
  std::optional<TimeNs> started_at;
  std::optional<TimeNs> finished_at;
  std::optional<int> exit_code;
  std::optional<std::string> runtime_json;
  std::optional<uint64_t> pid_inode;
};

class Store {
 public:
  // Opens (creating if needed) ROOT/state.db: WAL, busy timeout, schema migrated to current.
  static Store open(const std::string& root_dir);
  Store(Store&&) noexcept;
  Store& operator=(Store&&) noexcept;
  ~Store();

  static int schema_version();  // the version this build migrates to

  // Inserts a new row; throws AlreadyExists if the id is taken.
  void insert(const ContainerRecord& rec);
  // Throws NotFound.
  ContainerRecord get(const std::string& id);
  std::optional<ContainerRecord> find(const std::string& id);
  std::vector<ContainerRecord> list();
  // Compare-and-set: moves id from any status in `from` to `to`, applying update.
  // Returns false (and changes nothing) if the current status is not in `from`.
  bool transition(const std::string& id, std::initializer_list<Status> from, Status to,
                  const Update& update = {});
  // Sets fields without a status change.
  void update(const std::string& id, const Update& update);
  // Removes the container's row and its exec rows. Returns false if it did not exist.
  bool remove(const std::string& id);

  void insert_exec(const ExecRecord& rec);
  bool finish_exec(const std::string& container_id, const std::string& exec_id, int exit_code,
                   TimeNs finished_at);
  std::vector<ExecRecord> list_execs(const std::string& container_id);

  sqlite3* handle() { return db_; }

 private:
  explicit Store(sqlite3* db);
  sqlite3* db_ = nullptr;
  struct Statements;
  std::unique_ptr<Statements> stmts_;  // prepared once, reused
};

}  // namespace engine::state
