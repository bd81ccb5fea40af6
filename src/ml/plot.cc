// Plots of classification results as PNG files drawn with cairo: the labelled confusion matrix
// and the ROC curve (WriteConfusionMatrixPng, WriteRocPng in ml.h). Text uses cairo's toy font
// API with "DejaVu Sans" (Debian's fonts-dejavu-core), so no Pango. The image is encoded in
// memory and written with Env::OpenAtomic, so the file appears whole or not at all.
//
// Thread-safe: each call draws on its own surface.

#include <cairo/cairo.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <numbers>
#include <string>
#include <string_view>

#include "core/path.h"
#include "ml/ml.h"

namespace cairn::ml {
namespace {

constexpr const char* kFontFamily = "DejaVu Sans";

struct SurfaceDeleter {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct ContextDeleter {
  void operator()(cairo_t* cr) const { cairo_destroy(cr); }
};
using SurfacePtr = std::unique_ptr<cairo_surface_t, SurfaceDeleter>;
using ContextPtr = std::unique_ptr<cairo_t, ContextDeleter>;

struct Rgb {
  double r = 0, g = 0, b = 0;
};

void SetColor(cairo_t* cr, Rgb c) { cairo_set_source_rgb(cr, c.r, c.g, c.b); }

// matplotlib's "Blues" colour map, as its nine defining stops; `t` in [0, 1].
Rgb Blues(double t) {
  static constexpr std::array<std::array<int, 3>, 9> kStops = {{{247, 251, 255},
                                                                {222, 235, 247},
                                                                {198, 219, 239},
                                                                {158, 202, 225},
                                                                {107, 174, 214},
                                                                {66, 146, 198},
                                                                {33, 113, 181},
                                                                {8, 81, 156},
                                                                {8, 48, 107}}};
  t = std::clamp(t, 0.0, 1.0) * (kStops.size() - 1);
  size_t i = std::min(static_cast<size_t>(t), kStops.size() - 2);
  double f = t - static_cast<double>(i);
  auto mix = [&](int k) { return ((1 - f) * kStops[i][k] + f * kStops[i + 1][k]) / 255.0; };
  return {mix(0), mix(1), mix(2)};
}

// Black or white, whichever reads better on `background`.
Rgb TextColorOn(Rgb background) {
  double luminance = 0.299 * background.r + 0.587 * background.g + 0.114 * background.b;
  return luminance < 0.55 ? Rgb{1, 1, 1} : Rgb{0, 0, 0};
}

void SetFont(cairo_t* cr, double size, bool bold) {
  cairo_select_font_face(cr, kFontFamily, CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
}

double TextWidth(cairo_t* cr, const std::string& text) {
  cairo_text_extents_t ext;
  cairo_text_extents(cr, text.c_str(), &ext);
  return ext.x_advance;
}

// Sets the largest font size from `size` down to `min_size` at which `text` fits `max_width`.
void SetFontToFit(cairo_t* cr, const std::string& text, double max_width, double size,
                  double min_size, bool bold) {
  SetFont(cr, size, bold);
  while (size > min_size && TextWidth(cr, text) > max_width) {
    size -= 0.5;
    SetFont(cr, size, bold);
  }
}

enum class Align { kLeft, kCenter, kRight };

// Draws `text` with its baseline placed so that the font's em box is centred on `cy`.
void DrawText(cairo_t* cr, const std::string& text, double x, double cy, Align align) {
  cairo_font_extents_t fe;
  cairo_font_extents(cr, &fe);
  double width = TextWidth(cr, text);
  double left = align == Align::kLeft ? x : align == Align::kCenter ? x - width / 2 : x - width;
  cairo_move_to(cr, left, cy + (fe.ascent - fe.descent) / 2);
  cairo_show_text(cr, text.c_str());
}

// Text centred on (cx, cy), turned a quarter anticlockwise (a vertical axis label).
void DrawVerticalText(cairo_t* cr, const std::string& text, double cx, double cy) {
  cairo_save(cr);
  cairo_translate(cr, cx, cy);
  cairo_rotate(cr, -std::numbers::pi / 2);
  DrawText(cr, text, 0, 0, Align::kCenter);
  cairo_restore(cr);
}

struct Canvas {
  SurfacePtr surface;
  ContextPtr cr;
};

Result<Canvas> NewCanvas() {
  Canvas c;
  c.surface.reset(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, kPlotWidth, kPlotHeight));
  if (cairo_surface_status(c.surface.get()) != CAIRO_STATUS_SUCCESS) {
    return Status::Internal(
        fmt::format("cairo: cannot create a {}x{} image: {}", kPlotWidth, kPlotHeight,
                    cairo_status_to_string(cairo_surface_status(c.surface.get()))));
  }
  c.cr.reset(cairo_create(c.surface.get()));
  cairo_set_source_rgb(c.cr.get(), 1, 1, 1);
  cairo_paint(c.cr.get());
  return c;
}

cairo_status_t AppendToString(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

// Checks what was drawn, encodes it as PNG and writes `path` atomically.
Status WritePng(sys::Env& env, Canvas& canvas, std::string_view what, std::string_view path) {
  cairo_status_t status = cairo_status(canvas.cr.get());
  if (status != CAIRO_STATUS_SUCCESS) {
    return Status::Internal(fmt::format("drawing the {} for '{}': cairo: {}", what, path,
                                        cairo_status_to_string(status)));
  }
  cairo_surface_flush(canvas.surface.get());
  std::string png;
  status = cairo_surface_write_to_png_stream(canvas.surface.get(), AppendToString, &png);
  if (status != CAIRO_STATUS_SUCCESS) {
    return Status::Internal(fmt::format("encoding the {} for '{}' as PNG: cairo: {}", what, path,
                                        cairo_status_to_string(status)));
  }
  auto file = env.OpenAtomic(path);
  if (!file.ok()) {
    std::string dir(core::Dirname(path));
    if (file.status().IsNotFound() && !dir.empty() && !env.IsDirectory(dir)) {
      return Status::NotFound(
          fmt::format("cannot write the {} to '{}': no directory '{}'", what, path, dir));
    }
    return file.status().WithContext(fmt::format("writing the {} to '{}'", what, path));
  }
  CAIRN_RETURN_IF_ERROR((*file)->Append(png).WithContext(fmt::format("writing '{}'", path)));
  return (*file)->Commit().WithContext(fmt::format("writing '{}'", path));
}

std::string Percent(int64_t part, int64_t whole) {
  if (whole <= 0) return "n/a";
  return fmt::format("{:.1f}%", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
}

}  // namespace

Status WriteConfusionMatrixPng(sys::Env& env, const ConfusionMatrix& matrix,
                               const std::array<std::string, 2>& class_names,
                               std::string_view path) {
  CAIRN_ASSIGN_OR_RETURN(Canvas canvas, NewCanvas());
  cairo_t* cr = canvas.cr.get();

  // Geometry: a 2x2 grid of square cells with the row labels to its left, the column labels
  // below it and a colour bar to its right.
  constexpr double kCell = 150, kLeft = 200, kTop = 64;
  constexpr double kRight = kLeft + 2 * kCell, kBottom = kTop + 2 * kCell;
  const int64_t counts[2][2] = {{matrix.tn, matrix.fp}, {matrix.fn, matrix.tp}};
  const int64_t row_totals[2] = {matrix.tn + matrix.fp, matrix.fn + matrix.tp};
  int64_t max_count = 0;
  for (const auto& row : counts) {
    for (int64_t c : row) max_count = std::max(max_count, c);
  }

  SetColor(cr, {0, 0, 0});
  SetFont(cr, 20, true);
  DrawText(cr, "Confusion matrix", kPlotWidth / 2.0, 34, Align::kCenter);

  for (int row = 0; row < 2; ++row) {
    for (int col = 0; col < 2; ++col) {
      double x = kLeft + col * kCell, y = kTop + row * kCell;
      double t = max_count > 0 ? static_cast<double>(counts[row][col]) / max_count : 0;
      Rgb fill = Blues(t);
      SetColor(cr, fill);
      cairo_rectangle(cr, x, y, kCell, kCell);
      cairo_fill(cr);
      SetColor(cr, TextColorOn(fill));
      std::string count = std::to_string(counts[row][col]);
      SetFontToFit(cr, count, kCell - 16, 30, 10, true);
      DrawText(cr, count, x + kCell / 2, y + kCell / 2 - 12, Align::kCenter);
      SetFont(cr, 15, false);
      DrawText(cr, Percent(counts[row][col], row_totals[row]), x + kCell / 2, y + kCell / 2 + 22,
               Align::kCenter);
    }
  }
  // Frame and the lines between the cells.
  SetColor(cr, {0.35, 0.35, 0.35});
  cairo_set_line_width(cr, 1);
  cairo_rectangle(cr, kLeft + 0.5, kTop + 0.5, 2 * kCell - 1, 2 * kCell - 1);
  cairo_move_to(cr, kLeft + kCell + 0.5, kTop);
  cairo_line_to(cr, kLeft + kCell + 0.5, kBottom);
  cairo_move_to(cr, kLeft, kTop + kCell + 0.5);
  cairo_line_to(cr, kRight, kTop + kCell + 0.5);
  cairo_stroke(cr);

  // Class names: rows (actual) on the left, columns (predicted) below.
  SetColor(cr, {0, 0, 0});
  for (int i = 0; i < 2; ++i) {
    const std::string& name = class_names[i];
    SetFontToFit(cr, name, kLeft - 80, 15, 7, false);
    DrawText(cr, name, kLeft - 10, kTop + i * kCell + kCell / 2, Align::kRight);
    SetFontToFit(cr, name, kCell - 8, 15, 7, false);
    DrawText(cr, name, kLeft + i * kCell + kCell / 2, kBottom + 20, Align::kCenter);
  }
  SetFont(cr, 16, true);
  DrawText(cr, "Predicted", (kLeft + kRight) / 2, kBottom + 52, Align::kCenter);
  DrawVerticalText(cr, "Actual", 48, (kTop + kBottom) / 2);

  // Colour bar: the shade of 0 at the bottom, of the largest count at the top.
  constexpr double kBarLeft = kRight + 28, kBarWidth = 18;
  cairo_pattern_t* gradient = cairo_pattern_create_linear(0, kBottom, 0, kTop);
  for (int i = 0; i <= 8; ++i) {
    Rgb c = Blues(i / 8.0);
    cairo_pattern_add_color_stop_rgb(gradient, i / 8.0, c.r, c.g, c.b);
  }
  cairo_set_source(cr, gradient);
  cairo_rectangle(cr, kBarLeft, kTop, kBarWidth, 2 * kCell);
  cairo_fill(cr);
  cairo_pattern_destroy(gradient);
  SetColor(cr, {0.35, 0.35, 0.35});
  cairo_rectangle(cr, kBarLeft + 0.5, kTop + 0.5, kBarWidth - 1, 2 * kCell - 1);
  cairo_stroke(cr);
  SetColor(cr, {0, 0, 0});
  SetFont(cr, 12, false);
  DrawText(cr, std::to_string(max_count), kBarLeft + kBarWidth + 6, kTop + 6, Align::kLeft);
  DrawText(cr, "0", kBarLeft + kBarWidth + 6, kBottom - 6, Align::kLeft);

  // The totals under everything.
  int64_t n = row_totals[0] + row_totals[1];
  SetColor(cr, {0.3, 0.3, 0.3});
  SetFont(cr, 13, false);
  DrawText(cr,
           fmt::format("n = {}, accuracy = {}; percentages are of each actual class", n,
                       Percent(matrix.tn + matrix.tp, n)),
           kPlotWidth / 2.0, kPlotHeight - 16, Align::kCenter);

  return WritePng(env, canvas, "confusion matrix", path);
}

Status WriteRocPng(sys::Env& env, const std::vector<RocPoint>& curve, double auc,
                   std::string_view path) {
  CAIRN_ASSIGN_OR_RETURN(Canvas canvas, NewCanvas());
  cairo_t* cr = canvas.cr.get();

  // The plot area, in pixels; rates 0..1 map onto it.
  constexpr double kLeft = 90, kRight = 600, kTop = 60, kBottom = 400;
  auto px = [&](double rate) { return kLeft + std::clamp(rate, 0.0, 1.0) * (kRight - kLeft); };
  auto py = [&](double rate) { return kBottom - std::clamp(rate, 0.0, 1.0) * (kBottom - kTop); };

  SetColor(cr, {0, 0, 0});
  SetFont(cr, 20, true);
  DrawText(cr, "ROC curve", (kLeft + kRight) / 2, 30, Align::kCenter);

  // Grid, ticks and their labels at 0, 0.2, ..., 1.
  cairo_set_line_width(cr, 1);
  for (int i = 0; i <= 5; ++i) {
    double rate = i / 5.0;
    double x = std::round(px(rate)) + 0.5, y = std::round(py(rate)) + 0.5;
    SetColor(cr, {0.88, 0.88, 0.88});
    cairo_move_to(cr, x, kTop);
    cairo_line_to(cr, x, kBottom);
    cairo_move_to(cr, kLeft, y);
    cairo_line_to(cr, kRight, y);
    cairo_stroke(cr);
    SetColor(cr, {0, 0, 0});
    cairo_move_to(cr, x, kBottom);
    cairo_line_to(cr, x, kBottom + 5);
    cairo_move_to(cr, kLeft - 5, y);
    cairo_line_to(cr, kLeft, y);
    cairo_stroke(cr);
    std::string label = fmt::format("{:.1f}", rate);
    SetFont(cr, 12, false);
    DrawText(cr, label, x, kBottom + 16, Align::kCenter);
    DrawText(cr, label, kLeft - 9, y, Align::kRight);
  }
  SetColor(cr, {0, 0, 0});
  cairo_rectangle(cr, kLeft + 0.5, kTop + 0.5, kRight - kLeft - 1, kBottom - kTop - 1);
  cairo_stroke(cr);
  SetFont(cr, 15, false);
  DrawText(cr, "False positive rate", (kLeft + kRight) / 2, kBottom + 42, Align::kCenter);
  DrawVerticalText(cr, "True positive rate", 34, (kTop + kBottom) / 2);

  // The chance diagonal, dashed, then the curve, clipped to the plot area.
  cairo_save(cr);
  cairo_rectangle(cr, kLeft, kTop, kRight - kLeft, kBottom - kTop);
  cairo_clip(cr);
  const Rgb kChance{0.45, 0.45, 0.45}, kCurve{0.12, 0.47, 0.71};
  const double dashes[] = {7, 5};
  SetColor(cr, kChance);
  cairo_set_line_width(cr, 1.5);
  cairo_set_dash(cr, dashes, 2, 0);
  cairo_move_to(cr, px(0), py(0));
  cairo_line_to(cr, px(1), py(1));
  cairo_stroke(cr);
  cairo_set_dash(cr, nullptr, 0, 0);
  if (!curve.empty()) {
    SetColor(cr, kCurve);
    cairo_set_line_width(cr, 2.5);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_move_to(cr, px(curve[0].fpr), py(curve[0].tpr));
    for (const RocPoint& p : curve) cairo_line_to(cr, px(p.fpr), py(p.tpr));
    cairo_stroke(cr);
  }
  cairo_restore(cr);

  // Legend, in the lower right corner of the plot (where a useful curve never goes).
  std::string auc_text = std::isnan(auc) ? "AUC = n/a" : fmt::format("AUC = {:.3f}", auc);
  std::string chance_text = "Chance (AUC = 0.5)";
  SetFont(cr, 14, false);
  constexpr double kSample = 30, kPad = 10, kRow = 22;
  double text_width = std::max(TextWidth(cr, auc_text), TextWidth(cr, chance_text));
  double box_width = kPad + kSample + 8 + text_width + kPad;
  double box_height = 2 * kRow + kPad;
  double bx = kRight - 12 - box_width, by = kBottom - 12 - box_height;
  cairo_rectangle(cr, bx + 0.5, by + 0.5, box_width, box_height);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_fill_preserve(cr);
  SetColor(cr, {0.7, 0.7, 0.7});
  cairo_set_line_width(cr, 1);
  cairo_stroke(cr);
  double row1 = by + kPad / 2 + kRow / 2, row2 = row1 + kRow;
  SetColor(cr, kCurve);
  cairo_set_line_width(cr, 2.5);
  cairo_move_to(cr, bx + kPad, row1);
  cairo_line_to(cr, bx + kPad + kSample, row1);
  cairo_stroke(cr);
  SetColor(cr, kChance);
  cairo_set_line_width(cr, 1.5);
  cairo_set_dash(cr, dashes, 2, 0);
  cairo_move_to(cr, bx + kPad, row2);
  cairo_line_to(cr, bx + kPad + kSample, row2);
  cairo_stroke(cr);
  cairo_set_dash(cr, nullptr, 0, 0);
  SetColor(cr, {0, 0, 0});
  DrawText(cr, auc_text, bx + kPad + kSample + 8, row1, Align::kLeft);
  DrawText(cr, chance_text, bx + kPad + kSample + 8, row2, Align::kLeft);

  return WritePng(env, canvas, "ROC curve", path);
}

}  // namespace cairn::ml
