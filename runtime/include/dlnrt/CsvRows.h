/*===- CsvRows.h - Which CSV lines are samples (C++) ----------------------===*
 *
 * One rule, shared by the compiler (which counts the training set for
 * `batch = all`) and the runtime's CSV loader, so they always agree on the
 * sample count: the first `skip` lines are headers whatever they hold; after
 * them every line holding a character other than space, tab or CR is one
 * sample, except that the first of them is a header, and no sample, when
 * isCsvHeaderLine says so (a line holding a field that is not a number, as
 * the scikit-learn CSVs' `150,4,setosa,versicolor,virginica`). CsvLineReader
 * reads those lines from a plain or gzip-compressed file for both.
 *
 *===----------------------------------------------------------------------===*/
#ifndef DLNRT_CSVROWS_H
#define DLNRT_CSVROWS_H

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <zlib.h>

namespace dlnrt {

/// `lineNumber` counts from 1.
inline bool isCsvSampleLine(int64_t lineNumber, std::string_view line,
                            int64_t skip) {
  return lineNumber > skip &&
         line.find_first_not_of(" \t\r") != std::string_view::npos;
}

/// Whether `line`, the first sample line of a file (after `skip`), is a
/// header: some field (separated by `delimiter`), trimmed of spaces, tabs
/// and CRs, is
/// neither empty nor a number as the loader reads numbers (an optional '+',
/// then what std::from_chars accepts: decimal, exponent, inf, nan). A number
/// too large for a double still counts as a number, so `1e999` stays a data
/// error, and so does an empty cell.
inline bool isCsvHeaderLine(std::string_view line, char delimiter = ',') {
  size_t start = 0;
  while (true) {
    size_t comma = line.find(delimiter, start);
    std::string_view field = line.substr(
        start, comma == std::string_view::npos ? comma : comma - start);
    size_t first = field.find_first_not_of(" \t\r");
    if (first != std::string_view::npos) {
      field = field.substr(first, field.find_last_not_of(" \t\r") - first + 1);
      if (field.size() > 1 && field[0] == '+' && field[1] != '-' &&
          field[1] != '+')
        field.remove_prefix(1);
      double value;
      auto [end, ec] =
          std::from_chars(field.data(), field.data() + field.size(), value);
      if (end != field.data() + field.size() ||
          (ec != std::errc() && ec != std::errc::result_out_of_range))
        return true;
    }
    if (comma == std::string_view::npos)
      return false;
    start = comma + 1;
  }
}

/// No CSV row is this long; a file that is (binary junk, one giant cell)
/// is refused before it is buffered whole.
constexpr size_t kMaxCsvLineBytes = size_t(64) << 20;

/// The lines of a CSV file, without their '\n'. zlib's gzread inflates gzip
/// (magic 1f 8b) and passes any other file through unchanged, so `.csv.gz`
/// and `.csv` read alike.
class CsvLineReader {
public:
  enum class Status { Line, End, TooLong, Error };

  explicit CsvLineReader(const std::string &path)
      : file_(gzopen(path.c_str(), "rb")) {
    if (file_)
      gzbuffer(file_, 1 << 16);
  }
  ~CsvLineReader() {
    if (file_)
      gzclose(file_);
  }
  CsvLineReader(const CsvLineReader &) = delete;
  CsvLineReader &operator=(const CsvLineReader &) = delete;

  bool isOpen() const { return file_ != nullptr; }

  /// The next line into `line`; End once the file is exhausted.
  Status next(std::string &line) {
    line.clear();
    while (true) {
      if (pos_ == size_) {
        int got = gzread(file_, buffer_, sizeof(buffer_));
        if (got < 0)
          return Status::Error;
        if (got == 0)
          return line.empty() && !pendingLine_ ? Status::End : finish();
        pos_ = 0;
        size_ = static_cast<size_t>(got);
      }
      pendingLine_ = true;
      const char *start = buffer_ + pos_;
      const void *newline = std::memchr(start, '\n', size_ - pos_);
      size_t take = newline ? static_cast<const char *>(newline) - start
                            : size_ - pos_;
      if (line.size() + take > kMaxCsvLineBytes)
        return Status::TooLong;
      line.append(start, take);
      pos_ += take;
      if (newline) {
        ++pos_;
        return finish();
      }
    }
  }

  /// zlib's description of the last error (gzip data corrupt or cut short).
  std::string errorMessage() {
    int code = Z_OK;
    const char *message = file_ ? gzerror(file_, &code) : "cannot open";
    return message ? message : "read error";
  }

private:
  Status finish() {
    pendingLine_ = false;
    return Status::Line;
  }

  gzFile file_;
  char buffer_[1 << 16];
  size_t pos_ = 0, size_ = 0;
  bool pendingLine_ = false;
};

} // namespace dlnrt

#endif // DLNRT_CSVROWS_H
