#include "daemon/api_json.h"

#include <gtest/gtest.h>

#include "tests/support/sample_directory.h"

namespace kaizen::daemon {
namespace {

using nlohmann::json;

Instant At(std::string_view text) { return *ParseRfc3339(text); }

HttpRequest JsonRequest(std::string body, std::string content_type = "application/json") {
  HttpRequest request;
  request.method = "POST";
  request.body = std::move(body);
  if (!content_type.empty()) request.headers.emplace_back("content-type", content_type);
  return request;
}

// The status of `result` as "reason field" for compact expectations.
template <typename T>
std::string Failure(const Result<T>& result) {
  if (result.ok()) return "ok";
  const Status& s = result.status();
  std::string out = s.reason();
  if (s.details().contains("field")) out += " " + s.details()["field"].get<std::string>();
  if (s.details().contains("parameter")) out += " " + s.details()["parameter"].get<std::string>();
  return out;
}

json ValidPlan() {
  return json::parse(R"({
    "title": "Raise CSAT to 85%", "owner": "li.lei", "team": "ops",
    "goals": [{"metric": "customer satisfaction", "baseline": 80, "target": 85, "unit": "%",
               "target_date": "2026-12-31"}],
    "tasks": [{"key": "survey", "title": "Survey 200 customers", "owner": "han.meimei",
               "due_at": "2026-12-05T18:00:00+08:00", "criterion": "200 answers"},
              {"key": "analyse", "title": "Analyse", "owner": "han.meimei",
               "due_at": "2026-12-10T10:00:00Z", "depends_on_keys": ["survey"]}]})");
}

// ---- Bodies ----------------------------------------------------------------------------------

TEST(ApiJsonBody, ParsesAJsonObject) {
  auto body = ParseJsonObjectBody(JsonRequest(R"({"a": 1})"));
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_EQ((*body)["a"], 1);
}

TEST(ApiJsonBody, AcceptsAUtf8CharsetParameter) {
  EXPECT_TRUE(ParseJsonObjectBody(JsonRequest("{}", "application/json; charset=UTF-8")).ok());
  EXPECT_TRUE(ParseJsonObjectBody(JsonRequest("{}", "Application/JSON;charset=\"utf-8\"")).ok());
}

TEST(ApiJsonBody, RefusesOtherMediaTypesAs415) {
  for (std::string type : {"text/plain", "application/x-www-form-urlencoded", "",
                           "application/json; charset=latin1", "application/jsonx"}) {
    auto body = ParseJsonObjectBody(JsonRequest("{}", type));
    EXPECT_EQ(Failure(body), "unsupported_media_type") << "content type '" << type << "'";
    EXPECT_EQ(HttpStatusOf(body.status()), 415);
  }
}

TEST(ApiJsonBody, MalformedJsonNamesThePosition) {
  auto body = ParseJsonObjectBody(JsonRequest(R"({"title": )"));
  ASSERT_EQ(Failure(body), "malformed_json");
  EXPECT_EQ(body.status().details()["position"], 10) << "the input ends at offset 10";
  auto bad_value = ParseJsonObjectBody(JsonRequest(R"({"a": x})"));
  EXPECT_EQ(bad_value.status().details()["position"], 6) << "the 'x'";
  EXPECT_EQ(body.status().message().find("[json.exception"), std::string::npos)
      << body.status().message();
  EXPECT_EQ(HttpStatusOf(body.status()), 400);
}

TEST(ApiJsonBody, EmptyBodyIsMalformedJson) {
  EXPECT_EQ(Failure(ParseJsonObjectBody(JsonRequest("", ""))), "malformed_json");
}

TEST(ApiJsonBody, InvalidUtf8IsMalformedJson) {
  EXPECT_EQ(Failure(ParseJsonObjectBody(JsonRequest("{\"title\": \"\xff\"}"))), "malformed_json");
}

TEST(ApiJsonBody, NonObjectIsInvalidField) {
  EXPECT_EQ(Failure(ParseJsonObjectBody(JsonRequest("[1, 2]"))), "invalid_field $");
}

TEST(ApiJsonDecode, DecodesAPlanWithGoalsAndInlineTasks) {
  auto decoded = DecodeCreatePlan(ValidPlan());
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  const NewPlan& plan = decoded->plan;
  EXPECT_EQ(plan.title, "Raise CSAT to 85%");
  EXPECT_EQ(plan.kind, "improvement");
  ASSERT_EQ(plan.goals.size(), 1u);
  EXPECT_EQ(plan.goals[0].baseline, 80);
  EXPECT_EQ(plan.goals[0].target_date, "2026-12-31");
  EXPECT_FALSE(plan.goals[0].actual.has_value());
  ASSERT_EQ(plan.tasks.size(), 2u);
  EXPECT_EQ(plan.tasks[0].due_at, At("2026-12-05T10:00:00Z")) << "offsets are honoured";
  EXPECT_EQ(plan.tasks[1].depends_on_keys, (std::vector<std::string>{"survey"}));
  EXPECT_FALSE(decoded->actor.has_value());
}

TEST(ApiJsonDecode, UnknownFieldIsNamedWithItsPath) {
  json body = ValidPlan();
  body["ownr"] = "li.lei";
  EXPECT_EQ(Failure(DecodeCreatePlan(body)), "unknown_field ownr");
  body = ValidPlan();
  body["tasks"][1]["prio"] = 1;
  EXPECT_EQ(Failure(DecodeCreatePlan(body)), "unknown_field tasks[1].prio");
  body = ValidPlan();
  body["goals"][0]["targt"] = 1;
  EXPECT_EQ(Failure(DecodeCreatePlan(body)), "unknown_field goals[0].targt");
}

TEST(ApiJsonDecode, UnknownFieldIsReportedBeforeAMissingOne) {
  // The typo is most likely the missing field: name it.
  EXPECT_EQ(Failure(DecodeCreatePlan(json{{"title", "x"}, {"ownr", "li.lei"}, {"team", "ops"}})),
            "unknown_field ownr");
}

TEST(ApiJsonDecode, MissingRequiredFieldIsNamed) {
  json body = ValidPlan();
  body.erase("team");
  EXPECT_EQ(Failure(DecodeCreatePlan(body)), "missing_field team");
  body = ValidPlan();
  body["tasks"][0].erase("due_at");
  EXPECT_EQ(Failure(DecodeCreatePlan(body)), "missing_field tasks[0].due_at");
  body = ValidPlan();
  body["goals"][0].erase("target");
  EXPECT_EQ(Failure(DecodeCreatePlan(body)), "missing_field goals[0].target");
}

TEST(ApiJsonDecode, WrongTypeIsInvalidFieldWithThePath) {
  struct Case {
    const char* pointer;
    json value;
    const char* expected;
  };
  const Case cases[] = {
      {"/title", 5, "invalid_field title"},
      {"/allow_self_verification", "yes", "invalid_field allow_self_verification"},
      {"/goals", json::object(), "invalid_field goals"},
      {"/goals/0/target", "85", "invalid_field goals[0].target"},
      {"/goals/0/baseline", "80", "invalid_field goals[0].baseline"},
      {"/tasks/0", "survey", "invalid_field tasks[0]"},
      {"/tasks/1/depends_on", json::array({1.5}), "invalid_field tasks[1].depends_on[0]"},
      {"/tasks/1/depends_on", json::array({0}), "invalid_field tasks[1].depends_on[0]"},
      {"/tasks/1/depends_on", json::array({-3}), "invalid_field tasks[1].depends_on[0]"},
      {"/tasks/1/depends_on_keys", json::array({1}), "invalid_field tasks[1].depends_on_keys[0]"},
      {"/tasks/0/due_at", 1700000000, "invalid_field tasks[0].due_at"},
      {"/kind", "", "invalid_field kind"},
      {"/actor", nullptr, "invalid_field actor"},
  };
  for (const Case& c : cases) {
    json body = ValidPlan();
    body[json::json_pointer(c.pointer)] = c.value;
    auto decoded = DecodeCreatePlan(body);
    EXPECT_EQ(Failure(decoded), c.expected) << c.pointer << " = " << c.value.dump();
    if (!decoded.ok()) {
      EXPECT_EQ(HttpStatusOf(decoded.status()), 400);
    }
  }
}

TEST(ApiJsonDecode, IdsBeyondInt64AreInvalid) {
  json body = ValidPlan();
  body["tasks"][1]["depends_on"] = json::parse("[18446744073709551615]");
  EXPECT_EQ(Failure(DecodeCreatePlan(body)), "invalid_field tasks[1].depends_on[0]");
}

TEST(ApiJsonDecode, BadTimesAndDatesAreInvalidTime422) {
  json body = ValidPlan();
  body["tasks"][0]["due_at"] = "2026-12-05 18:00";
  auto decoded = DecodeCreatePlan(body);
  EXPECT_EQ(Failure(decoded), "invalid_time tasks[0].due_at");
  EXPECT_EQ(HttpStatusOf(decoded.status()), 422);
  body = ValidPlan();
  body["goals"][0]["target_date"] = "2026-02-30";
  EXPECT_EQ(Failure(DecodeCreatePlan(body)), "invalid_time goals[0].target_date");
}

TEST(ApiJsonDecode, NullGoalValuesMeanUnknown) {
  json body = ValidPlan();
  body["goals"][0]["baseline"] = nullptr;
  body["goals"][0]["actual"] = nullptr;
  body["goals"][0]["target_date"] = nullptr;
  auto decoded = DecodeCreatePlan(body);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_FALSE(decoded->plan.goals[0].baseline.has_value());
  EXPECT_FALSE(decoded->plan.goals[0].target_date.has_value());
}

TEST(ApiJsonDecode, PatchKeepsAbsentFieldsUnset) {
  auto decoded = DecodePatchTask(json{{"title", "New"}, {"depends_on", json::array()}});
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->patch.title, "New");
  EXPECT_FALSE(decoded->patch.owner.has_value());
  EXPECT_FALSE(decoded->patch.due_at.has_value());
  ASSERT_TRUE(decoded->patch.depends_on.has_value()) << "an empty list clears dependencies";
  EXPECT_TRUE(decoded->patch.depends_on->empty());
  EXPECT_EQ(Failure(DecodePatchTask(json{{"due_at", nullptr}})), "invalid_field due_at");
  EXPECT_EQ(Failure(DecodePatchTask(json{{"state", "done"}})), "unknown_field state");
}

TEST(ApiJsonDecode, TransitionNeedsAKnownStateAndAnActor) {
  auto ok = DecodeTransition(json{{"to", "in_progress"}, {"actor", "han.meimei"}});
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->to, TaskState::kInProgress);
  EXPECT_EQ(ok->actor, "han.meimei");
  EXPECT_EQ(Failure(DecodeTransition(json{{"to", "in_progress"}})), "missing_field actor");
  auto bad = DecodeTransition(json{{"to", "finished"}, {"actor", "han.meimei"}});
  EXPECT_EQ(Failure(bad), "invalid_field to");
  EXPECT_EQ(bad.status().details()["allowed"].size(), 6u);
}

TEST(ApiJsonDecode, CancelNeedsANote) {
  EXPECT_EQ(Failure(DecodeCancelPlan(json{{"actor", "li.lei"}})), "missing_field note");
  EXPECT_TRUE(DecodeCancelPlan(json{{"note", "budget cut"}}).ok());
}

TEST(ApiJsonDecode, IfMatchAcceptsQuotedAndBareVersions) {
  EXPECT_EQ(*ParseIfMatch(std::string_view("\"3\"")), 3);
  EXPECT_EQ(*ParseIfMatch(std::string_view("3")), 3);
  EXPECT_EQ(*ParseIfMatch(std::string_view(" \"12\" ")), 12);
  EXPECT_FALSE(ParseIfMatch(std::nullopt)->has_value());
  EXPECT_FALSE(ParseIfMatch(std::string_view("*"))->has_value());
  for (std::string_view bad : {"", "\"\"", "W/\"3\"", "abc", "0", "-1", "\"3", "3.0"}) {
    EXPECT_EQ(Failure(ParseIfMatch(bad)), "invalid_field If-Match") << bad;
  }
}

TEST(ApiJsonDecode, ActorDefaultsToApiAndMustBeKnown) {
  Directory directory = testing::SampleDirectory();
  EXPECT_EQ(*ResolveActor(std::nullopt, directory), "api");
  EXPECT_EQ(*ResolveActor(std::string("li.lei"), directory), "li.lei");
  auto unknown = ResolveActor(std::string("nobody"), directory);
  EXPECT_EQ(Failure(unknown), "unknown_actor");
  EXPECT_EQ(HttpStatusOf(unknown.status()), 422);
}

// ---- Query strings ---------------------------------------------------------------------------

QueryParams Query(std::string_view target) {
  std::string path;
  QueryParams query;
  EXPECT_TRUE(SplitTarget(target, path, query).ok());
  return query;
}

TEST(ApiJsonQuery, SplitsAndDecodesTheTarget) {
  std::string path;
  QueryParams query;
  ASSERT_TRUE(SplitTarget("/api/v1/tasks?owner=han%2Emeimei&due_after=2026-12-01T00:00:00+08:00&x",
                          path, query)
                  .ok());
  EXPECT_EQ(path, "/api/v1/tasks");
  QueryParams expected = {
      {"owner", "han.meimei"}, {"due_after", "2026-12-01T00:00:00+08:00"}, {"x", ""}};
  EXPECT_EQ(query, expected) << "'+' stays '+' so that offsets need no escaping";
  EXPECT_EQ(SplitTarget("/a?b=%zz", path, query).reason(), "invalid_query");
  EXPECT_EQ(SplitTarget("/a?b=%2", path, query).reason(), "invalid_query");
}

TEST(ApiJsonQuery, PlanFilterDefaultsAndValues) {
  auto filter = ParsePlanQuery({});
  ASSERT_TRUE(filter.ok());
  EXPECT_EQ(filter->limit, 50);
  EXPECT_FALSE(filter->after.has_value());
  filter = ParsePlanQuery(Query("/p?state=cancelled&owner=li.lei&team=ops&limit=500"));
  ASSERT_TRUE(filter.ok()) << filter.status().ToString();
  EXPECT_EQ(filter->state, PlanState::kCancelled);
  EXPECT_EQ(filter->owner, "li.lei");
  EXPECT_EQ(filter->team, "ops");
  EXPECT_EQ(filter->limit, 500);
}

TEST(ApiJsonQuery, RefusesBadValuesAsInvalidQuery) {
  for (std::string_view target :
       {"/p?limit=0", "/p?limit=501", "/p?limit=ten", "/p?limit=5x", "/p?state=open",
        "/p?owner=", "/p?colour=red", "/p?team=ops&team=cs"}) {
    auto filter = ParsePlanQuery(Query(target));
    EXPECT_EQ(filter.ok() ? "ok" : filter.status().reason(), "invalid_query") << target;
  }
  for (std::string_view target :
       {"/t?plan=0", "/t?plan=-1", "/t?plan=abc", "/t?plan=01", "/t?state=done2", "/t?overdue=yes",
        "/t?due_before=tomorrow", "/t?due_after=2026-12-01"}) {
    auto filter = ParseTaskQuery(Query(target), At("2026-11-25T00:00:00Z"));
    EXPECT_EQ(filter.ok() ? "ok" : filter.status().reason(), "invalid_query") << target;
    if (!filter.ok()) {
      EXPECT_EQ(HttpStatusOf(filter.status()), 400);
    }
  }
}

TEST(ApiJsonQuery, TaskFilterCarriesEveryParameter) {
  Instant now = At("2026-11-25T00:00:00Z");
  auto filter = ParseTaskQuery(Query("/t?plan=3&owner=han.meimei&state=in_progress&team=ops"
                                     "&overdue=true&due_before=2026-12-01T08:00:00%2B08:00"
                                     "&due_after=2026-11-01T00:00:00Z&limit=7"),
                               now);
  ASSERT_TRUE(filter.ok()) << filter.status().ToString();
  EXPECT_EQ(filter->plan, 3);
  EXPECT_EQ(filter->owner, "han.meimei");
  EXPECT_EQ(filter->state, TaskState::kInProgress);
  EXPECT_EQ(filter->team, "ops");
  EXPECT_TRUE(filter->overdue_only);
  EXPECT_EQ(filter->due_before, At("2026-12-01T00:00:00Z"));
  EXPECT_EQ(filter->due_after, At("2026-11-01T00:00:00Z"));
  EXPECT_EQ(filter->now, now);
  EXPECT_EQ(filter->limit, 7);
  EXPECT_FALSE(ParseTaskQuery(Query("/t?overdue=false"), now)->overdue_only);
}

TEST(ApiJsonQuery, CursorRoundTripsAndRefusesForeignCursors) {
  std::string cursor = EncodeCursor("tasks", 1234);
  EXPECT_EQ(cursor.find("1234"), std::string::npos) << "opaque: " << cursor;
  EXPECT_EQ(*DecodeCursor("tasks", cursor), 1234);
  auto filter = ParseTaskQuery(Query("/t?cursor=" + cursor), Instant{});
  ASSERT_TRUE(filter.ok());
  EXPECT_EQ(filter->after, 1234);
  for (const std::string& bad : {std::string("abc"), std::string(""), std::string("!!"),
                                 EncodeCursor("plans", 1234), cursor + "A"}) {
    auto decoded = DecodeCursor("tasks", bad);
    EXPECT_EQ(decoded.ok() ? "ok" : decoded.status().reason(), "invalid_cursor") << bad;
  }
  EXPECT_EQ(Failure(ParsePlanQuery(Query("/p?cursor=" + cursor))), "invalid_cursor cursor");
}

TEST(ApiJsonQuery, PathIdsArePositiveDecimalIntegers) {
  EXPECT_EQ(ParseId("7"), 7);
  EXPECT_EQ(ParseId("9223372036854775807"), 9223372036854775807);
  for (std::string_view bad : {"", "0", "-1", "+1", "07", "1e3", "abc", "9223372036854775808"}) {
    EXPECT_FALSE(ParseId(bad).has_value()) << bad;
  }
}

// ---- Errors ----------------------------------------------------------------------------------

TEST(ApiJsonErrors, MapsEveryStatusCodeToItsHttpStatus) {
  EXPECT_EQ(HttpStatusOf(InvalidArgument("note_required", "m")), 400);
  EXPECT_EQ(HttpStatusOf(Status(StatusCode::kUnauthenticated, "unauthenticated", "m")), 401);
  EXPECT_EQ(HttpStatusOf(PermissionDenied("not_a_reviewer", "m")), 403);
  EXPECT_EQ(HttpStatusOf(NotFound("task_not_found", "m")), 404);
  EXPECT_EQ(HttpStatusOf(Conflict("transition_not_allowed", "m")), 409);
  EXPECT_EQ(HttpStatusOf(PreconditionFailed("version_mismatch", "m")), 412);
  EXPECT_EQ(HttpStatusOf(Unprocessable("dependency_cycle", "m")), 422);
  EXPECT_EQ(HttpStatusOf(Internal("internal", "m")), 500);
  EXPECT_EQ(HttpStatusOf(Unavailable("storage_error", "m")), 503);
  EXPECT_EQ(HttpStatusOf(InvalidArgument("method_not_allowed", "m")), 405);
  EXPECT_EQ(HttpStatusOf(InvalidArgument("body_too_large", "m")), 413);
  EXPECT_EQ(HttpStatusOf(InvalidArgument("unsupported_media_type", "m")), 415);
}

TEST(ApiJsonErrors, ErrorBodyCarriesCodeMessageAndDetails) {
  HttpResponse response =
      ErrorResponse(Conflict("transition_not_allowed", "a done task can move to verified",
                             {{"from", "done"}, {"to", "blocked"}}));
  EXPECT_EQ(response.status, 409);
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_EQ(response.body,
            R"({"error":{"code":"transition_not_allowed","message":"a done task can move to )"
            R"(verified","details":{"from":"done","to":"blocked"}}})"
            "\n");
}

TEST(ApiJsonErrors, DetailsAreLeftOutWhenThereAreNone) {
  json body = json::parse(ErrorResponse(NotFound("plan_not_found", "no plan 9")).body);
  EXPECT_EQ(body, json::parse(R"({"error":{"code":"plan_not_found","message":"no plan 9"}})"));
}

TEST(ApiJsonErrors, ServerFailuresUseTheDocumentedCodes) {
  json unavailable = json::parse(ErrorResponse(Unavailable("storage_error", "disk I/O")).body);
  EXPECT_EQ(unavailable["error"]["code"], "storage_unavailable");
  json internal = json::parse(ErrorResponse(Internal("migration_failed", "oops")).body);
  EXPECT_EQ(internal["error"]["code"], "internal");
}

// ---- Answers ---------------------------------------------------------------------------------

Task SampleTask() {
  Task task;
  task.id = 7;
  task.plan_id = 1;
  task.key = "survey";
  task.title = "Survey 200 customers";
  task.owner = "han.meimei";
  task.due_at = At("2026-12-05T10:00:00Z");
  task.criterion = "200 answers in the sheet";
  task.state = TaskState::kOpen;
  task.depends_on = {6};
  task.version = 3;
  task.created_at = At("2026-11-25T01:00:00Z");
  task.updated_at = At("2026-11-26T02:30:00.250Z");
  return task;
}

TEST(ApiJsonEncode, TaskIsEncodedAsDocumented) {
  EXPECT_EQ(EncodeTask(SampleTask(), At("2026-12-01T00:00:00Z")).dump(),
            R"({"id":7,"plan_id":1,"key":"survey","title":"Survey 200 customers",)"
            R"("description":"","owner":"han.meimei","due_at":"2026-12-05T10:00:00Z",)"
            R"("criterion":"200 answers in the sheet","state":"open","depends_on":[6],)"
            R"("reminder_policy":null,)"
            R"("version":3,"overdue":false,"created_at":"2026-11-25T01:00:00Z",)"
            R"("updated_at":"2026-11-26T02:30:00.250Z","completed_at":null,)"
            R"("carried_from":null,"carry_count":0})");
  EXPECT_EQ(TaskETag(SampleTask()), "\"3\"");
}

TEST(ApiJsonEncode, OverdueFollowsTheClockAndTheState) {
  Task task = SampleTask();
  EXPECT_FALSE(EncodeTask(task, At("2026-12-05T10:00:00Z"))["overdue"]) << "due now is not late";
  EXPECT_TRUE(EncodeTask(task, At("2026-12-05T10:00:00.001Z"))["overdue"]);
  task.state = TaskState::kDone;
  task.completed_at = At("2026-12-06T00:00:00Z");
  json done = EncodeTask(task, At("2026-12-07T00:00:00Z"));
  EXPECT_FALSE(done["overdue"]);
  EXPECT_EQ(done["completed_at"], "2026-12-06T00:00:00Z");
  task.key.reset();
  EXPECT_TRUE(EncodeTask(task, Instant{})["key"].is_null());
}

TEST(ApiJsonEncode, PlanIsEncodedAsDocumented) {
  Plan plan;
  plan.id = 1;
  plan.title = "Raise CSAT to 85%";
  plan.owner = "li.lei";
  plan.team = "ops";
  plan.goals = {
      Goal{"customer satisfaction", 80, 85, "%", "2026-12-31", std::nullopt, {}, {}, {}, {}},
      Goal{"complaint rate", std::nullopt, 0.5, "%", std::nullopt, 1.25, {}, {}, {}, {}}};
  plan.created_at = At("2026-11-25T01:00:00Z");
  plan.updated_at = At("2026-11-25T01:00:00Z");
  Task open = SampleTask();
  Task late = SampleTask();
  late.id = 8;
  late.state = TaskState::kInProgress;
  late.due_at = At("2026-11-30T00:00:00Z");
  std::vector<Task> tasks = {open, late};
  Instant now = At("2026-12-01T00:00:00Z");
  PlanProgress progress = ProgressOfTasks(tasks, now);
  Json encoded = EncodePlan(plan, &progress, nullptr, now);
  EXPECT_EQ(
      encoded.dump(),
      R"({"id":1,"title":"Raise CSAT to 85%","description":"","kind":"improvement",)"
      R"("owner":"li.lei","team":"ops","state":"active","allow_self_verification":false,)"
      R"("reminder_policy":null,"template":null,"closes_at":null,"closed_at":null,)"
      R"("goals":[{"metric":"customer satisfaction","baseline":80,"target":85,"unit":"%",)"
      R"("target_date":"2026-12-31","actual":null,"actual_at":null,"owner":null,)"
      R"("check_in":null,"stale":false},{"metric":"complaint rate",)"
      R"("baseline":null,"target":0.5,"unit":"%","target_date":null,"actual":1.25,)"
      R"("actual_at":null,"owner":null,"check_in":null,"stale":false}],)"
      R"("version":1,"created_at":"2026-11-25T01:00:00Z","updated_at":"2026-11-25T01:00:00Z",)"
      R"("progress":{"total":2,"tasks_by_state":{"open":1,"in_progress":1,"blocked":0,)"
      R"("done":0,"verified":0,"cancelled":0},"overdue":1}})");
  Json with_tasks = EncodePlan(plan, &progress, &tasks, now);
  ASSERT_EQ(with_tasks["tasks"].size(), 2u);
  EXPECT_EQ(with_tasks["tasks"][1]["id"], 8);
  EXPECT_TRUE(with_tasks["tasks"][1]["overdue"]);
}

TEST(ApiJsonEncode, EventShowsNullStatesForCreation) {
  TaskEvent event{
      12,           7,      1, At("2026-11-25T01:00:00Z"), "han.meimei", "updated", std::nullopt,
      std::nullopt, "title"};
  EXPECT_EQ(EncodeEvent(event).dump(),
            R"({"id":12,"task_id":7,"plan_id":1,"at":"2026-11-25T01:00:00Z",)"
            R"("actor":"han.meimei","kind":"updated","from":null,"to":null,"note":"title"})");
}

TEST(ApiJsonEncode, SummaryNamesOwnersFromTheDirectory) {
  Summary summary;
  summary.tasks_by_state[TaskState::kOpen] = 2;
  summary.plans_by_state[PlanState::kActive] = 1;
  summary.overdue = 2;
  TaskBrief brief{3, 1, "Survey", At("2026-11-20T00:00:00Z"), TaskState::kOpen};
  summary.overdue_by_owner = {{"han.meimei", {brief}}, {"gone.person", {brief}}};
  summary.due_soon = {brief};
  Json encoded = EncodeSummary(summary, testing::SampleDirectory(), At("2026-11-25T00:00:00Z"));
  EXPECT_EQ(encoded["tasks_by_state"]["open"], 2);
  EXPECT_EQ(encoded["tasks_by_state"]["cancelled"], 0) << "every state is present";
  EXPECT_EQ(encoded["plans_by_state"]["completed"], 0);
  EXPECT_EQ(encoded["overdue_by_owner"][0]["name"], "Han Meimei");
  EXPECT_EQ(encoded["overdue_by_owner"][0]["count"], 1);
  EXPECT_TRUE(encoded["overdue_by_owner"][1]["name"].is_null());
  EXPECT_EQ(encoded["due_soon"][0].dump(),
            R"({"id":3,"plan_id":1,"title":"Survey","due_at":"2026-11-20T00:00:00Z",)"
            R"("state":"open"})");
  EXPECT_EQ(encoded["generated_at"], "2026-11-25T00:00:00Z");
}

TEST(ApiJsonEncode, PeopleNeverShowHandles) {
  json people = EncodePeople(testing::SampleDirectory());
  ASSERT_EQ(people["items"].size(), 5u);
  for (const json& person : people["items"]) {
    EXPECT_EQ(person.size(), 4u) << person.dump();
    EXPECT_FALSE(person.contains("handles"));
  }
  EXPECT_NE(people.dump().find("\"manager\":null"), std::string::npos) << "the boss has none";
  EXPECT_EQ(people.dump().find("13800000001"), std::string::npos);
}

}  // namespace
}  // namespace kaizen::daemon
