// SVG line charts.
#include "r1/stages/charts.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <set>

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

namespace {

// Where x sits on the axis: x itself, or log2(x) on a log2 axis.
double axis_x(double x, const ChartAxes& axes) { return axes.log2_x ? std::log2(x) : x; }

// The points a chart can place (on a log2 axis only x > 0).
std::vector<ChartLine> placeable(const std::vector<ChartLine>& lines, const ChartAxes& axes) {
  std::vector<ChartLine> out;
  for (const auto& [name, pts] : lines) {
    std::vector<std::pair<double, double>> kept;
    for (const auto& p : pts)
      if (!axes.log2_x || p.first > 0) kept.push_back(p);
    out.emplace_back(name, std::move(kept));
  }
  return out;
}

// The plot area and the data ranges it shows (x already on the axis' scale).
struct Frame {
  double w = 640, h = 320, left = 60, right = 150, top = 30, bottom = 40;
  double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  double sx(double x) const { return left + (x - x0) / (x1 - x0) * (w - left - right); }
  double sy(double y) const { return h - bottom - (y - y0) / (y1 - y0) * (h - top - bottom); }
};

// The frame that holds every point of `lines`, with 5% room above and below.
Frame frame_of(const std::vector<ChartLine>& lines, const ChartAxes& axes) {
  Frame f;
  double x0 = 1e300, x1 = -1e300, y0 = 1e300, y1 = -1e300;
  for (const auto& [name, pts] : lines)
    for (const auto& [x, y] : pts) {
      x0 = std::min(x0, axis_x(x, axes)), x1 = std::max(x1, axis_x(x, axes));
      y0 = std::min(y0, y), y1 = std::max(y1, y);
    }
  if (x0 > x1) x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  if (x1 == x0) x1 = x0 + 1;
  if (y1 == y0) y1 = y0 + 1;
  const double pad = 0.05 * (y1 - y0);
  f.x0 = x0, f.x1 = x1, f.y0 = y0 - pad, f.y1 = y1 + pad;
  return f;
}

// The x-axis labels: "LABEL first ... last", or on a log2 axis one tick per distinct x.
std::string x_axis_svg(const std::vector<ChartLine>& lines, const ChartAxes& axes, const Frame& f) {
  char buf[256];
  if (!axes.log2_x) {
    std::snprintf(buf, sizeof buf,
                  "<text x=\"%g\" y=\"%g\">%s %s</text><text x=\"%g\" y=\"%g\" text-anchor=\"end\">%s</text>\n",
                  f.left, f.h - 10, axes.x_label.c_str(), fmt_num(f.x0).c_str(), f.w - f.right, f.h - 10,
                  fmt_num(f.x1).c_str());
    return buf;
  }
  std::set<double> ticks;
  for (const auto& line : lines)
    for (const auto& p : line.second) ticks.insert(p.first);
  std::string svg;
  for (double t : ticks) {
    const std::string label = t == std::round(t) ? std::to_string(static_cast<long long>(t)) : fmt_num(t);
    std::snprintf(buf, sizeof buf, "<text x=\"%.1f\" y=\"%g\" text-anchor=\"middle\">%s</text>\n",
                  f.sx(axis_x(t, axes)), f.h - 24, label.c_str());
    svg += buf;
  }
  std::snprintf(buf, sizeof buf, "<text x=\"%g\" y=\"%g\" text-anchor=\"middle\">%s (log2 scale)</text>\n",
                (f.left + f.w - f.right) / 2, f.h - 8, axes.x_label.c_str());
  return svg + buf;
}

// One line (and its dots, with markers) and its name in the legend.
std::string line_svg(const ChartLine& line, size_t index, const ChartAxes& axes, const Frame& f) {
  const auto& [name, pts] = line;
  const char* color = kColors[index % 6];
  char buf[256];
  std::string svg = "<polyline fill=\"none\" stroke=\"" + std::string(color) + "\" stroke-width=\"1.5\" points=\"";
  for (const auto& [x, y] : pts) {
    std::snprintf(buf, sizeof buf, "%.1f,%.1f ", f.sx(axis_x(x, axes)), f.sy(y));
    svg += buf;
  }
  svg += "\"/>\n";
  if (axes.markers)
    for (const auto& [x, y] : pts) {
      std::snprintf(buf, sizeof buf, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>\n",
                    f.sx(axis_x(x, axes)), f.sy(y), color);
      svg += buf;
    }
  std::snprintf(buf, sizeof buf, "<text x=\"%g\" y=\"%g\" fill=\"%s\">%s</text>\n", f.w - f.right + 8,
                f.top + 14.0 * (index + 1), color, name.c_str());
  return svg + buf;
}

}  // namespace

std::string svg_line_chart(const std::string& title, const std::vector<ChartLine>& all_lines, const ChartAxes& axes) {
  const std::vector<ChartLine> lines = placeable(all_lines, axes);
  const Frame f = frame_of(lines, axes);
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"320\" font-family=\"sans-serif\" "
                    "font-size=\"11\">\n<rect width=\"640\" height=\"320\" fill=\"white\"/>\n";
  char buf[256];
  std::snprintf(buf, sizeof buf, "<text x=\"%g\" y=\"18\" font-size=\"14\">%s</text>\n", f.left, title.c_str());
  svg += buf;
  for (int i = 0; i <= 4; ++i) {
    double y = f.y0 + (f.y1 - f.y0) * i / 4.0;
    std::snprintf(buf, sizeof buf,
                  "<line x1=\"%g\" y1=\"%.1f\" x2=\"%g\" y2=\"%.1f\" stroke=\"#ddd\"/><text x=\"%g\" y=\"%.1f\" "
                  "text-anchor=\"end\">%s</text>\n",
                  f.left, f.sy(y), f.w - f.right, f.sy(y), f.left - 4, f.sy(y) + 4, fmt_num(y).c_str());
    svg += buf;
  }
  svg += x_axis_svg(lines, axes, f);
  for (size_t li = 0; li < lines.size(); ++li) svg += line_svg(lines[li], li, axes, f);
  return svg + "</svg>\n";
}

std::string write_pass_at_k_chart(const Json& curves, const std::vector<std::string>& order, const std::string& dir) {
  std::vector<ChartLine> lines;
  for (const auto& stage : order) {
    if (!curves.contains(stage)) continue;
    const auto ks = curves[stage].at("k").get<std::vector<double>>();
    const auto values = curves[stage].at("pass@k").get<std::vector<double>>();
    std::vector<std::pair<double, double>> pts;
    for (size_t i = 0; i < ks.size() && i < values.size(); ++i) pts.emplace_back(ks[i], values[i]);
    if (!pts.empty()) lines.emplace_back(stage, std::move(pts));
  }
  if (lines.empty()) return "";
  ChartAxes axes;
  axes.x_label = "k";
  axes.log2_x = true;
  axes.markers = true;
  const std::string file = "pass_at_k.svg";
  write_file_atomic((std::filesystem::path(dir) / file).string(), svg_line_chart("pass@k per stage", lines, axes));
  return file;
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
