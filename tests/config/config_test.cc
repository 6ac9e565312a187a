#include "config/config.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "workflow/time.h"

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
    "api": {"tokens": [{"name": "ops-bot", "token": "0123456789abcdef0123", "role": "admin"}]},
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
          "api": {"tokens": [{"name": "ci", "token": "${TOKEN}", "role": "viewer"}]},
          "storage": {"path": "${STATE_DIRECTORY}/kaizen.db"},
          "teams": [{"id": "ops", "name": "Ops"}],
          "people": [{"id": "li.lei", "name": "Li Lei", "team": "ops",
                      "handles": {"dingtalk": "${LI_MOBILE}"}}]})",
      {{"HOST", "0.0.0.0"},
       {"PORT", "8443"},
       {"TOKEN", "a-token-of-32-characters-long-xx"},
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

// With a token: listening beyond loopback needs one.
Result<Config> Listen(std::string_view listen) {
  return Parse(
      R"({"server": {"listen": ")" + std::string(listen) +
      R"("}, "api": {"tokens": [{"name": "ci", "token": "0123456789abcdef", "role": "viewer"}]}})");
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
                "log.format: must be one of: text, json, journal; got 'xml'"}));
}

// ---- unknown fields and duplicate keys ------------------------------------------------------

TEST(ConfigUnknown, UnknownFieldsListTheKnownOnes) {
  Result<Config> config = Parse(R"({"sever": {}, "server": {"listne": "127.0.0.1:1"},
                                    "storage": {"readrs": 3}})");
  EXPECT_EQ(
      Problems(config),
      (std::vector<std::string>{
          "sever: unknown field; known: api, calendars, channels, delivery, log, messages, people, "
          "policies, reminders, schedules, server, storage, teams, templates",
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
  EXPECT_EQ(OnlyProblem(config, "teams[0].timezone"),
            "unknown field; known: calendar, channels, id, locale, name, reminder_policy, roles, "
            "time_zone");
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

TEST(ConfigPeople, HandlesAreKeyedByAKnownChatProvider) {
  Result<Config> config = Parse(WithPeople(R"(
      {"id": "a", "name": "A", "team": "ops",
       "handles": {"dingding": "138", "lark": "ou_1", "": "x", "teams": "a@example.com"}})"));
  EXPECT_EQ(Problems(config),
            (std::vector<std::string>{
                "people[0].handles.: unknown chat provider ''; known: dingtalk, feishu (Lark "
                "too), wecom, slack, teams, discord",
                "people[0].handles.dingding: unknown chat provider 'dingding'; known: dingtalk, "
                "feishu (Lark too), wecom, slack, teams, discord",
                "people[0].handles.lark: unknown chat provider 'lark'; known: dingtalk, feishu "
                "(Lark too), wecom, slack, teams, discord"}));
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
       {"/etc/kaizen/kaizen.json: extra: unknown field; known: api, calendars, channels, delivery, "
        "log, "
        "messages, people, policies, reminders, schedules, server, storage, teams",
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

// ---- follow-up: channels, delivery, calendars, policies, reminders --------------------------

using std::chrono::hours;
using std::chrono::seconds;

Instant At(std::string_view rfc3339) {
  std::optional<Instant> t = ParseRfc3339(rfc3339);
  EXPECT_TRUE(t.has_value()) << rfc3339;
  return t.value_or(Instant{});
}

const ChannelOptions* FindChannel(const Config& config, std::string_view id) {
  for (const ChannelOptions& c : config.channels) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

// A Standard Webhooks secret of 24 bytes.
constexpr std::string_view kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

constexpr std::string_view kFullFollowUp = R"({
  "calendars": {"cn-office": {"time_zone": "Asia/Shanghai",
                              "working_days": ["mon", "tue", "wed", "thu", "fri"],
                              "hours": "09:00-12:00,13:30-18:00",
                              "holidays": ["2026-10-01"], "extra_working_days": ["2026-09-27"]}},
  "policies": {"standard": {"before": ["P1D", "PT2H"], "at_deadline": false,
      "overdue": {"every": "P1D", "max": 3},
      "escalations": [{"after": "P1D", "to": "manager", "urgent": false, "channel": "ops-chat"},
                      {"after": "P3D", "to": "person", "person": "zhang.wei", "urgent": true},
                      {"after": "P2D", "to": "team"}],
      "verification": {"first_after": "P1D", "repeat_every": "PT12H", "max": 3,
                       "escalate_after": "P3D", "escalation_urgent": true}}},
  "reminders": {"default_policy": "standard", "default_channels": ["audit", "log"]},
  "channels": {"ops-chat": {"type": "webhook",
                            "url": "https://hooks.example.com/kaizen?token=${TOKEN}",
                            "secret": "SECRET", "timeout": "PT20S",
                            "rate_limit": {"per_minute": 20, "burst": 5}},
               "audit": {"type": "log", "rate_limit": {"per_minute": 0.5}}},
  "delivery": {"max_attempts": 10, "backoff_initial": "PT10S", "backoff_max": "PT30M",
               "concurrency": 4, "group_window_ms": 250, "max_group_size": 50},
  "teams": [{"id": "ops", "name": "Ops", "time_zone": "Asia/Shanghai", "calendar": "cn-office",
             "reminder_policy": "standard", "channels": ["ops-chat"]},
            {"id": "support", "name": "Support", "time_zone": "Europe/Berlin"}],
  "people": [{"id": "zhang.wei", "name": "Zhang Wei", "team": "ops"}]
})";

std::string FullFollowUp() {
  std::string text(kFullFollowUp);
  text.replace(text.find("SECRET"), 6, kSecret);
  return text;
}

TEST(ConfigFollowUp, ReadsAFullExample) {
  Result<Config> config = Parse(FullFollowUp(), {{"TOKEN", "t0k3n"}});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  ASSERT_NE(config->follow_up, nullptr);
  const FollowUpSettings& f = *config->follow_up;

  ReminderPolicy standard;
  standard.name = "standard";
  standard.before = {hours{24}, hours{2}};
  standard.at_deadline = false;
  standard.overdue = OverdueRepeat{hours{24}, 3};
  EscalationLevel manager;
  manager.after_overdue = hours{24};
  manager.target = EscalationTarget::kManager;
  manager.channel = "ops-chat";
  EscalationLevel person;
  person.after_overdue = hours{72};
  person.target = EscalationTarget::kPerson;
  person.person = "zhang.wei";
  person.urgent = true;
  EscalationLevel team;
  team.after_overdue = hours{48};
  team.target = EscalationTarget::kTeam;
  standard.escalations = {manager, person, team};
  standard.verification =
      VerificationReminders{hours{24}, hours{12}, 3, std::optional<seconds>(hours{72}), true};
  ASSERT_EQ(f.policies.count("standard"), 1u);
  EXPECT_EQ(f.policies.at("standard"), standard);
  ASSERT_EQ(f.policies.count("default"), 1u);
  EXPECT_EQ(f.policies.at("default"), BuiltInReminderPolicy());
  EXPECT_EQ(f.policies.size(), 2u);
  EXPECT_EQ(f.default_policy, "standard");
  EXPECT_EQ(f.default_channels, (std::vector<std::string>{"audit", "log"}));

  ASSERT_EQ(f.teams.count("ops"), 1u);
  const TeamFollowUp& ops = f.teams.at("ops");
  EXPECT_EQ(ops.policy, "standard");
  EXPECT_EQ(ops.channels, (std::vector<std::string>{"ops-chat"}));
  ASSERT_TRUE(ops.calendar.has_value());
  EXPECT_EQ(ops.calendar->zone().name(), "Asia/Shanghai");
  EXPECT_EQ(ops.calendar->hours(),
            (std::vector<WorkingPeriod>{{hours{9}, hours{12}},
                                        {std::chrono::minutes{13 * 60 + 30}, hours{18}}}));
  // Tuesday 2026-09-29 10:00 and 12:30 in Shanghai (UTC+8).
  EXPECT_TRUE(ops.calendar->IsWorkingTime(At("2026-09-29T02:00:00Z")));
  EXPECT_FALSE(ops.calendar->IsWorkingTime(At("2026-09-29T04:30:00Z")));  // lunch
  EXPECT_FALSE(ops.calendar->IsWorkingTime(At("2026-10-01T02:00:00Z")));  // holiday, a Thursday
  EXPECT_TRUE(ops.calendar->IsWorkingTime(At("2026-09-27T02:00:00Z")));   // a worked Sunday
  // The lead's routing reads the calendar through CalendarOf.
  EXPECT_FALSE(f.CalendarOf("ops").IsWorkingTime(At("2026-10-01T02:00:00Z")));

  ASSERT_EQ(f.teams.count("support"), 1u);
  const TeamFollowUp& support = f.teams.at("support");
  EXPECT_EQ(support.policy, "");
  EXPECT_FALSE(support.calendar.has_value());
  EXPECT_TRUE(support.channels.empty());

  ASSERT_EQ(config->channels.size(), 3u);
  EXPECT_EQ(config->channels[0].id, "audit");
  EXPECT_EQ(config->channels[1].id, "log");
  EXPECT_EQ(config->channels[2].id, "ops-chat");
  const ChannelOptions* audit = FindChannel(*config, "audit");
  EXPECT_EQ(audit->type, ChannelType::kLog);
  EXPECT_EQ(audit->rate_limit, (RateLimit{0.5, 1}));
  const ChannelOptions* log = FindChannel(*config, "log");
  EXPECT_EQ(log->type, ChannelType::kLog);
  const ChannelOptions* chat = FindChannel(*config, "ops-chat");
  EXPECT_EQ(chat->type, ChannelType::kWebhook);
  EXPECT_EQ(chat->url, "https://hooks.example.com/kaizen?token=t0k3n");
  EXPECT_EQ(chat->secret, std::string(kSecret));
  EXPECT_EQ(chat->ca_file, std::nullopt);
  EXPECT_EQ(chat->timeout, std::chrono::milliseconds{20'000});
  EXPECT_EQ(chat->rate_limit, (RateLimit{20, 5}));

  EXPECT_EQ(config->delivery.max_attempts, 10);
  EXPECT_EQ(config->delivery.backoff_initial, seconds{10});
  EXPECT_EQ(config->delivery.backoff_max, seconds{1800});
  EXPECT_EQ(config->delivery.concurrency, 4);
  EXPECT_EQ(config->delivery.group_window, std::chrono::milliseconds{250});
  EXPECT_EQ(config->delivery.max_group_size, 50);
}

TEST(ConfigFollowUp, DefaultsWithoutSections) {
  Result<Config> config = Parse(R"({"teams": [{"id": "ops", "name": "Ops"}]})");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  ASSERT_NE(config->follow_up, nullptr);
  const FollowUpSettings& f = *config->follow_up;
  ASSERT_EQ(f.policies.size(), 1u);
  EXPECT_EQ(f.policies.at("default"), BuiltInReminderPolicy());
  EXPECT_EQ(f.default_policy, "default");
  EXPECT_EQ(f.default_channels, (std::vector<std::string>{"log"}));
  ASSERT_EQ(f.teams.count("ops"), 1u);
  EXPECT_FALSE(f.teams.at("ops").calendar.has_value());
  ASSERT_EQ(config->channels.size(), 1u);
  EXPECT_EQ(config->channels[0].id, "log");
  EXPECT_EQ(config->channels[0].type, ChannelType::kLog);
  const DeliveryOptions defaults;
  EXPECT_EQ(config->delivery.max_attempts, defaults.max_attempts);
  EXPECT_EQ(config->delivery.backoff_initial, defaults.backoff_initial);
  EXPECT_EQ(config->delivery.backoff_max, defaults.backoff_max);
  EXPECT_EQ(config->delivery.concurrency, defaults.concurrency);
  EXPECT_EQ(config->delivery.group_window, defaults.group_window);
  EXPECT_EQ(config->delivery.max_group_size, defaults.max_group_size);
}

TEST(ConfigFollowUp, EmptyDocumentStillHasFollowUpSettings) {
  Result<Config> config = Parse("{}");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  ASSERT_NE(config->follow_up, nullptr);
  EXPECT_TRUE(config->follow_up->teams.empty());
  EXPECT_EQ(config->follow_up->policies.count("default"), 1u);
}

TEST(ConfigFollowUp, ConfiguredDefaultPolicyReplacesTheBuiltIn) {
  Result<Config> config = Parse(R"({"policies": {"default": {"before": ["PT4H"]}},
                                    "teams": [{"id": "ops", "name": "Ops",
                                               "reminder_policy": "default"}]})");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  ReminderPolicy expected;
  expected.name = "default";
  expected.before = {hours{4}};
  ASSERT_EQ(config->follow_up->policies.size(), 1u);
  EXPECT_EQ(config->follow_up->policies.at("default"), expected);
  EXPECT_EQ(config->follow_up->default_policy, "default");
  EXPECT_EQ(config->follow_up->teams.at("ops").policy, "default");
}

TEST(ConfigFollowUp, BuiltInDefaultPolicyMayBeNamedWithoutDefiningIt) {
  Result<Config> config = Parse(R"({"reminders": {"default_policy": "default"},
      "teams": [{"id": "ops", "name": "Ops", "reminder_policy": "default"}]})");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->follow_up->policies.at("default"), BuiltInReminderPolicy());
}

TEST(ConfigFollowUp, PolicyFieldsDefault) {
  Result<Config> config = Parse(R"({"policies": {"quiet": {}, "check": {
      "verification": {"first_after": "PT0S"}}}})");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  ReminderPolicy quiet;
  quiet.name = "quiet";
  EXPECT_EQ(config->follow_up->policies.at("quiet"), quiet);
  const ReminderPolicy& check = config->follow_up->policies.at("check");
  ASSERT_TRUE(check.verification.has_value());
  EXPECT_EQ(*check.verification, (VerificationReminders{seconds{0}, seconds{0}, 1, {}, false}));
}

// ---- channels ----

std::string OneChannel(std::string_view body) {
  return R"({"channels": {"chat": )" + std::string(body) + "}}";
}

TEST(ConfigChannels, ConfigMayDefineItsOwnLogChannel) {
  Result<Config> config = Parse(R"({"channels": {"log": {"type": "webhook",
                                    "url": "http://127.0.0.1:9000/hook"}}})");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  ASSERT_EQ(config->channels.size(), 1u);
  EXPECT_EQ(config->channels[0].type, ChannelType::kWebhook);
  EXPECT_EQ(config->channels[0].url, "http://127.0.0.1:9000/hook");
  EXPECT_EQ(config->channels[0].secret, std::nullopt);
}

TEST(ConfigChannels, EnvironmentVariableInUrl) {
  Result<Config> config = Parse(
      OneChannel(R"({"type": "webhook", "url": "https://${HOOK_HOST}/send?access_token=${TOK}"})"),
      {{"HOOK_HOST", "oapi.dingtalk.com"}, {"TOK", "abc123"}});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(FindChannel(*config, "chat")->url,
            "https://oapi.dingtalk.com/send?access_token=abc123");
  EXPECT_EQ(OnlyProblem(Parse(OneChannel(R"({"type": "webhook", "url": "https://x/${TOK}"})")),
                        "channels.chat.url"),
            "environment variable TOK is not set");
}

TEST(ConfigChannels, IdsMustBeNames) {
  Result<Config> config = Parse(R"({"channels": {"ops chat": {"type": "log"},
                                                  "": {"type": "log"}, "ops.chat": {"type": "log"},
                                                  "Ops_Chat-2": {"type": "log"}}})");
  EXPECT_EQ(Problems(config),
            (std::vector<std::string>{
                "channels.: channel id must be non-empty and use only A-Z, a-z, 0-9, '_' and '-'",
                "channels.ops chat: channel id must be non-empty and use only A-Z, a-z, 0-9, '_' "
                "and '-'",
                "channels.ops.chat: channel id must be non-empty and use only A-Z, a-z, 0-9, '_' "
                "and '-'"}));
}

TEST(ConfigChannels, TypeIsRequiredAndKnown) {
  Result<Config> config = Parse(R"({"channels": {"a": {}, "b": {"type": "email"}, "c": "log"}})");
  EXPECT_EQ(Problems(config),
            (std::vector<std::string>{"channels.a.type: required",
                                      "channels.b.type: must be one of: webhook, log, dingtalk, "
                                      "feishu, lark, wecom, slack, teams, discord; got 'email'",
                                      "channels.c: expected an object, got a string"}));
}

TEST(ConfigChannels, WebhookNeedsAnHttpUrl) {
  struct Case {
    std::string url, reason;
  };
  for (const Case& c : {
           Case{"hooks.example.com/kaizen", "must be an absolute http:// or https:// URL"},
           Case{"ftp://hooks.example.com/", "the scheme must be http or https, got 'ftp'"},
           Case{"https:///kaizen", "the URL has no host"},
           Case{"https://:443/kaizen", "the URL has no host"},
           Case{"https://hooks_example.com/", "'hooks_example.com' is not a valid host name"},
           Case{"https://hooks.example.com:99999/",
                "the URL's port must be a number from 1 to "
                "65535, got '99999'"},
           Case{"https://hooks.example.com:/",
                "the URL's port must be a number from 1 to 65535, "
                "got ''"},
           Case{"https://[::g]/x", "'::g' is not an IPv6 address"},
           Case{"https://hooks.example.com/a b", "must not contain blanks"},
       }) {
    EXPECT_EQ(OnlyProblem(Parse(OneChannel(R"({"type": "webhook", "url": ")" + c.url + R"("})")),
                          "channels.chat.url"),
              c.reason)
        << c.url;
  }
  for (std::string url : {"https://hooks.example.com", "HTTP://10.0.0.1:8080/x?y=1#z",
                          "https://user:pw@[::1]:8443/hook", "http://localhost/"}) {
    Result<Config> config = Parse(OneChannel(R"({"type": "webhook", "url": ")" + url + R"("})"));
    EXPECT_TRUE(config.ok()) << url << ": " << config.status().ToString();
  }
  EXPECT_EQ(OnlyProblem(Parse(OneChannel(R"({"type": "webhook"})")), "channels.chat.url"),
            "required");
}

TEST(ConfigChannels, SecretMustBeAStandardWebhooksSecret) {
  struct Case {
    std::string secret, reason;
  };
  const std::string k64(88, 'A');  // 66 bytes
  for (const Case& c : {
           Case{"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                "must start with 'whsec_' followed by base64 of 24 to 64 random bytes"},
           Case{"whsec_not*base64", "the part after 'whsec_' is not valid base64"},
           Case{"whsec_AAAAA", "the part after 'whsec_' is not valid base64"},
           Case{"whsec_AAAA", "the key must be 24 to 64 bytes, got 3"},
           Case{"whsec_" + k64, "the key must be 24 to 64 bytes, got 66"},
       }) {
    std::string reason = OnlyProblem(
        Parse(OneChannel(R"({"type": "webhook", "url": "https://h.example", "secret": ")" +
                         c.secret + R"("})")),
        "channels.chat.secret");
    EXPECT_EQ(reason, c.reason) << c.secret;
  }
  // 64 bytes, and 24 bytes written with padding, are fine.
  for (std::string secret :
       {"whsec_" + std::string(84, 'A') + "AA==", "whsec_" + std::string(32, 'B')}) {
    Result<Config> config = Parse(OneChannel(
        R"({"type": "webhook", "url": "https://h.example", "secret": ")" + secret + R"("})"));
    EXPECT_TRUE(config.ok()) << secret << ": " << config.status().ToString();
  }
}

TEST(ConfigChannels, CaFileMustBeReadable) {
  std::string ca = testing::TempDir() + "/kaizen-config-test-ca.pem";
  {
    std::FILE* f = std::fopen(ca.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("-----BEGIN CERTIFICATE-----\n", f);
    std::fclose(f);
  }
  auto with_ca = [](const std::string& path) {
    return Parse(OneChannel(R"({"type": "webhook", "url": "https://h.example", "ca_file": ")" +
                            path + R"("})"));
  };
  Result<Config> config = with_ca(ca);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(FindChannel(*config, "chat")->ca_file, ca);
  EXPECT_EQ(OnlyProblem(with_ca("/nonexistent/ca.pem"), "channels.chat.ca_file"),
            "cannot read '/nonexistent/ca.pem': No such file or directory");
  EXPECT_EQ(OnlyProblem(with_ca("/tmp"), "channels.chat.ca_file"), "'/tmp' is not a regular file");
  std::remove(ca.c_str());
}

TEST(ConfigChannels, LogChannelTakesNoHttpFields) {
  Result<Config> config = Parse(OneChannel(
      R"({"type": "log", "url": "https://h.example", "secret": "whsec_x", "ca_file": "/etc/hosts",
          "timeout": "PT1S"})"));
  EXPECT_EQ(Problems(config),
            (std::vector<std::string>{
                "channels.chat.url: a log channel takes no url: it writes to kaizend's log",
                "channels.chat.secret: a log channel takes no secret: it writes to kaizend's log",
                "channels.chat.ca_file: a log channel takes no ca_file: it writes to kaizend's log",
                "channels.chat.timeout: a log channel takes no timeout: it writes to kaizend's "
                "log"}));
}

const char* const kProviderTypes[] = {"webhook", "dingtalk", "feishu", "lark",
                                      "wecom",   "slack",    "teams",  "discord"};

TEST(ConfigChannels, EveryProviderTypeIsAcceptedWithAnHttpUrl) {
  const std::map<std::string, ChannelType> expected = {
      {"webhook", ChannelType::kWebhook}, {"dingtalk", ChannelType::kDingTalk},
      {"feishu", ChannelType::kFeishu},   {"lark", ChannelType::kLark},
      {"wecom", ChannelType::kWeCom},     {"slack", ChannelType::kSlack},
      {"teams", ChannelType::kTeams},     {"discord", ChannelType::kDiscord}};
  for (std::string type : kProviderTypes) {
    Result<Config> config = Parse(OneChannel(R"({"type": ")" + type +
                                             R"(", "url": "https://hook.example/x?token=t",
        "timeout": "PT5S"})"));
    ASSERT_TRUE(config.ok()) << type << ": " << config.status().ToString();
    const ChannelOptions* chat = FindChannel(*config, "chat");
    EXPECT_EQ(chat->type, expected.at(type)) << type;
    EXPECT_EQ(chat->url, "https://hook.example/x?token=t") << type;
    EXPECT_EQ(chat->timeout, std::chrono::seconds{5}) << type;
    EXPECT_EQ(chat->secret, std::nullopt) << type;

    // The URL is required and checked like a webhook's.
    EXPECT_EQ(OnlyProblem(Parse(OneChannel(R"({"type": ")" + type + R"("})")), "channels.chat.url"),
              "required")
        << type;
    EXPECT_EQ(OnlyProblem(
                  Parse(OneChannel(R"({"type": ")" + type + R"(", "url": "ftp://hook.example/"})")),
                  "channels.chat.url"),
              "the scheme must be http or https, got 'ftp'")
        << type;
    EXPECT_EQ(
        OnlyProblem(Parse(OneChannel(R"({"type": ")" + type +
                                     R"(", "url": "https://h.example", "timeout": "PT11M"})")),
                    "channels.chat.timeout"),
        "must be between PT1S and PT10M")
        << type;
  }
}

// Parses one channel of `type` with `secret` and returns the parse.
Result<Config> WithSecret(const std::string& type, const std::string& secret) {
  return Parse(OneChannel(R"({"type": ")" + type + R"(", "url": "https://h.example", "secret": )" +
                          secret + "}"));
}

TEST(ConfigChannels, SecretRulesPerProvider) {
  const std::string dingtalk_secret =
      "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd";
  Result<Config> config = WithSecret("dingtalk", "\"" + dingtalk_secret + "\"");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(FindChannel(*config, "chat")->secret, dingtalk_secret);
  for (std::string type : {"feishu", "lark"}) {
    config = WithSecret(type, R"("kaizen-test-secret")");
    ASSERT_TRUE(config.ok()) << type << ": " << config.status().ToString();
    EXPECT_EQ(FindChannel(*config, "chat")->secret, "kaizen-test-secret") << type;
  }

  // What is refused, and why; never with the secret in the message.
  struct Case {
    std::string type, secret, reason;
  };
  for (const Case& c : {
           Case{"dingtalk", "0123456789abcdef-token",
                "must start with 'SEC': it is the 加签 (signing) secret DingTalk shows for the "
                "robot, not the access_token"},
           Case{"dingtalk", "", "must not be empty"},
           Case{"feishu", "", "must not be empty"},
           Case{"lark", "", "must not be empty"},
           Case{"webhook", "0123456789abcdef-token",
                "must start with 'whsec_' followed by base64 of 24 to 64 random bytes"},
           Case{"wecom", "0123456789abcdef-token",
                "a wecom channel takes no secret: WeCom group robots have no request signing; the "
                "key in the url is the credential"},
           Case{"slack", "0123456789abcdef-token",
                "a slack channel takes no secret: Slack incoming webhooks have no request signing; "
                "the url is the credential"},
           Case{"teams", "0123456789abcdef-token",
                "a teams channel takes no secret: Teams Workflows webhooks have no request "
                "signing; the sig= in the url is the credential"},
           Case{"discord", "0123456789abcdef-token",
                "a discord channel takes no secret: Discord webhooks have no request signing; the "
                "token in the url is the credential"},
       }) {
    Result<Config> refused = WithSecret(c.type, "\"" + c.secret + "\"");
    EXPECT_EQ(OnlyProblem(refused, "channels.chat.secret"), c.reason) << c.type;
    if (!c.secret.empty()) {
      EXPECT_EQ(refused.status().message().find(c.secret), std::string::npos) << c.type;
    }
  }
  // A secret written as a number is not echoed back either.
  Result<Config> number = WithSecret("feishu", "918273645");
  EXPECT_EQ(OnlyProblem(number, "channels.chat.secret"), "expected a string");
  EXPECT_EQ(number.status().message().find("918273645"), std::string::npos);
}

TEST(ConfigChannels, TeamsLegacyConnectorIsAnExplicitOptIn) {
  auto teams = [](std::string_view extra) {
    return Parse(
        OneChannel(R"({"type": "teams", "url": "https://h.example")" + std::string(extra) + "}"));
  };
  Result<Config> workflows = teams("");
  ASSERT_TRUE(workflows.ok()) << workflows.status().ToString();
  EXPECT_FALSE(FindChannel(*workflows, "chat")->legacy_connector);
  EXPECT_EQ(FindChannel(*workflows, "chat")->rate_limit, (RateLimit{0, 1}));  // replies tell

  Result<Config> off = teams(R"(, "legacy_connector": false)");
  ASSERT_TRUE(off.ok()) << off.status().ToString();
  EXPECT_FALSE(FindChannel(*off, "chat")->legacy_connector);

  Result<Config> legacy = teams(R"(, "legacy_connector": true)");
  ASSERT_TRUE(legacy.ok()) << legacy.status().ToString();
  EXPECT_TRUE(FindChannel(*legacy, "chat")->legacy_connector);
  // The connector's limits (4 a second ... 150 in 2 hours, 1,800 a day) as a default.
  EXPECT_EQ(FindChannel(*legacy, "chat")->rate_limit, (RateLimit{1.2, 4}));

  // A given limit still replaces the default as a whole.
  Result<Config> limited =
      teams(R"(, "legacy_connector": true, "rate_limit": {"per_minute": 1, "burst": 2})");
  ASSERT_TRUE(limited.ok()) << limited.status().ToString();
  EXPECT_EQ(FindChannel(*limited, "chat")->rate_limit, (RateLimit{1, 2}));

  // It has no signing either.
  EXPECT_EQ(
      OnlyProblem(teams(R"(, "legacy_connector": true, "secret": "s")"), "channels.chat.secret"),
      "a teams channel takes no secret: Teams Workflows webhooks have no request "
      "signing; the sig= in the url is the credential");
  EXPECT_EQ(OnlyProblem(teams(R"(, "legacy_connector": "yes")"), "channels.chat.legacy_connector"),
            "expected true or false, got a string");
  for (std::string_view value : {"true", "false"}) {
    EXPECT_EQ(OnlyProblem(Parse(OneChannel(R"({"type": "slack", "url": "https://h.example",
                                               "legacy_connector": )" +
                                           std::string(value) + "}")),
                          "channels.chat.legacy_connector"),
              "only a teams channel takes legacy_connector")
        << value;
  }
}

TEST(ConfigChannels, TeamsLegacyDefaultRateLimitStaysUnderEveryConnectorWindow) {
  // The most a token bucket lets through in a window of `seconds`: the burst, then one request
  // per 60 / per_minute seconds.
  const RateLimit limit = DefaultRateLimit(ChannelType::kTeams, /*legacy_connector=*/true);
  auto most_in = [&](double seconds) {
    return limit.burst + static_cast<int>(seconds * limit.per_minute / 60.0);
  };
  EXPECT_LE(most_in(1), 4);
  EXPECT_LE(most_in(30), 60);
  EXPECT_LE(most_in(3600), 100);
  EXPECT_LE(most_in(2 * 3600), 150);
  EXPECT_LE(most_in(24 * 3600), 1800);
  EXPECT_EQ(DefaultRateLimit(ChannelType::kTeams), (RateLimit{0, 1}));
  // Only teams has a legacy connector.
  EXPECT_EQ(DefaultRateLimit(ChannelType::kSlack, true), DefaultRateLimit(ChannelType::kSlack));
}

TEST(ConfigChannels, ProviderDefaultRateLimitsUnlessGiven) {
  Result<Config> config = Parse(R"({"channels": {
      "ding": {"type": "dingtalk", "url": "https://oapi.dingtalk.com/robot/send?access_token=t"},
      "fei": {"type": "feishu", "url": "https://open.feishu.cn/open-apis/bot/v2/hook/t"},
      "slack": {"type": "slack", "url": "https://hooks.slack.com/services/T/B/x"},
      "hook": {"type": "webhook", "url": "https://h.example"},
      "ding-slow": {"type": "dingtalk", "url": "https://oapi.dingtalk.com/robot/send?access_token=t",
                    "rate_limit": {"per_minute": 6, "burst": 2}},
      "fei-partial": {"type": "feishu", "url": "https://open.feishu.cn/open-apis/bot/v2/hook/t",
                      "rate_limit": {"per_minute": 30}},
      "hook-limited": {"type": "webhook", "url": "https://h.example",
                       "rate_limit": {"per_minute": 10, "burst": 3}}}})");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(FindChannel(*config, "ding")->rate_limit, (RateLimit{18, 1}));
  EXPECT_EQ(FindChannel(*config, "fei")->rate_limit, (RateLimit{96, 1}));
  EXPECT_EQ(FindChannel(*config, "slack")->rate_limit, (RateLimit{60, 1}));
  EXPECT_EQ(FindChannel(*config, "hook")->rate_limit, (RateLimit{0, 1}));  // unlimited
  EXPECT_EQ(FindChannel(*config, "log")->rate_limit, (RateLimit{0, 1}));
  EXPECT_EQ(FindChannel(*config, "ding-slow")->rate_limit, (RateLimit{6, 2}));
  // A given limit replaces the default as a whole.
  EXPECT_EQ(FindChannel(*config, "fei-partial")->rate_limit, (RateLimit{30, 1}));
  EXPECT_EQ(FindChannel(*config, "hook-limited")->rate_limit, (RateLimit{10, 3}));
}

TEST(ConfigChannels, TimeoutAndRateLimitRules) {
  Result<Config> config = Parse(R"({"channels": {
      "a": {"type": "webhook", "url": "https://h.example", "timeout": "15 seconds"},
      "b": {"type": "webhook", "url": "https://h.example", "timeout": "PT0S",
            "rate_limit": {"per_minute": -1, "burst": 0}},
      "c": {"type": "log", "rate_limit": {"per_minute": "20", "bursts": 2}}}})");
  std::vector<std::string> problems = Problems(config);
  ASSERT_EQ(problems.size(), 6u) << config.status().message();
  EXPECT_EQ(problems[0].rfind("channels.a.timeout: '15 seconds' is not an ISO 8601 duration", 0),
            0u)
      << problems[0];
  EXPECT_EQ(problems[1], "channels.b.timeout: must be between PT1S and PT10M");
  EXPECT_EQ(problems[2], "channels.b.rate_limit.per_minute: must be at least 0, got -1");
  EXPECT_EQ(problems[3], "channels.b.rate_limit.burst: must be between 1 and 10000, got 0");
  EXPECT_EQ(problems[4], "channels.c.rate_limit.bursts: unknown field; known: burst, per_minute");
  EXPECT_EQ(problems[5], "channels.c.rate_limit.per_minute: expected a number, got a string");
}

// ---- delivery ----

TEST(ConfigDelivery, NumbersMustBeInRange) {
  Result<Config> config = Parse(R"({"delivery": {"max_attempts": 0, "concurrency": 257,
      "group_window_ms": -1, "max_group_size": 501, "backoff_initial": "PT0S",
      "backoff_max": "P2D", "retries": 3}})");
  EXPECT_EQ(Problems(config),
            (std::vector<std::string>{
                "delivery.retries: unknown field; known: backoff_initial, backoff_max, "
                "broken_channel_probe, concurrency, group_window_ms, max_attempts, "
                "max_group_size",
                "delivery.max_attempts: must be between 1 and 100, got 0",
                "delivery.backoff_initial: must be between PT1S and P1D",
                "delivery.backoff_max: must be between PT1S and P1D",
                "delivery.concurrency: must be between 1 and 256, got 257",
                "delivery.group_window_ms: must be between 0 and 60000, got -1",
                "delivery.max_group_size: must be between 1 and 500, got 501"}));
  EXPECT_TRUE(Parse(R"({"delivery": {"max_attempts": 100, "concurrency": 256,
      "group_window_ms": 0, "max_group_size": 1}})")
                  .ok());
}

TEST(ConfigDelivery, BrokenChannelProbeIsADurationOfASecondToADay) {
  Result<Config> config = Parse(R"({"delivery": {"broken_channel_probe": "PT30S"}})");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->delivery.broken_channel_probe, seconds{30});
  EXPECT_EQ(Parse("{}")->delivery.broken_channel_probe, std::chrono::minutes{10});
  EXPECT_EQ(OnlyProblem(Parse(R"({"delivery": {"broken_channel_probe": "P2D"}})"),
                        "delivery.broken_channel_probe"),
            "must be between PT1S and P1D");
}

TEST(ConfigDelivery, InitialBackoffMustNotExceedTheMaximum) {
  EXPECT_EQ(OnlyProblem(Parse(R"({"delivery": {"backoff_initial": "PT2H"}})"),
                        "delivery.backoff_initial"),
            "must not be longer than backoff_max (PT1H)");
  EXPECT_EQ(
      OnlyProblem(Parse(R"({"delivery": {"backoff_max": "PT1S"}})"), "delivery.backoff_initial"),
      "must not be longer than backoff_max (PT1S)");
  std::string reason =
      OnlyProblem(Parse(R"({"delivery": {"backoff_max": "P1M"}})"), "delivery.backoff_max");
  EXPECT_NE(reason.find("years or months"), std::string::npos) << reason;
}

// ---- calendars ----

std::string OneCalendar(std::string_view body) {
  return R"({"calendars": {"office": )" + std::string(body) + "}}";
}

TEST(ConfigCalendars, FieldProblemsNameTheirPath) {
  Result<Config> config = Parse(OneCalendar(R"({"time_zone": "Asia/Shangai",
      "working_days": ["mon", "tues", 3], "hours": "9-18",
      "holidays": ["2026-02-30"], "extra_working_days": ["27.09.2026"], "lunch": "12:00"})"));
  EXPECT_EQ(
      Problems(config),
      (std::vector<std::string>{
          "calendars.office.lunch: unknown field; known: extra_working_days, holidays, hours, "
          "time_zone, working_days",
          "calendars.office.time_zone: unknown time zone 'Asia/Shangai'; use an IANA name "
          "such as Asia/Shanghai, Europe/Berlin or UTC",
          "calendars.office.working_days[1]: 'tues' is not a weekday; use mon, tue, wed, "
          "thu, fri, sat or sun",
          "calendars.office.working_days[2]: expected a string, got the number 3",
          "calendars.office.hours: '9-18' is not a list of working periods such as "
          "\"09:00-12:00,13:30-18:00\"",
          "calendars.office.holidays[0]: '2026-02-30' is not a date; write YYYY-MM-DD",
          "calendars.office.extra_working_days[0]: '27.09.2026' is not a date; write "
          "YYYY-MM-DD"}));
}

TEST(ConfigCalendars, TimeZoneIsRequired) {
  EXPECT_EQ(OnlyProblem(Parse(OneCalendar("{}")), "calendars.office.time_zone"), "required");
}

TEST(ConfigCalendars, CalendarRulesAreReportedOnTheirField) {
  EXPECT_EQ(OnlyProblem(Parse(OneCalendar(R"({"time_zone": "UTC",
                                              "hours": "09:00-13:00,12:00-18:00"})")),
                        "calendars.office.hours"),
            "working periods 09:00-13:00 and 12:00-18:00 overlap");
  EXPECT_EQ(OnlyProblem(Parse(OneCalendar(R"({"time_zone": "UTC", "holidays": ["2026-10-03"],
                                              "extra_working_days": ["2026-10-03"]})")),
                        "calendars.office.extra_working_days"),
            "2026-10-03 is both a holiday and an extra working day");
  EXPECT_EQ(OnlyProblem(Parse(OneCalendar(R"({"time_zone": "UTC", "working_days": []})")),
                        "calendars.office.working_days"),
            "the calendar has no working weekday; extra working days alone run out");
}

TEST(ConfigCalendars, IdsMustBeNamesAndBodiesObjects) {
  Result<Config> config = Parse(R"({"calendars": {"cn office": {"time_zone": "UTC"},
                                                   "de": "Europe/Berlin"}})");
  EXPECT_EQ(Problems(config),
            (std::vector<std::string>{
                "calendars.cn office: calendar id must be non-empty and use only A-Z, a-z, 0-9, "
                "'_' and '-'",
                "calendars.de: expected an object, got a string"}));
}

TEST(ConfigCalendars, DefaultsToMondayToFridayNineToSix) {
  Result<Config> config = Parse(R"({"calendars": {"office": {"time_zone": "Europe/Berlin"}},
      "teams": [{"id": "s", "name": "S", "time_zone": "Europe/Berlin", "calendar": "office"}]})");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  const WorkingCalendar& c = *config->follow_up->teams.at("s").calendar;
  EXPECT_TRUE(c.IsWorkingTime(At("2026-03-02T08:00:00Z")));   // Monday 09:00 CET
  EXPECT_FALSE(c.IsWorkingTime(At("2026-03-02T07:59:00Z")));  // 08:59
  EXPECT_FALSE(c.IsWorkingTime(At("2026-03-07T10:00:00Z")));  // Saturday
}

// ---- policies ----

std::string OnePolicy(std::string_view body) {
  return R"({"policies": {"p": )" + std::string(body) + "}}";
}

TEST(ConfigPolicies, DurationsReportTheDecoderReason) {
  Result<Config> config = Parse(OnePolicy(R"({"before": ["P1D", "P1M", "2h"],
      "overdue": {"every": "P1.5D", "max": 3}})"));
  std::vector<std::string> problems = Problems(config);
  ASSERT_EQ(problems.size(), 3u) << config.status().message();
  EXPECT_EQ(problems[0],
            "policies.p.before[1]: 'P1M' uses years or months, which have no fixed length; "
            "write days or weeks instead (P30D, P4W)");
  EXPECT_EQ(problems[1].rfind("policies.p.before[2]: '2h' is not an ISO 8601 duration", 0), 0u)
      << problems[1];
  EXPECT_EQ(problems[2].rfind("policies.p.overdue.every: 'P1.5D' is not an ISO 8601 duration: "
                              "fractions are not supported",
                              0),
            0u)
      << problems[2];
}

TEST(ConfigPolicies, ValidatorProblemsUseTheJsonNames) {
  Result<Config> config = Parse(R"({
    "policies": {
      "a": {"before": ["P1D", "PT24H"]},
      "b": {"before": ["PT0S"]},
      "c": {"overdue": {"every": "PT0S", "max": 3}},
      "d": {"verification": {"first_after": "P1D", "max": 2}},
      "e": {"escalations": [{"after": "P1D", "to": "person"}]},
      "f": {"escalations": [{"after": "P1D", "to": "person", "person": "nobody"}]},
      "g": {"escalations": [{"after": "P1D", "to": "manager", "person": "li.lei"}]}
    },
    "teams": [{"id": "ops", "name": "Ops"}],
    "people": [{"id": "li.lei", "name": "Li Lei", "team": "ops"}]})");
  EXPECT_EQ(Problems(config),
            (std::vector<std::string>{
                "policies.a.before[1]: P1D is listed twice",
                "policies.b.before[0]: an offset before the deadline must be longer than zero",
                "policies.c.overdue.every: repeated overdue reminders need an interval",
                "policies.d.verification.repeat_every: repeated verification reminders need an "
                "interval",
                "policies.e.escalations[0].person: a person escalation names the person",
                "policies.f.escalations[0].person: 'nobody' is not a known person",
                "policies.g.escalations[0].person: only a person escalation names a person "
                "(target is manager)"}));
}

TEST(ConfigPolicies, CountsAreInRange) {
  Result<Config> config = Parse(OnePolicy(R"({"overdue": {"every": "P1D", "max": 400},
      "verification": {"first_after": "P1D", "max": 0}})"));
  EXPECT_EQ(
      Problems(config),
      (std::vector<std::string>{"policies.p.overdue.max: must be between 0 and 366, got 400",
                                "policies.p.verification.max: must be between 1 and 366, got 0"}));
}

TEST(ConfigPolicies, RequiredFieldsAndTypes) {
  Result<Config> config = Parse(OnePolicy(R"({"overdue": {}, "at_deadline": "yes",
      "escalations": [{"urgent": 1}, "manager"], "verification": {"repeat_every": "P1D"},
      "before": "P1D", "remind": true})"));
  EXPECT_EQ(
      Problems(config),
      (std::vector<std::string>{
          "policies.p.remind: unknown field; known: at_deadline, before, escalations, "
          "overdue, verification",
          "policies.p.before: expected an array of strings, got a string",
          "policies.p.at_deadline: expected true or false, got a string",
          "policies.p.overdue.every: required", "policies.p.overdue.max: required",
          "policies.p.escalations[0].after: required", "policies.p.escalations[0].to: required",
          "policies.p.escalations[0].urgent: expected true or false, got the number 1",
          "policies.p.escalations[1]: expected an object, got a string",
          "policies.p.verification.first_after: required"}));
}

TEST(ConfigPolicies, EscalationTargetAndChannel) {
  Result<Config> config = Parse(OnePolicy(R"({"escalations": [
      {"after": "P1D", "to": "boss"},
      {"after": "P1D", "to": "team", "channel": "ops-chat"},
      {"after": "P2D", "to": "plan_owner", "channel": "log"}]})"));
  EXPECT_EQ(Problems(config),
            (std::vector<std::string>{
                "policies.p.escalations[0].to: must be one of: manager, plan_owner, person, team; "
                "got 'boss'",
                "policies.p.escalations[1].channel: unknown channel 'ops-chat'; known: log"}));
}

TEST(ConfigPolicies, NamesMustBeNames) {
  EXPECT_EQ(OnlyProblem(Parse(R"({"policies": {"my policy": {}}})"), "policies.my policy"),
            "policy name must be non-empty and use only A-Z, a-z, 0-9, '_' and '-'");
}

// ---- reminders and team references ----

TEST(ConfigReminders, DefaultsMustNameDefinedThings) {
  Result<Config> config = Parse(R"({"policies": {"standard": {}},
      "reminders": {"default_policy": "strict", "default_channels": ["log", "chat", "log"]}})");
  EXPECT_EQ(Problems(config),
            (std::vector<std::string>{
                "reminders.default_policy: unknown policy 'strict'; known: default, standard",
                "reminders.default_channels[1]: unknown channel 'chat'; known: log",
                "reminders.default_channels[2]: channel 'log' is listed twice"}));
  EXPECT_EQ(OnlyProblem(Parse(R"({"reminders": {"default_channels": []}})"),
                        "reminders.default_channels"),
            "must name at least one channel, or notifications would go nowhere");
}

TEST(ConfigReminders, BuiltInLogChannelMayBeNamed) {
  // "log" exists only as the built-in channel; a config without it still routes to it.
  Result<Config> config = Parse(R"({"reminders": {"default_channels": ["log"]}})");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->follow_up->default_channels, (std::vector<std::string>{"log"}));
}

TEST(ConfigTeams, FollowUpReferencesMustExist) {
  Result<Config> config = Parse(R"({
      "calendars": {"cn-office": {"time_zone": "Asia/Shanghai"}},
      "teams": [{"id": "ops", "name": "Ops", "time_zone": "Asia/Shanghai",
                 "calendar": "cn_office", "reminder_policy": "standard",
                 "channels": ["log", "ops-chat", "log"]},
                {"id": "support", "name": "Support", "calendar": "x"}]})");
  EXPECT_EQ(Problems(config),
            (std::vector<std::string>{
                "teams[0].calendar: unknown calendar 'cn_office'; known: cn-office",
                "teams[0].reminder_policy: unknown policy 'standard'; known: default",
                "teams[0].channels[1]: unknown channel 'ops-chat'; known: log",
                "teams[0].channels[2]: channel 'log' is listed twice",
                "teams[1].calendar: unknown calendar 'x'; known: cn-office"}));
  EXPECT_EQ(OnlyProblem(Parse(R"({"teams": [{"id": "ops", "name": "Ops", "calendar": "c"}]})"),
                        "teams[0].calendar"),
            "unknown calendar 'c'; no calendars are configured");
}

TEST(ConfigTeams, CalendarZoneMustBeTheTeamZone) {
  Result<Config> config = Parse(R"({
      "calendars": {"cn-office": {"time_zone": "Asia/Shanghai"}},
      "teams": [{"id": "ops", "name": "Ops", "time_zone": "Europe/Berlin", "calendar": "cn-office"},
                {"id": "support", "name": "Support", "calendar": "cn-office"}]})");
  EXPECT_EQ(Problems(config),
            (std::vector<std::string>{
                "teams[0].calendar: calendar 'cn-office' is in Asia/Shanghai but the team's "
                "time_zone is Europe/Berlin; deadlines and working hours must use one zone",
                "teams[1].calendar: calendar 'cn-office' is in Asia/Shanghai but the team's "
                "time_zone is UTC; deadlines and working hours must use one zone"}));
}

TEST(ConfigTeams, BrokenCalendarIsNotReportedAgainOnTheTeam) {
  Result<Config> config = Parse(R"({
      "calendars": {"cn-office": {"time_zone": "Asia/Shanghai", "hours": "nine to six"}},
      "teams": [{"id": "ops", "name": "Ops", "time_zone": "Asia/Shanghai",
                 "calendar": "cn-office"}]})");
  std::vector<std::string> problems = Problems(config);
  ASSERT_EQ(problems.size(), 1u) << config.status().message();
  EXPECT_EQ(problems[0].rfind("calendars.cn-office.hours: ", 0), 0u) << problems[0];
}

TEST(ConfigFollowUp, ReportsProblemsOfEverySectionTogether) {
  Result<Config> config = Parse(R"({
      "channels": {"chat": {"type": "webhook", "url": "gopher://x", "secret": "s"}},
      "delivery": {"concurrency": 0},
      "calendars": {"cn": {"time_zone": "Asia/Shanghai", "holidays": ["2026-10-32"]}},
      "policies": {"p": {"escalations": [{"after": "P1D", "to": "manager", "channel": "dingtalk"}]}},
      "reminders": {"default_policy": "q"},
      "teams": [{"id": "ops", "name": "Ops", "calendar": "cn", "channels": ["slack"]}]})");
  EXPECT_EQ(Problems(config),
            (std::vector<std::string>{
                "channels.chat.url: the scheme must be http or https, got 'gopher'",
                "channels.chat.secret: must start with 'whsec_' followed by base64 of 24 to 64 "
                "random bytes",
                "delivery.concurrency: must be between 1 and 256, got 0",
                "calendars.cn.holidays[0]: '2026-10-32' is not a date; write YYYY-MM-DD",
                "teams[0].channels[0]: unknown channel 'slack'; known: chat, log",
                "policies.p.escalations[0].channel: unknown channel 'dingtalk'; known: chat, log",
                "reminders.default_policy: unknown policy 'q'; known: default, p"}));
  EXPECT_NE(config.status().message().find(
                "kaizen.json: channels.chat.url: the scheme must be http or https, got 'gopher'\n"),
            std::string::npos)
      << config.status().message();
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

  // The follow-up sections: ops works Shanghai office hours with the 2026 holidays.
  const FollowUpSettings& f = *config->follow_up;
  ASSERT_EQ(f.teams.count("ops"), 1u);
  const TeamFollowUp& ops = f.teams.at("ops");
  ASSERT_TRUE(ops.calendar.has_value());
  EXPECT_EQ(ops.calendar->zone().name(), "Asia/Shanghai");
  EXPECT_FALSE(ops.calendar->IsWorkingTime(At("2026-10-01T02:00:00Z")));  // National Day
  EXPECT_TRUE(ops.calendar->IsWorkingTime(At("2026-09-20T02:00:00Z")));   // worked Sunday
  EXPECT_FALSE(ops.calendar->IsWorkingTime(At("2026-09-21T04:30:00Z")));  // lunch break
  EXPECT_EQ(ops.policy, "standard");
  EXPECT_EQ(f.policies.count("standard"), 1u);
  EXPECT_EQ(f.policies.count("default"), 1u);
  EXPECT_EQ(f.default_channels, (std::vector<std::string>{"log"}));
  ASSERT_NE(FindChannel(*config, "log"), nullptr);
  EXPECT_EQ(FindChannel(*config, "log")->type, ChannelType::kLog);
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

TEST(ConfigFollowUp, FingerprintFollowsWhatRemindersArePlannedFrom) {
  auto fingerprint = [](const std::string& text) {
    Result<Config> config = Parse(text);
    EXPECT_TRUE(config.ok()) << config.status().ToString();
    return config.ok() ? config->follow_up->fingerprint : std::string();
  };
  const std::string base = R"({"policies": {"p": {"before": ["P1D"], "at_deadline": true}},
                               "reminders": {"default_policy": "p"}})";
  const std::string reordered = R"({"reminders": {"default_policy": "p"},
                                    "policies": {"p": {"at_deadline": true, "before": ["P1D"]}}})";
  const std::string other_policy = R"({"policies": {"p": {"before": ["P2D"], "at_deadline": true}},
                                       "reminders": {"default_policy": "p"}})";
  const std::string other_server = R"({"server": {"listen": "127.0.0.1:9999"},
                                       "policies": {"p": {"before": ["P1D"], "at_deadline": true}},
                                       "reminders": {"default_policy": "p"}})";
  EXPECT_EQ(fingerprint(base).size(), 16u);
  EXPECT_EQ(fingerprint(base), fingerprint(reordered));
  EXPECT_EQ(fingerprint(base), fingerprint(other_server));
  EXPECT_NE(fingerprint(base), fingerprint(other_policy));
  EXPECT_NE(fingerprint(base), fingerprint("{}"));
}

}  // namespace
}  // namespace kaizen::config

namespace kaizen::config {
namespace {

TEST(ConfigMessages, DefaultsAreEnglishWithoutLinksOrTemplates) {
  Result<Config> config = Parse("{}");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->messages, MessageSettings{});
  EXPECT_EQ(config->messages.default_locale, Locale::kEn);
}

TEST(ConfigMessages, ReadsLocalesBaseUrlAndTemplates) {
  Result<Config> config = Parse(R"({
    "messages": {
      "locale": "zh-CN",
      "base_url": "https://kaizen.example.com/",
      "templates": {
        "zh-CN": {"before_due": "{{owner}}：「{{task}}」{{due_in}}后到期",
                  "digest": ["{{count}} 条", "{{#items}}* {{mention}}{{text}}\n{{/items}}"]},
        "en": {"overdue": "{{task}} is late by {{overdue_by}}"}
      }
    },
    "channels": {"ops-chat": {"type": "log", "locale": "en"}},
    "teams": [{"id": "ops", "name": "Ops", "locale": "en"}, {"id": "qa", "name": "QA"}]
  })");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  const MessageSettings& m = config->messages;
  EXPECT_EQ(m.default_locale, Locale::kZhCn);
  EXPECT_EQ(m.base_url, "https://kaizen.example.com");  // the trailing '/' goes
  EXPECT_EQ(m.team_locales, (std::map<std::string, Locale, std::less<>>{{"ops", Locale::kEn}}));
  EXPECT_EQ(m.templates.at(Locale::kZhCn).at("before_due"),
            "{{owner}}：「{{task}}」{{due_in}}后到期");
  EXPECT_EQ(m.templates.at(Locale::kZhCn).at("digest"),
            "{{count}} 条\n{{#items}}* {{mention}}{{text}}\n{{/items}}");
  EXPECT_EQ(m.templates.at(Locale::kEn).at("overdue"), "{{task}} is late by {{overdue_by}}");
  auto chat = std::find_if(config->channels.begin(), config->channels.end(),
                           [](const ChannelOptions& c) { return c.id == "ops-chat"; });
  ASSERT_NE(chat, config->channels.end());
  EXPECT_EQ(chat->locale, Locale::kEn);
}

TEST(ConfigMessages, AMisspeltPlaceholderIsAConfigErrorThatSaysWhere) {
  Result<Config> config = Parse(
      R"({"messages": {"templates": {"zh-CN": {"overdue": "「{{task}}」已逾期 {{overdue_for}}"}}}})");
  EXPECT_EQ(OnlyProblem(config, "messages.templates.zh-CN.overdue")
                .rfind("line 1, column 15: unknown name 'overdue_for'; known: ", 0),
            0u)
      << config.status().message();
}

TEST(ConfigMessages, UnbalancedSectionsUnknownKindsAndLocalesAreRefused) {
  EXPECT_EQ(OnlyProblem(Parse(R"({"messages": {"templates": {"en": {"at_due": "{{#note}}x"}}}})"),
                        "messages.templates.en.at_due"),
            "line 1, column 1: section 'note' is never closed ('{{/note}}' is missing)");
  EXPECT_EQ(OnlyProblem(Parse(R"({"messages": {"templates": {"en": {"late": "x"}}}})"),
                        "messages.templates.en.late")
                .rfind("not a message kind; known: before_due, at_due, overdue, escalation", 0),
            0u);
  EXPECT_EQ(
      OnlyProblem(Parse(R"({"messages": {"templates": {"fr": {}}}})"), "messages.templates.fr"),
      "not a locale; known: en, zh-CN");
  EXPECT_EQ(OnlyProblem(Parse(R"({"messages": {"templates": {"en": {"at_due": ""}}}})"),
                        "messages.templates.en.at_due"),
            "must not be empty");
  EXPECT_EQ(OnlyProblem(Parse(R"({"messages": {"templates": {"en": {"at_due": 3}}}})"),
                        "messages.templates.en.at_due"),
            "expected a template (a string or an array of lines), got the number 3");
}

TEST(ConfigMessages, LocalesAndBaseUrlAreChecked) {
  EXPECT_EQ(OnlyProblem(Parse(R"({"messages": {"locale": "zh-TW"}})"), "messages.locale"),
            "must be one of: en, zh-CN; got 'zh-TW'");
  EXPECT_EQ(OnlyProblem(Parse(R"({"teams": [{"id": "ops", "name": "Ops", "locale": "de"}]})"),
                        "teams[0].locale"),
            "must be one of: en, zh-CN; got 'de'");
  EXPECT_EQ(OnlyProblem(Parse(R"({"channels": {"c": {"type": "log", "locale": "EN"}}})"),
                        "channels.c.locale"),
            "must be one of: en, zh-CN; got 'EN'");
  EXPECT_EQ(OnlyProblem(Parse(R"({"messages": {"base_url": "kaizen.example.com"}})"),
                        "messages.base_url"),
            "must be an absolute http:// or https:// URL");
  EXPECT_EQ(OnlyProblem(Parse(R"({"messages": {"base_url": "https://k.example.com/?a=1"}})"),
                        "messages.base_url"),
            "must not have a query or a fragment: links append a path");
}

}  // namespace
}  // namespace kaizen::config

namespace kaizen::config {
namespace {

TEST(ConfigChannels, AnOwnerMustBeAKnownPerson) {
  Result<Config> ok =
      Parse(WithPeople(R"({"id": "wang", "name": "Wang", "team": "ops"})")
                .insert(1, R"("channels": {"c": {"type": "log", "owner": "wang"}},)"));
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->channels.front().owner, "wang");
  EXPECT_EQ(
      OnlyProblem(Parse(WithPeople(R"({"id": "wang", "name": "Wang", "team": "ops"})")
                            .insert(1, R"("channels": {"c": {"type": "log", "owner": "li"}},)")),
                  "channels.c.owner"),
      "unknown person 'li'; known: wang");
}

// ---- api (issue 6, "Access") ----------------------------------------------------------------

namespace api_tokens {

constexpr std::string_view kDirectory = R"(
  "teams": [{"id": "ops", "name": "Operations"}, {"id": "support", "name": "Support"}],
  "people": [{"id": "li.lei", "name": "Li Lei", "team": "ops"},
             {"id": "zhang.wei", "name": "Zhang Wei", "team": "support"}])";

constexpr std::string_view kSecretA = "aaaaaaaa-secret-token-A-0001";
constexpr std::string_view kSecretB = "bbbbbbbb-secret-token-B-0002";

// The config /etc/kaizen/kaizen.json with `tokens` as api.tokens; token files are read from
// `files` (path -> content).
Result<Config> WithTokens(std::string_view tokens, std::map<std::string, std::string> files = {},
                          std::string_view listen = "127.0.0.1:8080") {
  std::string text = "{\"server\": {\"listen\": \"" + std::string(listen) + "\"}," +
                     std::string(kDirectory) + ", \"api\": {\"tokens\": " + std::string(tokens) +
                     "}}";
  FileReader reader = [files = std::move(files)](const std::string& path) -> Result<std::string> {
    auto it = files.find(path);
    if (it == files.end()) return NotFound("no_file", "No such file or directory");
    return it->second;
  };
  return ParseConfig(text, "/etc/kaizen/kaizen.json", MapEnv({}), reader);
}

std::string Token(std::string_view fields) { return "[{" + std::string(fields) + "}]"; }

TEST(ConfigApi, ReadsTokensInlineAndFromFiles) {
  Result<Config> config = WithTokens(
      R"([{"name": "dashboard", "token": "aaaaaaaa-secret-token-A-0001", "role": "viewer"},
          {"name": "li", "token_file": "tokens/li", "role": "member", "person": "li.lei"},
          {"name": "ops-lead", "token_file": "/run/secrets/lead", "role": "manager",
           "person": "li.lei"},
          {"name": "both", "token": "cccccccc-secret-token-C-0003", "role": "manager",
           "person": "zhang.wei", "teams": ["ops", "support"]},
          {"name": "automation", "token": "dddddddd-secret-token-D-0004", "role": "admin"}])",
      {{"/etc/kaizen/tokens/li", std::string(kSecretB) + "\n"},
       {"/run/secrets/lead", "eeeeeeee-secret-token-E-0005\r\n"}});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  const auto& tokens = config->api.tokens;
  ASSERT_EQ(tokens.size(), 5u);
  EXPECT_EQ(tokens[0].name, "dashboard");
  EXPECT_EQ(tokens[0].secret, kSecretA);
  EXPECT_EQ(tokens[0].role, ApiRole::kViewer);
  EXPECT_EQ(tokens[0].person, std::nullopt);
  EXPECT_EQ(tokens[1].secret, kSecretB) << "the trailing newline is not part of the token";
  EXPECT_EQ(tokens[1].role, ApiRole::kMember);
  EXPECT_EQ(tokens[1].person, "li.lei");
  EXPECT_EQ(tokens[2].secret, "eeeeeeee-secret-token-E-0005");
  EXPECT_EQ(tokens[2].teams, (std::set<std::string, std::less<>>{"ops"}))
      << "a manager manages its person's team by default";
  EXPECT_EQ(tokens[3].teams, (std::set<std::string, std::less<>>{"ops", "support"}));
  EXPECT_EQ(tokens[4].role, ApiRole::kAdmin);
}

TEST(ConfigApi, EachProblemNamesFileFieldAndReason) {
  struct Case {
    std::string tokens;
    std::string field;
    std::string reason_part;
  };
  const std::string a = "\"token\": \"" + std::string(kSecretA) + "\"";
  const std::string b = "\"token\": \"" + std::string(kSecretB) + "\"";
  const Case cases[] = {
      {Token("\"name\": \"x\", " + a + ", \"role\": \"owner\""), "api.tokens[0].role",
       "must be one of: viewer, member, manager, admin"},
      {Token("\"name\": \"x\", " + a + ", \"role\": \"member\", \"person\": \"nobody\""),
       "api.tokens[0].person", "unknown person 'nobody'"},
      {Token("\"name\": \"x\", " + a + ", \"role\": \"member\""), "api.tokens[0].person",
       "required for role member"},
      {Token("\"name\": \"x\", " + a + ", \"role\": \"manager\""), "api.tokens[0].person",
       "required for role manager"},
      {Token("\"name\": \"x\", " + a +
             ", \"role\": \"manager\", \"person\": \"li.lei\", \"teams\": [\"sales\"]"),
       "api.tokens[0].teams[0]", "unknown team 'sales'"},
      {Token("\"name\": \"x\", " + a + ", \"role\": \"viewer\", \"teams\": [\"ops\"]"),
       "api.tokens[0].teams", "only manager tokens have teams"},
      {"[{\"name\": \"x\", " + a + ", \"role\": \"viewer\"}, {\"name\": \"x\", " + b +
           ", \"role\": \"viewer\"}]",
       "api.tokens[1].name", "duplicate token name 'x'"},
      {"[{\"name\": \"x\", " + a + ", \"role\": \"viewer\"}, {\"name\": \"y\", " + a +
           ", \"role\": \"admin\"}]",
       "api.tokens[1].token", "the same token as token 'x'"},
      {Token(R"("name": "x", "token": "short-token", "role": "viewer")"), "api.tokens[0].token",
       "at least 16"},
      {Token(R"("name": "x", "token_file": "missing", "role": "viewer")"),
       "api.tokens[0].token_file", "cannot read /etc/kaizen/missing"},
      {Token(R"("name": "x", "token_file": "empty", "role": "viewer")"), "api.tokens[0].token_file",
       "/etc/kaizen/empty is empty"},
      {Token("\"name\": \"x\", " + a + ", \"token_file\": \"empty\", \"role\": \"viewer\""),
       "api.tokens[0]", "not both"},
      {Token(R"("name": "x", "role": "viewer")"), "api.tokens[0]",
       "\"token\" or \"token_file\" is required"},
      {Token("\"name\": \"x\", " + a + ", \"role\": \"viewer\", \"scopes\": []"),
       "api.tokens[0].scopes", "unknown field"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.tokens);
    Result<Config> config = WithTokens(c.tokens, {{"/etc/kaizen/empty", "\n"}});
    const std::string reason = OnlyProblem(config, c.field);
    EXPECT_NE(reason.find(c.reason_part), std::string::npos) << reason;
    if (config.ok()) continue;
    const std::string& message = config.status().message();
    EXPECT_EQ(message.rfind("/etc/kaizen/kaizen.json: " + c.field + ": ", 0), 0u) << message;
    EXPECT_EQ(message.find(kSecretA), std::string::npos) << "a token in an error: " << message;
    EXPECT_EQ(message.find(kSecretB), std::string::npos) << "a token in an error: " << message;
  }
}

TEST(ConfigApi, ListeningBeyondLoopbackNeedsTokens) {
  for (std::string_view listen :
       {"127.0.0.1:8080", "127.3.2.1:8080", "[::1]:8080", "localhost:8080"}) {
    Result<Config> config = WithTokens("[]", {}, listen);
    EXPECT_TRUE(config.ok()) << listen << ": " << config.status().ToString();
  }
  for (std::string_view listen : {"0.0.0.0:8080", "[::]:8080", "10.0.0.5:8080", "kaizen:80"}) {
    Result<Config> config = WithTokens("[]", {}, listen);
    const std::string reason = OnlyProblem(config, "server.listen");
    EXPECT_NE(reason.find("listening on a non-loopback address"), std::string::npos) << reason;
    EXPECT_NE(reason.find("needs api.tokens"), std::string::npos) << reason;
    Result<Config> with_token = WithTokens(
        Token(R"("name": "x", "token": "0123456789abcdef", "role": "viewer")"), {}, listen);
    EXPECT_TRUE(with_token.ok()) << listen << ": " << with_token.status().ToString();
  }
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("0:0:0:0:0:0:0:1"));
  EXPECT_FALSE(IsLoopbackHost("128.0.0.1"));
  EXPECT_FALSE(IsLoopbackHost("localhost.example"));
}

}  // namespace api_tokens

}  // namespace
}  // namespace kaizen::config
