// What a seccomp agent receives: the container process state, byte for byte
// as runc sends it, with the listener fd, over a socket in a temp dir.
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include <catch2/catch.hpp>

#include "nucleus/unique_fd.hpp"
#include "security/seccomp_notify.hpp"
#include "state/console_socket.hpp"
#include "state/tests/test_support.hpp"

using namespace nucleus;
using namespace nucleus::test;

namespace {

oci::Seccomp profile_for(const std::string& listener_path, std::string metadata = {}) {
  oci::Seccomp s;
  s.default_action = "SCMP_ACT_ALLOW";
  s.listener_path = listener_path;
  s.listener_metadata = std::move(metadata);
  return s;
}

oci::State creating_state() { return oci::State{"1.3.0", "c1", "creating", 4017, "/b", {{"a", "b"}}}; }

std::string outcome(const Result<void>& r) { return r ? std::string("ok") : r.error().what(); }

// One connection as an agent sees it: the bytes until EOF, the fd of the first message.
struct Received {
  std::string payload;
  UniqueFd fd;
};

Received accept_one(int server) {
  UniqueFd conn(::accept4(server, nullptr, nullptr, SOCK_CLOEXEC));
  REQUIRE(conn);
  auto first = recv_fd_message(conn.get());  // exactly one fd, on the first part
  REQUIRE(first);
  Received r{std::move(first->payload), std::move(first->fd)};
  char buf[65536];
  ssize_t n;
  while ((n = ::read(conn.get(), buf, sizeof buf)) > 0) r.payload.append(buf, static_cast<std::size_t>(n));
  REQUIRE(n == 0);  // the runtime closed the connection: one message per connection
  return r;
}

}  // namespace

TEST_CASE("the agent's message: runc's fields and order, metadata only when set", "[seccomp][notify]") {
  CHECK(seccomp_agent_message(profile_for("/a", "MKNOD=/dev/null"), 4017, creating_state()) ==
        R"({"ociVersion":"1.3.0","fds":["seccompFd"],"pid":4017,"metadata":"MKNOD=/dev/null",)"
        R"("state":{"ociVersion":"1.3.0","id":"c1","status":"creating","pid":4017,"bundle":"/b",)"
        R"("annotations":{"a":"b"}}})");
  // exec: the exec'd process's pid on top, the init's in the running state.
  oci::State running{"1.3.0", "c1", "running", 4017, "/b", {}};
  CHECK(seccomp_agent_message(profile_for("/a"), 5000, running) ==
        R"({"ociVersion":"1.3.0","fds":["seccompFd"],"pid":5000,)"
        R"("state":{"ociVersion":"1.3.0","id":"c1","status":"running","pid":4017,"bundle":"/b"}})");
}

TEST_CASE("the agent gets one message with the fd, then EOF", "[seccomp][notify]") {
  TempDir dir;
  std::string path = dir / "agent.sock";
  UniqueFd server = unix_server(path);
  REQUIRE(server);
  UniqueFd listener(::open("/dev/null", O_RDONLY | O_CLOEXEC));  // any fd stands in for the listener
  // Annotations past what one small datagram would hold: the message is never cut.
  oci::State big = creating_state();
  for (int i = 0; i < 2000; ++i) big.annotations[fmt::format("key{}", i)] = std::string(40, 'v');
  Received got;
  std::thread agent([&] { got = accept_one(server.get()); });
  auto sent = send_to_seccomp_agent(profile_for(path, "m"), 4017, big, listener.get());
  agent.join();
  REQUIRE(outcome(sent) == "ok");
  CHECK(got.payload == seccomp_agent_message(profile_for(path, "m"), 4017, big));
  CHECK(same_file(got.fd.get(), listener.get()));
}

TEST_CASE("an agent that is not there fails naming linux.seccomp.listenerPath", "[seccomp][notify]") {
  TempDir dir;
  UniqueFd listener(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  std::string missing = dir / "none.sock";
  CHECK(outcome(send_to_seccomp_agent(profile_for(missing), 1, creating_state(), listener.get())) ==
        fmt::format("linux.seccomp.listenerPath: connect to seccomp agent \"{}\": no such file or directory",
                    missing));
  std::string deaf = dir / "deaf.sock";  // bound, not listening
  UniqueFd bound = unix_server(deaf, false);
  REQUIRE(bound);
  CHECK(outcome(send_to_seccomp_agent(profile_for(deaf), 1, creating_state(), listener.get())) ==
        fmt::format("linux.seccomp.listenerPath: connect to seccomp agent \"{}\": connection refused", deaf));
  CHECK_THAT(outcome(send_to_seccomp_agent(profile_for(dir / std::string(200, 'x')), 1,
                                           creating_state(), listener.get())),
             Catch::StartsWith("linux.seccomp.listenerPath: seccomp agent path") &&
                 Catch::Contains("name too long"));
}
