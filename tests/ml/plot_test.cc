#include <cairo/cairo.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>

#include "ml/ml.h"
#include "sys/temp_dir.h"
#include "testing/mem_env.h"

namespace cairn::ml {
namespace {

struct SurfaceDeleter {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
using SurfacePtr = std::unique_ptr<cairo_surface_t, SurfaceDeleter>;

struct Reader {
  std::string_view data;
  size_t pos = 0;
};

cairo_status_t ReadFromString(void* closure, unsigned char* out, unsigned int length) {
  auto* r = static_cast<Reader*>(closure);
  if (r->data.size() - r->pos < length) return CAIRO_STATUS_READ_ERROR;
  std::memcpy(out, r->data.data() + r->pos, length);
  r->pos += length;
  return CAIRO_STATUS_SUCCESS;
}

// Decodes PNG bytes with cairo (an independent check that they are a valid PNG).
SurfacePtr DecodePng(std::string_view png) {
  Reader reader{png};
  return SurfacePtr(cairo_image_surface_create_from_png_stream(ReadFromString, &reader));
}

struct Pixel {
  int r = 0, g = 0, b = 0;
  bool white() const { return r == 255 && g == 255 && b == 255; }
  int brightness() const { return r + g + b; }
};

Pixel PixelAt(cairo_surface_t* s, int x, int y) {
  cairo_surface_flush(s);
  const unsigned char* row =
      cairo_image_surface_get_data(s) + y * cairo_image_surface_get_stride(s);
  uint32_t argb;
  std::memcpy(&argb, row + 4 * x, 4);
  return {static_cast<int>((argb >> 16) & 0xff), static_cast<int>((argb >> 8) & 0xff),
          static_cast<int>(argb & 0xff)};
}

int NonWhitePixels(cairo_surface_t* s, int x0, int y0, int x1, int y1) {
  int n = 0;
  for (int y = y0; y < y1; ++y) {
    for (int x = x0; x < x1; ++x) n += PixelAt(s, x, y).white() ? 0 : 1;
  }
  return n;
}

SurfacePtr ReadPng(sys::Env& env, const std::string& path) {
  auto bytes = env.ReadFile(path);
  EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
  if (!bytes.ok()) return nullptr;
  EXPECT_EQ(bytes->substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  SurfacePtr s = DecodePng(*bytes);
  EXPECT_EQ(cairo_surface_status(s.get()), CAIRO_STATUS_SUCCESS);
  EXPECT_EQ(cairo_image_surface_get_width(s.get()), kPlotWidth);
  EXPECT_EQ(cairo_image_surface_get_height(s.get()), kPlotHeight);
  EXPECT_EQ(kPlotWidth, 640);
  EXPECT_EQ(kPlotHeight, 480);
  return s;
}

TEST(PlotTest, ConfusionMatrixShadesCellsByCount) {
  testing::MemEnv env;
  ASSERT_TRUE(env.CreateDirs("/out").ok());
  ConfusionMatrix m{.tn = 520, .fp = 38, .fn = 11, .tp = 352};
  ASSERT_TRUE(WriteConfusionMatrixPng(env, m, {"ham", "spam"}, "/out/cm.png").ok());
  SurfacePtr s = ReadPng(env, "/out/cm.png");
  ASSERT_TRUE(s);
  // The corners of the four cells of the grid (the middle of the image), away from the text:
  // the largest count is the darkest, and no cell is left white.
  Pixel tn = PixelAt(s.get(), 210, 75), fp = PixelAt(s.get(), 360, 75);
  Pixel fn = PixelAt(s.get(), 210, 225), tp = PixelAt(s.get(), 360, 225);
  for (Pixel p : {tn, fp, fn, tp}) {
    EXPECT_FALSE(p.white());
    EXPECT_GT(p.b, p.r);  // a blue shade
  }
  EXPECT_LT(tn.brightness(), tp.brightness());
  EXPECT_LT(tp.brightness(), fp.brightness());
  EXPECT_LT(fp.brightness(), fn.brightness());
  // Text is drawn (title above the grid, labels left of it and below it); the corners are not.
  EXPECT_GT(NonWhitePixels(s.get(), 200, 10, 440, 50), 100);
  EXPECT_GT(NonWhitePixels(s.get(), 20, 100, 190, 330), 100);
  EXPECT_GT(NonWhitePixels(s.get(), 200, 370, 500, 440), 100);
  EXPECT_EQ(NonWhitePixels(s.get(), 0, 0, 20, 20), 0);
}

TEST(PlotTest, ConfusionMatrixOfNothingStillDraws) {
  testing::MemEnv env;
  ASSERT_TRUE(WriteConfusionMatrixPng(env, {}, {"0", "1"}, "/cm.png").ok());
  SurfacePtr s = ReadPng(env, "/cm.png");
  ASSERT_TRUE(s);
  EXPECT_GT(NonWhitePixels(s.get(), 200, 64, 500, 364), 100);  // the grid's frame and zeros
}

TEST(PlotTest, RocDrawsTheCurve) {
  testing::MemEnv env;
  std::vector<RocPoint> curve = {{0, 0}, {0, 0.8}, {0.2, 1}, {1, 1}};
  ASSERT_TRUE(WriteRocPng(env, curve, 0.98, "/roc.png").ok());
  ASSERT_TRUE(WriteRocPng(env, {}, 0.5, "/empty.png").ok());
  SurfacePtr s = ReadPng(env, "/roc.png");
  SurfacePtr empty = ReadPng(env, "/empty.png");
  ASSERT_TRUE(s && empty);
  // Halfway along the segment from (0, 0.8) to (0.2, 1): fpr 0.1, tpr 0.9 in a plot area of
  // x 90..600 and y 400..60.
  Pixel on_curve = PixelAt(s.get(), 90 + 51, 400 - 306);
  EXPECT_FALSE(on_curve.white());
  EXPECT_GT(on_curve.b, on_curve.r + 60);
  EXPECT_TRUE(PixelAt(empty.get(), 90 + 51, 400 - 306).white());
  // Axes, ticks and labels are drawn on both.
  EXPECT_GT(NonWhitePixels(empty.get(), 0, 400, kPlotWidth, kPlotHeight), 200);
  EXPECT_GT(NonWhitePixels(empty.get(), 0, 60, 90, 400), 200);
}

TEST(PlotTest, WritesAtomicallyLeavingNoTempFile) {
  auto dir = sys::TempDir::Create("cairn-plot-");
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  auto env = sys::NewPosixEnv();
  std::string path = dir->Path("roc.png");
  ASSERT_TRUE(WriteRocPng(*env, {{0, 0}, {1, 1}}, 0.5, path).ok());
  ASSERT_TRUE(WriteConfusionMatrixPng(*env, {1, 2, 3, 4}, {"no", "yes"}, dir->Path("cm.png")).ok());
  // Rewriting replaces the file in place.
  ASSERT_TRUE(WriteRocPng(*env, {{0, 0}, {0, 1}, {1, 1}}, 1.0, path).ok());
  auto entries = env->ListDir(dir->path());
  ASSERT_TRUE(entries.ok());
  std::vector<std::string> names;
  for (const auto& e : *entries) names.push_back(e.name);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"cm.png", "roc.png"}));
  EXPECT_TRUE(ReadPng(*env, path));
}

TEST(PlotTest, MissingDirectoryIsAnErrorNamingThePath) {
  auto dir = sys::TempDir::Create("cairn-plot-");
  ASSERT_TRUE(dir.ok());
  auto env = sys::NewPosixEnv();
  std::string path = dir->Path("missing/cm.png");
  Status s = WriteConfusionMatrixPng(*env, {1, 2, 3, 4}, {"0", "1"}, path);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_EQ(s.message(), "cannot write the confusion matrix to '" + path + "': no directory '" +
                             dir->Path("missing") + "'");
  s = WriteRocPng(*env, {}, 0.5, dir->Path("missing/roc.png"));
  EXPECT_NE(s.message().find(dir->Path("missing/roc.png")), std::string::npos) << s.message();
  EXPECT_TRUE(env->ListDir(dir->path())->empty());

  testing::MemEnv mem;
  size_t before = mem.NodeCount();
  EXPECT_TRUE(WriteRocPng(mem, {}, 0.5, "/nope/roc.png").IsNotFound());
  EXPECT_EQ(mem.NodeCount(), before);
}

}  // namespace
}  // namespace cairn::ml
