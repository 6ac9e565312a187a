#include "config/config.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace kaizen::config {
namespace {

using nlohmann::json;

EnvLookup MapEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

Result<Config> Parse(std::string_view text, std::map<std::string, std::string> vars = {}) {
  return ParseConfig(text, "kaizen.json", MapEnv(std::move(vars)));
}

// The problems of a failed parse as "field: reason" lines, for readable assertions.
std::vector<std::string> Problems(const Result<Config>& result) {
  std::vector<std::string> out;
  if (result.ok()) return out;
  for (const json& e : result.status().details().at("errors")) {
    out.push_back(e.at("field").get<std::string>() + ": " + e.at("reason").get<std::string>());
  }
  return out;
}

// Asserts the parse failed with exactly one problem, on `field`, and returns its reason.
std::string OnlyProblem(const Result<Config>& result, const std::string& field) {
  EXPECT_FALSE(result.ok());
  if (result.ok()) return "";
  const json& errors = result.status().details().at("errors");
  EXPECT_EQ(errors.size(), 1u) << result.status().message();
  if (errors.empty()) return "";
  EXPECT_EQ(errors[0].at("field"), field) << result.status().message();
  return errors[0].at("reason").get<std::string>();
}

constexpr std::string_view kTwoTeams = R"({
  "teams": [{"id": "ops", "name": "Operations", "time_zone": "Asia/Shanghai"},
            {"id": "support", "name": "Support"}],
  "people": [PEOPLE]
})";

std::string WithPeople(std::string_view people) {
  std::string text(kTwoTeams);
  text.replace(text.find("PEOPLE"), 6, people);
  return text;
}

TEST(ConfigParse, EmptyObjectGivesDefaults) {
  Result<Config> config = Parse("{}");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->source, "kaizen.json");
  EXPECT_EQ(config->server.host, "127.0.0.1");
  EXPECT_EQ(config->server.port, 8080);
  EXPECT_EQ(config->server.max_body_bytes, 1024u * 1024u);
  EXPECT_EQ(config->server.request_timeout_seconds, 30);
  EXPECT_EQ(config->server.max_connections, 1024);
  EXPECT_EQ(config->storage.path, "var/kaizen.db");
  EXPECT_EQ(config->storage.readers, 2);
  EXPECT_EQ(config->storage.synchronous, "full");
  EXPECT_EQ(config->log.level, "info");
  EXPECT_EQ(config->log.format, "text");
  ASSERT_NE(config->directory, nullptr);
  EXPECT_TRUE(config->directory->people().empty());
  EXPECT_TRUE(config->directory->teams().empty());
}

TEST(ConfigParse, ReadsEveryField) {
  Result<Config> config = Parse(R"({
    "server": {"listen": "0.0.0.0:9000", "max_body_bytes": 4096, "request_timeout_seconds": 5,
               "max_connections": 10},
    "storage": {"path": "/var/lib/kaizen/kaizen.db", "readers": 4, "synchronous": "normal"},
    "log": {"level": "debug", "format": "json"},
    "teams": [{"id": "ops", "name": "Operations", "time_zone": "Asia/Shanghai"}],
    "people": [{"id": "li.lei", "name": "Li Lei", "team": "ops", "manager": "han.meimei",
                "handles": {"dingtalk": "13800000000", "slack": "U0123"}},
               {"id": "han.meimei", "name": "Han Meimei", "team": "ops"}]
  })");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->server.host, "0.0.0.0");
  EXPECT_EQ(config->server.port, 9000);
  EXPECT_EQ(config->server.max_body_bytes, 4096u);
  EXPECT_EQ(config->server.request_timeout_seconds, 5);
  EXPECT_EQ(config->server.max_connections, 10);
  EXPECT_EQ(config->storage.path, "/var/lib/kaizen/kaizen.db");
  EXPECT_EQ(config->storage.readers, 4);
  EXPECT_EQ(config->storage.synchronous, "normal");
  EXPECT_EQ(config->log.level, "debug");
  EXPECT_EQ(config->log.format, "json");
  const Team* ops = config->directory->FindTeam("ops");
  ASSERT_NE(ops, nullptr);
  EXPECT_EQ(ops->name, "Operations");
  EXPECT_EQ(ops->time_zone, "Asia/Shanghai");
  const Person* li = config->directory->FindPerson("li.lei");
  ASSERT_NE(li, nullptr);
  EXPECT_EQ(li->name, "Li Lei");
  EXPECT_EQ(li->team, "ops");
  EXPECT_EQ(li->manager, "han.meimei");
  EXPECT_EQ(li->handles,
            (std::map<std::string, std::string>{{"dingtalk", "13800000000"}, {"slack", "U0123"}}));
  EXPECT_EQ(config->directory->FindPerson("han.meimei")->manager, std::nullopt);
}

TEST(ConfigParse, TeamTimeZoneDefaultsToUtc) {
  Result<Config> config = Parse(R"({"teams": [{"id": "ops", "name": "Operations"}]})");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->directory->FindTeam("ops")->time_zone, "UTC");
}

TEST(ConfigParse, AcceptsLineAndBlockComments) {
  Result<Config> config = Parse(R"(
    // the daemon
    {
      /* where it listens */
      "server": {"listen": "127.0.0.1:9999"}  // trailing comment
    })");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->server.port, 9999);
}

TEST(ConfigParse, MalformedJsonNamesLineAndColumn) {
  Result<Config> config = Parse("{\n  \"server\": {\"listen\": }\n}");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(config.status().reason(), "config_invalid");
  std::string reason = OnlyProblem(config, "");
  EXPECT_NE(reason.find("line 2"), std::string::npos) << reason;
  EXPECT_EQ(reason.find("json.exception"), std::string::npos) << reason;
}

TEST(ConfigParse, TopLevelMustBeAnObject) {
  EXPECT_EQ(OnlyProblem(Parse("[1, 2]"), ""),
            "expected a JSON object at the top level, got an array");
}

TEST(ConfigParse, SectionMustBeAnObject) {
  EXPECT_EQ(OnlyProblem(Parse(R"({"server": "127.0.0.1:80"})"), "server"),
            "expected an object, got a string");
}

// ---- environment substitution ---------------------------------------------------------------

TEST(ConfigEnv, SubstitutesVariablesInStrings) {
  Result<Config> config = Parse(
      R"({"server": {"listen": "${HOST}:${PORT}"},
          "storage": {"path": "${STATE_DIRECTORY}/kaizen.db"},
          "teams": [{"id": "ops", "name": "Ops"}],
          "people": [{"id": "li.lei", "name": "Li Lei", "team": "ops",
                      "handles": {"dingtalk": "${LI_MOBILE}"}}]})",
      {{"HOST", "0.0.0.0"},
       {"PORT", "8443"},
       {"STATE_DIRECTORY", "/var/lib/kaizen"},
       {"LI_MOBILE", "13800000000"}});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->server.host, "0.0.0.0");
  EXPECT_EQ(config->server.port, 8443);
  EXPECT_EQ(config->storage.path, "/var/lib/kaizen/kaizen.db");
  EXPECT_EQ(config->directory->FindPerson("li.lei")->handles.at("dingtalk"), "13800000000");
}

TEST(ConfigEnv, UnsetVariableNamesFieldAndVariable) {
  Result<Config> config = Parse(R"({"storage": {"path": "${STATE_DIRECTORY}/kaizen.db"}})");
  EXPECT_EQ(OnlyProblem(config, "storage.path"), "environment variable STATE_DIRECTORY is not set");
  EXPECT_EQ(config.status().message(),
            "kaizen.json: storage.path: environment variable STATE_DIRECTORY is not set");
}

TEST(ConfigEnv, EachUnsetVariableIsReported) {
  Result<Config> config = Parse(R"({"server": {"listen": "${HOST}:${PORT}"}})");
  EXPECT_EQ(Problems(config),
            (std::vector<std::string>{"server.listen: environment variable HOST is not set",
                                      "server.listen: environment variable PORT is not set"}));
}

TEST(ConfigEnv, UnsetVariableInArrayElementNamesItsPath) {
  Result<Config> config = Parse(
      R"({"teams": [{"id": "ops", "name": "Ops"}],
          "people": [{"id": "a", "name": "A", "team": "ops", "handles": {"slack": "${SLACK_A}"}}]})");
  EXPECT_EQ(OnlyProblem(config, "people[0].handles.slack"),
            "environment variable SLACK_A is not set");
}

TEST(ConfigEnv, DoubleDollarEscapesALiteral) {
  Result<Config> config =
      Parse(R"({"storage": {"path": "$${NOT_A_VAR}/$x/${DIR}"}})", {{"DIR", "data"}});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->storage.path, "${NOT_A_VAR}/$x/data");
}

TEST(ConfigEnv, EmptyValueIsSubstitutedThenValidated) {
  Result<Config> config = Parse(R"({"storage": {"path": "${EMPTY}"}})", {{"EMPTY", ""}});
  EXPECT_EQ(OnlyProblem(config, "storage.path"), "must not be empty");
}

TEST(ConfigEnv, UnterminatedReferenceIsAProblem) {
  EXPECT_EQ(OnlyProblem(Parse(R"({"storage": {"path": "${DIR/kaizen.db"}})"), "storage.path"),
            "unterminated '${' (write '$${' for a literal '${')");
}

TEST(ConfigEnv, InvalidVariableNameIsAProblem) {
  EXPECT_EQ(OnlyProblem(Parse(R"({"storage": {"path": "${1DIR}"}})"), "storage.path"),
            "invalid environment variable name '1DIR'");
}

TEST(ConfigEnv, SubstitutedValueIsNotExpandedAgain) {
  Result<Config> config =
      Parse(R"({"storage": {"path": "${DIR}"}})", {{"DIR", "${OTHER}"}, {"OTHER", "x"}});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->storage.path, "${OTHER}");
}

TEST(ConfigEnv, ProcessEnvironmentReadsTheProcessEnvironment) {
  ASSERT_EQ(setenv("KAIZEN_CONFIG_TEST_VAR", "42", 1), 0);
  EnvLookup env = ProcessEnvironment();
  EXPECT_EQ(env("KAIZEN_CONFIG_TEST_VAR"), "42");
  EXPECT_EQ(env("KAIZEN_CONFIG_TEST_SURELY_UNSET"), std::nullopt);
  unsetenv("KAIZEN_CONFIG_TEST_VAR");
}

// ---- server ---------------------------------------------------------------------------------

Result<Config> Listen(std::string_view listen) {
  return Parse(R"({"server": {"listen": ")" + std::string(listen) + R"("}})");
}

TEST(ConfigServer, ListenAcceptsIpv4Ipv6AndNames) {
  struct Case {
    std::string listen, host;
    std::uint16_t port;
  };
  for (const Case& c :
       {Case{"127.0.0.1:8080", "127.0.0.1", 8080}, Case{"0.0.0.0:0", "0.0.0.0", 0},
        Case{"[::1]:9000", "::1", 9000}, Case{"[::]:65535", "::", 65535},
        Case{"localhost:80", "localhost", 80},
        Case{"kaizen-1.internal.example:8080", "kaizen-1.internal.example", 8080}}) {
    Result<Config> config = Listen(c.listen);
    ASSERT_TRUE(config.ok()) << c.listen << ": " << config.status().ToString();
    EXPECT_EQ(config->server.host, c.host) << c.listen;
    EXPECT_EQ(config->server.port, c.port) << c.listen;
  }
}

TEST(ConfigServer, ListenRejectsMalformedAddresses) {
  struct Case {
    std::string listen, reason_part;
  };
  for (const Case& c :
       {Case{"8080", "expected host:port"}, Case{"127.0.0.1", "expected host:port"},
        Case{":8080", "host is empty"}, Case{"127.0.0.1:", "port must be"},
        Case{"127.0.0.1:65536", "port must be a number from 0 to 65535"},
        Case{"127.0.0.1:-1", "port must be"}, Case{"127.0.0.1:http", "port must be"},
        Case{"256.0.0.1:80", "not an IPv4 address"}, Case{"1.2.3:80", "not an IPv4 address"},
        Case{"::1:8080", "must be written in brackets"}, Case{"[::g]:80", "not an IPv6 address"},
        Case{"[::1]8080", "expected host:port"}, Case{"bad_host:80", "not a valid host name"},
        Case{"-bad.example:80", "not a valid host name"}}) {
    std::string reason = OnlyProblem(Listen(c.listen), "server.listen");
    EXPECT_NE(reason.find(c.reason_part), std::string::npos) << c.listen << " -> " << reason;
  }
}

TEST(ConfigServer, IntegersMustBeInRange) {
  Result<Config> config = Parse(R"({"server": {"max_body_bytes": 0, "request_timeout_seconds": -5,
                                               "max_connections": 1.5}})");
  EXPECT_EQ(Problems(config),
            (std::vector<std::string>{
                "server.max_body_bytes: must be between 1 and 1073741824, got 0",
                "server.request_timeout_seconds: must be between 1 and 3600, got -5",
                "server.max_connections: expected an integer, got 1.5"}));
}

TEST(ConfigServer, HugeIntegerIsOutOfRangeNotWrapped) {
  EXPECT_EQ(OnlyProblem(Parse(R"({"server": {"max_connections": 18446744073709551615}})"),
                        "server.max_connections"),
            "must be between 1 and 1000000, got 18446744073709551615");
}

TEST(ConfigServer, StringWhereIntegerExpected) {
  EXPECT_EQ(
      OnlyProblem(Parse(R"({"server": {"max_connections": "10"}})"), "server.max_connections"),
      "expected an integer, got a string");
}

TEST(ConfigServer, ListenMustBeAString) {
  EXPECT_EQ(OnlyProblem(Parse(R"({"server": {"listen": 8080}})"), "server.listen"),
            "expected a string, got the number 8080");
}

// ---- storage and log ------------------------------------------------------------------------

TEST(ConfigStorage, ValidatesReadersSynchronousAndPath) {
  Result<Config> config =
      Parse(R"({"storage": {"path": "", "readers": 65, "synchronous": "fast"}})");
  EXPECT_EQ(
      Problems(config),
      (std::vector<std::string>{"storage.path: must not be empty",
                                "storage.readers: must be between 1 and 64, got 65",
                                "storage.synchronous: must be one of: full, normal; got 'fast'"}));
}

TEST(ConfigLog, ValidatesLevelAndFormat) {
  Result<Config> config = Parse(R"({"log": {"level": "verbose", "format": "xml"}})");
  EXPECT_EQ(Problems(config),
            (std::vector<std::string>{
                "log.level: must be one of: trace, debug, info, warn, error; got 'verbose'",
                "log.format: must be one of: text, json; got 'xml'"}));
}

// ---- unknown fields and duplicate keys ------------------------------------------------------

TEST(ConfigUnknown, UnknownFieldsListTheKnownOnes) {
  Result<Config> config = Parse(R"({"sever": {}, "server": {"listne": "127.0.0.1:1"},
                                    "storage": {"readrs": 3}})");
  EXPECT_EQ(Problems(config),
            (std::vector<std::string>{
                "sever: unknown field; known: log, people, server, storage, teams",
                "server.listne: unknown field; known: listen, max_body_bytes, max_connections, "
                "request_timeout_seconds",
                "storage.readrs: unknown field; known: path, readers, synchronous"}));
}

TEST(ConfigUnknown, UnknownFieldsInTeamsAndPeople) {
  Result<Config> config =
      Parse(WithPeople(R"({"id": "a", "name": "A", "team": "ops", "handle": {"slack": "U1"}})"));
  EXPECT_EQ(OnlyProblem(config, "people[0].handle"),
            "unknown field; known: handles, id, manager, name, team");
  config = Parse(R"({"teams": [{"id": "ops", "name": "Ops", "timezone": "UTC"}]})");
  EXPECT_EQ(OnlyProblem(config, "teams[0].timezone"), "unknown field; known: id, name, time_zone");
}

TEST(ConfigUnknown, DuplicateKeysAreReported) {
  Result<Config> config = Parse(R"({"server": {"listen": "127.0.0.1:1", "listen": "127.0.0.1:2"},
                "teams": [{"id": "a", "name": "A"}, {"id": "b", "name": "B", "name": "C"}]})");
  EXPECT_EQ(Problems(config), (std::vector<std::string>{
                                  "server.listen: duplicate key; only one value may be given",
                                  "teams[1].name: duplicate key; only one value may be given"}));
}

// ---- teams ----------------------------------------------------------------------------------

TEST(ConfigTeams, InvalidTimeZoneIsReported) {
  std::string reason = OnlyProblem(
      Parse(R"({"teams": [{"id": "ops", "name": "Ops", "time_zone": "Asia/Shangai"}]})"),
      "teams[0].time_zone");
  EXPECT_EQ(reason.rfind("unknown time zone 'Asia/Shangai'", 0), 0u) << reason;
}

TEST(ConfigTeams, AcceptsRealZones) {
  Result<Config> config = Parse(R"({"teams": [
      {"id": "a", "name": "A", "time_zone": "Europe/Berlin"},
      {"id": "b", "name": "B", "time_zone": "America/New_York"},
      {"id": "c", "name": "C", "time_zone": "UTC"}]})");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->directory->teams().size(), 3u);
}

TEST(ConfigTeams, IdsMustBeWellFormedAndUnique) {
  Result<Config> config = Parse(R"({"teams": [
      {"id": "ops", "name": "A"}, {"id": "Ops Team", "name": "B"}, {"id": "", "name": "C"},
      {"id": "ops", "name": "D"}, {"name": "E"}, {"id": 7, "name": "F"}]})");
  EXPECT_EQ(Problems(config),
            (std::vector<std::string>{
                "teams[1].id: must use only a-z, 0-9, '.', '_' and '-'",
                "teams[2].id: must not be empty", "teams[3].id: duplicate id 'ops' (also teams[0])",
                "teams[4].id: required", "teams[5].id: expected a string, got the number 7"}));
}

TEST(ConfigTeams, NameIsRequiredAndTeamsMustBeObjects) {
  Result<Config> config = Parse(R"({"teams": [{"id": "ops"}, "support"]})");
  EXPECT_EQ(Problems(config),
            (std::vector<std::string>{"teams[0].name: required",
                                      "teams[1]: expected an object, got a string"}));
}

TEST(ConfigTeams, TeamsMustBeAnArray) {
  EXPECT_EQ(OnlyProblem(Parse(R"({"teams": {"id": "ops"}})"), "teams"),
            "expected an array, got an object");
}

// ---- people ---------------------------------------------------------------------------------

TEST(ConfigPeople, ManagerMayBeListedLater) {
  Result<Config> config = Parse(WithPeople(R"(
      {"id": "li.lei", "name": "Li Lei", "team": "ops", "manager": "wang.fang"},
      {"id": "wang.fang", "name": "王芳 Wang Fang", "team": "ops"})"));
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->directory->FindPerson("wang.fang")->name, "王芳 Wang Fang");
}

TEST(ConfigPeople, TeamMustExist) {
  EXPECT_EQ(OnlyProblem(Parse(WithPeople(R"({"id": "a", "name": "A", "team": "sales"})")),
                        "people[0].team"),
            "unknown team 'sales'; known: ops, support");
  EXPECT_EQ(OnlyProblem(Parse(R"({"people": [{"id": "a", "name": "A", "team": "ops"}]})"),
                        "people[0].team"),
            "unknown team 'ops'; no teams are configured");
}

TEST(ConfigPeople, RequiredFields) {
  EXPECT_EQ(Problems(Parse(WithPeople(R"({"manager": null})"))),
            (std::vector<std::string>{"people[0].id: required", "people[0].name: required",
                                      "people[0].team: required"}));
}

TEST(ConfigPeople, IdsMustBeWellFormedAndUnique) {
  Result<Config> config = Parse(WithPeople(R"(
      {"id": "li.lei", "name": "A", "team": "ops"},
      {"id": "li.lei", "name": "B", "team": "ops"},
      {"id": "Li Lei", "name": "C", "team": "ops"})"));
  EXPECT_EQ(Problems(config),
            (std::vector<std::string>{"people[1].id: duplicate id 'li.lei' (also people[0])",
                                      "people[2].id: must use only a-z, 0-9, '.', '_' and '-'"}));
}

TEST(ConfigPeople, ManagerMustBeAnotherKnownPerson) {
  Result<Config> config = Parse(WithPeople(R"(
      {"id": "a", "name": "A", "team": "ops", "manager": "a"},
      {"id": "b", "name": "B", "team": "ops", "manager": "nobody"})"));
  EXPECT_EQ(Problems(config),
            (std::vector<std::string>{"people[0].manager: a person cannot be their own manager",
                                      "people[1].manager: unknown person 'nobody'; known: a, b"}));
}

TEST(ConfigPeople, ManagerCycleIsReportedOnce) {
  Result<Config> config = Parse(WithPeople(R"(
      {"id": "boss", "name": "Boss", "team": "ops"},
      {"id": "c", "name": "C", "team": "ops", "manager": "a"},
      {"id": "a", "name": "A", "team": "ops", "manager": "b"},
      {"id": "b", "name": "B", "team": "ops", "manager": "c"},
      {"id": "d", "name": "D", "team": "ops", "manager": "a"})"));
  EXPECT_EQ(Problems(config),
            (std::vector<std::string>{"people[1].manager: manager cycle: c -> a -> b -> c"}));
}

TEST(ConfigPeople, TwoPersonCycle) {
  Result<Config> config = Parse(WithPeople(R"(
      {"id": "a", "name": "A", "team": "ops", "manager": "b"},
      {"id": "b", "name": "B", "team": "support", "manager": "a"})"));
  EXPECT_EQ(OnlyProblem(config, "people[0].manager"), "manager cycle: a -> b -> a");
}

TEST(ConfigPeople, LongChainWithoutCycleIsFine) {
  Result<Config> config = Parse(WithPeople(R"(
      {"id": "a", "name": "A", "team": "ops", "manager": "b"},
      {"id": "b", "name": "B", "team": "ops", "manager": "c"},
      {"id": "c", "name": "C", "team": "ops", "manager": "d"},
      {"id": "e", "name": "E", "team": "ops", "manager": "b"},
      {"id": "d", "name": "D", "team": "ops"})"));
  ASSERT_TRUE(config.ok()) << config.status().ToString();
}

TEST(ConfigPeople, HandlesMustBeNonEmptyStrings) {
  Result<Config> config = Parse(WithPeople(R"(
      {"id": "a", "name": "A", "team": "ops",
       "handles": {"dingtalk": "", "slack": 123, "feishu": "ou_1"}},
      {"id": "b", "name": "B", "team": "ops", "handles": ["U1"]})"));
  EXPECT_EQ(Problems(config),
            (std::vector<std::string>{
                "people[0].handles.dingtalk: must not be empty",
                "people[0].handles.slack: expected a string, got the number 123",
                "people[1].handles: expected an object of provider: handle, got an array"}));
}

// ---- several problems together --------------------------------------------------------------

TEST(ConfigParse, ReportsEveryProblemAtOnce) {
  Result<Config> config = ParseConfig(R"({
      "server": {"listen": "localhost", "max_connections": 0},
      "storage": {"synchronous": "off"},
      "teams": [{"id": "ops", "name": "Ops", "time_zone": "Mars/Olympus"}],
      "people": [{"id": "a", "name": "A", "team": "sales", "manager": "b"}],
      "extra": true})",
                                      "/etc/kaizen/kaizen.json", MapEnv({}));
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(config.status().reason(), "config_invalid");
  const std::string& message = config.status().message();
  EXPECT_EQ(config.status().details().at("errors").size(), 7u) << message;
  for (const char* line :
       {"/etc/kaizen/kaizen.json: extra: unknown field; known: log, people, server, storage, "
        "teams",
        "/etc/kaizen/kaizen.json: server.listen: expected host:port",
        "/etc/kaizen/kaizen.json: server.max_connections: must be between 1 and 1000000, got 0",
        "/etc/kaizen/kaizen.json: storage.synchronous: must be one of: full, normal; got 'off'",
        "/etc/kaizen/kaizen.json: teams[0].time_zone: unknown time zone 'Mars/Olympus'",
        "/etc/kaizen/kaizen.json: people[0].team: unknown team 'sales'; known: ops",
        "/etc/kaizen/kaizen.json: people[0].manager: unknown person 'b'; known: a"}) {
    EXPECT_NE(message.find(line), std::string::npos) << "missing: " << line << "\nin:\n" << message;
  }
  EXPECT_EQ(std::count(message.begin(), message.end(), '\n'), 6) << message;
}

// ---- files ----------------------------------------------------------------------------------

TEST(ConfigFile, ExampleConfigIsValid) {
  Result<Config> config = LoadConfigFile(KAIZEN_EXAMPLE_CONFIG, MapEnv({}));
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->source, KAIZEN_EXAMPLE_CONFIG);
  EXPECT_EQ(config->server.host, "127.0.0.1");
  EXPECT_EQ(config->server.port, 8080);
  EXPECT_EQ(config->storage.path, "var/kaizen.db");
  EXPECT_EQ(config->directory->teams().size(), 2u);
  EXPECT_GE(config->directory->people().size(), 5u);
  for (const Person& p : config->directory->people()) {
    EXPECT_NE(config->directory->FindTeam(p.team), nullptr) << p.id;
    EXPECT_FALSE(p.handles.empty()) << p.id;
  }
  ASSERT_NE(config->directory->FindTeam("ops"), nullptr);
  EXPECT_EQ(config->directory->FindTeam("ops")->time_zone, "Asia/Shanghai");
}

TEST(ConfigFile, MissingFileGivesTheOsReason) {
  Result<Config> config = LoadConfigFile("/nonexistent/kaizen.json", MapEnv({}));
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().reason(), "config_invalid");
  EXPECT_EQ(config.status().message(),
            "/nonexistent/kaizen.json: cannot read the file: No such file or directory");
  EXPECT_EQ(OnlyProblem(config, ""), "cannot read the file: No such file or directory");
}

TEST(ConfigFile, DirectoryIsNotAConfigFile) {
  Result<Config> config = LoadConfigFile("/tmp", MapEnv({}));
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(), "/tmp: cannot read the file: Is a directory");
}

}  // namespace
}  // namespace kaizen::config
