// spec: writes a default config.json, like `runc spec`.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/app.hpp"
#include "common/error.hpp"
#include "common/file.hpp"
#include "oci/spec.hpp"

namespace engine::cli {

int cmd_spec(const Invocation& inv) {
  std::string bundle = ".";
  po::options_description desc("Options");
  desc.add_options()("bundle,b", po::value(&bundle)->default_value("."), "where to write config.json");
  po::variables_map vm;
  if (!parse_command_line(inv, desc, {}, vm)) return 0;
  std::string path = bundle + "/config.json";
  if (path_exists(path)) throw Error(path + ": file exists; remove it first");
  write_file(path, oci::default_spec().dump(4) + "\n");
  return 0;
}

}  // namespace engine::cli
