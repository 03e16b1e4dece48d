//===- DataGen.cpp - The data block as a #dln.data attribute --------------===//
// Sources become attributes the runtime manifest is written from; sources
// known at compile time (`table`, `truth_table`) are stored inline, and
// `split` wraps the source it splits, so the runtime loads, shuffles and
// cuts it the same way for both parts.
//===----------------------------------------------------------------------===//
#include "frontend/DataGen.h"

#include "frontend/ConstantEval.h"
#include "frontend/SourceLocation.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Path.h"

using namespace dlnc;
using namespace mlir;

namespace {
using Block = dlnc::Block;

/// The most rows `truth_table(n, f)` may have: 2^16.
constexpr int64_t kMaxTruthTableInputs = 16;

class DataGen {
public:
  DataGen(MLIRContext &context, llvm::SourceMgr &sourceMgr)
      : context(context), sourceMgr(sourceMgr), builder(&context) {}

  FailureOr<dln::DataAttr> generate(const Block *block, StringRef sourceDir);

  /// Where `target_transform = [one_hot()]` and each augmentation were
  /// written.
  llvm::SMLoc oneHotTarget;
  SmallVector<llvm::SMLoc> augmentSites;

private:
  InFlightDiagnostic error(llvm::SMLoc where) {
    return emitError(toLocation(context, sourceMgr, where));
  }
  LogicalResult checkUnique(const Stmt &stmt);
  LogicalResult readLet(const Stmt &stmt);
  /// A source expression: a call of a source or a `let` name.
  FailureOr<Attribute> readSource(const Expr &expr);
  FailureOr<Attribute> readFileSource(const CallExpr &call, StringRef kind);
  FailureOr<Attribute> readTable(const CallExpr &call);
  FailureOr<Attribute> readTruthTable(const CallExpr &call);
  /// split(source, fraction, seed = 0): both parts.
  FailureOr<std::pair<Attribute, Attribute>> readSplit(const CallExpr &call);
  FailureOr<ArrayAttr> readTransforms(const Expr &expr);
  /// `target_transform = [one_hot()]`.
  FailureOr<ArrayAttr> readTargetTransforms(const Expr &expr);

  MLIRContext &context;
  llvm::SourceMgr &sourceMgr;
  OpBuilder builder;
  llvm::StringMap<const Stmt *> seen;
  llvm::StringMap<Attribute> sources; // `let` names
};

LogicalResult DataGen::checkUnique(const Stmt &stmt) {
  for (const std::string &name : stmt.names) {
    auto [it, inserted] = seen.try_emplace(name, &stmt);
    if (inserted)
      continue;
    unsigned line = sourceMgr.getLineAndColumn(it->second->nameLoc).first;
    return error(stmt.nameLoc)
           << "'" << name << "' is already defined on line " << line;
  }
  return success();
}

FailureOr<Attribute> DataGen::readFileSource(const CallExpr &call,
                                             StringRef kind) {
  SmallVector<std::string> paths;
  double scale = 1.0;
  int64_t label = -1, skip = 0;
  std::string labelName, delimiter = ",";
  for (const Argument &arg : call.args) {
    if (arg.name.empty()) {
      auto *path = llvm::dyn_cast<StringExpr>(arg.value.get());
      if (!path)
        return error(arg.loc) << "expected a file name string", failure();
      paths.push_back(path->value);
      continue;
    }
    // csv's strings: a label column named by the header, the separator.
    auto *text = llvm::dyn_cast<StringExpr>(arg.value.get());
    if (kind == "csv" && text && arg.name == "label") {
      if (text->value.empty() ||
          text->value.find_first_of(",;\t\n\"") != std::string::npos)
        return error(arg.loc) << "a label column name is a header field: "
                                 "not empty, without separators or quotes",
               failure();
      labelName = text->value;
      continue;
    }
    if (kind == "csv" && arg.name == "delimiter") {
      if (!text || text->value.size() != 1 ||
          !llvm::is_contained(StringRef(",;\t| "), text->value[0]))
        return error(arg.loc) << "'delimiter' is one of \",\", \";\", "
                                 "\"\\t\", \"|\" or \" \"",
               failure();
      delimiter = text->value;
      continue;
    }
    std::optional<double> value = evaluateNumber(*arg.value);
    if (!value)
      return error(arg.loc) << "'" << arg.name << "' expects a number",
             failure();
    // Column numbers are integers: `label = 1.7` must not pick column 1.
    std::optional<int64_t> integer = evaluateInteger(*arg.value);
    bool column = kind == "csv" && (arg.name == "label" || arg.name == "skip");
    if (column && (!integer || *integer < (arg.name == "skip" ? 0 : -1000000) ||
                   *integer > 1000000))
      return error(arg.loc) << "'" << arg.name << "' expects "
                            << (arg.name == "skip" ? "a non-negative integer"
                                                   : "an integer column index")
                            << " (at most 1000000 in magnitude)",
             failure();
    if (arg.name == "scale")
      scale = *value;
    else if (kind == "csv" && arg.name == "label")
      label = *integer;
    else if (kind == "csv" && arg.name == "skip")
      skip = *integer;
    else
      return error(arg.loc)
                 << "unknown argument '" << arg.name << "' of " << kind,
             failure();
  }
  size_t expectedPaths = kind == "csv" ? 1 : 2;
  if (paths.size() != expectedPaths)
    return error(call.getLoc())
               << kind << " expects " << expectedPaths << " file name(s)"
               << (kind == "idx" ? " (images and labels)" : ""),
           failure();
  FloatAttr scaleAttr = builder.getF64FloatAttr(scale);
  if (kind == "csv")
    return Attribute(dln::CsvSourceAttr::get(&context, paths[0], label, skip,
                                             scaleAttr, labelName, delimiter));
  return Attribute(
      dln::IdxSourceAttr::get(&context, paths[0], paths[1], scaleAttr));
}

/// table([[x1, x2, y], ...], label = -1)
FailureOr<Attribute> DataGen::readTable(const CallExpr &call) {
  const ListExpr *rows = nullptr;
  int64_t label = -1;
  for (const Argument &arg : call.args) {
    if (arg.name.empty() && !rows) {
      rows = llvm::dyn_cast<ListExpr>(arg.value.get());
      if (!rows)
        return error(arg.loc) << "table expects a list of rows, e.g. "
                                 "[[0, 1, 1], [1, 0, 1]]",
               failure();
      continue;
    }
    std::optional<int64_t> column =
        arg.name == "label" ? evaluateInteger(*arg.value) : std::nullopt;
    if (arg.name != "label")
      return error(arg.loc) << (arg.name.empty()
                                    ? std::string("table takes one list of rows")
                                    : "unknown argument '" + arg.name +
                                          "' of table (expected label)"),
             failure();
    if (!column)
      return error(arg.loc) << "'label' expects an integer column index",
             failure();
    label = *column;
  }
  if (!rows || rows->elements.empty())
    return error(call.getLoc()) << "table needs at least one row", failure();
  SmallVector<double> values;
  int64_t columns = -1;
  for (const ExprPtr &rowExpr : rows->elements) {
    auto *row = llvm::dyn_cast<ListExpr>(rowExpr.get());
    if (!row)
      return error(rowExpr->getLoc()) << "expected a row: a list of numbers",
             failure();
    if (columns >= 0 && int64_t(row->elements.size()) != columns)
      return error(rowExpr->getLoc())
                 << "row has " << row->elements.size()
                 << " values but the first row has " << columns,
             failure();
    columns = row->elements.size();
    for (const ExprPtr &cell : row->elements) {
      std::optional<double> value = evaluateNumber(*cell);
      if (!value)
        return error(cell->getLoc()) << "table cells must be numbers",
               failure();
      values.push_back(*value);
    }
  }
  if (columns < 2)
    return error(rows->getLoc())
               << "table rows need features and a label: at least 2 values",
           failure();
  if (label < -columns || label >= columns)
    return error(call.getLoc()) << "label column " << label
                                << " is outside the table's " << columns
                                << " columns",
           failure();
  return Attribute(dln::TableSourceAttr::get(
      &context, columns, label, builder.getDenseF64ArrayAttr(values)));
}

/// truth_table(n, fn(a1, ..., an) => expr): all 2^n rows of {0, 1}^n in
/// binary counting order (a1 most significant), then the target.
FailureOr<Attribute> DataGen::readTruthTable(const CallExpr &call) {
  if (call.args.size() != 2 || !call.args[0].name.empty() ||
      !call.args[1].name.empty())
    return error(call.getLoc()) << "truth_table expects (n, fn(a1, ..., an) "
                                   "=> expression)",
           failure();
  std::optional<int64_t> n = evaluateInteger(*call.args[0].value);
  if (!n || *n < 1 || *n > kMaxTruthTableInputs)
    return error(call.args[0].loc) << "truth_table's input count must be an "
                                      "integer from 1 to "
                                   << kMaxTruthTableInputs,
           failure();
  auto *lambda = llvm::dyn_cast<LambdaExpr>(call.args[1].value.get());
  if (!lambda)
    return error(call.args[1].loc)
               << "expected a function of the inputs, e.g. fn(a, b) => a and b",
           failure();
  if (int64_t(lambda->params.size()) != *n)
    return error(lambda->getLoc())
               << "the function takes " << lambda->params.size()
               << " input(s) but the table has " << *n,
           failure();
  SmallVector<double> values;
  ConstantBindings bindings;
  for (int64_t row = 0; row < (int64_t(1) << *n); ++row) {
    for (int64_t i = 0; i < *n; ++i) {
      double bit = (row >> (*n - 1 - i)) & 1;
      bindings[lambda->params[i].name] = bit;
      values.push_back(bit);
    }
    std::optional<double> target = evaluateNumber(*lambda->body, &bindings);
    if (!target)
      return error(lambda->body->getLoc())
                 << "cannot evaluate the truth table's target: use the inputs, "
                    "numbers, comparisons, arithmetic and 'and', 'or', 'not'",
             failure();
    values.push_back(*target);
  }
  return Attribute(dln::TableSourceAttr::get(
      &context, *n + 1, -1, builder.getDenseF64ArrayAttr(values)));
}

FailureOr<std::pair<Attribute, Attribute>>
DataGen::readSplit(const CallExpr &call) {
  const Expr *sourceExpr = nullptr, *fractionExpr = nullptr;
  int64_t seed = 0;
  for (const Argument &arg : call.args) {
    if (arg.name.empty()) {
      if (fractionExpr)
        return error(arg.loc) << "split expects (source, fraction, seed = S)",
               failure();
      (sourceExpr ? fractionExpr : sourceExpr) = arg.value.get();
      continue;
    }
    std::optional<int64_t> value = evaluateInteger(*arg.value);
    if (arg.name != "seed")
      return error(arg.loc) << "unknown argument '" << arg.name
                            << "' of split (expected seed)",
             failure();
    if (!value || *value < 0)
      return error(arg.loc) << "'seed' expects a non-negative integer",
             failure();
    seed = *value;
  }
  if (!sourceExpr || !fractionExpr)
    return error(call.getLoc()) << "split expects (source, fraction, seed = S)",
           failure();
  FailureOr<Attribute> source = readSource(*sourceExpr);
  if (failed(source))
    return failure();
  std::optional<double> fraction = evaluateNumber(*fractionExpr);
  if (!fraction || *fraction <= 0 || *fraction >= 1)
    return error(fractionExpr->getLoc())
               << "split's fraction must be a number between 0 and 1 "
                  "(exclusive), the share of the first part",
           failure();
  FloatAttr fractionAttr = builder.getF64FloatAttr(*fraction);
  return std::make_pair(
      Attribute(dln::SplitSourceAttr::get(&context, *source, fractionAttr,
                                          seed, 0)),
      Attribute(dln::SplitSourceAttr::get(&context, *source, fractionAttr,
                                          seed, 1)));
}

FailureOr<Attribute> DataGen::readSource(const Expr &expr) {
  if (auto *name = llvm::dyn_cast<IdentifierExpr>(&expr)) {
    auto it = sources.find(name->name);
    if (it == sources.end())
      return error(expr.getLoc()) << "unknown data source '" << name->name
                                  << "' (define it with 'let " << name->name
                                  << " = csv(...)' first)",
             failure();
    return it->second;
  }
  auto *call = llvm::dyn_cast<CallExpr>(&expr);
  StringRef kind = calleeName(expr);
  if (call && (kind == "csv" || kind == "idx"))
    return readFileSource(*call, kind);
  if (call && kind == "table")
    return readTable(*call);
  if (call && kind == "truth_table")
    return readTruthTable(*call);
  if (call && kind == "split")
    return error(expr.getLoc()) << "split gives two parts: name them with "
                                   "'let (fit, held_out) = split(...)'",
           failure();
  return error(expr.getLoc())
             << "expected a data source: csv(\"file.csv\", label = -1), "
                "idx(\"images\", \"labels\"), table([...]), truth_table(n, "
                "fn) or a 'let' name",
         failure();
}

LogicalResult DataGen::readLet(const Stmt &stmt) {
  const Expr &value = *stmt.value;
  if (stmt.names.size() == 1) {
    FailureOr<Attribute> source = readSource(value);
    if (failed(source))
      return failure();
    sources[stmt.name()] = *source;
    return success();
  }
  auto *call = llvm::dyn_cast<CallExpr>(&value);
  if (!call || calleeName(value) != "split")
    return error(value.getLoc()) << "only split(...) gives several sources",
           failure();
  if (stmt.names.size() != 2)
    return error(stmt.nameLoc) << "split gives 2 parts, but "
                               << stmt.names.size() << " names are bound",
           failure();
  auto parts = readSplit(*call);
  if (failed(parts))
    return failure();
  sources[stmt.names[0]] = parts->first;
  sources[stmt.names[1]] = parts->second;
  return success();
}

FailureOr<ArrayAttr> DataGen::readTransforms(const Expr &expr) {
  SmallVector<const Expr *> items = listItems(expr);
  struct Kind {
    StringRef name;
    SmallVector<StringRef, 2> args;
  };
  static const Kind kinds[] = {{"standardize", {}},
                               {"scale", {"factor"}},
                               {"normalize", {"mean", "std"}},
                               {"binarize", {"threshold"}}};
  SmallVector<Attribute> transforms;
  for (const Expr *item : items) {
    if (calleeName(*item) == "one_hot")
      return error(item->getLoc())
             << "one_hot() transforms the target: write it in "
                "'target_transform = [one_hot()]'",
             failure();
    auto *call = llvm::dyn_cast<CallExpr>(item);
    StringRef name = calleeName(*item);
    const Kind *kind = llvm::find_if(kinds, [&](const Kind &k) {
      return k.name == name;
    });
    if (!call || kind == std::end(kinds))
      return error(item->getLoc())
                 << "expected a transform: standardize(), scale(s), "
                    "normalize(mean, std) or binarize(threshold)",
             failure();
    if (call->args.size() != kind->args.size())
      return error(item->getLoc()) << name << " takes " << kind->args.size()
                                   << " argument(s), got " << call->args.size(),
             failure();
    SmallVector<double> args(kind->args.size());
    for (auto [i, arg] : llvm::enumerate(call->args)) {
      size_t slot = i;
      if (!arg.name.empty()) {
        auto *it = llvm::find(kind->args, arg.name);
        if (it == kind->args.end())
          return error(arg.loc) << "unknown argument '" << arg.name << "' of "
                                << name,
                 failure();
        slot = it - kind->args.begin();
      }
      std::optional<double> value = evaluateNumber(*arg.value);
      if (!value)
        return error(arg.loc) << "'" << kind->args[slot]
                              << "' must be a number",
               failure();
      args[slot] = *value;
    }
    if (name == "normalize" && args[1] <= 0)
      return error(item->getLoc()) << "normalize's std must be positive",
             failure();
    transforms.push_back(dln::TransformAttr::get(
        &context, name, builder.getDenseF64ArrayAttr(args)));
  }
  return builder.getArrayAttr(transforms);
}

FailureOr<dln::DataAttr> DataGen::generate(const Block *block,
                                           StringRef sourceDir) {
  std::string dir;
  Attribute train, test;
  ArrayAttr transforms, targetTransforms, augments;
  ArrayRef<Stmt> body = block ? ArrayRef<Stmt>(block->body) : ArrayRef<Stmt>();
  for (const Stmt &stmt : body) {
    if (stmt.kind != Stmt::Kind::Setting && stmt.kind != Stmt::Kind::Let)
      return error(stmt.loc) << "a data block holds 'let' sources and the "
                                "settings dir, train, test and transform",
             failure();
    if (failed(checkUnique(stmt)))
      return failure();
    if (stmt.kind == Stmt::Kind::Let) {
      if (failed(readLet(stmt)))
        return failure();
      continue;
    }
    StringRef name = stmt.name();
    if (name == "dir") {
      auto *path = llvm::dyn_cast<StringExpr>(stmt.value.get());
      if (!path)
        return error(stmt.value->getLoc()) << "'dir' expects a string",
               failure();
      dir = path->value;
    } else if (name == "train" || name == "test") {
      FailureOr<Attribute> source = readSource(*stmt.value);
      if (failed(source))
        return failure();
      (name == "train" ? train : test) = *source;
    } else if (name == "transform") {
      FailureOr<ArrayAttr> list = readTransforms(*stmt.value);
      if (failed(list))
        return failure();
      transforms = *list;
    } else if (name == "target_transform") {
      FailureOr<ArrayAttr> list = readTargetTransforms(*stmt.value);
      if (failed(list))
        return failure();
      targetTransforms = *list;
    } else if (name == "augment") {
      FailureOr<ArrayAttr> list = readAugments(
          context, *stmt.value,
          [&](llvm::SMLoc where) { return error(where); }, augmentSites);
      if (failed(list))
        return failure();
      augments = *list;
    } else {
      return error(stmt.nameLoc)
                 << "unknown data setting '" << name
                 << "' (expected dir, train, test, transform, "
                    "target_transform or augment)",
             failure();
    }
  }
  // Relative data paths are relative to the .dln file, wherever the compiled
  // model later runs (`--data DIR` overrides this).
  SmallString<256> resolved(dir);
  if (!llvm::sys::path::is_absolute(resolved)) {
    resolved = sourceDir;
    llvm::sys::path::append(resolved, dir);
  }
  llvm::sys::path::remove_dots(resolved, /*remove_dot_dot=*/true);
  return dln::DataAttr::get(&context, resolved.str(), train, test, transforms,
                            targetTransforms, augments);
}

FailureOr<ArrayAttr> DataGen::readTargetTransforms(const Expr &expr) {
  auto *list = llvm::dyn_cast<ListExpr>(&expr);
  SmallVector<const Expr *> items;
  if (list)
    for (const ExprPtr &item : list->elements)
      items.push_back(item.get());
  else
    items.push_back(&expr);
  SmallVector<Attribute> transforms;
  for (const Expr *item : items) {
    auto *call = llvm::dyn_cast<CallExpr>(item);
    if (!call || calleeName(*item) != "one_hot")
      return error(item->getLoc())
                 << "expected a target transform: one_hot()",
             failure();
    if (!call->args.empty())
      return error(call->args.front().loc)
                 << "one_hot() takes no arguments: the class count is the "
                    "label's size",
             failure();
    if (oneHotTarget.isValid())
      return error(item->getLoc()) << "one_hot() is given twice", failure();
    oneHotTarget = item->getLoc();
    transforms.push_back(dln::TransformAttr::get(
        &context, "one_hot", builder.getDenseF64ArrayAttr({})));
  }
  return builder.getArrayAttr(transforms);
}
} // namespace

FailureOr<dln::DataAttr> dlnc::generateData(MLIRContext &context,
                                            llvm::SourceMgr &sourceMgr,
                                            const Block *block,
                                            StringRef sourceDir,
                                            DataLocations &where) {
  DataGen data(context, sourceMgr);
  FailureOr<dln::DataAttr> attr = data.generate(block, sourceDir);
  where.oneHotTarget = data.oneHotTarget;
  where.augments = data.augmentSites;
  return attr;
}
