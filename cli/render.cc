#include "cli/render.h"

#include <algorithm>
#include <vector>

#include "cli/format.h"
#include "workflow/model.h"

namespace kaizen::cli {
namespace {

using json = nlohmann::ordered_json;

const json& Field(const json& object, std::string_view key) {
  static const json kNull;
  if (!object.is_object()) return kNull;
  auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

std::string Text(const json& value) {
  if (value.is_null()) return "-";
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "yes" : "no";
  if (value.is_array()) {
    if (value.empty()) return "-";
    std::string out;
    for (const json& item : value) out += (out.empty() ? "" : ", ") + Text(item);
    return out;
  }
  return value.dump();
}

std::string Text(const json& object, std::string_view key) { return Text(Field(object, key)); }

std::int64_t Count(const json& object, std::string_view key) {
  const json& value = Field(object, key);
  return value.is_number_integer() ? value.get<std::int64_t>() : 0;
}

std::string Indent(const std::string& text) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size() - 1;
    out += "  " + text.substr(start, end - start + 1);
    start = end + 1;
  }
  return out;
}

// "open 3, in_progress 1, ..." in the order of the lifecycle, then any state this client does
// not know yet.
std::string Counts(const json& by_state, const std::vector<std::string>& order) {
  if (!by_state.is_object()) return "-";
  std::string out;
  auto add = [&out](const std::string& name, const json& n) {
    out += (out.empty() ? "" : ", ") + name + " " + Text(n);
  };
  for (const std::string& name : order) {
    if (by_state.contains(name)) add(name, by_state.at(name));
  }
  for (const auto& [name, n] : by_state.items()) {
    if (std::find(order.begin(), order.end(), name) == order.end()) add(name, n);
  }
  return out.empty() ? "-" : out;
}

std::vector<std::string> TaskStateNames() {
  std::vector<std::string> names;
  for (TaskState s : kAllTaskStates) names.emplace_back(ToString(s));
  return names;
}

std::optional<TaskState> StateOf(const json& task) {
  const json& state = Field(task, "state");
  return state.is_string() ? ParseTaskState(state.get<std::string>()) : std::nullopt;
}

// The colours of a task's STATE and DUE cells: finished green, an unfinished task's deadline
// red when passed and yellow when near.
std::pair<Color, Color> TaskColors(const json& task, Instant now) {
  std::optional<TaskState> state = StateOf(task);
  if (state == TaskState::kDone || state == TaskState::kVerified) {
    return {Color::kGreen, Color::kNone};
  }
  const json& due = Field(task, "due_at");
  if (!state || !IsUnfinished(*state) || !due.is_string()) return {Color::kNone, Color::kNone};
  std::optional<Instant> parsed = ParseRfc3339(due.get<std::string>());
  return {Color::kNone, parsed ? DueColor(*parsed, now) : Color::kNone};
}

// "5m ago" from an RFC 3339 text; "-" when absent, the text itself when unparseable.
std::string Ago(const json& at, Instant now) {
  if (!at.is_string()) return "-";
  std::optional<Instant> parsed = ParseRfc3339(at.get<std::string>());
  return parsed ? FormatAgo(*parsed, now) : at.get<std::string>();
}

std::string DueWithRelative(const json& task, Instant now) {
  const json& due = Field(task, "due_at");
  if (!due.is_string()) return "-";
  return due.get<std::string>() + " (" + RelativeDue(due, Field(task, "state"), now) + ")";
}

}  // namespace

std::string RelativeDue(const json& due_at, const json& state, Instant now) {
  if (!due_at.is_string()) return "-";
  std::optional<Instant> due = ParseRfc3339(due_at.get<std::string>());
  if (!due) return due_at.get<std::string>();
  std::optional<TaskState> parsed =
      state.is_string() ? ParseTaskState(state.get<std::string>()) : std::nullopt;
  return FormatDue(*due, now, !parsed || IsUnfinished(*parsed));
}

std::string RenderTaskTable(const json& tasks, Instant now, Style style) {
  Table table(style.wide ? std::vector<std::string>{"ID", "PLAN", "STATE", "OWNER", "DUE", "DUE AT",
                                                    "UPDATED", "TITLE"}
                         : std::vector<std::string>{"ID", "STATE", "OWNER", "DUE", "TITLE"});
  table.AlignRight(0);
  if (style.wide) table.AlignRight(1);
  table.EnableColor(style.color);
  if (tasks.is_array()) {
    for (const json& t : tasks) {
      auto [state_color, due_color] = TaskColors(t, now);
      std::string due = RelativeDue(Field(t, "due_at"), Field(t, "state"), now);
      if (style.wide) {
        table.AddRow({Text(t, "id"), Text(t, "plan_id"), Text(t, "state"), Text(t, "owner"), due,
                      Text(t, "due_at"), Ago(Field(t, "updated_at"), now), Text(t, "title")},
                     {Color::kNone, Color::kNone, state_color, Color::kNone, due_color});
      } else {
        table.AddRow({Text(t, "id"), Text(t, "state"), Text(t, "owner"), due, Text(t, "title")},
                     {Color::kNone, state_color, Color::kNone, due_color});
      }
    }
  }
  return table.Render();
}

std::string RenderNotificationTable(const json& notifications, Instant now, Style style) {
  std::vector<std::string> header = {"ID", "STATE", "CHANNEL", "KIND",
                                     "TO", "TASK",  "TRIES",   "CREATED"};
  if (style.wide) header.insert(header.end(), {"UPDATED", "KEY"});
  header.push_back("NEXT / ERROR");
  Table table(std::move(header));
  table.AlignRight(0);
  table.AlignRight(5);
  table.AlignRight(6);
  table.EnableColor(style.color);
  if (notifications.is_array()) {
    for (const json& n : notifications) {
      const std::string state = Text(n, "state");
      Color color = state == "dead"        ? Color::kRed
                    : state == "failed"    ? Color::kYellow
                    : state == "delivered" ? Color::kGreen
                                           : Color::kNone;
      const json& recipient = Field(n, "recipient");
      std::string to = Text(recipient, "name");
      if (to == "-" || to.empty()) to = Text(recipient, "id");
      std::string next = "-";
      if (Field(n, "last_error").is_string()) {
        next = Text(n, "last_error");
        // One line per row: the whole error only with -o wide.
        if (!style.wide) next = Truncate(next, 60);
        if (Field(n, "next_attempt_at").is_string()) {
          next = "retry " + Ago(Field(n, "next_attempt_at"), now) + ": " + next;
        }
      } else if (Field(n, "next_attempt_at").is_string()) {
        next = "send " + Ago(Field(n, "next_attempt_at"), now);
      } else if (Field(n, "delivered_at").is_string()) {
        next = "delivered " + Ago(Field(n, "delivered_at"), now);
      }
      std::vector<std::string> row = {Text(n, "id"),
                                      state,
                                      Text(n, "channel"),
                                      Text(n, "kind"),
                                      to,
                                      Text(n, "task_id"),
                                      Text(n, "attempts"),
                                      Ago(Field(n, "created_at"), now)};
      if (style.wide) {
        row.push_back(Ago(Field(n, "updated_at"), now));
        row.push_back(Text(n, "idempotency_key"));
      }
      row.push_back(next);
      table.AddRow(std::move(row), {Color::kNone, color});
    }
  }
  return table.Render();
}

std::string RenderSnoozed(const json& before, const json& after, Instant now) {
  std::string out = "task " + Text(after, "id") + " snoozed: due " + Text(after, "due_at") + " (" +
                    RelativeDue(Field(after, "due_at"), Field(after, "state"), now) + "), was " +
                    Text(before, "due_at") + " (" +
                    RelativeDue(Field(before, "due_at"), Field(before, "state"), now) + ")\n";
  const json& next = Field(after, "next_reminder_at");
  out += next.is_string()
             ? "next reminder " + Ago(next, now) + " (" + next.get<std::string>() + ")\n"
             : "no reminder pending\n";
  return out;
}

std::string RenderTask(const json& task, const json& events, Instant now, Style style) {
  std::string out = "Task " + Text(task, "id") + ": " + Text(task, "title") + "\n";
  Table fields;
  fields.AddRow({"plan", Text(task, "plan_id")});
  if (!Field(task, "key").is_null()) fields.AddRow({"key", Text(task, "key")});
  fields.AddRow({"state", Text(task, "state")});
  fields.AddRow({"owner", Text(task, "owner")});
  fields.AddRow({"due", DueWithRelative(task, now)});
  fields.AddRow({"criterion", Text(task, "criterion").empty() ? "-" : Text(task, "criterion")});
  fields.AddRow({"depends on", Text(task, "depends_on")});
  fields.AddRow({"version", Text(task, "version")});
  fields.AddRow({"created", Text(task, "created_at")});
  fields.AddRow({"updated", Text(task, "updated_at")});
  if (!Field(task, "completed_at").is_null()) {
    fields.AddRow({"completed", Text(task, "completed_at")});
  }
  out += Indent(fields.Render());
  const json& description = Field(task, "description");
  if (description.is_string() && !description.get<std::string>().empty()) {
    out += "\n" + Indent(description.get<std::string>() + "\n");
  }
  out += "\nHistory\n";
  Table history({"AT", "ACTOR", "EVENT", "CHANGE", "NOTE"});
  if (events.is_array()) {
    for (const json& e : events) {
      std::string change = "-";
      if (!Field(e, "from").is_null() || !Field(e, "to").is_null()) {
        change = Field(e, "from").is_null() ? "-> " + Text(e, "to")
                                            : Text(e, "from") + " -> " + Text(e, "to");
      }
      std::string note = Text(e, "note");
      history.AddRow(
          {Text(e, "at"), Text(e, "actor"), Text(e, "kind"), change, note.empty() ? "-" : note});
    }
  }
  out += history.empty() ? "  (none)\n" : history.Render();
  (void)style;  // the fields and history have nothing to colour
  return out;
}

std::string RenderPlanTable(const json& plans, Style style, Instant now) {
  Table table(style.wide ? std::vector<std::string>{"ID", "STATE", "KIND", "OWNER", "TEAM", "DONE",
                                                    "OVERDUE", "TEMPLATE", "CREATED", "TITLE"}
                         : std::vector<std::string>{"ID", "STATE", "OWNER", "TEAM", "DONE",
                                                    "OVERDUE", "TITLE"});
  const std::size_t done_column = style.wide ? 5 : 4;
  table.AlignRight(0);
  table.AlignRight(done_column);
  table.AlignRight(done_column + 1);
  table.EnableColor(style.color);
  if (plans.is_array()) {
    for (const json& p : plans) {
      const json& progress = Field(p, "progress");
      const json& by_state = Field(progress, "tasks_by_state");
      std::int64_t finished = Count(by_state, "done") + Count(by_state, "verified");
      std::int64_t counted = Count(progress, "total") - Count(by_state, "cancelled");
      std::string done =
          progress.is_object() ? std::to_string(finished) + "/" + std::to_string(counted) : "-";
      const std::string state = Text(p, "state");
      Color state_color = state == "completed" ? Color::kGreen : Color::kNone;
      Color overdue_color = Count(progress, "overdue") > 0 ? Color::kRed : Color::kNone;
      if (style.wide) {
        table.AddRow({Text(p, "id"), state, Text(p, "kind"), Text(p, "owner"), Text(p, "team"),
                      done, Text(progress, "overdue"), Text(p, "template"),
                      Ago(Field(p, "created_at"), now), Text(p, "title")},
                     {Color::kNone, state_color, Color::kNone, Color::kNone, Color::kNone,
                      Color::kNone, overdue_color});
      } else {
        table.AddRow(
            {Text(p, "id"), state, Text(p, "owner"), Text(p, "team"), done,
             Text(progress, "overdue"), Text(p, "title")},
            {Color::kNone, state_color, Color::kNone, Color::kNone, Color::kNone, overdue_color});
      }
    }
  }
  return table.Render();
}

std::string RenderReport(const json& report) {
  std::string out =
      "Report of plan " + Text(report, "plan_id") + ": " + Text(report, "title") + "\n";
  const json& closed_at = Field(report, "closed_at");
  Table fields;
  fields.AddRow({"team", Text(report, "team")});
  fields.AddRow({"plan state", Text(report, "plan_state")});
  fields.AddRow({"report", closed_at.is_string() ? "frozen, closed " + closed_at.get<std::string>()
                                                 : "live, " + Text(report, "generated_at")});
  fields.AddRow({"tasks", Counts(Field(report, "tasks_by_state"), TaskStateNames()) + " (" +
                              Text(report, "tasks_total") + " in all)"});
  const json& on_time = Field(report, "on_time_percent");
  fields.AddRow({"on time", on_time.is_number()
                                ? Text(on_time) + "% (" + Text(report, "finished_on_time") +
                                      " of " + Text(report, "finished") + " finished on time)"
                                : "- (nothing finished or due yet)"});
  const json& snapshot = Field(report, "snapshot");
  fields.AddRow({"snapshot", "at start " + Text(snapshot, "scope_at_start") + ", added " +
                                 Text(snapshot, "added") + ", done " + Text(snapshot, "done") +
                                 ", verified " + Text(snapshot, "verified") + ", cancelled " +
                                 Text(snapshot, "cancelled") + ", carried " +
                                 Text(snapshot, "carried")});
  const json& previous = Field(report, "previous");
  if (previous.is_object()) {
    fields.AddRow({"previous cycle", "plan " + Text(previous, "plan_id") + ": on time " +
                                         Text(previous, "on_time_percent_change") +
                                         " points, overdue " + Text(previous, "overdue_change")});
  }
  out += Indent(fields.Render());
  const json& overdue = Field(report, "overdue");
  if (overdue.is_array() && !overdue.empty()) {
    out += "\nOverdue\n";
    Table table({"ID", "OWNER", "DUE", "DAYS LATE", "TITLE"});
    table.AlignRight(0);
    table.AlignRight(3);
    for (const json& t : overdue) {
      table.AddRow({Text(t, "id"), Text(t, "owner_name"), Text(t, "due_at"), Text(t, "days_late"),
                    Text(t, "title")});
    }
    out += table.Render();
  }
  const json& carried_twice = Field(report, "carried_twice");
  if (carried_twice.is_array() && !carried_twice.empty()) {
    out += "\nCarried twice or more\n";
    Table table({"ID", "OWNER", "TIMES", "TITLE"});
    table.AlignRight(0);
    table.AlignRight(2);
    for (const json& t : carried_twice) {
      table.AddRow(
          {Text(t, "id"), Text(t, "owner_name"), Text(t, "carry_count"), Text(t, "title")});
    }
    out += table.Render();
  }
  const json& goals = Field(report, "goals");
  if (goals.is_array() && !goals.empty()) {
    out += "\nGoals\n";
    Table table({"METRIC", "BASELINE", "TARGET", "LATEST", "UNIT", "RECORDED"});
    for (std::size_t c = 1; c <= 3; ++c) table.AlignRight(c);
    for (const json& g : goals) {
      std::string unit = Text(g, "unit");
      table.AddRow({Text(g, "metric"), Text(g, "baseline"), Text(g, "target"), Text(g, "actual"),
                    unit.empty() ? "-" : unit, Text(g, "actual_at")});
    }
    out += table.Render();
  }
  return out;
}

std::string RenderPlan(const json& plan, Instant now, Style style) {
  std::string out = "Plan " + Text(plan, "id") + ": " + Text(plan, "title") + "\n";
  const json& progress = Field(plan, "progress");
  const json& by_state = Field(progress, "tasks_by_state");
  Table fields;
  fields.AddRow({"kind", Text(plan, "kind")});
  fields.AddRow({"state", Text(plan, "state")});
  fields.AddRow({"owner", Text(plan, "owner")});
  fields.AddRow({"team", Text(plan, "team")});
  if (progress.is_object()) {
    std::int64_t finished = Count(by_state, "done") + Count(by_state, "verified");
    std::int64_t counted = Count(progress, "total") - Count(by_state, "cancelled");
    fields.AddRow({"progress", std::to_string(finished) + " of " + std::to_string(counted) +
                                   " tasks finished, " + Text(progress, "overdue") + " overdue"});
    fields.AddRow({"tasks", Counts(by_state, TaskStateNames())});
  }
  fields.AddRow({"verification", Field(plan, "allow_self_verification") == true
                                     ? "owners may verify their own tasks"
                                     : "by the plan owner or the task owner's manager"});
  fields.AddRow({"version", Text(plan, "version")});
  fields.AddRow({"created", Text(plan, "created_at")});
  fields.AddRow({"updated", Text(plan, "updated_at")});
  out += Indent(fields.Render());
  const json& description = Field(plan, "description");
  if (description.is_string() && !description.get<std::string>().empty()) {
    out += "\n" + Indent(description.get<std::string>() + "\n");
  }
  const json& goals = Field(plan, "goals");
  if (goals.is_array() && !goals.empty()) {
    out += "\nGoals\n";
    Table table({"METRIC", "BASELINE", "TARGET", "ACTUAL", "UNIT", "BY"});
    for (std::size_t c = 1; c <= 3; ++c) table.AlignRight(c);
    for (const json& g : goals) {
      std::string unit = Text(g, "unit");
      table.AddRow({Text(g, "metric"), Text(g, "baseline"), Text(g, "target"), Text(g, "actual"),
                    unit.empty() ? "-" : unit, Text(g, "target_date")});
    }
    out += table.Render();
  }
  const json& tasks = Field(plan, "tasks");
  out += "\nTasks\n";
  out += tasks.is_array() && !tasks.empty() ? RenderTaskTable(tasks, now, style) : "  (none)\n";
  return out;
}

std::string RenderSummary(const json& summary, Instant now, Style style) {
  Table counts;
  counts.AddRow({"Tasks", Counts(Field(summary, "tasks_by_state"), TaskStateNames())});
  counts.AddRow(
      {"Plans", Counts(Field(summary, "plans_by_state"), {"active", "completed", "cancelled"})});
  counts.AddRow({"Overdue", Text(summary, "overdue")});
  std::string out = counts.Render();

  Table overdue({"ID", "PLAN", "STATE", "OWNER", "DUE", "TITLE"});
  overdue.AlignRight(0);
  overdue.AlignRight(1);
  overdue.EnableColor(style.color);
  const json& by_owner = Field(summary, "overdue_by_owner");
  if (by_owner.is_array()) {
    for (const json& group : by_owner) {
      const json& tasks = Field(group, "tasks");
      if (!tasks.is_array()) continue;
      for (const json& t : tasks) {
        overdue.AddRow(
            {Text(t, "id"), Text(t, "plan_id"), Text(t, "state"), Text(group, "owner"),
             RelativeDue(Field(t, "due_at"), Field(t, "state"), now), Text(t, "title")},
            {Color::kNone, Color::kNone, Color::kNone, Color::kNone, TaskColors(t, now).second});
      }
    }
  }
  if (!overdue.empty()) out += "\nOverdue, by owner\n" + overdue.Render();

  Table soon({"ID", "PLAN", "STATE", "DUE", "TITLE"});
  soon.AlignRight(0);
  soon.AlignRight(1);
  soon.EnableColor(style.color);
  const json& due_soon = Field(summary, "due_soon");
  if (due_soon.is_array()) {
    for (const json& t : due_soon) {
      soon.AddRow({Text(t, "id"), Text(t, "plan_id"), Text(t, "state"),
                   RelativeDue(Field(t, "due_at"), Field(t, "state"), now), Text(t, "title")},
                  {Color::kNone, Color::kNone, Color::kNone, TaskColors(t, now).second});
    }
  }
  if (!soon.empty()) out += "\nDue soon\n" + soon.Render();
  return out;
}

std::string RenderChannelTable(const json& channels) {
  Table table({"ID", "TYPE", "RATE", "STATE", "URL"});
  if (channels.is_array()) {
    for (const json& c : channels) {
      const json& rate = Field(c, "rate_limit");
      std::string rate_text = rate.is_object()
                                  ? Text(rate, "per_minute") + "/min, burst " + Text(rate, "burst")
                                  : "unlimited";
      std::string state = Field(c, "broken") == true ? "broken: " + Text(c, "broken_reason") : "ok";
      table.AddRow({Text(c, "id"), Text(c, "type"), rate_text, state, Text(c, "url")});
    }
  }
  return table.Render();
}

std::string RenderTemplateTable(const json& templates) {
  Table table({"ID", "KIND", "TASKS", "GOALS", "TITLE", "SOURCE"});
  table.AlignRight(2);
  table.AlignRight(3);
  if (templates.is_array()) {
    for (const json& t : templates) {
      table.AddRow({Text(t, "id"), Text(t, "kind"), Text(t, "tasks"), Text(t, "goals"),
                    Text(t, "title"), Text(t, "source")});
    }
  }
  return table.Render();
}

std::string RenderChannelTest(const json& report) {
  const bool delivered = Field(report, "delivered") == true;
  std::string out = "Channel " + Text(report, "channel") + " (" + Text(report, "type") +
                    "): " + (delivered ? "delivered" : "NOT delivered") + "\n";
  Table fields;
  fields.AddRow({"reason", Text(report, "reason")});
  fields.AddRow({"category", Text(report, "category")});
  fields.AddRow({"outcome", Text(report, "outcome")});
  const json& network = Field(report, "network_error");
  if (network.is_object()) {
    fields.AddRow({"network error", Text(network, "code") + ": " + Text(network, "message")});
  } else {
    fields.AddRow({"http status", Text(report, "http_status")});
  }
  if (!Field(report, "provider_code").is_null()) {
    fields.AddRow({"provider code", Text(report, "provider_code")});
  }
  if (!Field(report, "provider_message").is_null()) {
    fields.AddRow({"provider message", Text(report, "provider_message")});
  }
  const json& body = Field(report, "reply_body");
  if (body.is_string()) {
    std::string text = body.get<std::string>();
    if (text.empty()) text = "(empty)";
    if (Field(report, "reply_truncated") == true) text += " [cut at 4096 bytes]";
    fields.AddRow({"reply", text});
  }
  if (!Field(report, "retry_after_seconds").is_null()) {
    fields.AddRow({"retry after", Text(report, "retry_after_seconds") + " s"});
  }
  if (!Field(report, "latency_ms").is_null()) {
    fields.AddRow({"latency", Text(report, "latency_ms") + " ms"});
  }
  const json& requests = Field(report, "requests");
  if (requests.is_number_integer() && requests.get<std::int64_t>() > 1) {
    fields.AddRow({"requests", Text(requests) + " (the signature was refused and renewed)"});
  }
  const json& waited = Field(report, "rate_limit_wait_ms");
  if (waited.is_number_integer() && waited.get<std::int64_t>() > 0) {
    fields.AddRow({"rate limit wait", Text(waited) + " ms"});
  }
  fields.AddRow({"url", Text(report, "url")});
  fields.AddRow({"message", Text(report, "message")});
  fields.AddRow({"key", Text(report, "idempotency_key")});
  fields.AddRow({"sent at", Text(report, "sent_at")});
  return out + Indent(fields.Render());
}

std::string RenderMoved(const json& task, Instant now) {
  std::string out = "task " + Text(task, "id") + " is now " + Text(task, "state");
  const json& state = Field(task, "state");
  std::optional<TaskState> parsed =
      state.is_string() ? ParseTaskState(state.get<std::string>()) : std::nullopt;
  if (parsed && IsUnfinished(*parsed) && Field(task, "due_at").is_string()) {
    std::string due = RelativeDue(Field(task, "due_at"), state, now);
    out += due.rfind("overdue", 0) == 0 ? " (" + due + ")" : " (due " + due + ")";
  }
  return out + ": " + Text(task, "title") + "\n";
}

std::string RenderSchedulePreview(const json& preview) {
  std::string out = "Rule " + Text(preview, "rule") + " in " + Text(preview, "time_zone");
  if (Text(preview, "dst") == "skip") out += " (times skipped by DST are skipped)";
  out += "\n";
  const json& fires = Field(preview, "fires");
  if (!fires.is_array() || fires.empty()) return out + "No fire found.\n";
  // "2027-01-01T09:00:00+08:00" -> "2027-01-01 09:00:00 +08:00", "...01:00:00Z" -> "... UTC".
  auto spaced = [](std::string text) {
    if (text.size() > 19 && text[10] == 'T') {
      text[10] = ' ';
      if (text.back() == 'Z') {
        text.back() = ' ';
        text += "UTC";
      } else {
        text.insert(19, " ");
      }
    }
    return text;
  };
  bool any_moved = false;
  for (const json& fire : fires) any_moved = any_moved || Field(fire, "moved_from").is_string();
  Table table(any_moved ? std::vector<std::string>{"#", "LOCAL", "UTC", "NOTE"}
                        : std::vector<std::string>{"#", "LOCAL", "UTC"});
  table.AlignRight(0);
  std::size_t n = 0;
  for (const json& fire : fires) {
    std::string local = Text(fire, "weekday") + " " + spaced(Text(fire, "local"));
    if (const std::string abbreviation = Text(fire, "abbreviation"); abbreviation != "-") {
      local += " " + abbreviation;
    }
    std::string note;
    if (Field(fire, "moved_from").is_string()) {
      std::string moved = Text(fire, "moved_from");
      if (moved.size() >= 16) moved = moved.substr(11, 5);
      note = "(" + moved + " does not exist that day: moved past the DST gap)";
    }
    std::vector<std::string> row = {std::to_string(++n), local, spaced(Text(fire, "utc"))};
    if (any_moved) row.push_back(note);
    table.AddRow(std::move(row));
  }
  return out + table.Render();
}

// ---- Schedules (area "sched") ----

std::string RenderScheduleTable(const json& schedules) {
  Table table({"ID", "TEMPLATE", "TEAM", "RULE", "ZONE", "OVERLAP", "STATE", "NEXT FIRE"});
  if (schedules.is_array()) {
    for (const json& s : schedules) {
      std::string state =
          Field(s, "paused") == true ? "paused: " + Text(s, "pause_reason") : "active";
      const json& next = Field(s, "next_fires");
      std::string next_text = "-";
      if (next.is_array() && !next.empty()) {
        next_text = Text(next[0], "local");
        if (Field(next[0], "moved_to_working_day") == true) {
          next_text += " (starts " + Text(next[0], "starts_at") + ")";
        }
      }
      table.AddRow({Text(s, "id"), Text(s, "template"), Text(s, "team"), Text(s, "rule"),
                    Text(s, "time_zone"), Text(s, "overlap"), state, next_text});
    }
  }
  return table.Render();
}

std::string RenderTriggered(const std::string& id, const json& result) {
  const std::string outcome = Text(result, "outcome");
  if (outcome == "skipped_overlap") {
    return "schedule " + id +
           ": no cycle started, the previous cycle is still active (overlap: skip)\n";
  }
  const json& cycle = Field(result, "cycle");
  std::string out = "schedule " + id + ": cycle " + Text(cycle, "id") + " started, plan " +
                    Text(cycle, "plan_id") + " with " + Text(result, "tasks") + " task(s)";
  if (Field(result, "carried").is_number() && Field(result, "carried").get<int>() > 0) {
    out += ", " + Text(result, "carried") + " carried over";
  }
  if (!Field(result, "closed_plan_id").is_null()) {
    out += "; plan " + Text(result, "closed_plan_id") + " closed";
  }
  return out + "\n";
}

}  // namespace kaizen::cli
