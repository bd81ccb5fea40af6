// SplitCsv: a deterministic, stratified train/test split of a CSV file's rows (sampling.h
// gives the rows; each output keeps the input's header line and its rows in input order, byte
// for byte).
//
// The classes of the target column are its cells' values: numbers by value (so "1" and "1.0"
// are one class), in numeric order, then any other texts in byte order. Pure apart from the
// Env; thread-safe.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

#include "core/path.h"
#include "core/strings.h"
#include "ml/csv.h"
#include "ml/ml.h"
#include "ml/sampling.h"

namespace cairn::ml {
namespace {

/// A target value: a number, or else the cell's text. Numbers sort before texts.
struct ClassKey {
  bool is_text = false;
  double number = 0;
  std::string text;

  friend bool operator<(const ClassKey& a, const ClassKey& b) {
    if (a.is_text != b.is_text) return !a.is_text;
    return a.is_text ? a.text < b.text : a.number < b.number;
  }
};

ClassKey KeyOf(std::string_view cell) {
  cell = TrimCsvCell(cell);
  ClassKey key;
  double value = 0;
  const char* end = cell.data() + cell.size();
  auto [ptr, ec] = std::from_chars(cell.data(), end, value);
  if (!cell.empty() && ptr == end && ec == std::errc() && !std::isnan(value)) {
    key.number = value == 0 ? 0.0 : value;  // -0 and 0 are one class
  } else {
    key.is_text = true;
    key.text = std::string(cell);
  }
  return key;
}

/// The bytes of a record (from `begin` to `end`), with a line end.
void AppendRecord(std::string* out, std::string_view text, size_t begin, size_t end) {
  out->append(text.substr(begin, end - begin));
  if (out->empty() || out->back() != '\n') out->push_back('\n');
}

Status WriteOutput(sys::Env& env, std::string_view path, std::string_view data) {
  const std::string_view dir = core::Dirname(path);
  if (!dir.empty()) CAIRN_RETURN_IF_ERROR(env.CreateDirs(dir));
  return env.WriteFile(path, data);
}

}  // namespace

Result<SplitCounts> SplitCsv(sys::Env& env, std::string_view input, std::string_view train_path,
                             std::string_view test_path, const SplitOptions& options) {
  if (!(options.test_size > 0 && options.test_size < 1)) {
    return Status::InvalidArgument("test_size: expected a number in (0, 1), got " +
                                   core::FormatDouble(options.test_size));
  }
  auto read = env.ReadFile(input);
  if (!read.ok()) {
    if (read.status().IsNotFound()) return Status::NotFound(std::string(input) + ": no such file");
    return read.status();
  }
  const std::string text = std::move(read).value();

  CsvReader reader(text, input);
  std::vector<CsvCell> cells;
  reader.SkipBlankLines();
  const size_t header_begin = reader.pos();
  CAIRN_ASSIGN_OR_RETURN(std::vector<std::string> names, ReadCsvHeader(reader, &cells));
  const size_t header_end = reader.pos();
  const size_t ncols = names.size();
  size_t target_col = ncols;
  if (!options.target.empty()) {
    auto it = std::find(names.begin(), names.end(), options.target);
    if (it == names.end()) return NoSuchColumn(options.target, input, names);
    target_col = static_cast<size_t>(it - names.begin());
  }

  // Records: where each starts and ends, and its class.
  struct Record {
    size_t begin, end;
    ClassKey key;
  };
  std::vector<Record> records;
  while (reader.SkipBlankLines()) {
    const size_t begin = reader.pos();
    CAIRN_RETURN_IF_ERROR(reader.NextRecord(&cells));
    if (cells.size() != ncols) {
      const CsvCell& at = cells.size() > ncols ? cells[ncols] : cells.back();
      const std::string message = CellCountMessage(ncols, cells.size());
      return cells.size() > ncols ? reader.ErrorAt(at, message) : reader.ErrorAfter(at, message);
    }
    Record record{begin, reader.pos(), {}};
    if (target_col < ncols) record.key = KeyOf(cells[target_col].text);
    records.push_back(std::move(record));
  }
  const size_t n = records.size();
  if (n == 0)
    return Status::InvalidArgument(std::string(input) + ": no data rows (only a header line)");
  const size_t n_test = HeldOutCount(n, options.test_size);
  if (n_test >= n) {
    return Status::InvalidArgument(std::string(input) + ": test_size " +
                                   core::FormatDouble(options.test_size) + " of " +
                                   std::to_string(n) + " rows leaves no rows to train on");
  }

  std::map<ClassKey, uint32_t> classes;
  for (const Record& r : records) classes.emplace(r.key, 0);
  uint32_t next = 0;
  for (auto& [key, index] : classes) index = next++;
  std::vector<uint32_t> class_of_row(n);
  for (size_t i = 0; i < n; ++i) class_of_row[i] = classes.at(records[i].key);
  const std::vector<bool> in_test =
      StratifiedChoice(class_of_row, classes.size(), n_test, options.seed);

  std::string train, test;
  AppendRecord(&train, text, header_begin, header_end);
  AppendRecord(&test, text, header_begin, header_end);
  for (size_t i = 0; i < n; ++i) {
    AppendRecord(in_test[i] ? &test : &train, text, records[i].begin, records[i].end);
  }
  CAIRN_RETURN_IF_ERROR(WriteOutput(env, train_path, train));
  CAIRN_RETURN_IF_ERROR(WriteOutput(env, test_path, test));
  return SplitCounts{n - n_test, n_test};
}

}  // namespace cairn::ml
