//===- Lexer.h - Tokens of the .dln language --------------------*- C++ -*-===//
#ifndef DLNC_FRONTEND_LEXER_H
#define DLNC_FRONTEND_LEXER_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SMLoc.h"

#include <string>

namespace dlnc {

enum class Token {
  eof,
  error,
  identifier,
  integer,
  floating,
  string,
  // Keywords.
  kw_import,
  kw_model,
  kw_fn,
  kw_data,
  kw_train,
  kw_eval,
  kw_predict,
  kw_sample,
  kw_encode,
  kw_decode,
  kw_step,
  kw_input,
  kw_label,
  kw_param,
  kw_const,
  kw_state,
  kw_layer,
  kw_let,
  kw_output,
  kw_loss,
  kw_update,
  kw_metric,
  kw_return,
  kw_for,
  kw_in,
  kw_if,
  kw_then,
  kw_else,
  kw_true,
  kw_false,
  kw_and,
  kw_or,
  kw_not,
  // Punctuation and operators.
  l_paren,
  r_paren,
  l_brace,
  r_brace,
  l_square,
  r_square,
  comma,
  colon,
  dot,
  dotdot,
  arrow,
  fat_arrow,
  equal,
  equal_equal,
  not_equal,
  less,
  less_equal,
  greater,
  greater_equal,
  plus,
  minus,
  star,
  slash,
  at,
  percent,
  caret,
  question,
};

/// Splits a .dln buffer into tokens. Errors produce Token::error with a
/// message; the parser reports them at the token's location.
class Lexer {
public:
  /// A UTF-8 byte-order mark, which some editors write, is skipped.
  explicit Lexer(llvm::StringRef buffer)
      : buffer(buffer), current(buffer.begin()) {
    if (buffer.starts_with("\xEF\xBB\xBF"))
      current += 3;
  }

  /// Advances to the next token and returns its kind.
  Token next();

  Token kind() const { return tokenKind; }
  llvm::StringRef spelling() const { return tokenSpelling; }
  llvm::SMLoc location() const {
    return llvm::SMLoc::getFromPointer(tokenSpelling.begin());
  }
  /// The decoded value of a string literal, or the lexer's error message.
  const std::string &text() const { return tokenText; }

  /// True for the reserved words (kw_import ... kw_not).
  static bool isKeyword(Token kind) {
    return kind >= Token::kw_import && kind <= Token::kw_not;
  }

  /// A human-readable name for diagnostics ("'{'", "identifier", ...).
  static std::string describe(Token kind);

private:
  Token lexIdentifierOrKeyword(const char *start);
  Token lexNumber(const char *start);
  Token lexString(const char *start);
  Token makeToken(Token kind, const char *start);
  Token makeError(const char *start, const std::string &message);
  /// Skips white space and comments; false on an unterminated block comment.
  bool skipTrivia();

  llvm::StringRef buffer;
  const char *current;
  Token tokenKind = Token::eof;
  llvm::StringRef tokenSpelling;
  std::string tokenText;
};

} // namespace dlnc

#endif // DLNC_FRONTEND_LEXER_H
