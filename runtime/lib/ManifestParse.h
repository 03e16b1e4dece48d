//===- ManifestParse.h - Reading the manifest's JSON ----------*- C++ -*-===//
//
// Shared by the manifest's parsers (Manifest.cpp, ManifestData.cpp): a JSON
// node that knows its path for error messages, and the data section's
// parsers.
//
//===----------------------------------------------------------------------===//
#ifndef DLNRT_LIB_MANIFESTPARSE_H
#define DLNRT_LIB_MANIFESTPARSE_H

#include "Error.h"
#include "Manifest.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <string>
#include <vector>

namespace dlnrt::manifest_detail {

using json = nlohmann::json;

/// A JSON value and its path from the root ("$.params[0].shape"), so every
/// error can say where it is.
class Node {
public:
  Node(const json &value, std::string path)
      : value_(value), path_(std::move(path)) {}

  [[noreturn]] void error(const std::string &what) const {
    fail(DLNRT_INVALID_ARGUMENT, "manifest: " + path_ + ": " + what);
  }
  const std::string &path() const { return path_; }

  bool has(const char *key) const {
    if (!value_.is_object())
      error("expected an object");
    return value_.contains(key);
  }
  Node operator[](const char *key) const {
    if (!value_.is_object())
      error("expected an object");
    auto it = value_.find(key);
    if (it == value_.end())
      error(std::string("missing key '") + key + "'");
    return Node(*it, path_ + "." + key);
  }
  std::optional<Node> optional(const char *key) const {
    if (!has(key))
      return std::nullopt;
    return (*this)[key];
  }

  /// An object's members, in the JSON library's (sorted) key order.
  std::vector<std::pair<std::string, Node>> members() const {
    if (!value_.is_object())
      error("expected an object");
    std::vector<std::pair<std::string, Node>> out;
    for (auto it = value_.begin(); it != value_.end(); ++it)
      out.emplace_back(it.key(), Node(it.value(), path_ + "." + it.key()));
    return out;
  }
  /// A number, boolean or array of them as `info` prints it: 0.9, true,
  /// (0.9, 0.999).
  std::string display() const {
    if (value_.is_boolean())
      return value_.get<bool>() ? "true" : "false";
    if (value_.is_array()) {
      std::string text = "(";
      for (const Node &element : array())
        text += (text.size() > 1 ? ", " : "") + element.display();
      return text + ")";
    }
    std::ostringstream os;
    os << number();
    return os.str();
  }

  std::vector<Node> array() const {
    if (!value_.is_array())
      error("expected an array");
    std::vector<Node> out;
    for (size_t i = 0; i < value_.size(); ++i)
      out.emplace_back(value_[i], path_ + "[" + std::to_string(i) + "]");
    return out;
  }
  std::string str() const {
    if (!value_.is_string())
      error("expected a string");
    return value_.get<std::string>();
  }
  int64_t integer() const {
    if (!value_.is_number_integer() ||
        (value_.is_number_unsigned() &&
         value_.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)))
      error("expected an integer");
    return value_.get<int64_t>();
  }
  int64_t integerAtLeast(int64_t min) const {
    int64_t v = integer();
    if (v < min)
      error("must be >= " + std::to_string(min) + ", got " + std::to_string(v));
    return v;
  }
  bool boolean() const {
    if (!value_.is_boolean())
      error("expected true or false");
    return value_.get<bool>();
  }
  uint64_t unsignedInteger() const {
    if (!value_.is_number_unsigned())
      error("expected a non-negative integer");
    return value_.get<uint64_t>();
  }
  double number() const {
    if (!value_.is_number() || !std::isfinite(value_.get<double>()))
      error("expected a finite number");
    return value_.get<double>();
  }
  /// A shape: an array of positive integers ([] is rank 0).
  Shape shape() const {
    Shape s;
    for (const Node &d : array())
      s.push_back(d.integerAtLeast(1));
    return s;
  }
  /// An argument's shape: positive integers, or -1 (kAnyBatch) for the
  /// batch dimension, whose size the caller chooses.
  Shape argShape() const {
    Shape s;
    for (const Node &d : array())
      s.push_back(d.integer() == kAnyBatch ? kAnyBatch : d.integerAtLeast(1));
    return s;
  }
  template <typename T, size_t N>
  T oneOf(const std::pair<const char *, T> (&choices)[N]) const {
    std::string s = str();
    std::string names;
    for (const auto &[name, v] : choices) {
      if (s == name)
        return v;
      names += std::string(names.empty() ? "" : ", ") + name;
    }
    error("unknown value '" + s + "' (expected one of " + names + ")");
  }

private:
  const json &value_;
  std::string path_;
};

/// A data source (`data.train`, `data.test`, a split's `source`).
DataSpec parseData(const Node &n);

/// `data.augment`, checked against the input `shape` ([C, H, W] or [C, L]
/// for crops and flips; a crop keeps the size).
std::vector<AugmentSpec> parseAugments(const Node &list, const Shape &shape);

/// `data.transforms`.
std::vector<TransformSpec> parseTransforms(const Node &list);

} // namespace dlnrt::manifest_detail

#endif // DLNRT_LIB_MANIFESTPARSE_H
