#include "cli/settings.h"

#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace kaizen::cli {
namespace {

std::optional<std::string> NonEmpty(const EnvLookup& env, std::string_view name) {
  if (!env) return std::nullopt;
  std::optional<std::string> value = env(name);
  if (!value || value->empty()) return std::nullopt;
  return value;
}

Result<std::string> ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return UsageError("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A warning when `path` may be read by group or others: it holds a secret.
std::optional<std::string> LooseModeWarning(const std::string& path, std::string_view what) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return std::nullopt;
  if ((info.st_mode & (S_IRWXG | S_IRWXO)) == 0) return std::nullopt;
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
  return "warning: " + path + " holds " + std::string(what) + " and others may read it (mode " +
         mode + "); run: chmod 600 " + path;
}

std::string Trim(std::string text) {
  const char* blanks = " \t\r\n";
  text.erase(0, text.find_first_not_of(blanks));
  std::size_t end = text.find_last_not_of(blanks);
  text.erase(end == std::string::npos ? 0 : end + 1);
  return text;
}

struct FileSettings {
  std::optional<std::string> server;
  std::optional<std::string> token;
  std::optional<std::string> token_file;  // resolved against the file's folder
  std::optional<std::string> actor;
};

Result<FileSettings> ReadConfigFile(const std::string& path) {
  Result<std::string> text = ReadWhole(path);
  if (!text.ok()) return text.status();
  nlohmann::json parsed = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return UsageError(path + ": not a JSON object");
  }
  FileSettings out;
  for (const auto& [key, value] : parsed.items()) {
    std::optional<std::string>* field = key == "server"       ? &out.server
                                        : key == "token"      ? &out.token
                                        : key == "token_file" ? &out.token_file
                                        : key == "actor"      ? &out.actor
                                                              : nullptr;
    if (field == nullptr) {
      return UsageError(path + ": unknown field '" + key +
                        "'; known: server, token, token_file, actor");
    }
    if (!value.is_string()) return UsageError(path + ": field '" + key + "' must be a string");
    if (!value.get<std::string>().empty()) *field = value.get<std::string>();
  }
  if (out.token && out.token_file) {
    return UsageError(path + ": give either token or token_file, not both");
  }
  if (out.token_file && !out.token_file->empty() && out.token_file->front() != '/') {
    std::size_t slash = path.rfind('/');
    if (slash != std::string::npos) *out.token_file = path.substr(0, slash + 1) + *out.token_file;
  }
  return out;
}

}  // namespace

std::string ConfigFilePath(const EnvLookup& env) {
  if (auto explicit_path = NonEmpty(env, "KAIZEN_CONFIG")) return *explicit_path;
  if (auto xdg = NonEmpty(env, "XDG_CONFIG_HOME")) return *xdg + "/kaizen/kaizenctl.json";
  if (auto home = NonEmpty(env, "HOME")) return *home + "/.config/kaizen/kaizenctl.json";
  return "";
}

Result<Settings> ResolveSettings(const Invocation& inv, const EnvLookup& env) {
  Settings settings;
  FileSettings file;
  std::string path = ConfigFilePath(env);
  struct stat info {};
  bool exists = !path.empty() && ::stat(path.c_str(), &info) == 0;
  if (!exists && NonEmpty(env, "KAIZEN_CONFIG")) {
    return UsageError("KAIZEN_CONFIG names " + path + ", which does not exist");
  }
  if (exists) {
    Result<FileSettings> read = ReadConfigFile(path);
    if (!read.ok()) return read.status();
    file = std::move(*read);
    settings.config_file = path;
  }

  settings.server = inv.server                       ? *inv.server
                    : NonEmpty(env, "KAIZEN_SERVER") ? *NonEmpty(env, "KAIZEN_SERVER")
                    : file.server                    ? *file.server
                                                     : std::string(kDefaultServer);

  if (inv.actor && !inv.actor->empty()) {
    settings.actor = inv.actor;
  } else if (auto from_env = NonEmpty(env, "KAIZEN_ACTOR")) {
    settings.actor = from_env;
  } else {
    settings.actor = file.actor;
  }

  if (inv.token && !inv.token->empty()) {
    settings.token = inv.token;
    settings.token_source = "--token";
  } else if (auto from_env = NonEmpty(env, "KAIZEN_TOKEN")) {
    settings.token = from_env;
    settings.token_source = "KAIZEN_TOKEN";
  } else if (file.token) {
    settings.token = file.token;
    settings.token_source = path;
    if (auto warning = LooseModeWarning(path, "a token")) settings.warnings.push_back(*warning);
  } else if (file.token_file) {
    Result<std::string> token = ReadWhole(*file.token_file);
    if (!token.ok()) {
      return UsageError(path + ": token_file " + *file.token_file + " cannot be read");
    }
    std::string trimmed = Trim(std::move(*token));
    if (trimmed.empty()) return UsageError(path + ": token_file " + *file.token_file + " is empty");
    settings.token = std::move(trimmed);
    settings.token_source = *file.token_file;
    if (auto warning = LooseModeWarning(*file.token_file, "a token")) {
      settings.warnings.push_back(*warning);
    }
  }
  return settings;
}

}  // namespace kaizen::cli
