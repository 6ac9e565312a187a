// kaizen_format_bench: how long formatting a message takes, per provider and language, now that
// every message is rendered from a Mustache template (parsed again at each rendering).
//
//   build/release/bench/kaizen_format_bench [seconds per case, default 1]
//
// For each provider and locale it formats, for at most the given time: a single reminder, a
// digest of 20 (the default max_group_size) and a digest of 200 that must be split, and prints
// microseconds per formatted batch. Bounded in time; prints nothing else.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "notifiers/message_text.h"
#include "notifiers/provider_payload.h"

namespace {

using kaizen::Instant;
using namespace kaizen::notifiers;

kaizen::NotificationEvent Event(int i, kaizen::Instant now) {
  kaizen::NotificationEvent e;
  e.kind = i % 3 == 0 ? "overdue" : "before_due";
  e.task_id = 1000 + i;
  e.plan_id = 7;
  e.task_title = "整理十月客诉数据并给出改进措施 #" + std::to_string(i);
  e.plan_title = "十一月运营月度回顾";
  e.team = "ops";
  e.time_zone = "Asia/Shanghai";
  e.owner = "p" + std::to_string(i % 7);
  e.owner_name = "Owner " + std::to_string(i % 7);
  e.recipient = e.owner;
  e.recipient_name = e.owner_name;
  e.due_at = now + std::chrono::hours(i % 3 == 0 ? -30 : 50);
  return e;
}

DeliveryBatch Batch(int size, Instant now) {
  DeliveryBatch batch;
  batch.channel = "ops-chat";
  batch.idempotency_key = "bench";
  for (int i = 0; i < size; ++i) {
    kaizen::Notification n;
    n.id = i + 1;
    n.idempotency_key = "k" + std::to_string(i);
    n.channel = "ops-chat";
    n.event = Event(i, now);
    batch.items.push_back(std::move(n));
  }
  return batch;
}

kaizen::Directory People() {
  std::vector<kaizen::Person> people;
  for (int i = 0; i < 7; ++i) {
    kaizen::Person p;
    p.id = "p" + std::to_string(i);
    p.name = "Owner " + std::to_string(i);
    p.team = "ops";
    p.handles = {{"dingtalk", "1380000000" + std::to_string(i)},
                 {"feishu", "ou_" + std::to_string(i)},
                 {"wecom", "user" + std::to_string(i)},
                 {"slack", "U" + std::to_string(i)},
                 {"teams", "p" + std::to_string(i) + "@example.com"},
                 {"discord", "8035111022467891" + std::to_string(i)}};
    people.push_back(std::move(p));
  }
  return kaizen::Directory(std::move(people), {});
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 1.0;
  const auto budget = std::chrono::duration<double>(seconds > 0 ? seconds : 1.0);
  const Instant now =
      std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  kaizen::MessageSettings settings;
  settings.base_url = "https://kaizen.example.com";
  const MessageCatalog catalog = MessageCatalog::Make(settings).value();
  const kaizen::Directory people = People();
  std::printf("%-10s %-6s %6s %8s %12s\n", "provider", "locale", "items", "parts", "us/batch");
  for (Provider provider :
       {Provider::kWebhook, Provider::kDingTalk, Provider::kFeishu, Provider::kWeCom,
        Provider::kSlack, Provider::kTeams, Provider::kDiscord}) {
    for (kaizen::Locale locale : kaizen::kAllLocales) {
      for (int size : {1, 20, 200}) {
        const DeliveryBatch batch = Batch(size, now);
        std::size_t parts = 0;
        long runs = 0;
        const auto start = std::chrono::steady_clock::now();
        while (std::chrono::steady_clock::now() - start < budget) {
          parts = FormatForProvider(provider, batch, people, now, catalog, locale).size();
          ++runs;
        }
        const double us =
            std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
                .count() /
            static_cast<double>(runs);
        std::printf("%-10s %-6s %6d %8zu %12.1f\n", std::string(ToString(provider)).c_str(),
                    std::string(kaizen::ToString(locale)).c_str(), size, parts, us);
      }
    }
  }
  return 0;
}
