// The readiness message between a detached proxy and `lwgw up`: its round trip, what does not
// decode, and the daemon's end of the pipe.
#include <doctest/doctest.h>

#include <unistd.h>

#include "lwgw/daemon/spawn.hpp"

using namespace lwgw;
using namespace lwgw::daemon;

TEST_CASE("readiness messages survive the pipe: ready, and a failure with any text") {
  const Readiness ready = Ready{.port = 5566, .pid = 4242};
  std::string line = encode_readiness(ready);
  CHECK(line.back() == '\n');
  CHECK(line.find('\n') == line.size() - 1);
  CHECK(decode_readiness(line) == std::optional<Readiness>(ready));

  const Readiness failed =
      StartFailed{.code = Exit::kConfig, .message = "no key\nsecond line \"quoted\" ready 1 2"};
  line = encode_readiness(failed);
  CHECK(line.find('\n') == line.size() - 1);
  CHECK(decode_readiness(line) == std::optional<Readiness>(failed));
  // Whatever follows the first line is not part of the message.
  CHECK(decode_readiness(line + "garbage") == std::optional<Readiness>(failed));
}

TEST_CASE("an incomplete or foreign readiness message decodes to nothing") {
  const std::string line = encode_readiness(Ready{.port = 1, .pid = 2});
  CHECK_FALSE(decode_readiness(""));
  CHECK_FALSE(decode_readiness(line.substr(0, line.size() - 1)));  // no newline yet
  CHECK_FALSE(decode_readiness(line.substr(0, line.size() / 2) + "\n"));
  CHECK_FALSE(decode_readiness("ready 5566 4242\n"));
  CHECK_FALSE(decode_readiness("{\"ready\":true}\n"));
  CHECK_FALSE(decode_readiness("{\"port\":1,\"pid\":2}\n"));
}

TEST_CASE("ReadyPipe sends one message and closes its end, without an fd it does nothing") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  {
    ReadyPipe pipe(fds[1]);
    CHECK(pipe.attached());
    pipe.send(Ready{.port = 7, .pid = 8});
    CHECK_FALSE(pipe.attached());
    pipe.send(Ready{.port = 9, .pid = 10});  // ignored
  }
  std::string got;
  char buf[256];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) got.append(buf, n);
  ::close(fds[0]);
  CHECK(got == encode_readiness(Ready{.port = 7, .pid = 8}));
  ReadyPipe none(-1);
  none.send(Ready{});
}
