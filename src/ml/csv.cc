// CSV records and cells (see csv.h).
#include "ml/csv.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <limits>

#include "core/strings.h"

namespace cairn::ml {
namespace {

// pandas' default na_values (STR_NA_VALUES in pandas/_libs/parsers.pyx), but the empty cell.
constexpr std::array<std::string_view, 18> kMissingMarkers = {
    "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
    "<NA>", "N/A",      "NA",  "NULL",    "NaN",      "None", "n/a",  "nan",    "null"};

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

/// Clinger's fast path for the common cell ("0", "0.64", "-278"): at most 19 digits, at most
/// 22 of them after the point, no exponent, and an integer mantissa m <= 2^53. Then m and 10^k
/// are exact doubles and m / 10^k, one correctly rounded division, is the very double
/// from_chars gives. False (nothing decided) for anything else.
bool FastDecimal(std::string_view s, double* out) {
  static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                      1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  size_t i = 0;
  const bool negative = !s.empty() && s[0] == '-';
  if (negative) ++i;
  uint64_t mantissa = 0;
  int digits = 0, fraction = 0;
  bool point = false;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c >= '0' && c <= '9') {
      if (++digits > 19) return false;
      mantissa = mantissa * 10 + static_cast<uint64_t>(c - '0');
      if (point) ++fraction;
    } else if (c == '.' && !point) {
      point = true;
    } else {
      return false;
    }
  }
  if (digits == 0 || fraction > 22 || mantissa > (uint64_t{1} << 53)) return false;
  double value = static_cast<double>(mantissa);
  if (fraction > 0) value /= kPow10[fraction];
  *out = negative ? -value : value;
  return true;
}

/// The 1-based column of byte `offset` in a line starting at `line_start`, in code points.
int ColumnOf(std::string_view text, size_t line_start, size_t offset) {
  int column = 1;
  for (size_t i = line_start; i < offset && i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++column;
  }
  return column;
}

}  // namespace

CsvReader::CsvReader(std::string_view text, std::string_view filename)
    : text_(text), file_(filename) {
  if (text_.starts_with("\xEF\xBB\xBF")) {
    pos_ = 3;
    line_start_ = 3;
  }
}

bool CsvReader::SkipBlankLines() {
  while (pos_ < text_.size()) {
    if (text_[pos_] == '\n') {
      NewLine(pos_ + 1);
    } else if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') {
      NewLine(pos_ + 2);
    } else {
      return true;
    }
  }
  return false;
}

core::Status CsvReader::NextCell(CsvCell* cell, bool* last) {
  const size_t size = text_.size();
  cell->offset = pos_;
  cell->line = line_;
  cell->line_start = line_start_;
  size_t end;
  if (pos_ < size && text_[pos_] == '"') {
    CAIRN_RETURN_IF_ERROR(ReadQuoted(cell));
    cell->end = pos_;
    end = pos_;
    while (end < size && IsSpace(text_[end])) ++end;
    const bool line_end = end == size || text_[end] == '\n' ||
                          (text_[end] == '\r' && (end + 1 == size || text_[end + 1] == '\n'));
    if (!line_end && text_[end] != ',') {
      return ErrorAt(line_, line_start_, end,
                     "expected ',' or the end of the line after a quoted cell");
    }
  } else {
    end = pos_;
    while (end < size && text_[end] != ',' && text_[end] != '\n') ++end;
    size_t stop = end;
    if (stop > pos_ && text_[stop - 1] == '\r' && (stop == size || text_[stop] == '\n')) --stop;
    cell->text = text_.substr(pos_, stop - pos_);
    cell->end = stop;
  }
  cell->end_line = line_;
  cell->end_line_start = line_start_;
  if (end < size && text_[end] == ',') {
    pos_ = end + 1;
    *last = false;
    return core::Status::Ok();
  }
  while (end < size && text_[end] != '\n') ++end;  // past a '\r'
  pos_ = end;
  if (pos_ < size) NewLine(pos_ + 1);
  *last = true;
  return core::Status::Ok();
}

core::Status CsvReader::NextRecord(std::vector<CsvCell>* cells) {
  cells->clear();
  kept_.clear();
  bool last = false;
  while (!last) {
    cells->emplace_back();
    CAIRN_RETURN_IF_ERROR(NextCell(&cells->back(), &last));
    // A quoted cell's text lives in unquoted_, which the next cell reuses: keep a copy.
    if (cells->back().offset < text_.size() && text_[cells->back().offset] == '"') {
      kept_.emplace_back(cells->back().text);
      cells->back().text = kept_.back();
    }
  }
  return core::Status::Ok();
}

core::Result<size_t> CsvReader::CountRest() {
  size_t n = 0;
  bool last = false;
  CsvCell cell;
  while (!last) {
    CAIRN_RETURN_IF_ERROR(NextCell(&cell, &last));
    ++n;
  }
  return n;
}

core::Status CsvReader::ErrorAt(const CsvCell& cell, std::string_view message) const {
  return ErrorAt(cell.line, cell.line_start, cell.offset, message);
}

core::Status CsvReader::ErrorAfter(const CsvCell& cell, std::string_view message) const {
  return ErrorAt(cell.end_line, cell.end_line_start, cell.end, message);
}

core::Status CsvReader::ErrorAt(int line, size_t line_start, size_t offset,
                                std::string_view message) const {
  return core::Status::InvalidArgument(std::string(file_) + ":" + std::to_string(line) + ":" +
                                       std::to_string(ColumnOf(text_, line_start, offset)) + ": " +
                                       std::string(message));
}

void CsvReader::NewLine(size_t start) {
  ++line_;
  line_start_ = start;
  pos_ = start;
}

core::Status CsvReader::ReadQuoted(CsvCell* cell) {
  const int open_line = line_;
  const size_t open_line_start = line_start_;
  const size_t open = pos_;
  unquoted_.clear();
  size_t i = pos_ + 1;
  while (true) {
    if (i >= text_.size()) {
      return ErrorAt(open_line, open_line_start, open, "unterminated quoted cell");
    }
    const char c = text_[i];
    if (c == '"') {
      if (i + 1 < text_.size() && text_[i + 1] == '"') {
        unquoted_ += '"';
        i += 2;
        continue;
      }
      ++i;
      break;
    }
    if (c == '\n') {
      ++line_;
      line_start_ = i + 1;
    }
    unquoted_ += c;
    ++i;
  }
  pos_ = i;
  cell->text = unquoted_;
  return core::Status::Ok();
}

std::string_view TrimCsvCell(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool ParseCsvNumber(std::string_view cell, float* out) {
  double value = 0;
  if (FastDecimal(cell, &value)) {  // the common cell, before any trimming
    *out = static_cast<float>(value);
    return true;
  }
  cell = TrimCsvCell(cell);
  if (cell.empty()) {
    *out = std::numeric_limits<float>::quiet_NaN();
    return true;
  }
  std::string_view digits = cell;
  if (digits.size() > 1 && digits[0] == '+' && digits[1] != '-' && digits[1] != '+') {
    digits.remove_prefix(1);
  }
  if (FastDecimal(digits, &value)) {
    *out = static_cast<float>(value);
    return true;
  }
  const char* end = digits.data() + digits.size();
  auto [ptr, ec] = std::from_chars(digits.data(), end, value);
  if (ptr == end && ec == std::errc()) {
    *out = static_cast<float>(value);
    return true;
  }
  if (ptr == end && ec == std::errc::result_out_of_range) {
    // Overflow or underflow: strtod gives +-inf or 0, as Python's float() does.
    const std::string copy(digits);
    *out = static_cast<float>(std::strtod(copy.c_str(), nullptr));
    return true;
  }
  if (std::find(kMissingMarkers.begin(), kMissingMarkers.end(), cell) != kMissingMarkers.end()) {
    *out = std::numeric_limits<float>::quiet_NaN();
    return true;
  }
  return false;
}

std::string QuoteCsvCell(std::string_view s) {
  constexpr size_t kMax = 40;
  std::string out = "'";
  out += s.size() > kMax ? std::string(s.substr(0, kMax)) + "..." : std::string(s);
  out += "'";
  return out;
}

core::Result<std::vector<std::string>> ReadCsvHeader(CsvReader& reader,
                                                     std::vector<CsvCell>* cells) {
  if (!reader.SkipBlankLines()) {
    return core::Status::InvalidArgument(std::string(reader.filename()) +
                                         ": empty file: expected a header line");
  }
  CAIRN_RETURN_IF_ERROR(reader.NextRecord(cells));
  std::vector<std::string> names;
  names.reserve(cells->size());
  for (size_t i = 0; i < cells->size(); ++i) {
    const CsvCell& cell = (*cells)[i];
    std::string name(cell.text);
    if (TrimCsvCell(name).empty()) {
      return reader.ErrorAt(cell, "column " + std::to_string(i + 1) +
                                      " has no name (every column needs one in the header)");
    }
    auto dup = std::find(names.begin(), names.end(), name);
    if (dup != names.end()) {
      return reader.ErrorAt(cell, "column '" + name + "' appears twice (also column " +
                                      std::to_string(dup - names.begin() + 1) + ")");
    }
    names.push_back(std::move(name));
  }
  return names;
}

core::Status NoSuchColumn(std::string_view column, std::string_view filename,
                          const std::vector<std::string>& names) {
  std::string message = "no column '" + std::string(column) + "' in " + std::string(filename);
  for (const std::string& name : names) {
    const size_t distance = core::EditDistance(name, column);
    if (core::EqualsIgnoreCase(name, column) ||
        (distance <= 2 && distance < std::min(name.size(), column.size()))) {
      message += " (did you mean '" + name + "'?)";
      break;
    }
  }
  constexpr size_t kMax = 20;
  message += "; columns: ";
  for (size_t i = 0; i < names.size() && i < kMax; ++i) {
    if (i > 0) message += ", ";
    message += names[i];
  }
  if (names.size() > kMax) message += ", ... (" + std::to_string(names.size()) + " in all)";
  return core::Status::InvalidArgument(std::move(message));
}

std::string CellCountMessage(size_t expected, size_t got) {
  return "expected " + std::to_string(expected) + " cells (as the header has), got " +
         std::to_string(got);
}

}  // namespace cairn::ml
