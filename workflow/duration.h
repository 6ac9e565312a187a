// ISO 8601 durations as exact lengths of time, for reminder policies ("P1D before the deadline",
// "repeat every PT4H").
//
// Only units of fixed length are accepted: weeks (PnW, alone, as ISO 8601 writes them) or days,
// hours, minutes and seconds (PnDTnHnMnS, each at most once, in that order, whole numbers).
// Years and months are rejected: "P1M" has no fixed length, and a reminder offset must mean the
// same thing in February as in March. A day is exactly 24 hours of elapsed time, so "P1D before
// a deadline" is 24 hours earlier even across a DST change. Letters may be upper or lower case.
//
// Pure functions; callable from any thread.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "workflow/status.h"

namespace kaizen {

// Parses "P3D", "PT2H", "P1DT12H", "PT90M", "P2W", "PT0S". Fails with kInvalidArgument and
//   "duration_calendar_unit"  years or months ("P1Y", "P1M"); the message says to use days
//   "invalid_duration"        anything else that is not a duration of the form above: empty,
//                             "P", "PT", signs, fractions, blanks, units out of order or
//                             repeated, weeks combined with other units, a number over 9 digits
// details: {"text": the input}.
Result<std::chrono::seconds> DecodeIsoDuration(std::string_view text);

// DecodeIsoDuration without the reason: nullopt when the text is not accepted.
std::optional<std::chrono::seconds> ParseIsoDuration(std::string_view text);

// The canonical form: days, then hours, minutes and seconds, zero parts left out; never weeks
// (P2W is written "P14D"), hours of whole days folded into days ("PT48H" is written "P2D").
// Zero is "PT0S"; a negative duration gets a leading '-' ("-PT5M"), which ParseIsoDuration does
// not accept back. ParseIsoDuration(FormatIsoDuration(d)) == d for every d >= 0.
std::string FormatIsoDuration(std::chrono::seconds d);

}  // namespace kaizen
