// A small, fixed directory of people and teams for tests, so every test binary speaks of the
// same org chart:
//
//   boss (ops, no manager)
//   ├── li.lei      (ops)  usually the plan owner
//   ├── wang.fang   (ops)  manager of han.meimei
//   │   └── han.meimei (ops)  usually the task owner
//   └── zhang.san   (cs)   a colleague who reviews nothing of han.meimei's
//
// Teams: "ops" (Asia/Shanghai) and "cs" (Europe/Berlin).
#pragma once

#include "workflow/model.h"

namespace kaizen::testing {

inline constexpr char kBoss[] = "boss";
inline constexpr char kPlanOwner[] = "li.lei";
inline constexpr char kManager[] = "wang.fang";
inline constexpr char kTaskOwner[] = "han.meimei";
inline constexpr char kStranger[] = "zhang.san";

Directory SampleDirectory();

}  // namespace kaizen::testing
