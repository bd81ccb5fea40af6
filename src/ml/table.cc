// ParseCsv / ReadCsv: numeric CSV tables with a header line, read in one pass (the cell rules
// are csv.h's: RFC 4180 quoting, numbers as Python's float() reads them, pandas' missing
// markers).
//
// Pure functions; thread-safe.
#include <algorithm>

#include "ml/csv.h"
#include "ml/ml.h"

namespace cairn::ml {

Result<Table> ParseCsv(std::string_view text, std::string_view filename, std::string_view target,
                       bool target_optional) {
  const std::string file(filename);
  CsvReader reader(text, filename);
  std::vector<CsvCell> header;
  CAIRN_ASSIGN_OR_RETURN(std::vector<std::string> names, ReadCsvHeader(reader, &header));
  const size_t ncols = names.size();

  size_t target_col = ncols;  // ncols: no target
  if (!target.empty()) {
    auto it = std::find(names.begin(), names.end(), target);
    if (it != names.end()) {
      target_col = static_cast<size_t>(it - names.begin());
    } else if (!target_optional) {
      return NoSuchColumn(target, filename, names);
    }
  }

  Table table;
  for (size_t i = 0; i < ncols; ++i) {
    if (i != target_col) table.columns.push_back(names[i]);
  }
  const size_t nfeatures = table.columns.size();
  if (nfeatures == 0) {
    return Status::InvalidArgument(file + ": no feature columns (only the target '" +
                                   std::string(target) + "')");
  }
  const size_t estimated_rows = static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
  table.features.reserve(estimated_rows * nfeatures);
  if (target_col < ncols) table.labels.reserve(estimated_rows);

  CsvCell cell;
  while (reader.SkipBlankLines()) {
    for (size_t col = 0;; ++col) {
      bool last = false;
      CAIRN_RETURN_IF_ERROR(reader.NextCell(&cell, &last));
      if (col >= ncols) {
        const CsvCell extra = cell;
        size_t more = 0;
        if (!last) {
          CAIRN_ASSIGN_OR_RETURN(more, reader.CountRest());
        }
        return reader.ErrorAt(extra, CellCountMessage(ncols, col + 1 + more));
      }
      float value;
      if (!ParseCsvNumber(cell.text, &value)) {
        return reader.ErrorAt(cell,
                              names[col] + ": expected a number, got " + QuoteCsvCell(cell.text));
      }
      if (col == target_col) {
        if (value != 0 && value != 1) {
          return reader.ErrorAt(cell, names[col] + ": expected 0 or 1 (the target), got " +
                                          QuoteCsvCell(TrimCsvCell(cell.text)));
        }
        table.labels.push_back(value);
      } else {
        table.features.push_back(value);
      }
      if (last) {
        if (col + 1 < ncols) return reader.ErrorAfter(cell, CellCountMessage(ncols, col + 1));
        break;
      }
    }
  }
  if (table.rows() == 0) {
    return Status::InvalidArgument(file + ": no data rows (only a header line)");
  }
  return table;
}

Result<Table> ReadCsv(sys::Env& env, std::string_view path, std::string_view target,
                      bool target_optional) {
  auto text = env.ReadFile(path);
  if (!text.ok()) {
    if (text.status().IsNotFound()) return Status::NotFound(std::string(path) + ": no such file");
    return text.status();
  }
  return ParseCsv(*text, path, target, target_optional);
}

}  // namespace cairn::ml
