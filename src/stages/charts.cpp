// SVG line charts.
#include "r1/stages/charts.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "r1/io/jsonl.h"
#include "r1/util/fs.h"

namespace r1::stages {

namespace {
const std::vector<std::string> kChartMetrics = {"reward", "accuracy", "format_rate", "language_consistency",
                                                "completion_len_mean", "kl"};
const char* kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};

std::string fmt_num(double v) {
  char buf[32];
  if (std::fabs(v) >= 100) std::snprintf(buf, sizeof buf, "%.0f", v);
  else if (std::fabs(v) >= 1) std::snprintf(buf, sizeof buf, "%.2f", v);
  else std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}
}  // namespace

ChartSeriesSet load_chart_series(const std::string& stage, const std::string& metrics_path) {
  ChartSeriesSet set;
  set.stage = stage;
  for_each_jsonl(metrics_path, [&](const Json& row, size_t) {
    if (!row.contains("step") || !row["step"].is_number()) return;
    double step = row["step"].get<double>();
    for (const auto& m : kChartMetrics)
      if (row.contains(m) && row[m].is_number()) set.series[m].emplace_back(step, row[m].get<double>());
  });
  return set;
}

std::string svg_line_chart(const std::string& title,
                           const std::vector<std::pair<std::string, std::vector<std::pair<double, double>>>>& lines) {
  const double w = 640, h = 320, left = 60, right = 150, top = 30, bottom = 40;
  double x0 = 1e300, x1 = -1e300, y0 = 1e300, y1 = -1e300;
  for (const auto& [name, pts] : lines)
    for (const auto& [x, y] : pts) {
      x0 = std::min(x0, x), x1 = std::max(x1, x);
      y0 = std::min(y0, y), y1 = std::max(y1, y);
    }
  if (x0 > x1) x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  if (x1 == x0) x1 = x0 + 1;
  if (y1 == y0) y1 = y0 + 1;
  double pad = 0.05 * (y1 - y0);
  y0 -= pad, y1 += pad;
  auto sx = [&](double x) { return left + (x - x0) / (x1 - x0) * (w - left - right); };
  auto sy = [&](double y) { return h - bottom - (y - y0) / (y1 - y0) * (h - top - bottom); };
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"320\" font-family=\"sans-serif\" "
                    "font-size=\"11\">\n<rect width=\"640\" height=\"320\" fill=\"white\"/>\n";
  char buf[256];
  std::snprintf(buf, sizeof buf, "<text x=\"%g\" y=\"18\" font-size=\"14\">%s</text>\n", left, title.c_str());
  svg += buf;
  for (int i = 0; i <= 4; ++i) {
    double y = y0 + (y1 - y0) * i / 4.0;
    std::snprintf(buf, sizeof buf,
                  "<line x1=\"%g\" y1=\"%.1f\" x2=\"%g\" y2=\"%.1f\" stroke=\"#ddd\"/><text x=\"%g\" y=\"%.1f\" "
                  "text-anchor=\"end\">%s</text>\n",
                  left, sy(y), w - right, sy(y), left - 4, sy(y) + 4, fmt_num(y).c_str());
    svg += buf;
  }
  std::snprintf(buf, sizeof buf,
                "<text x=\"%g\" y=\"%g\">step %s</text><text x=\"%g\" y=\"%g\" text-anchor=\"end\">%s</text>\n", left,
                h - 10, fmt_num(x0).c_str(), w - right, h - 10, fmt_num(x1).c_str());
  svg += buf;
  for (size_t li = 0; li < lines.size(); ++li) {
    const auto& [name, pts] = lines[li];
    const char* color = kColors[li % 6];
    svg += "<polyline fill=\"none\" stroke=\"" + std::string(color) + "\" stroke-width=\"1.5\" points=\"";
    for (const auto& [x, y] : pts) {
      std::snprintf(buf, sizeof buf, "%.1f,%.1f ", sx(x), sy(y));
      svg += buf;
    }
    svg += "\"/>\n";
    std::snprintf(buf, sizeof buf, "<text x=\"%g\" y=\"%g\" fill=\"%s\">%s</text>\n", w - right + 8,
                  top + 14.0 * (li + 1), color, name.c_str());
    svg += buf;
  }
  return svg + "</svg>\n";
}

std::vector<std::string> write_charts(const std::vector<ChartSeriesSet>& sets, const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& metric : kChartMetrics) {
    std::vector<std::pair<std::string, std::vector<std::pair<double, double>>>> lines;
    for (const auto& s : sets) {
      auto it = s.series.find(metric);
      if (it != s.series.end() && !it->second.empty()) lines.emplace_back(s.stage, it->second);
    }
    if (lines.empty()) continue;
    std::string file = metric + ".svg";
    write_file_atomic((std::filesystem::path(dir) / file).string(), svg_line_chart(metric + " per step", lines));
    files.push_back(file);
  }
  return files;
}

}  // namespace r1::stages
