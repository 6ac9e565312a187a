// kaizenctl's commands: from argv to requests to output and an exit status. Everything outside
// (environment, network, clock, terminal) comes in as a parameter, so tests run the real
// commands against a scripted Transport. Single-threaded.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/args.h"
#include "cli/settings.h"
#include "cli/transport.h"
#include "workflow/time.h"

namespace kaizen::cli {

// Exit statuses; scripts depend on them.
inline constexpr int kExitOk = 0;
inline constexpr int kExitApiError = 1;       // kaizend answered 4xx/5xx, or nonsense
inline constexpr int kExitUsage = 2;          // the command line is wrong; nothing was sent
inline constexpr int kExitCannotConnect = 3;  // kaizend could not be reached
// channels test: kaizend sent the test message, and the channel did not deliver it.
inline constexpr int kExitNotDelivered = 4;
// kaizend answered 401 (no token, or one it does not accept) or 403 (the token's role, or the
// workflow's rules, do not allow it).
inline constexpr int kExitNotAllowed = 5;

// Environment lookup (EnvLookup, cli/settings.h): std::getenv in kaizenctl, a map in tests.
// Reads KAIZEN_SERVER, KAIZEN_TOKEN, KAIZEN_ACTOR, KAIZEN_CONFIG, XDG_CONFIG_HOME, HOME and
// NO_COLOR.
using TransportFactory = std::function<std::unique_ptr<Transport>(const ServerUrl& server)>;

struct Terminal {
  std::ostream& out;  // results and help
  std::ostream& err;  // errors and notes
  // Whether `out` is a terminal (isatty): colours only then, and never with NO_COLOR or
  // --no-color.
  bool out_is_tty = false;
};

// Runs kaizenctl with `args` (argv without the program name). Usage errors print the message
// and a pointer to --help; API errors print error.message and error.code from the answer.
int Run(const std::vector<std::string>& args, const EnvLookup& env,
        const TransportFactory& make_transport, const Clock& clock, Terminal terminal);

}  // namespace kaizen::cli
