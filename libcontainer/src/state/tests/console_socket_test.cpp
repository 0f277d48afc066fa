#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include <catch2/catch.hpp>

#include "state/console_socket.hpp"
#include "test_support.hpp"

using namespace nucleus;
using namespace nucleus::test;

namespace {

// What a caller like go-runc's console receiver sees, decoded independently.
struct RawMessage {
  std::string payload;
  int cmsgs = 0;
  std::vector<int> fds;
};

RawMessage raw_recv(int sock) {
  RawMessage m;
  char buf[8192];
  iovec iov{buf, sizeof buf};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 16)];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  REQUIRE(n >= 0);
  m.payload.assign(buf, static_cast<std::size_t>(n));
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    ++m.cmsgs;
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      for (std::size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); ++i) {
        int fd;
        std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
        m.fds.push_back(fd);
      }
    }
  }
  return m;
}

}  // namespace

TEST_CASE("console socket: one message, one fd, non-empty payload", "[state][console]") {
  TempDir dir;
  auto path = dir / "console.sock";
  UniqueFd listener = unix_server(path);
  REQUIRE(listener);
  UniqueFd master(::open("/dev/null", O_RDWR | O_CLOEXEC));
  REQUIRE(master);

  // connect() completes against the backlog, so no accept is needed first.
  auto sent = send_console_fd(path, master.get());
  REQUIRE(sent);

  UniqueFd conn(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
  REQUIRE(conn);
  RawMessage m = raw_recv(conn.get());
  CHECK(m.payload == "/dev/ptmx");
  CHECK(m.cmsgs == 1);
  REQUIRE(m.fds.size() == 1);
  CHECK(same_file(m.fds[0], master.get()));
  for (int fd : m.fds) ::close(fd);
  // Nothing follows: the sender closed after its single message.
  char c;
  CHECK(::recv(conn.get(), &c, 1, 0) == 0);
}

TEST_CASE("console socket: errors", "[state][console]") {
  TempDir dir;
  UniqueFd devnull(::open("/dev/null", O_RDWR | O_CLOEXEC));
  auto missing = send_console_fd(dir / "nope.sock", devnull.get());
  REQUIRE_FALSE(missing);
  CHECK_THAT(missing.error().what(), Catch::Contains("nope.sock"));

  std::string too_long(200, 'a');
  CHECK_FALSE(send_console_fd(dir / too_long, devnull.get()));

  int sp[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == 0);
  UniqueFd a(sp[0]), b(sp[1]);
  CHECK_FALSE(send_fd(a.get(), devnull.get(), ""));
  CHECK_FALSE(send_fd(a.get(), devnull.get(), std::string(4096, 'x')));
}

TEST_CASE("recv_fd: gets the fd and payload; refuses several fds", "[state][console]") {
  int sp[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == 0);
  UniqueFd a(sp[0]), b(sp[1]);
  int p[2];
  REQUIRE(::pipe2(p, O_CLOEXEC) == 0);
  UniqueFd r(p[0]), w(p[1]);

  REQUIRE(send_fd(a.get(), w.get(), "pipe"));
  auto got = recv_fd_message(b.get());
  REQUIRE(got);
  CHECK(got->payload == "pipe");
  CHECK(same_file(got->fd.get(), w.get()));
  CHECK((::fcntl(got->fd.get(), F_GETFD) & FD_CLOEXEC) != 0);
  REQUIRE(::write(got->fd.get(), "x", 1) == 1);
  char c = 0;
  CHECK(::read(r.get(), &c, 1) == 1);
  CHECK(c == 'x');

  REQUIRE(send_fd(a.get(), r.get(), "again"));
  auto plain = recv_fd(b.get());
  REQUIRE(plain);
  CHECK(same_file(plain->get(), r.get()));

  SECTION("two fds in one message") {
    int fds[2] = {r.get(), w.get()};
    char payload = 'x';
    iovec iov{&payload, 1};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof fds)] = {};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof fds);
    std::memcpy(CMSG_DATA(cm), fds, sizeof fds);
    REQUIRE(::sendmsg(a.get(), &msg, 0) == 1);
    auto bad = recv_fd(b.get());
    REQUIRE_FALSE(bad);
    CHECK_THAT(bad.error().what(), Catch::Contains("got 2 fds"));
  }
  SECTION("no fd at all") {
    REQUIRE(::write(a.get(), "plain", 5) == 5);
    CHECK_FALSE(recv_fd(b.get()));
  }
}
