#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "init/sync.hpp"

using namespace nucleus::init;

TEST_CASE("sync channel: typed messages in order") {
  auto pair = SyncChannel::make_pair();
  REQUIRE(pair);
  auto& [a, b] = *pair;
  REQUIRE(a.send(SyncType::init_pid, 4242));
  REQUIRE(a.send(SyncType::ready));
  auto m = b.receive();
  REQUIRE(m);
  CHECK(m->type == SyncType::init_pid);
  CHECK(m->value == 4242);
  CHECK(b.expect(SyncType::ready));
}

TEST_CASE("sync channel: an error message becomes the receiver's error") {
  auto pair = SyncChannel::make_pair();
  REQUIRE(pair);
  auto& [a, b] = *pair;
  REQUIRE(a.send_error(nucleus::Error("mount \"proc\" on \"/r/proc\"", EPERM)));
  auto r = b.expect(SyncType::ready);
  REQUIRE_FALSE(r);
  CHECK(r.error().what() == "mount \"proc\" on \"/r/proc\": operation not permitted");
}

TEST_CASE("sync channel: protocol errors and a closed peer") {
  auto pair = SyncChannel::make_pair();
  REQUIRE(pair);
  auto& [a, b] = *pair;
  REQUIRE(a.send(SyncType::proceed));
  auto wrong = b.expect(SyncType::ready);
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().message() == "sync channel: expected ready, got proceed");
  a.close();
  auto eof = b.receive();
  REQUIRE_FALSE(eof);
  CHECK(eof.error().message() == "init exited before completing its setup");
}

TEST_CASE("sync channel: a fd rides along, close-on-exec") {
  auto pair = SyncChannel::make_pair();
  REQUIRE(pair);
  auto& [a, b] = *pair;
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  REQUIRE(a.send_fd(SyncType::console_fd, fds[1]));
  ::close(fds[1]);
  auto m = b.receive();
  REQUIRE(m);
  CHECK(m->type == SyncType::console_fd);
  REQUIRE(m->fd);
  CHECK((::fcntl(m->fd.get(), F_GETFD) & FD_CLOEXEC) != 0);
  REQUIRE(::write(m->fd.get(), "x", 1) == 1);
  char c = 0;
  CHECK(::read(fds[0], &c, 1) == 1);
  CHECK(c == 'x');
  ::close(fds[0]);
}
