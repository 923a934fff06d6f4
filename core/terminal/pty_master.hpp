#pragma once
// How the host side watches a pty master it reads the container's output from.
#include <sys/epoll.h>

#include <cstdint>

namespace engine::terminal {

// Edge-triggered: a level-triggered watch is polled again at every epoll_wait after its
// event, and a pty polled with nothing unread waits for its work queue to run (flush_work),
// a sleep and a wake-up per chunk of output (the foreground relay's own CPU for 64 MiB:
// 0.28 s level-triggered, 0.25 s edge-triggered). One read of 4 KiB or more takes all the
// line discipline holds, so nothing is left for a missed edge: readers keep their reads that
// large, and in packet mode read again after a status byte, which comes alone.
inline constexpr uint32_t kMasterReadable = EPOLLIN | EPOLLET;

}  // namespace engine::terminal
