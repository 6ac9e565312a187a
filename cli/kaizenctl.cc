// kaizenctl: the command-line client of kaizend's HTTP API. Everything but the wiring lives in
// the kaizen_cli library (cli/commands.h), where tests can reach it.
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/beast_transport.h"
#include "cli/commands.h"
#include "cli/system_clock.h"

int main(int argc, char** argv) {
  using namespace kaizen::cli;
  std::vector<std::string> args(argv + 1, argv + argc);
  EnvLookup env = [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
  TransportFactory make_transport = [](const ServerUrl& server) {
    return std::make_unique<BeastTransport>(server);
  };
  SystemClock clock;
  return Run(args, env, make_transport, clock,
             Terminal{std::cout, std::cerr, ::isatty(STDOUT_FILENO) == 1});
}
