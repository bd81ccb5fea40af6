// Module-private: reading CSV text record by record (for ParseCsv and SplitCsv), with every
// cell's position for error messages, and the cell-level rules shared by both: what a number
// is, what a missing cell is, what a header must hold.
//
// CSV as RFC 4180 writes it: a field may be double-quoted, with "" for a quote and newlines
// inside; records end with "\n" or "\r\n"; blank lines are skipped; a leading UTF-8 byte order
// mark is skipped. Errors are InvalidArgument "<file>:<line>:<col>: <message>" (1-based; the
// column counts code points).
//
// A CsvReader reads one text from one thread; the functions are pure and thread-safe.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/status.h"

namespace cairn::ml {

/// One cell of a record and where it is.
struct CsvCell {
  std::string_view text;  // unquoted; for a quoted cell valid until the reader's next cell
  size_t offset = 0;      // byte offset of the cell's first character
  int line = 0;           // physical line of that character
  size_t line_start = 0;  // byte offset of that line's start
  size_t end = 0;         // byte offset just past the cell (a closing quote included)
  int end_line = 0;       // the line of `end` (a quoted cell may span lines)
  size_t end_line_start = 0;
};

class CsvReader {
 public:
  CsvReader(std::string_view text, std::string_view filename);

  /// Skips blank lines; false at the end of the text.
  bool SkipBlankLines();
  /// Reads the next cell of the current record; `last` tells whether the record ended after
  /// it. The reader moves past the separator, or past the record's line end.
  core::Status NextCell(CsvCell* cell, bool* last);
  /// Reads the rest of the current record. The cells' texts stay valid until the next call.
  core::Status NextRecord(std::vector<CsvCell>* cells);
  /// Skips the rest of the current record, counting its cells.
  core::Result<size_t> CountRest();
  /// Byte offset of the next character to read (the start of the next record after a record's
  /// last cell).
  size_t pos() const { return pos_; }
  std::string_view text() const { return text_; }
  std::string_view filename() const { return file_; }

  /// "<file>:<line>:<col>: <message>" at the cell's start.
  core::Status ErrorAt(const CsvCell& cell, std::string_view message) const;
  /// The same just past the cell (for a record with too few cells).
  core::Status ErrorAfter(const CsvCell& cell, std::string_view message) const;

 private:
  core::Status ErrorAt(int line, size_t line_start, size_t offset, std::string_view message) const;
  void NewLine(size_t start);
  core::Status ReadQuoted(CsvCell* cell);

  std::string_view text_;
  std::string_view file_;
  size_t pos_ = 0;
  int line_ = 1;
  size_t line_start_ = 0;
  std::string unquoted_;          // the last quoted cell's text
  std::deque<std::string> kept_;  // NextRecord's quoted cells
};

/// Spaces and tabs removed from both ends.
std::string_view TrimCsvCell(std::string_view cell);

/// A number cell as Python's float() reads it (surrounding spaces, a sign, "1e3", "inf",
/// "nan"; read as a double, then rounded to float as pandas then XGBoost do), or a missing one
/// (NaN): empty, or one of pandas' default missing markers (NA, N/A, NULL, None, ...). False
/// when the cell is neither.
bool ParseCsvNumber(std::string_view cell, float* out);

/// 'text' quoted for a message, cut after 40 bytes.
std::string QuoteCsvCell(std::string_view text);

/// Reads the header record: every column needs a distinct, non-blank name. `cells` receives
/// the header's cells.
core::Result<std::vector<std::string>> ReadCsvHeader(CsvReader& reader,
                                                     std::vector<CsvCell>* cells);

/// "no column 'label' in <file> (did you mean 'Label'?); columns: a, b, ... (58 in all)".
core::Status NoSuchColumn(std::string_view column, std::string_view filename,
                          const std::vector<std::string>& names);

/// "expected 58 cells (as the header has), got 57".
std::string CellCountMessage(size_t expected, size_t got);

}  // namespace cairn::ml
