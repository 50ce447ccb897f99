// Small dependency-free SVG line charts of per-step RL metrics (reward, accuracy, completion length, KL) and of
// pass@k against k.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "r1/io/jsonl.h"

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

using ChartLine = std::pair<std::string, std::vector<std::pair<double, double>>>;  // name, (x, y) points

// How a chart's x axis is drawn.
struct ChartAxes {
  std::string x_label = "step";
  bool log2_x = false;   // x placed at log2(x) (x > 0), with a tick labelled at each x the lines have
  bool markers = false;  // a dot at every point
};

// The SVG text of one chart (exposed for tests).
std::string svg_line_chart(const std::string& title, const std::vector<ChartLine>& lines, const ChartAxes& axes = {});

// pass_at_k.svg in `dir`: pass@k against k (log2 scale), a line for each stage of `order` that `curves` has
// (report.json's "pass_at_k": {stage: {"k": [...], "pass@k": [...]}}). Returns the file name, or "" (nothing
// written) when no stage has a curve.
std::string write_pass_at_k_chart(const Json& curves, const std::vector<std::string>& order, const std::string& dir);

}  // namespace r1::stages
