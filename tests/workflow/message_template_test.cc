#include "workflow/message_template.h"

#include <gtest/gtest.h>

namespace kaizen {
namespace {

TemplateScope DigestScope() {
  TemplateScope scope;
  scope.names = {"count", "split", "part", "parts"};
  scope.lists["items"] = {"mention", "text"};
  return scope;
}

TemplateScope EventScope() {
  TemplateScope scope;
  scope.names = {"task", "owner", "due_in", "note", "upcoming"};
  return scope;
}

std::string Rendered(std::string_view source, const TemplateScope& scope,
                     const TemplateValues& values) {
  Result<MessageTemplate> parsed = MessageTemplate::Parse(source, scope);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  if (!parsed.ok()) return "";
  return parsed.value().Render(values);
}

std::string ErrorOf(std::string_view source, const TemplateScope& scope) {
  Result<MessageTemplate> parsed = MessageTemplate::Parse(source, scope);
  EXPECT_FALSE(parsed.ok()) << "accepted: " << source;
  if (parsed.ok()) return "";
  EXPECT_EQ(parsed.status().reason(), "invalid_template");
  return parsed.status().message();
}

TEST(MessageTemplate, PlaceholdersAreInsertedWithoutHtmlEscaping) {
  TemplateValues v;
  v.Set("task", "Fix <b>&\"quotes\"");
  v.Set("owner", "王芳");
  EXPECT_EQ(Rendered("{{owner}}: {{task}} / {{{task}}} / {{& task}}", EventScope(), v),
            "王芳: Fix <b>&\"quotes\" / Fix <b>&\"quotes\" / Fix <b>&\"quotes\"");
}

TEST(MessageTemplate, SectionsFollowBooleansAndNonEmptyTexts) {
  const std::string source =
      "{{#upcoming}}due in {{due_in}}{{/upcoming}}{{^upcoming}}overdue{{/upcoming}}"
      "{{#note}}: {{note}}{{/note}}";
  TemplateValues v;
  v.Set("upcoming", true);
  v.Set("due_in", "2 days");
  v.Set("note", "");
  EXPECT_EQ(Rendered(source, EventScope(), v), "due in 2 days");
  EXPECT_EQ(Rendered("[{{note}}]", EventScope(), v), "[]");
  v.Set("upcoming", false);
  v.Set("note", "numbers are wrong");
  EXPECT_EQ(Rendered(source, EventScope(), v), "overdue: numbers are wrong");
}

TEST(MessageTemplate, ALoopSeesEachItemAndTheOuterNames) {
  TemplateValues v;
  v.Set("count", "2");
  v.Set("split", false);
  for (const char* text : {"first", "second"}) {
    TemplateValues item;
    item.Set("mention", "@a ");
    item.Set("text", text);
    v.lists["items"].push_back(item);
  }
  EXPECT_EQ(Rendered("{{count}} reminders{{#split}} ({{part}}/{{parts}}){{/split}}"
                     "{{#items}}\n- {{mention}}{{text}} of {{count}}{{/items}}",
                     DigestScope(), v),
            "2 reminders\n- @a first of 2\n- @a second of 2");
  EXPECT_EQ(Rendered("{{^items}}nothing{{/items}}", DigestScope(), TemplateValues{}), "nothing");
}

TEST(MessageTemplate, MissingValuesAreEmpty) {
  EXPECT_EQ(Rendered("[{{task}}]{{#upcoming}}x{{/upcoming}}", EventScope(), TemplateValues{}),
            "[]");
}

TEST(MessageTemplate, AnUnknownNameIsRefusedWithWhereAndWhatIsKnown) {
  std::string error = ErrorOf("提醒：{{task}}\n到期 {{dueat}}", EventScope());
  EXPECT_EQ(error,
            "line 2, column 4: unknown name 'dueat'; known: due_in, note, owner, task, upcoming");
}

TEST(MessageTemplate, ItemNamesAreKnownOnlyInsideTheirLoop) {
  std::string error = ErrorOf("{{count}} {{text}}", DigestScope());
  EXPECT_NE(error.find("unknown name 'text'"), std::string::npos) << error;
  EXPECT_TRUE(MessageTemplate::Parse("{{#items}}{{text}}{{/items}}", DigestScope()).ok());
}

TEST(MessageTemplate, StructureErrorsSayWhere) {
  EXPECT_EQ(ErrorOf("{{#upcoming}}soon", EventScope()),
            "line 1, column 1: section 'upcoming' is never closed ('{{/upcoming}}' is missing)");
  EXPECT_EQ(ErrorOf("a {{/upcoming}}", EventScope()),
            "line 1, column 3: '{{/upcoming}}' closes a section that is not open");
  EXPECT_EQ(ErrorOf("{{#upcoming}}{{#note}}x{{/upcoming}}{{/note}}", EventScope()),
            "line 1, column 24: '{{/upcoming}}' closes 'note', opened at line 1, column 14");
  EXPECT_EQ(ErrorOf("due {{task", EventScope()), "line 1, column 5: unclosed tag '{{'");
  EXPECT_EQ(ErrorOf("{{}}", EventScope()), "line 1, column 1: empty tag");
}

TEST(MessageTemplate, PartialsDelimiterChangesAndBareListsAreRefused) {
  EXPECT_NE(ErrorOf("{{>footer}}", EventScope()).find("partials"), std::string::npos);
  EXPECT_NE(ErrorOf("{{=<% %>=}}", EventScope()).find("delimiters"), std::string::npos);
  EXPECT_NE(ErrorOf("{{items}}", DigestScope()).find("'items' is a list"), std::string::npos);
}

TEST(MessageTemplate, CommentsAreIgnored) {
  TemplateValues v;
  v.Set("task", "T");
  EXPECT_EQ(Rendered("{{! anything here }}{{task}}", EventScope(), v), "T");
}

}  // namespace
}  // namespace kaizen
