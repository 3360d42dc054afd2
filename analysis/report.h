// Reports for people: the terminal summary of a Monte Carlo run, read at a glance —
// every number with its unit and its 95 % confidence interval, aligned.
//
// Input is results.json (sim/results.h), so a report can be printed again from a
// saved file without rerunning.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace drsim {

std::string format_run_summary(const nlohmann::json& results);

// "12.3 min", "2.5 h", "3.1 d" from minutes.
std::string format_minutes(double minutes);

// A span in whole units, the two largest that matter: "2 h 34 min", "12 min", "45 s",
// "3 d 4 h", "0 s". From minutes; negative values are printed as their magnitude.
std::string format_span(double minutes);

}  // namespace drsim
