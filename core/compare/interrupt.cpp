#include "compare/interrupt.hpp"

#include <signal.h>

#include <cstring>

namespace engine::compare {
namespace {

constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};
volatile sig_atomic_t g_signal = 0;
struct sigaction g_saved[sizeof kSignals / sizeof kSignals[0]];

void record(int sig) { g_signal = sig; }

}  // namespace

Interrupted::Interrupted(int sig) : Error(std::string("interrupted by SIG") + ::sigabbrev_np(sig)), sig_(sig) {}

InterruptScope::InterruptScope() {
  g_signal = 0;
  struct sigaction sa{};
  sa.sa_handler = record;
  sigemptyset(&sa.sa_mask);
  for (size_t i = 0; i < std::size(kSignals); ++i) ::sigaction(kSignals[i], &sa, &g_saved[i]);
}

InterruptScope::~InterruptScope() {
  for (size_t i = 0; i < std::size(kSignals); ++i) ::sigaction(kSignals[i], &g_saved[i], nullptr);
}

void throw_if_interrupted() {
  if (g_signal != 0) throw Interrupted(g_signal);
}

}  // namespace engine::compare
