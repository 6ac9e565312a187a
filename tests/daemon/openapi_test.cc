// docs/openapi.json must describe the API the daemon really serves: the same routes and methods
// as the router, the query parameters the handlers accept, and the document compiled into the
// binary must be the one in the tree.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "daemon/openapi_document.h"
#include "tests/daemon/api_test_env.h"

#ifndef KAIZEN_OPENAPI_JSON
#error "KAIZEN_OPENAPI_JSON must name docs/openapi.json"
#endif

namespace kaizen::daemon {
namespace {

using nlohmann::json;

constexpr const char* kMethods[] = {"get",     "put",  "post",  "delete",
                                    "options", "head", "patch", "trace"};

std::string Upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

class OpenApi : public ::testing::Test {
 protected:
  OpenApi() : doc_(json::parse(OpenApiDocument())) {}

  // Follows a local "$ref" ("#/components/parameters/Limit").
  const json& Resolve(const json& node) const {
    if (!node.contains("$ref")) return node;
    std::string ref = node["$ref"].get<std::string>();
    return doc_.at(json::json_pointer(ref.substr(1)));
  }

  json doc_;
  ApiTestEnv env_;
};

TEST_F(OpenApi, EmbeddedDocumentIsTheOneInTheTree) {
  std::ifstream in(KAIZEN_OPENAPI_JSON);
  std::stringstream text;
  text << in.rdbuf();
  ASSERT_FALSE(text.str().empty()) << KAIZEN_OPENAPI_JSON;
  EXPECT_EQ(OpenApiDocument(), text.str()) << "rebuild: the embedded copy is stale";
}

TEST_F(OpenApi, IsAnOpenApi3Document) {
  EXPECT_EQ(doc_["openapi"].get<std::string>().rfind("3.0.", 0), 0u);
  EXPECT_TRUE(doc_["info"]["title"].is_string());
  EXPECT_TRUE(doc_["info"]["version"].is_string());
  EXPECT_TRUE(doc_["paths"].is_object());
}

TEST_F(OpenApi, ListsExactlyTheRoutesOfTheRouter) {
  std::set<std::pair<std::string, std::string>> documented;
  for (const auto& [path, item] : doc_["paths"].items()) {
    for (const auto& [key, operation] : item.items()) {
      bool is_method =
          std::find(std::begin(kMethods), std::end(kMethods), key) != std::end(kMethods);
      ASSERT_TRUE(is_method) << path << " has '" << key << "', which is not an operation";
      documented.emplace(Upper(key), path);
    }
  }
  std::set<std::pair<std::string, std::string>> routed;
  for (const RouteInfo& route : env_.handlers().router().Routes()) {
    routed.emplace(route.method, route.pattern);
  }
  EXPECT_EQ(documented, routed);
}

TEST_F(OpenApi, EveryOperationDocumentsItsAnswers) {
  std::set<std::string> operation_ids;
  for (const auto& [path, item] : doc_["paths"].items()) {
    for (const auto& [method, operation] : item.items()) {
      SCOPED_TRACE(method + " " + path);
      ASSERT_TRUE(operation.contains("operationId"));
      EXPECT_TRUE(operation_ids.insert(operation["operationId"].get<std::string>()).second)
          << "operationId repeated";
      ASSERT_TRUE(operation["responses"].is_object());
      bool has_success = false;
      for (const auto& [code, response] : operation["responses"].items()) {
        const json& resolved = Resolve(response);
        EXPECT_TRUE(resolved.contains("description")) << code;
        if (code[0] == '2') has_success = true;
        if (code[0] == '4' || code[0] == '5') {
          EXPECT_EQ(resolved["content"]["application/json"]["schema"]["$ref"],
                    "#/components/schemas/Error")
              << code << " answers with the error body";
        }
      }
      EXPECT_TRUE(has_success);
      bool takes_body = method == "post" || method == "patch";
      EXPECT_EQ(operation.contains("requestBody"), takes_body);
      if (takes_body) {
        EXPECT_TRUE(operation["responses"].contains("413"));
        EXPECT_TRUE(operation["responses"].contains("415"));
        EXPECT_TRUE(operation["responses"].contains("400"));
      }
      bool has_path_id = false;
      for (const json& parameter : operation.value("parameters", json::array())) {
        const json& resolved = Resolve(parameter);
        if (resolved["in"] == "path" && resolved["name"] == "id") has_path_id = true;
      }
      EXPECT_EQ(has_path_id, path.find("{id}") != std::string::npos);
    }
  }
}

// Every "$ref" in the document names something that exists.
void CheckRefs(const json& doc, const json& node, const std::string& where) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if (key == "$ref") {
        std::string ref = value.get<std::string>();
        ASSERT_EQ(ref.rfind("#/", 0), 0u) << where;
        EXPECT_TRUE(doc.contains(json::json_pointer(ref.substr(1)))) << ref << " at " << where;
      } else {
        CheckRefs(doc, value, where + "/" + key);
      }
    }
  } else if (node.is_array()) {
    for (std::size_t i = 0; i < node.size(); ++i)
      CheckRefs(doc, node[i], where + "/" + std::to_string(i));
  }
}

TEST_F(OpenApi, EveryReferenceResolves) { CheckRefs(doc_, doc_, ""); }

// A value of the parameter's schema that the handlers accept.
std::string SampleValue(const json& schema) {
  if (schema.contains("enum")) return schema["enum"][0].get<std::string>();
  std::string type = schema.value("type", "string");
  if (type == "integer") return "1";
  if (type == "boolean") return "true";
  if (schema.value("format", "") == "date-time") return "2026-12-01T00:00:00Z";
  return "li.lei";
}

TEST_F(OpenApi, DocumentedQueryParametersAreAccepted) {
  int checked = 0;
  for (const auto& [path, item] : doc_["paths"].items()) {
    if (!item.contains("get") || path.find('{') != std::string::npos) continue;
    for (const json& parameter : item["get"].value("parameters", json::array())) {
      const json& resolved = Resolve(parameter);
      if (resolved["in"] != "query") continue;
      std::string name = resolved["name"];
      SCOPED_TRACE("GET " + path + "?" + name);
      std::string value = name == "cursor" ? "not-a-cursor" : SampleValue(resolved["schema"]);
      HttpResponse response = env_.Call("GET", path + "?" + name + "=" + value);
      if (name == "cursor") {
        EXPECT_EQ(ErrorCodeOf(response), "invalid_cursor") << response.body;
      } else {
        EXPECT_EQ(response.status, 200) << response.body;
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, 21) << "plans: 5, tasks: 9, summary: 2, notifications: 5";
}

}  // namespace
}  // namespace kaizen::daemon
