//===- Parser.cpp - Recursive-descent parser of the .dln language ---------===//
// Implements docs/grammar.ebnf; each function names the rule it parses.
// Parsing stops at the first error: later errors are usually consequences.
//===----------------------------------------------------------------------===//
#include "frontend/Parser.h"
#include "frontend/Diagnostics.h"

#include <cmath>

#include "llvm/ADT/StringExtras.h"

using namespace dlnc;
using llvm::SMLoc;

namespace {
class Parser {
public:
  Parser(llvm::SourceMgr &sourceMgr)
      : sourceMgr(sourceMgr),
        lexer(
            sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID())->getBuffer()) {
    lexer.next();
  }

  /// file ::= item* EOF
  std::optional<Module> parseFile() {
    Module module;
    while (!failed && tok() != Token::eof) {
      if (tok() == Token::kw_import) {
        // item ::= 'import' STRING
        SMLoc loc = lexer.location();
        lexer.next();
        if (tok() != Token::string)
          return fail("expected a file name string after 'import'");
        module.imports.emplace_back(loc, lexer.text());
        lexer.next();
        continue;
      }
      if (!isBlockKeyword(tok()))
        return fail("expected 'model', 'fn', 'data', 'train' or another "
                    "top-level block, found " +
                    describeCurrent());
      Block block;
      if (!parseBlock(block))
        return std::nullopt;
      module.blocks.push_back(std::move(block));
    }
    if (failed)
      return std::nullopt;
    return module;
  }

private:
  Token tok() const { return lexer.kind(); }

  /// True if the current token is followed by '=' (one token of lookahead).
  bool nextIsEqual() const {
    Lexer lookahead = lexer;
    return lookahead.next() == Token::equal;
  }

  /// A keyword directly followed by '=' names a setting or an argument.
  bool isNameBeforeEqual() const {
    return (tok() == Token::identifier || Lexer::isKeyword(tok())) &&
           nextIsEqual();
  }

  std::string describeCurrent() const {
    if (tok() == Token::eof)
      return "end of file";
    return "'" + lexer.spelling().str() + "'";
  }

  /// Nesting (parentheses, calls, unary operators, blocks) and chains of
  /// binary operators both deepen the AST, which the parser, MLIRGen and the
  /// AST's destructor walk recursively: past this depth (docs/language.md)
  /// the input is rejected instead of overflowing the stack.
  static constexpr unsigned kMaxDepth = 1000;
  unsigned depth = 0;

  /// Holds one level of depth for its lifetime; `ok()` is false (and an error
  /// was reported) when the limit is passed.
  class DepthGuard {
  public:
    explicit DepthGuard(Parser &parser, unsigned levels = 1)
        : parser(parser), levels(levels) {
      parser.depth += levels;
      if (parser.depth > kMaxDepth)
        parser.fail("nesting too deep: expressions and blocks may nest at "
                    "most " +
                    llvm::Twine(kMaxDepth) +
                    " levels (split long expressions with 'let')");
    }
    ~DepthGuard() { parser.depth -= levels; }
    bool ok() const { return parser.depth <= kMaxDepth; }

  private:
    Parser &parser;
    unsigned levels;
  };

  void printError(SMLoc loc, const llvm::Twine &message) {
    printSourceDiagnostic(sourceMgr, loc, llvm::SourceMgr::DK_Error, message,
                          llvm::errs());
  }

  std::nullopt_t fail(const llvm::Twine &message) {
    return failAt(lexer.location(), message);
  }
  std::nullopt_t failAt(SMLoc loc, const llvm::Twine &message) {
    if (!failed) {
      // A lexer error is more precise than the parser's expectation.
      if (tok() == Token::error)
        printError(lexer.location(), lexer.text());
      else
        printError(loc, message);
    }
    failed = true;
    return std::nullopt;
  }

  /// failAt for parse functions that return bool.
  bool reject(SMLoc loc, const llvm::Twine &message) {
    failAt(loc, message);
    return false;
  }

  bool consume(Token kind) {
    if (tok() != kind)
      return false;
    lexer.next();
    return true;
  }

  bool expect(Token kind, llvm::StringRef context) {
    if (consume(kind))
      return true;
    fail("expected " + Lexer::describe(kind) + " " + context + ", found " +
         describeCurrent());
    return false;
  }

  bool parseIdentifier(std::string &name, llvm::StringRef context) {
    if (tok() != Token::identifier) {
      if (Lexer::isKeyword(tok()))
        fail("expected " + context.str() + ", found keyword " +
             describeCurrent() + " (keywords cannot be used as names)");
      else
        fail("expected " + context.str() + ", found " + describeCurrent());
      return false;
    }
    name = lexer.spelling().str();
    lexer.next();
    return true;
  }

  static bool isBlockKeyword(Token kind) {
    switch (kind) {
    case Token::kw_model:
    case Token::kw_fn:
    case Token::kw_data:
    case Token::kw_train:
    case Token::kw_eval:
    case Token::kw_predict:
    case Token::kw_sample:
    case Token::kw_encode:
    case Token::kw_decode:
    case Token::kw_step:
      return true;
    default:
      return false;
    }
  }

  /// block ::= BLOCK_KW [IDENT] ['(' [param {',' param}] ')'] ['->' type]
  ///           '{' stmt* '}'
  bool parseBlock(Block &block) {
    block.loc = lexer.location();
    block.keyword = lexer.spelling().str();
    lexer.next();
    if (tok() == Token::identifier) {
      block.name = lexer.spelling().str();
      lexer.next();
    }
    if (consume(Token::l_paren)) {
      if (!parseParamList(block.params, Token::r_paren))
        return false;
    }
    if (consume(Token::arrow)) {
      block.resultType.emplace();
      if (!parseType(*block.resultType))
        return false;
    }
    if (!expect(Token::l_brace, "to open the '" + block.keyword + "' block"))
      return false;
    return parseStmtList(block.body);
  }

  /// param ::= IDENT [':' type] ['=' expr]; parses up to and including `end`.
  bool parseParamList(std::vector<ParamDecl> &params, Token end) {
    if (consume(end))
      return true;
    do {
      ParamDecl param;
      param.loc = lexer.location();
      if (!parseIdentifier(param.name, "a parameter name"))
        return false;
      if (consume(Token::colon)) {
        param.type.emplace();
        if (!parseType(*param.type))
          return false;
      }
      if (consume(Token::equal)) {
        param.defaultValue = parseExpr();
        if (!param.defaultValue)
          return false;
      }
      params.push_back(std::move(param));
    } while (consume(Token::comma));
    return expect(end, "to close the parameter list");
  }

  /// Parses statements up to and including the closing '}'.
  bool parseStmtList(std::vector<Stmt> &body) {
    DepthGuard guard(*this);
    if (!guard.ok())
      return false;
    while (tok() != Token::r_brace) {
      if (tok() == Token::eof) {
        fail("expected '}' before end of file");
        return false;
      }
      Stmt stmt;
      if (!parseStmt(stmt))
        return false;
      body.push_back(std::move(stmt));
    }
    lexer.next();
    return true;
  }

  /// Parses `NAME ':' type ['=' expr]` for declarations.
  bool parseDecl(Stmt &stmt, bool requireInit) {
    stmt.nameLoc = lexer.location();
    stmt.names.emplace_back();
    if (!parseIdentifier(stmt.names.back(), "a name"))
      return false;
    if (!expect(Token::colon, "and a type after the name"))
      return false;
    stmt.type.emplace();
    if (!parseType(*stmt.type))
      return false;
    if (consume(Token::equal))
      return (stmt.value = parseExpr()) != nullptr;
    if (requireInit) {
      fail("expected '=' and a value: constants need a value");
      return false;
    }
    return true;
  }

  bool parseAssignedValue(Stmt &stmt) {
    if (!expect(Token::equal, "after the name"))
      return false;
    return (stmt.value = parseExpr()) != nullptr;
  }

  /// stmt ::= see docs/grammar.ebnf
  bool parseStmt(Stmt &stmt) {
    stmt.loc = lexer.location();
    Token keyword = tok();
    if (keyword != Token::identifier && keyword != Token::kw_loss &&
        isNameBeforeEqual())
      keyword = Token::identifier;
    if (isBlockKeyword(keyword)) {
      stmt.kind = Stmt::Kind::Nested;
      stmt.block = std::make_shared<Block>();
      return parseBlock(*stmt.block);
    }
    switch (keyword) {
    case Token::kw_input:
    case Token::kw_label:
    case Token::kw_param:
    case Token::kw_const:
    case Token::kw_state: {
      lexer.next();
      stmt.kind = keyword == Token::kw_input   ? Stmt::Kind::Input
                  : keyword == Token::kw_label ? Stmt::Kind::Label
                  : keyword == Token::kw_param ? Stmt::Kind::Param
                  : keyword == Token::kw_const ? Stmt::Kind::Const
                                               : Stmt::Kind::State;
      bool allowsInit =
          keyword != Token::kw_input && keyword != Token::kw_label;
      if (!parseDecl(stmt, keyword == Token::kw_const))
        return false;
      if (!allowsInit && stmt.value)
        return reject(stmt.value->getLoc(),
                      llvm::Twine("'") +
                          (keyword == Token::kw_input ? "input" : "label") +
                          "' declarations take no value");
      return true;
    }
    case Token::kw_layer:
    case Token::kw_output: {
      lexer.next();
      stmt.kind =
          keyword == Token::kw_layer ? Stmt::Kind::Layer : Stmt::Kind::Output;
      stmt.nameLoc = lexer.location();
      stmt.names.emplace_back();
      if (!parseIdentifier(stmt.names.back(), keyword == Token::kw_layer
                                                  ? "a layer name"
                                                  : "an output name"))
        return false;
      return parseAssignedValue(stmt);
    }
    case Token::kw_let: {
      // 'let' pattern '=' expr;  pattern ::= IDENT | '(' IDENT {',' IDENT} ')'
      lexer.next();
      stmt.kind = Stmt::Kind::Let;
      stmt.nameLoc = lexer.location();
      if (consume(Token::l_paren)) {
        do {
          stmt.names.emplace_back();
          if (!parseIdentifier(stmt.names.back(), "a name in the pattern"))
            return false;
        } while (consume(Token::comma));
        if (!expect(Token::r_paren, "to close the pattern"))
          return false;
      } else {
        stmt.names.emplace_back();
        if (!parseIdentifier(stmt.names.back(), "a name after 'let'"))
          return false;
      }
      return parseAssignedValue(stmt);
    }
    case Token::kw_loss:
    case Token::kw_metric: {
      // 'loss' [IDENT] '=' expr  |  'metric' [IDENT '='] expr
      lexer.next();
      stmt.kind =
          keyword == Token::kw_loss ? Stmt::Kind::Loss : Stmt::Kind::Metric;
      stmt.nameLoc = lexer.location();
      if (keyword == Token::kw_loss) {
        if (tok() == Token::identifier) {
          stmt.names.push_back(lexer.spelling().str());
          lexer.next();
        }
        return parseAssignedValue(stmt);
      }
      stmt.value = parseExpr();
      if (!stmt.value)
        return false;
      if (consume(Token::equal)) {
        auto *name = llvm::dyn_cast<IdentifierExpr>(stmt.value.get());
        if (!name)
          return reject(stmt.value->getLoc(),
                        "expected a metric name before '='");
        stmt.names.push_back(name->name);
        return (stmt.value = parseExpr()) != nullptr;
      }
      return true;
    }
    case Token::kw_update: {
      // 'update' lvalue '=' expr;  lvalue ::= IDENT {'.' IDENT}
      lexer.next();
      stmt.kind = Stmt::Kind::Update;
      stmt.nameLoc = lexer.location();
      do {
        stmt.names.emplace_back();
        if (!parseIdentifier(stmt.names.back(),
                             "the name of the updated value"))
          return false;
      } while (consume(Token::dot));
      return parseAssignedValue(stmt);
    }
    case Token::kw_return:
      lexer.next();
      stmt.kind = Stmt::Kind::Return;
      return (stmt.value = parseExpr()) != nullptr;
    case Token::kw_for: {
      // 'for' IDENT 'in' expr '{' stmt* '}'
      lexer.next();
      stmt.kind = Stmt::Kind::For;
      stmt.nameLoc = lexer.location();
      stmt.names.emplace_back();
      if (!parseIdentifier(stmt.names.back(), "a loop variable") ||
          !expect(Token::kw_in, "after the loop variable"))
        return false;
      if (!(stmt.value = parseExpr()))
        return false;
      return expect(Token::l_brace, "to open the loop body") &&
             parseStmtList(stmt.body);
    }
    case Token::kw_if: {
      // 'if' expr '{' stmt* '}' ['else' '{' stmt* '}']
      lexer.next();
      stmt.kind = Stmt::Kind::If;
      if (!(stmt.value = parseExpr()))
        return false;
      if (!expect(Token::l_brace, "to open the 'if' body") ||
          !parseStmtList(stmt.body))
        return false;
      if (consume(Token::kw_else))
        return expect(Token::l_brace, "to open the 'else' body") &&
               parseStmtList(stmt.elseBody);
      return true;
    }
    case Token::identifier: {
      // IDENT '=' expr
      stmt.kind = Stmt::Kind::Setting;
      stmt.nameLoc = lexer.location();
      stmt.names.push_back(lexer.spelling().str());
      lexer.next();
      if (tok() != Token::equal) {
        fail("expected '=' after '" + stmt.names.back() +
             "' (statements start with a keyword such as 'let', 'layer' or "
             "'output', or are settings 'name = value')");
        return false;
      }
      return parseAssignedValue(stmt);
    }
    default:
      fail("expected a statement, found " + describeCurrent());
      return false;
    }
  }

  /// type ::= IDENT ['[' [type_arg {',' type_arg}] ']']
  /// type_arg ::= type | INT | '?'
  bool parseType(TypeNode &type) {
    type.loc = lexer.location();
    if (!parseIdentifier(type.name, "a type such as 'f32[784]'"))
      return false;
    if (!consume(Token::l_square))
      return true;
    type.hasArgs = true;
    if (consume(Token::r_square))
      return true;
    do {
      TypeArg arg;
      if (tok() == Token::integer) {
        arg.kind = TypeArg::Kind::Integer;
        if (lexer.spelling().getAsInteger(10, arg.value)) {
          fail("dimension is too large");
          return false;
        }
        lexer.next();
      } else if (consume(Token::question)) {
        arg.kind = TypeArg::Kind::Dynamic;
      } else {
        arg.kind = TypeArg::Kind::Type;
        arg.type = std::make_shared<TypeNode>();
        if (!parseType(*arg.type))
          return false;
      }
      type.args.push_back(std::move(arg));
    } while (consume(Token::comma));
    return expect(Token::r_square, "to close the type's dimensions");
  }

  /// expr ::= 'if' expr 'then' expr 'else' expr
  ///        | 'fn' '(' [param {',' param}] ')' '=>' expr
  ///        | arrow
  ExprPtr parseExpr() {
    DepthGuard guard(*this);
    if (!guard.ok())
      return nullptr;
    SMLoc loc = lexer.location();
    if (consume(Token::kw_if)) {
      ExprPtr cond = parseExpr();
      if (!cond || !expect(Token::kw_then, "after the condition"))
        return nullptr;
      ExprPtr thenExpr = parseExpr();
      if (!thenExpr || !expect(Token::kw_else, "after the 'then' value"))
        return nullptr;
      ExprPtr elseExpr = parseExpr();
      if (!elseExpr)
        return nullptr;
      return std::make_unique<IfExpr>(loc, std::move(cond), std::move(thenExpr),
                                      std::move(elseExpr));
    }
    if (consume(Token::kw_fn)) {
      std::vector<ParamDecl> params;
      if (!expect(Token::l_paren, "to open the lambda's parameters") ||
          !parseParamList(params, Token::r_paren) ||
          !expect(Token::fat_arrow, "before the lambda body"))
        return nullptr;
      ExprPtr body = parseExpr();
      if (!body)
        return nullptr;
      return std::make_unique<LambdaExpr>(loc, std::move(params),
                                          std::move(body));
    }
    return parseBinaryLevel(0);
  }

  /// Binary precedence levels, loosest first:
  ///   arrow '->', range '..', 'or', 'and', comparisons, '+ -', '* / @ %'.
  /// Arrow, range and comparisons do not chain.
  static int levelOf(Token kind) {
    switch (kind) {
    case Token::arrow:
      return 0;
    case Token::dotdot:
      return 1;
    case Token::kw_or:
      return 2;
    case Token::kw_and:
      return 3;
    case Token::equal_equal:
    case Token::not_equal:
    case Token::less:
    case Token::less_equal:
    case Token::greater:
    case Token::greater_equal:
      return 4;
    case Token::plus:
    case Token::minus:
      return 5;
    case Token::star:
    case Token::slash:
    case Token::at:
    case Token::percent:
      return 6;
    default:
      return -1;
    }
  }
  static constexpr int kUnaryLevel = 7;

  ExprPtr parseBinaryLevel(int level) {
    if (level == kUnaryLevel)
      return parseUnary();
    ExprPtr lhs = parseBinaryLevel(level + 1);
    if (!lhs)
      return nullptr;
    bool chains = level >= 2 && level != 4;
    // Each link of a chain `a + b + c ...` adds a level to the (left-deep)
    // tree; the guards hold them until the chain is built.
    std::vector<std::unique_ptr<DepthGuard>> links;
    while (levelOf(tok()) == level) {
      links.push_back(std::make_unique<DepthGuard>(*this));
      if (!links.back()->ok())
        return nullptr;
      SMLoc loc = lexer.location();
      std::string op = lexer.spelling().str();
      lexer.next();
      ExprPtr rhs = parseBinaryLevel(level + 1);
      if (!rhs)
        return nullptr;
      lhs =
          std::make_unique<BinaryExpr>(loc, op, std::move(lhs), std::move(rhs));
      if (!chains)
        break;
    }
    return lhs;
  }

  /// unary ::= ('-' | 'not') unary | power;  power ::= postfix ['^' unary]
  ExprPtr parseUnary() {
    SMLoc loc = lexer.location();
    if (tok() == Token::minus || tok() == Token::kw_not) {
      DepthGuard guard(*this);
      if (!guard.ok())
        return nullptr;
      std::string op = lexer.spelling().str();
      lexer.next();
      ExprPtr operand = parseUnary();
      if (!operand)
        return nullptr;
      return std::make_unique<UnaryExpr>(loc, op, std::move(operand));
    }
    ExprPtr base = parsePostfix();
    if (!base)
      return nullptr;
    if (tok() == Token::caret) {
      SMLoc opLoc = lexer.location();
      lexer.next();
      ExprPtr exponent = parseUnary();
      if (!exponent)
        return nullptr;
      return std::make_unique<BinaryExpr>(opLoc, "^", std::move(base),
                                          std::move(exponent));
    }
    return base;
  }

  /// Parses `arg {',' arg}` up to and including `end`; arg ::= [IDENT '='] expr
  bool parseArguments(std::vector<Argument> &args, Token end) {
    if (consume(end))
      return true;
    do {
      Argument arg;
      arg.loc = lexer.location();
      if (isNameBeforeEqual()) {
        arg.name = lexer.spelling().str();
        lexer.next();
        lexer.next();
        if (!(arg.value = parseExpr()))
          return false;
        args.push_back(std::move(arg));
        continue;
      }
      ExprPtr value = parseExpr();
      if (!value)
        return false;
      if (tok() == Token::equal) {
        fail("expected an argument name before '='");
        return false;
      }
      arg.value = std::move(value);
      args.push_back(std::move(arg));
    } while (consume(Token::comma));
    return expect(end, end == Token::r_paren ? "to close the argument list"
                                             : "to close the index");
  }

  /// postfix ::= primary {'(' args ')' | '[' args ']' | '.' IDENT}
  ExprPtr parsePostfix() {
    ExprPtr expr = parsePrimary();
    while (expr) {
      SMLoc loc = lexer.location();
      if (consume(Token::l_paren)) {
        std::vector<Argument> args;
        if (!parseArguments(args, Token::r_paren))
          return nullptr;
        expr = std::make_unique<CallExpr>(expr->getLoc(), std::move(expr),
                                          std::move(args));
      } else if (consume(Token::l_square)) {
        std::vector<Argument> args;
        if (!parseArguments(args, Token::r_square))
          return nullptr;
        expr =
            std::make_unique<IndexExpr>(loc, std::move(expr), std::move(args));
      } else if (consume(Token::dot)) {
        std::string member;
        if (!parseIdentifier(member, "a member name after '.'"))
          return nullptr;
        expr = std::make_unique<MemberExpr>(loc, std::move(expr), member);
      } else {
        break;
      }
    }
    return expr;
  }

  /// Parses `expr {',' expr}`.
  bool parseExprList(std::vector<ExprPtr> &elements) {
    do {
      ExprPtr element = parseExpr();
      if (!element)
        return false;
      elements.push_back(std::move(element));
    } while (consume(Token::comma));
    return true;
  }

  /// primary ::= INT | FLOAT | STRING | 'true' | 'false' | IDENT
  ///           | '(' expr {',' expr} ')' | '[' [expr {',' expr}] ']'
  ExprPtr parsePrimary() {
    SMLoc loc = lexer.location();
    switch (tok()) {
    case Token::integer:
    case Token::floating: {
      double value = 0;
      bool isInteger = tok() == Token::integer;
      if (!llvm::to_float(lexer.spelling(), value) || !std::isfinite(value)) {
        fail("number '" + lexer.spelling() + "' is out of range");
        return nullptr;
      }
      lexer.next();
      return std::make_unique<NumberExpr>(loc, value, isInteger);
    }
    case Token::string: {
      auto expr = std::make_unique<StringExpr>(loc, lexer.text());
      lexer.next();
      return expr;
    }
    case Token::kw_true:
    case Token::kw_false: {
      bool value = tok() == Token::kw_true;
      lexer.next();
      return std::make_unique<BoolExpr>(loc, value);
    }
    // `step` starts step blocks as a statement; in an expression it is the
    // step learning-rate schedule, `lr_schedule = step(10, gamma = 0.5)`.
    case Token::kw_step:
    case Token::identifier: {
      auto expr = std::make_unique<IdentifierExpr>(loc, lexer.spelling().str());
      lexer.next();
      return expr;
    }
    case Token::l_paren: {
      lexer.next();
      std::vector<ExprPtr> elements;
      if (!parseExprList(elements) ||
          !expect(Token::r_paren, "to close the parenthesis"))
        return nullptr;
      if (elements.size() == 1)
        return std::move(elements.front());
      return std::make_unique<TupleExpr>(loc, std::move(elements));
    }
    case Token::l_square: {
      lexer.next();
      std::vector<ExprPtr> elements;
      if (!consume(Token::r_square) &&
          (!parseExprList(elements) ||
           !expect(Token::r_square, "to close the list")))
        return nullptr;
      return std::make_unique<ListExpr>(loc, std::move(elements));
    }
    default:
      fail("expected an expression, found " + describeCurrent());
      return nullptr;
    }
  }

  llvm::SourceMgr &sourceMgr;
  Lexer lexer;
  bool failed = false;
};
} // namespace

std::optional<Module> dlnc::parseModule(llvm::SourceMgr &sourceMgr) {
  return Parser(sourceMgr).parseFile();
}
