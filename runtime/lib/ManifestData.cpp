//===- ManifestData.cpp - The manifest's data section ---------------------===//
#include "ManifestParse.h"

namespace dlnrt::manifest_detail {

namespace {
const std::pair<const char *, std::string> kDataKinds[] = {
    {"idx", "idx"}, {"csv", "csv"}, {"table", "table"}, {"split", "split"}};
const std::pair<const char *, TransformSpec::Kind> kTransformKinds[] = {
    {"standardize", TransformSpec::Kind::Standardize},
    {"scale", TransformSpec::Kind::Scale},
    {"normalize", TransformSpec::Kind::Normalize},
    {"binarize", TransformSpec::Kind::Binarize}};
const std::pair<const char *, AugmentSpec::Kind> kAugmentKinds[] = {
    {"random_crop", AugmentSpec::Kind::RandomCrop},
    {"random_flip", AugmentSpec::Kind::RandomFlip},
    {"noise", AugmentSpec::Kind::Noise}};
const std::pair<const char *, AugmentSpec::PaddingMode> kPaddingModes[] = {
    {"zeros", AugmentSpec::PaddingMode::Zeros},
    {"circular", AugmentSpec::PaddingMode::Circular},
    {"reflect", AugmentSpec::PaddingMode::Reflect}};
} // namespace

DataSpec parseData(const Node &n) {
  DataSpec d;
  d.format = n["kind"].oneOf(kDataKinds);
  if (auto s = n.optional("scale"))
    d.scale = s->number();
  if (d.format == "idx") {
    d.images = n["images"].str();
    d.labels = n["labels"].str();
  } else if (d.format == "csv") {
    d.path = n["path"].str();
    if (auto l = n.optional("label"))
      d.labelColumn = l->integer();
    if (auto s = n.optional("skip"))
      d.skip = s->integerAtLeast(0);
    if (auto l = n.optional("label_name"))
      d.labelName = l->str();
    if (auto s = n.optional("delimiter")) {
      std::string delimiter = s->str();
      if (delimiter.size() != 1 ||
          std::string_view(",;\t| ").find(delimiter[0]) ==
              std::string_view::npos)
        s->error("expected one of \",\", \";\", \"\\t\", \"|\", \" \"");
      d.delimiter = delimiter[0];
    }
  } else if (d.format == "table") {
    d.columns = n["columns"].integerAtLeast(1);
    if (auto l = n.optional("label"))
      d.labelColumn = l->integer();
    Node rows = n["rows"];
    for (const Node &row : rows.array()) {
      std::vector<Node> cells = row.array();
      if (static_cast<int64_t>(cells.size()) != d.columns)
        row.error("expected " + std::to_string(d.columns) + " numbers, got " +
                  std::to_string(cells.size()));
      for (const Node &cell : cells)
        d.rows.push_back(cell.number());
    }
    if (d.rows.empty())
      rows.error("needs at least one row");
  } else {
    d.source = std::make_shared<const DataSpec>(parseData(n["source"]));
    Node fraction = n["fraction"];
    d.fraction = fraction.number();
    if (!(d.fraction > 0 && d.fraction < 1))
      fraction.error("must be strictly between 0 and 1");
    d.splitSeed = n["seed"].unsignedInteger();
    d.part = n["part"].integerAtLeast(0);
    if (d.part > 1)
      n["part"].error("must be 0 or 1, got " + std::to_string(d.part));
  }
  return d;
}

std::vector<AugmentSpec> parseAugments(const Node &list, const Shape &shape) {
  std::vector<AugmentSpec> out;
  for (const Node &n : list.array()) {
    AugmentSpec a;
    a.kind = n["kind"].oneOf(kAugmentKinds);
    if (a.kind != AugmentSpec::Kind::Noise &&
        (shape.size() < 2 || shape.size() > 3))
      n["kind"].error("needs an image input [C, H, W] or [C, L], got [" +
                      formatShape(shape) + "]");
    const int64_t h = shape.size() == 3 ? shape[1] : 1;
    const int64_t w = shape.empty() ? 0 : shape.back();
    switch (a.kind) {
    case AugmentSpec::Kind::RandomCrop: {
      const auto &size = n["size"].array();
      if (size.size() != 2)
        n["size"].error("expects [height, width]");
      a.height = size[0].integer();
      a.width = size[1].integer();
      // A [C, L] sample is one row: its crop height is the single size.
      if (shape.size() == 2 && a.height == w)
        a.height = 1;
      if (a.height != h || a.width != w)
        n["size"].error("must be the input's spatial size [" +
                        formatShape(Shape(shape.begin() + 1, shape.end())) +
                        "]");
      a.padding = n["padding"].integer();
      if (a.padding < 0 || a.padding > 1 << 20)
        n["padding"].error("must be in [0, 2^20]");
      a.mode = n["padding_mode"].oneOf(kPaddingModes);
      if (a.mode == AugmentSpec::PaddingMode::Reflect &&
          (a.padding >= w || (shape.size() == 3 && a.padding >= h)))
        n["padding"].error("reflect padding must be smaller than the image");
      break;
    }
    case AugmentSpec::Kind::RandomFlip:
      a.horizontal = n["horizontal"].boolean();
      a.vertical = n["vertical"].boolean();
      a.p = n["p"].number();
      if (!(a.p >= 0 && a.p <= 1))
        n["p"].error("must be in [0, 1]");
      break;
    case AugmentSpec::Kind::Noise:
      a.std = n["std"].number();
      if (!(a.std >= 0))
        n["std"].error("must be >= 0");
      break;
    }
    out.push_back(a);
  }
  return out;
}

std::vector<TransformSpec> parseTransforms(const Node &list) {
  std::vector<TransformSpec> out;
  for (const Node &n : list.array()) {
    TransformSpec t;
    t.kind = n["kind"].oneOf(kTransformKinds);
    switch (t.kind) {
    case TransformSpec::Kind::Standardize:
      break;
    case TransformSpec::Kind::Scale:
      t.factor = n["factor"].number();
      break;
    case TransformSpec::Kind::Normalize:
      t.mean = n["mean"].number();
      t.std = n["std"].number();
      if (t.std == 0)
        n["std"].error("must not be 0");
      break;
    case TransformSpec::Kind::Binarize:
      t.threshold = n["threshold"].number();
      break;
    }
    out.push_back(t);
  }
  return out;
}

} // namespace dlnrt::manifest_detail
