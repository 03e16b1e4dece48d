//===- Augmentations.cpp - The data block's `augment` list ----------------===//
// Random augmentations of training samples (docs/language.md 15.3), which
// the runtime applies to each training batch, redrawn every epoch:
//   random_crop(size, padding = 0, padding_mode = zeros | circular | reflect)
//   random_flip(horizontal = true, vertical = false, p = 0.5)
//   noise(std)
// Each becomes a #dln.transform whose numbers DLNAttrs.td lists; whether
// they fit the input's shape is checked with the model (ModelGen).
//===----------------------------------------------------------------------===//
#include "frontend/DataGen.h"

#include "frontend/ConstantEval.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringSwitch.h"

using namespace dlnc;
using namespace mlir;

namespace {
struct AugmentKind {
  StringLiteral name;
  /// Argument names in positional order, with defaults (nullopt: required).
  SmallVector<std::pair<StringLiteral, std::optional<double>>, 3> args;
};
} // namespace

FailureOr<ArrayAttr> dlnc::readAugments(
    MLIRContext &context, const Expr &expr,
    function_ref<InFlightDiagnostic(llvm::SMLoc)> error,
    SmallVectorImpl<llvm::SMLoc> &sites) {
  SmallVector<const Expr *> items = listItems(expr);
  static const AugmentKind kinds[] = {
      {"random_crop", {{"size", std::nullopt}, {"padding", 0.0}, {"padding_mode", 0.0}}},
      {"random_flip", {{"horizontal", 1.0}, {"vertical", 0.0}, {"p", 0.5}}},
      {"noise", {{"std", std::nullopt}}}};
  OpBuilder builder(&context);
  SmallVector<Attribute> augments;
  for (const Expr *item : items) {
    auto *call = llvm::dyn_cast<CallExpr>(item);
    StringRef name = calleeName(*item);
    const AugmentKind *kind = llvm::find_if(
        kinds, [&](const AugmentKind &k) { return k.name == name; });
    if (!call || kind == std::end(kinds))
      return error(item->getLoc())
                 << "expected an augmentation: random_crop(size, padding, "
                    "padding_mode), random_flip(horizontal, vertical, p) or "
                    "noise(std)",
             failure();
    // Bind positional and named arguments.
    SmallVector<const Argument *, 3> bound(kind->args.size(), nullptr);
    unsigned position = 0;
    for (const Argument &arg : call->args) {
      size_t slot = position;
      if (arg.name.empty()) {
        if (position >= kind->args.size())
          return error(arg.loc) << name << " takes at most "
                                << kind->args.size() << " arguments",
                 failure();
        ++position;
      } else {
        auto *it = llvm::find_if(kind->args, [&](const auto &a) {
          return a.first == arg.name;
        });
        if (it == kind->args.end())
          return error(arg.loc) << "unknown argument '" << arg.name << "' of "
                                << name,
                 failure();
        slot = it - kind->args.begin();
      }
      if (bound[slot])
        return error(arg.loc) << "argument '" << kind->args[slot].first
                              << "' of " << name << " is given twice",
               failure();
      bound[slot] = &arg;
    }
    SmallVector<double> values;
    for (auto [slot, spec] : llvm::enumerate(kind->args)) {
      const Argument *arg = bound[slot];
      if (!arg) {
        if (!spec.second)
          return error(call->getLoc()) << name << " needs its argument '"
                                       << spec.first << "'",
                 failure();
        values.push_back(*spec.second);
        continue;
      }
      // padding_mode is a word; crop sizes may be a (height, width) pair.
      if (spec.first == "padding_mode") {
        auto *word = llvm::dyn_cast<IdentifierExpr>(arg->value.get());
        int mode = word ? llvm::StringSwitch<int>(word->name)
                              .Case("zeros", 0)
                              .Case("circular", 1)
                              .Case("reflect", 2)
                              .Default(-1)
                        : -1;
        if (mode < 0)
          return error(arg->value->getLoc())
                     << "padding_mode must be zeros, circular or reflect",
                 failure();
        values.push_back(mode);
        continue;
      }
      if (spec.first == "size") {
        if (auto *pair = llvm::dyn_cast<TupleExpr>(arg->value.get())) {
          if (pair->elements.size() != 2)
            return error(arg->value->getLoc()) << "a crop size is N or (height, width)",
                   failure();
          for (const ExprPtr &element : pair->elements) {
            std::optional<int64_t> size = evaluateInteger(*element);
            if (!size || *size < 1)
              return error(element->getLoc())
                         << "a crop size must be a positive integer",
                     failure();
            values.push_back(*size);
          }
          continue;
        }
      }
      std::optional<double> value = evaluateNumber(*arg->value);
      if (!value)
        return error(arg->value->getLoc()) << "'" << spec.first << "' of " << name
                               << " must be a number",
               failure();
      bool whole = *value == std::floor(*value);
      if (spec.first == "size") {
        if (!whole || *value < 1)
          return error(arg->value->getLoc()) << "a crop size must be a positive integer",
                 failure();
        values.append(2, *value); // height and width alike
        continue;
      }
      if (spec.first == "padding" && (!whole || *value < 0)) {
        return error(arg->value->getLoc()) << "crop padding must be an integer >= 0",
               failure();
      } else if ((spec.first == "horizontal" || spec.first == "vertical") &&
                 *value != 0 && *value != 1) {
        return error(arg->value->getLoc()) << "'" << spec.first
                               << "' must be true or false",
               failure();
      } else if (spec.first == "p" && (*value < 0 || *value > 1)) {
        return error(arg->value->getLoc()) << "flip probability p must be in [0, 1]",
               failure();
      } else if (spec.first == "std" && *value < 0) {
        return error(arg->value->getLoc()) << "noise std must be >= 0", failure();
      }
      values.push_back(*value);
    }
    sites.push_back(item->getLoc());
    augments.push_back(dln::TransformAttr::get(
        &context, name, builder.getDenseF64ArrayAttr(values)));
  }
  return builder.getArrayAttr(augments);
}
