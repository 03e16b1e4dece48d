//===- AST.h - Abstract syntax tree of the .dln language --------*- C++ -*-===//
// The AST covers the whole grammar (docs/grammar.ebnf); MLIRGen decides which
// constructs it can compile. Every node keeps the location of its first token.
//===----------------------------------------------------------------------===//
#ifndef DLNC_FRONTEND_AST_H
#define DLNC_FRONTEND_AST_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Casting.h"
#include "llvm/Support/SMLoc.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace dlnc {

//===----------------------------------------------------------------------===//
// Types: f32[784], class[10], seq[f32[8]], f32[?, 28]
//===----------------------------------------------------------------------===//

struct TypeNode;
struct TypeArg {
  enum class Kind { Type, Integer, Dynamic } kind = Kind::Integer;
  std::shared_ptr<TypeNode> type;
  int64_t value = 0;
};

struct TypeNode {
  llvm::SMLoc loc;
  std::string name;
  std::vector<TypeArg> args;
  bool hasArgs = false; ///< `f32[]` differs from `f32`.
};

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

class Expr {
public:
  enum class Kind {
    Number,
    String,
    Bool,
    Identifier,
    Call,
    Index,
    Member,
    Binary,
    Unary,
    If,
    Lambda,
    Tuple,
    List,
  };
  Expr(Kind kind, llvm::SMLoc loc) : kind(kind), loc(loc) {}
  virtual ~Expr() = default;
  Kind getKind() const { return kind; }
  llvm::SMLoc getLoc() const { return loc; }

private:
  Kind kind;
  llvm::SMLoc loc;
};
using ExprPtr = std::unique_ptr<Expr>;

#define DLNC_EXPR_CLASSOF(KIND)                                                \
  static bool classof(const Expr *e) { return e->getKind() == Kind::KIND; }

struct NumberExpr : Expr {
  NumberExpr(llvm::SMLoc loc, double value, bool isInteger)
      : Expr(Kind::Number, loc), value(value), isInteger(isInteger) {}
  double value;
  bool isInteger;
  DLNC_EXPR_CLASSOF(Number)
};

struct StringExpr : Expr {
  StringExpr(llvm::SMLoc loc, std::string value)
      : Expr(Kind::String, loc), value(std::move(value)) {}
  std::string value;
  DLNC_EXPR_CLASSOF(String)
};

struct BoolExpr : Expr {
  BoolExpr(llvm::SMLoc loc, bool value) : Expr(Kind::Bool, loc), value(value) {}
  bool value;
  DLNC_EXPR_CLASSOF(Bool)
};

struct IdentifierExpr : Expr {
  IdentifierExpr(llvm::SMLoc loc, std::string name)
      : Expr(Kind::Identifier, loc), name(std::move(name)) {}
  std::string name;
  DLNC_EXPR_CLASSOF(Identifier)
};

/// A positional (`name` empty) or named argument of a call or index.
struct Argument {
  llvm::SMLoc loc;
  std::string name;
  ExprPtr value;
};

struct CallExpr : Expr {
  CallExpr(llvm::SMLoc loc, ExprPtr callee, std::vector<Argument> args)
      : Expr(Kind::Call, loc), callee(std::move(callee)),
        args(std::move(args)) {}
  ExprPtr callee;
  std::vector<Argument> args;
  DLNC_EXPR_CLASSOF(Call)
};

struct IndexExpr : Expr {
  IndexExpr(llvm::SMLoc loc, ExprPtr base, std::vector<Argument> indices)
      : Expr(Kind::Index, loc), base(std::move(base)),
        indices(std::move(indices)) {}
  ExprPtr base;
  std::vector<Argument> indices;
  DLNC_EXPR_CLASSOF(Index)
};

struct MemberExpr : Expr {
  MemberExpr(llvm::SMLoc loc, ExprPtr base, std::string member)
      : Expr(Kind::Member, loc), base(std::move(base)),
        member(std::move(member)) {}
  ExprPtr base;
  std::string member;
  DLNC_EXPR_CLASSOF(Member)
};

struct BinaryExpr : Expr {
  BinaryExpr(llvm::SMLoc loc, std::string op, ExprPtr lhs, ExprPtr rhs)
      : Expr(Kind::Binary, loc), op(std::move(op)), lhs(std::move(lhs)),
        rhs(std::move(rhs)) {}
  std::string op; ///< spelling: "+", "->", "..", "and", ...
  ExprPtr lhs, rhs;
  DLNC_EXPR_CLASSOF(Binary)
};

struct UnaryExpr : Expr {
  UnaryExpr(llvm::SMLoc loc, std::string op, ExprPtr operand)
      : Expr(Kind::Unary, loc), op(std::move(op)), operand(std::move(operand)) {
  }
  std::string op;
  ExprPtr operand;
  DLNC_EXPR_CLASSOF(Unary)
};

struct IfExpr : Expr {
  IfExpr(llvm::SMLoc loc, ExprPtr cond, ExprPtr thenExpr, ExprPtr elseExpr)
      : Expr(Kind::If, loc), cond(std::move(cond)),
        thenExpr(std::move(thenExpr)), elseExpr(std::move(elseExpr)) {}
  ExprPtr cond, thenExpr, elseExpr;
  DLNC_EXPR_CLASSOF(If)
};

/// `name [: type] [= default]` in block headers and lambdas.
struct ParamDecl {
  llvm::SMLoc loc;
  std::string name;
  std::optional<TypeNode> type;
  ExprPtr defaultValue;
};

struct LambdaExpr : Expr {
  LambdaExpr(llvm::SMLoc loc, std::vector<ParamDecl> params, ExprPtr body)
      : Expr(Kind::Lambda, loc), params(std::move(params)),
        body(std::move(body)) {}
  std::vector<ParamDecl> params;
  ExprPtr body;
  DLNC_EXPR_CLASSOF(Lambda)
};

struct TupleExpr : Expr {
  TupleExpr(llvm::SMLoc loc, std::vector<ExprPtr> elements)
      : Expr(Kind::Tuple, loc), elements(std::move(elements)) {}
  std::vector<ExprPtr> elements;
  DLNC_EXPR_CLASSOF(Tuple)
};

struct ListExpr : Expr {
  ListExpr(llvm::SMLoc loc, std::vector<ExprPtr> elements)
      : Expr(Kind::List, loc), elements(std::move(elements)) {}
  std::vector<ExprPtr> elements;
  DLNC_EXPR_CLASSOF(List)
};
#undef DLNC_EXPR_CLASSOF

//===----------------------------------------------------------------------===//
// Statements and blocks
//===----------------------------------------------------------------------===//

struct Block;

struct Stmt {
  enum class Kind {
    Input,
    Label,
    Param,
    Const,
    State, // declarations: name ':' type ['=' expr]
    Layer,
    Let,
    Output,
    Loss,
    Update,
    Metric,
    Return,
    Setting,
    For,
    If,
    Nested,
  };
  Kind kind;
  llvm::SMLoc loc;
  std::vector<std::string> names; ///< declared names, `let (a, b)`, lvalue path
  llvm::SMLoc nameLoc;
  std::optional<TypeNode> type;
  ExprPtr value; ///< initializer, right-hand side, loop range or condition
  std::vector<Stmt> body;       ///< `for` body, `if` then-branch
  std::vector<Stmt> elseBody;   ///< `if` else-branch
  std::shared_ptr<Block> block; ///< nested block

  /// The single declared name (empty for anonymous loss/metric).
  const std::string &name() const {
    static const std::string empty;
    return names.empty() ? empty : names.front();
  }
};

struct Block {
  llvm::SMLoc loc;
  std::string keyword; ///< model, fn, data, train, ...
  std::string name;
  std::vector<ParamDecl> params;
  std::optional<TypeNode> resultType;
  std::vector<Stmt> body;
};

struct Module {
  std::vector<std::pair<llvm::SMLoc, std::string>> imports;
  std::vector<Block> blocks;
};

/// Prints the AST as an indented tree (`dlnc --emit=ast`).
void dumpAST(const Module &module, const llvm::SourceMgr &sourceMgr,
             llvm::raw_ostream &os);

} // namespace dlnc

#endif // DLNC_FRONTEND_AST_H
