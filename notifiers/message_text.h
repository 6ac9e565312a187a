// Message text: the one line a person reads in a chat to know what a notification wants of them.
//
// Short English sentences, one per event kind, starting with whom they address ("@Wang Fang: ",
// or "@all: " for a team told with mention_all), e.g.
//   @Wang Fang: Reminder: "Ship v2" (owner Wang Fang) is due in 1 day, Thu 26 Nov 09:00
//   (Asia/Shanghai)
// Times are written in the event's time zone (UTC when the zone is unknown), relative times in
// coarse units (minutes, hours, days) from the deadline to `now`. Days count calendar days in
// that zone, so a reminder a day ahead says "1 day" also across a DST change.
//
// Pure functions; any thread. The signatures carry no locale: a later language choice goes
// into the channel options, not into every caller.
#pragma once

#include <string>
#include <vector>

#include "workflow/notification.h"
#include "workflow/time.h"

namespace kaizen::notifiers {

// One line for one event. An unknown kind still gives a readable line naming the kind.
std::string MessageText(const NotificationEvent& event, Instant now);

// Several notifications said as one message: a header line "3 reminders", then one line per
// notification ("- " and its MessageText), in the given order, separated by '\n'.
std::string DigestText(const std::vector<Notification>& items, Instant now);

// "Thu 26 Nov 09:00" in `time_zone` (UTC when unknown), with the year after the month when it
// differs from the year of `now` there. English names whatever the process locale.
std::string FormatLocalTime(Instant t, std::string_view time_zone, Instant now);

}  // namespace kaizen::notifiers
