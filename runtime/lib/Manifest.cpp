//===- Manifest.cpp - The model manifest a compiled object carries --------===//
#include "Manifest.h"

#include "Error.h"
#include "NumberParse.h"

#include <cmath>
#include <map>
#include <set>

namespace dlnrt {

const char *initKindName(InitKind kind) {
  switch (kind) {
  case InitKind::Zeros:
    return "zeros";
  case InitKind::Ones:
    return "ones";
  case InitKind::Constant:
    return "constant";
  case InitKind::Uniform:
    return "uniform";
  case InitKind::Normal:
    return "normal";
  case InitKind::FanInUniform:
    return "fan_in_uniform";
  case InitKind::LecunUniform:
    return "lecun_uniform";
  case InitKind::GlorotUniform:
    return "glorot_uniform";
  case InitKind::GlorotNormal:
    return "glorot_normal";
  case InitKind::HeUniform:
    return "he_uniform";
  case InitKind::HeNormal:
    return "he_normal";
  }
  return "?";
}

static int hexValue(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

bool percentDecode(std::string_view text, std::string &out) {
  out.clear();
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size())
      return false;
    int hi = hexValue(text[i + 1]), lo = hexValue(text[i + 2]);
    if (hi < 0 || lo < 0)
      return false;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return true;
}

bool parseShape(std::string_view text, Shape &out) {
  out.clear();
  size_t start = 0;
  while (true) {
    size_t x = text.find('x', start);
    std::string_view part =
        text.substr(start, x == std::string_view::npos ? x : x - start);
    int64_t d;
    if (!parseInt64(part, d) || d <= 0)
      return false;
    out.push_back(d);
    if (x == std::string_view::npos)
      return true;
    start = x + 1;
  }
}

namespace {

/// One tokenized manifest line: positional tokens and decoded key=value
/// options.
class Line {
public:
  Line(int number, std::string_view raw) : number_(number), raw_(raw) {
    size_t i = 0;
    while (i < raw.size()) {
      while (i < raw.size() && raw[i] == ' ')
        ++i;
      size_t j = i;
      while (j < raw.size() && raw[j] != ' ')
        ++j;
      if (j > i)
        tokens_.push_back(raw.substr(i, j - i));
      i = j;
    }
  }

  [[noreturn]] void error(const std::string &what) const {
    fail(DLNRT_INVALID_ARGUMENT, "manifest line " + std::to_string(number_) +
                                     ": " + what + ": " + std::string(raw_));
  }

  size_t size() const { return tokens_.size(); }
  std::string_view raw(size_t i) const { return tokens_[i]; }

  /// Positional token i, percent-decoded.
  std::string word(size_t i) const {
    if (i >= tokens_.size())
      error("expected at least " + std::to_string(i + 1) + " fields");
    std::string out;
    if (!percentDecode(tokens_[i], out))
      error("malformed percent escape in '" + std::string(tokens_[i]) + "'");
    return out;
  }

  /// Collects key=value tokens from position `first` on; tokens without '=' are
  /// errors.
  void collectOptions(size_t first) {
    for (size_t i = first; i < tokens_.size(); ++i) {
      std::string_view t = tokens_[i];
      size_t eq = t.find('=');
      if (eq == std::string_view::npos || eq == 0)
        error("expected key=value, got '" + std::string(t) + "'");
      std::string value;
      if (!percentDecode(t.substr(eq + 1), value))
        error("malformed percent escape in '" + std::string(t) + "'");
      options_[std::string(t.substr(0, eq))] = value;
    }
  }

  bool has(const std::string &key) const { return options_.count(key) != 0; }

  std::string str(const std::string &key, const std::string &fallback) const {
    auto it = options_.find(key);
    return it == options_.end() ? fallback : it->second;
  }

  std::string requiredStr(const std::string &key) const {
    if (!has(key))
      error("missing " + key + "=");
    return options_.at(key);
  }

  double num(const std::string &key, double fallback) const {
    auto it = options_.find(key);
    if (it == options_.end())
      return fallback;
    double v;
    if (!parseDouble(it->second, v) || !std::isfinite(v))
      error(key + "= expects a finite number, got '" + it->second + "'");
    return v;
  }

  int64_t integer(const std::string &key, int64_t fallback) const {
    auto it = options_.find(key);
    if (it == options_.end())
      return fallback;
    return toInt(it->second, key + "=");
  }

  int64_t toInt(const std::string &text, const std::string &what) const {
    int64_t v;
    if (!parseInt64(text, v))
      error(what + " expects an integer, got '" + text + "'");
    return v;
  }

  Shape shape(size_t i) const {
    Shape s;
    if (!parseShape(word(i), s))
      error("malformed shape '" + word(i) +
            "' (expected d0xd1x... with positive dims)");
    return s;
  }

private:
  int number_;
  std::string_view raw_;
  std::vector<std::string_view> tokens_;
  std::map<std::string, std::string> options_;
};

const std::map<std::string, InitKind> &initKinds() {
  static const std::map<std::string, InitKind> kinds = {
      {"zeros", InitKind::Zeros},
      {"ones", InitKind::Ones},
      {"constant", InitKind::Constant},
      {"uniform", InitKind::Uniform},
      {"normal", InitKind::Normal},
      {"fan_in_uniform", InitKind::FanInUniform},
      {"lecun_uniform", InitKind::LecunUniform},
      {"glorot_uniform", InitKind::GlorotUniform},
      {"glorot_normal", InitKind::GlorotNormal},
      {"he_uniform", InitKind::HeUniform},
      {"he_normal", InitKind::HeNormal}};
  return kinds;
}

bool needsFans(InitKind k) {
  return k == InitKind::FanInUniform || k == InitKind::LecunUniform ||
         k == InitKind::GlorotUniform || k == InitKind::GlorotNormal ||
         k == InitKind::HeUniform || k == InitKind::HeNormal;
}

ParamSpec parseParam(Line &line) {
  ParamSpec p;
  p.name = line.word(1);
  p.shape = line.shape(2);
  line.collectOptions(3);
  std::string kind = line.requiredStr("init");
  auto it = initKinds().find(kind);
  if (it == initKinds().end())
    line.error("unknown init kind '" + kind + "'");
  InitSpec &init = p.init;
  init.kind = it->second;
  init.value = line.num("v", 0);
  init.a = line.num("a", 0);
  init.b = line.num("b", 1);
  init.mean = line.num("mean", 0);
  init.std = line.num("std", 1);
  init.fanIn = line.integer("fan_in", 0);
  init.fanOut = line.integer("fan_out", 0);
  if (init.kind == InitKind::Uniform && init.a > init.b)
    line.error("uniform init needs a <= b");
  if (init.kind == InitKind::Normal && init.std < 0)
    line.error("normal init needs std >= 0");
  if (needsFans(init.kind) && (init.fanIn <= 0 || init.fanOut <= 0))
    line.error(kind + " init needs positive fan_in= and fan_out=");
  return p;
}

DataSpec parseData(Line &line) {
  DataSpec d;
  d.format = line.word(2);
  line.collectOptions(3);
  d.scale = line.num("scale", 1.0);
  if (d.format == "idx") {
    d.images = line.requiredStr("images");
    d.labels = line.requiredStr("labels");
  } else if (d.format == "csv") {
    d.path = line.requiredStr("path");
    d.labelColumn = line.integer("label", -1);
    d.skip = line.integer("skip", 0);
    if (d.skip < 0)
      line.error("skip= must be >= 0");
  } else {
    line.error("unknown data format '" + d.format + "' (expected idx or csv)");
  }
  return d;
}

} // namespace

Manifest parseManifest(std::string_view text) {
  Manifest m;
  bool sawHeader = false;
  std::set<std::string> seen; // singleton line kinds, to reject duplicates
  bool sawInput = false, sawLabel = false, sawOutput = false, sawBatch = false,
       sawDtype = false;
  int number = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view raw =
        text.substr(pos, nl == std::string_view::npos ? nl : nl - pos);
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    ++number;
    if (!raw.empty() && raw.back() == '\r')
      raw.remove_suffix(1);
    Line line(number, raw);
    if (line.size() == 0)
      continue;
    std::string kind(line.raw(0));
    if (!sawHeader) {
      if (kind != "dln-manifest" || line.size() < 2)
        line.error("expected 'dln-manifest 1' header");
      int64_t v = line.toInt(line.word(1), "version");
      if (v != 1)
        line.error("unsupported manifest version " + std::to_string(v) +
                   " (this runtime reads 1)");
      sawHeader = true;
      continue;
    }
    bool singleton = kind == "model" || kind == "dtype" || kind == "batch" ||
                     kind == "epochs" || kind == "seed" ||
                     kind == "log_every" || kind == "optimizer" ||
                     kind == "input" || kind == "label" || kind == "output";
    if (singleton && !seen.insert(kind).second)
      line.error("duplicate '" + kind + "' line");

    if (kind == "dln-manifest") {
      line.error("duplicate header");
    } else if (kind == "model") {
      m.model = line.word(1);
    } else if (kind == "dtype") {
      std::string d = line.word(1);
      if (d == "f32")
        m.dtype = DType::F32;
      else if (d == "f64")
        m.dtype = DType::F64;
      else
        line.error("unsupported dtype '" + d + "' (expected f32 or f64)");
      sawDtype = true;
    } else if (kind == "batch") {
      m.batch = line.toInt(line.word(1), "batch");
      if (m.batch <= 0)
        line.error("batch must be positive");
      sawBatch = true;
    } else if (kind == "epochs") {
      m.epochs = line.toInt(line.word(1), "epochs");
      if (m.epochs < 0)
        line.error("epochs must be >= 0");
    } else if (kind == "seed") {
      if (!parseUInt64(line.word(1), m.seed))
        line.error("seed expects an unsigned integer");
    } else if (kind == "log_every") {
      m.logEvery = line.toInt(line.word(1), "log_every");
      if (m.logEvery < 0)
        line.error("log_every must be >= 0");
    } else if (kind == "optimizer") {
      m.optimizer = line.word(1);
      line.collectOptions(2);
      if (line.has("lr"))
        m.lr = line.num("lr", 0);
    } else if (kind == "param") {
      ParamSpec p = parseParam(line);
      for (const ParamSpec &q : m.params)
        if (q.name == p.name)
          line.error("duplicate param '" + p.name + "'");
      m.params.push_back(std::move(p));
    } else if (kind == "input") {
      m.inputName = line.word(1);
      m.inputShape = line.shape(2);
      sawInput = true;
    } else if (kind == "label") {
      m.label.name = line.word(1);
      std::string lk = line.word(2);
      if (lk == "class") {
        m.label.kind = LabelKind::Class;
        m.label.numClasses = line.toInt(line.word(3), "class count");
        if (m.label.numClasses < 2)
          line.error("class labels need at least 2 classes");
      } else if (lk == "real") {
        m.label.kind = LabelKind::Real;
        m.label.shape = line.shape(3);
      } else {
        line.error("unknown label kind '" + lk + "' (expected class or real)");
      }
      sawLabel = true;
    } else if (kind == "output") {
      m.outputName = line.word(1);
      m.outputShape = line.shape(2);
      sawOutput = true;
    } else if (kind == "data") {
      std::string what = line.word(1);
      if (what == "dir") {
        m.dataDir = line.word(2);
      } else if (what == "train" || what == "test") {
        std::optional<DataSpec> &slot = what == "train" ? m.train : m.test;
        if (slot)
          line.error("duplicate 'data " + what + "' line");
        slot = parseData(line);
      } else {
        line.error("unknown data entry '" + what +
                   "' (expected dir, train or test)");
      }
    } else {
      line.error("unknown line kind '" + kind + "'");
    }
  }
  auto missing = [](const std::string &what) {
    fail(DLNRT_INVALID_ARGUMENT, "manifest: missing '" + what + "' line");
  };
  if (!sawHeader)
    fail(DLNRT_INVALID_ARGUMENT,
         "manifest: empty (expected 'dln-manifest 1' header)");
  if (!sawDtype)
    missing("dtype");
  if (!sawBatch)
    missing("batch");
  if (!sawInput)
    missing("input");
  if (!sawLabel)
    missing("label");
  if (!sawOutput)
    missing("output");
  return m;
}

} // namespace dlnrt
