#include "common/time.hpp"

#include <cstdio>
#include <ctime>

namespace engine {

int64_t now_ns() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

std::string format_rfc3339_nano(int64_t ns) {
  time_t secs = static_cast<time_t>(ns / 1000000000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(ns % 1000000000));
  return buf;
}

bool parse_rfc3339(const std::string& text, int64_t* ns) {
  struct tm tm{};
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6)
    return false;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  const char* p = text.c_str() + consumed;
  int64_t frac = 0;
  if (*p == '.') {
    int digits = 0;
    for (++p; *p >= '0' && *p <= '9'; ++p, ++digits)
      if (digits < 9) frac = frac * 10 + (*p - '0');
    for (; digits < 9; ++digits) frac *= 10;
  }
  int64_t offset = 0;
  if (*p == '+' || *p == '-') {
    int h = 0, m = 0;
    if (std::sscanf(p + 1, "%2d:%2d", &h, &m) != 2) return false;
    offset = (*p == '+' ? 1 : -1) * (h * 3600 + m * 60);
  } else if (*p != 'Z' && *p != 'z') {
    return false;
  }
  *ns = (int64_t{timegm(&tm)} - offset) * 1000000000 + frac;
  return true;
}

}  // namespace engine
