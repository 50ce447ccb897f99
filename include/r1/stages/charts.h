// Small dependency-free SVG line charts of per-step RL metrics (reward, accuracy, completion length, KL).
#pragma once
#include <map>
#include <string>
#include <vector>

namespace r1::stages {

struct ChartSeriesSet {
  std::string stage;
  std::map<std::string, std::vector<std::pair<double, double>>> series;  // metric -> (step, value)
};

// Reads metrics.jsonl rows (step + numeric keys) of one stage.
ChartSeriesSet load_chart_series(const std::string& stage, const std::string& metrics_path);

// One SVG per metric (reward, accuracy, completion_len_mean, kl, format_rate, language_consistency), each with
// a line per stage; returns the file names written into `dir`.
std::vector<std::string> write_charts(const std::vector<ChartSeriesSet>& sets, const std::string& dir);

// The SVG text of one chart (exposed for tests).
std::string svg_line_chart(const std::string& title, const std::vector<std::pair<std::string,
                           std::vector<std::pair<double, double>>>>& lines);

}  // namespace r1::stages
