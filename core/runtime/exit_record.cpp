#include "runtime/exit_record.hpp"

#include <iostream>

#include "state/store.hpp"

namespace engine::runtime {

void record_exit(const std::string& root, const std::string& id, int exit_code, int64_t finished_ns) {
  auto store = state::Store::open(root);
  state::Update update;
  update.exit_code = exit_code;
  update.finished_at = finished_ns;
  if (store.transition(id, {state::Status::created, state::Status::running, state::Status::paused},
                       state::Status::stopped, update))
    return;
  auto rec = store.find(id);
  if (rec && rec->status == state::Status::stopped && !rec->exit_code) store.update(id, update);
}

int record_exit_command(int argc, char** argv) {
  if (argc != 6) {
    std::cerr << "usage: engine __record-exit ROOT ID CODE FINISHED_NS\n";
    return 2;
  }
  try {
    record_exit(argv[2], argv[3], std::stoi(argv[4]), std::stoll(argv[5]));
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "record exit of " << argv[3] << ": " << e.what() << "\n";
    return 1;
  }
}

}  // namespace engine::runtime
