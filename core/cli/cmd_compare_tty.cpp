// compare-tty: every terminal provider side by side, measured rather than claimed.
#include <unistd.h>

#include <iostream>
#include <sstream>

#include "cli/app.hpp"
#include "compare/compare.hpp"
#include "compare/interrupt.hpp"

namespace engine::cli {
namespace {

std::vector<std::string> split_commas(const std::string& list) {
  std::vector<std::string> out;
  std::istringstream in(list);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

// One line on stderr, rewritten in place; only on a terminal, so logs and pipes stay clean.
struct ProgressLine {
  bool on = ::isatty(2) == 1;
  void show(const std::string& text) const {
    if (on) std::cerr << "\r\033[Kcompare-tty: " << text << std::flush;
  }
  void clear() const {
    if (on) std::cerr << "\r\033[K" << std::flush;
  }
  ~ProgressLine() { clear(); }
};

void check_positive(int value, const char* flag) {
  if (value < 1) throw UsageError(std::string(flag) + " must be at least 1");
}

}  // namespace

int cmd_compare_tty(const Invocation& inv) {
  compare::Options o;
  std::string providers, format;
  bool quick = false;
  po::options_description desc("Options");
  desc.add_options()
      ("bundle,b", po::value(&o.bundle), "bundle whose rootfs to use (default: one made from /bin/busybox)")
      ("providers", po::value(&providers), "comma-separated providers (NAME or NAME+passthrough); default all")
      ("format,f", po::value(&format)->default_value("table"), "table or json")
      ("quick", po::bool_switch(&quick), "small workloads (4 MiB, 100 keys, 1 set-up run), for CI")
      ("mib", po::value(&o.mib), "MiB pushed through the terminal (default 64)")
      ("keys", po::value(&o.keys), "keystrokes echoed (default 1000)")
      ("runs", po::value(&o.setup_runs), "runs whose median is the set-up cost (default 5)");
  po::variables_map vm;
  if (!parse_command_line(inv, desc, {}, vm)) return 0;
  if (format != "table" && format != "json") throw UsageError("--format must be table or json");
  if (quick) {
    if (!vm.count("mib")) o.mib = 4;
    if (!vm.count("keys")) o.keys = 100;
    if (!vm.count("runs")) o.setup_runs = 1;
  }
  check_positive(o.mib, "--mib");
  check_positive(o.keys, "--keys");
  check_positive(o.setup_runs, "--runs");
  o.providers = split_commas(providers);
  o.plugin_dirs = inv.globals.plugin_dirs;

  compare::Report report;
  {
    compare::InterruptScope interrupts;  // outlives the workspace: its clean-up is not cut short
    ProgressLine progress;
    o.progress = [&](const std::string& text) { progress.show(text); };
    try {
      report = compare::compare(o);
    } catch (const compare::Interrupted& e) {
      progress.clear();
      std::cerr << "engine: compare-tty: " << e.what() << "; what it made is removed\n";
      return 128 + e.signal();
    } catch (const Error& e) {
      throw Error(std::string("compare-tty: ") + e.what());
    }
  }
  if (format == "json") std::cout << compare::to_json(report).dump(2) << "\n";
  else std::cout << compare::format_table(report);
  return 0;
}

}  // namespace engine::cli
