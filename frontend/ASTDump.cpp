//===- ASTDump.cpp - Textual dump of the AST (dlnc --emit=ast) ------------===//
#include "frontend/AST.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>

using namespace dlnc;

namespace {
class ASTDumper {
public:
  ASTDumper(const llvm::SourceMgr &sourceMgr, llvm::raw_ostream &os)
      : sourceMgr(sourceMgr), os(os) {}

  void dump(const Module &module) {
    os << "Module\n";
    for (const auto &[loc, path] : module.imports) {
      indent(1);
      os << "Import \"" << path << "\" " << location(loc) << "\n";
    }
    for (const Block &block : module.blocks)
      dumpBlock(block, 1);
  }

private:
  std::string location(llvm::SMLoc loc) {
    if (!loc.isValid())
      return "@?";
    auto [line, col] = sourceMgr.getLineAndColumn(loc);
    return "@" + std::to_string(line) + ":" + std::to_string(col);
  }

  void indent(int depth) { os.indent(2 * depth); }

  void dumpBlock(const Block &block, int depth) {
    indent(depth);
    os << "Block " << block.keyword;
    if (!block.name.empty())
      os << " '" << block.name << "'";
    os << " " << location(block.loc) << "\n";
    for (const ParamDecl &param : block.params)
      dumpParam(param, depth + 1);
    if (block.resultType) {
      indent(depth + 1);
      os << "Result " << typeString(*block.resultType) << "\n";
    }
    for (const Stmt &stmt : block.body)
      dumpStmt(stmt, depth + 1);
  }

  void dumpParam(const ParamDecl &param, int depth) {
    indent(depth);
    os << "Param '" << param.name << "'";
    if (param.type)
      os << " : " << typeString(*param.type);
    os << " " << location(param.loc) << "\n";
    if (param.defaultValue)
      dumpExpr(*param.defaultValue, depth + 1);
  }

  static std::string typeString(const TypeNode &type) {
    std::string text = type.name;
    if (!type.hasArgs)
      return text;
    text += "[";
    for (size_t i = 0; i < type.args.size(); ++i) {
      if (i)
        text += ", ";
      const TypeArg &arg = type.args[i];
      if (arg.kind == TypeArg::Kind::Integer)
        text += std::to_string(arg.value);
      else if (arg.kind == TypeArg::Kind::Dynamic)
        text += "?";
      else
        text += typeString(*arg.type);
    }
    return text + "]";
  }

  static const char *stmtName(Stmt::Kind kind) {
    switch (kind) {
    case Stmt::Kind::Input:
      return "Input";
    case Stmt::Kind::Label:
      return "Label";
    case Stmt::Kind::Param:
      return "Param";
    case Stmt::Kind::Const:
      return "Const";
    case Stmt::Kind::State:
      return "State";
    case Stmt::Kind::Layer:
      return "Layer";
    case Stmt::Kind::Let:
      return "Let";
    case Stmt::Kind::Output:
      return "Output";
    case Stmt::Kind::Loss:
      return "Loss";
    case Stmt::Kind::Update:
      return "Update";
    case Stmt::Kind::Metric:
      return "Metric";
    case Stmt::Kind::Return:
      return "Return";
    case Stmt::Kind::Setting:
      return "Setting";
    case Stmt::Kind::For:
      return "For";
    case Stmt::Kind::If:
      return "If";
    case Stmt::Kind::Nested:
      return "Nested";
    }
    return "?";
  }

  void dumpStmt(const Stmt &stmt, int depth) {
    if (stmt.kind == Stmt::Kind::Nested) {
      dumpBlock(*stmt.block, depth);
      return;
    }
    indent(depth);
    os << stmtName(stmt.kind);
    if (!stmt.names.empty()) {
      os << " '";
      llvm::interleave(stmt.names, os,
                       stmt.kind == Stmt::Kind::Update ? "." : ", ");
      os << "'";
    }
    if (stmt.type)
      os << " : " << typeString(*stmt.type);
    os << " " << location(stmt.loc) << "\n";
    if (stmt.value)
      dumpExpr(*stmt.value, depth + 1);
    for (const Stmt &child : stmt.body)
      dumpStmt(child, depth + 1);
    if (!stmt.elseBody.empty()) {
      indent(depth);
      os << "Else\n";
      for (const Stmt &child : stmt.elseBody)
        dumpStmt(child, depth + 1);
    }
  }

  void dumpArguments(const std::vector<Argument> &args, int depth) {
    for (const Argument &arg : args) {
      if (!arg.name.empty()) {
        indent(depth);
        os << "Named '" << arg.name << "'\n";
        dumpExpr(*arg.value, depth + 1);
      } else {
        dumpExpr(*arg.value, depth);
      }
    }
  }

  void dumpExpr(const Expr &expr, int depth) {
    indent(depth);
    std::string loc = location(expr.getLoc());
    llvm::TypeSwitch<const Expr *>(&expr)
        .Case([&](const NumberExpr *e) {
          // An integer literal past int64 (18446744073709551615) is still
          // a number: converting it to long long would be undefined.
          bool fits = std::fabs(e->value) < 0x1p63;
          os << "Number "
             << (e->isInteger && fits ? std::to_string((long long)e->value)
                 : e->isInteger       ? llvm::formatv("{0:F0}", e->value).str()
                                      : llvm::formatv("{0}", e->value).str())
             << " " << loc << "\n";
        })
        .Case([&](const StringExpr *e) {
          os << "String \"" << e->value << "\" " << loc << "\n";
        })
        .Case([&](const BoolExpr *e) {
          os << "Bool " << (e->value ? "true" : "false") << " " << loc << "\n";
        })
        .Case([&](const IdentifierExpr *e) {
          os << "Identifier '" << e->name << "' " << loc << "\n";
        })
        .Case([&](const CallExpr *e) {
          os << "Call " << loc << "\n";
          dumpExpr(*e->callee, depth + 1);
          dumpArguments(e->args, depth + 1);
        })
        .Case([&](const IndexExpr *e) {
          os << "Index " << loc << "\n";
          dumpExpr(*e->base, depth + 1);
          dumpArguments(e->indices, depth + 1);
        })
        .Case([&](const MemberExpr *e) {
          os << "Member '" << e->member << "' " << loc << "\n";
          dumpExpr(*e->base, depth + 1);
        })
        .Case([&](const BinaryExpr *e) {
          os << "Binary '" << e->op << "' " << loc << "\n";
          dumpExpr(*e->lhs, depth + 1);
          dumpExpr(*e->rhs, depth + 1);
        })
        .Case([&](const UnaryExpr *e) {
          os << "Unary '" << e->op << "' " << loc << "\n";
          dumpExpr(*e->operand, depth + 1);
        })
        .Case([&](const IfExpr *e) {
          os << "If " << loc << "\n";
          dumpExpr(*e->cond, depth + 1);
          dumpExpr(*e->thenExpr, depth + 1);
          dumpExpr(*e->elseExpr, depth + 1);
        })
        .Case([&](const LambdaExpr *e) {
          os << "Lambda " << loc << "\n";
          for (const ParamDecl &param : e->params)
            dumpParam(param, depth + 1);
          dumpExpr(*e->body, depth + 1);
        })
        .Case([&](const TupleExpr *e) {
          os << "Tuple " << loc << "\n";
          for (const ExprPtr &element : e->elements)
            dumpExpr(*element, depth + 1);
        })
        .Case([&](const ListExpr *e) {
          os << "List " << loc << "\n";
          for (const ExprPtr &element : e->elements)
            dumpExpr(*element, depth + 1);
        });
  }

  const llvm::SourceMgr &sourceMgr;
  llvm::raw_ostream &os;
};
} // namespace

void dlnc::dumpAST(const Module &module, const llvm::SourceMgr &sourceMgr,
                   llvm::raw_ostream &os) {
  ASTDumper(sourceMgr, os).dump(module);
}
