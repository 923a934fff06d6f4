// tty_bench: what the terminal path costs, per provider, against a plain pty with no
// container (the floor). Throughput: 64 MiB written to the terminal; keystroke round trip:
// one byte typed, its echo read back, 1000 times.
//
//   build/bench/tty_bench BUNDLE [--mib N] [--keys N]
//
// BUNDLE is a busybox bundle (scripts/make-bundle.sh); its config.json is rewritten.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/pty_session.hpp"

using Clock = std::chrono::steady_clock;
using engine::test::PtySession;

namespace {

double cpu_seconds_of_children() {
  struct rusage ru;
  getrusage(RUSAGE_CHILDREN, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

void set_args(const std::string& bundle, const std::vector<std::string>& args) {
  nlohmann::json cfg = nlohmann::json::parse(std::ifstream(bundle + "/config.json"));
  cfg["process"]["terminal"] = true;
  cfg["process"]["args"] = args;
  std::ofstream(bundle + "/config.json") << cfg.dump(2);
}

std::vector<std::string> command(const std::string& provider, const std::string& bundle,
                                 const std::vector<std::string>& args) {
  if (provider == "floor") {
    std::vector<std::string> argv = {"/bin/busybox"};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }
  set_args(bundle, args);
  static int n = 0;
  return {ENGINE_BINARY, "--root", "/run/engine-bench", "run", "--tty-provider", provider,
          "--bundle", bundle, "bench-" + std::to_string(getpid()) + "-" + std::to_string(++n)};
}

struct Throughput {
  double mib_per_s, cpu_s;
};

Throughput throughput(const std::string& provider, const std::string& bundle, int mib) {
  std::string script = "head -c " + std::to_string(mib) + "m /dev/zero";
  double cpu0 = cpu_seconds_of_children();
  auto t0 = Clock::now();
  PtySession s(command(provider, bundle, {"sh", "-c", script}));
  // Count bytes as they arrive; keep nothing.
  size_t bytes = 0;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = read(s.master(), buf, sizeof buf);
    if (n <= 0) break;
    bytes += static_cast<size_t>(n);
    if (bytes >= static_cast<size_t>(mib) << 20) break;
  }
  s.wait();
  double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  return {bytes / 1048576.0 / secs, cpu_seconds_of_children() - cpu0};
}

struct RoundTrip {
  double median_us, p99_us;
};

RoundTrip round_trip(const std::string& provider, const std::string& bundle, int keys) {
  PtySession s(command(provider, bundle, {"cat"}));
  usleep(300000);  // let the container start
  std::vector<double> samples;
  char c;
  for (int i = 0; i < keys; ++i) {
    auto t0 = Clock::now();
    if (write(s.master(), "k", 1) != 1) break;
    if (read(s.master(), &c, 1) != 1) break;  // the echo
    samples.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
  }
  s.send("\x04\x04");
  s.wait();
  std::sort(samples.begin(), samples.end());
  if (samples.empty()) return {0, 0};
  return {samples[samples.size() / 2], samples[std::min(samples.size() - 1, samples.size() * 99 / 100)]};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s BUNDLE [--mib N] [--keys N]\n", argv[0]);
    return 2;
  }
  std::string bundle = argv[1];
  int mib = 64, keys = 1000;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (std::string(argv[i]) == "--mib") mib = std::stoi(argv[i + 1]);
    if (std::string(argv[i]) == "--keys") keys = std::stoi(argv[i + 1]);
  }
  std::printf("%-12s %12s %10s %14s %12s\n", "provider", "MiB/s", "CPU s", "echo median", "echo p99");
  for (const std::string provider : {"floor", "pty-devpts", "pty-host"}) {
    Throughput t = throughput(provider, bundle, mib);
    RoundTrip r = round_trip(provider, bundle, keys);
    std::printf("%-12s %12.1f %10.2f %11.1f us %9.1f us\n", provider.c_str(), t.mib_per_s, t.cpu_s,
                r.median_us, r.p99_us);
  }
  return 0;
}
