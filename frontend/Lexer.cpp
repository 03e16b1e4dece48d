//===- Lexer.cpp - Tokenizer of the .dln language -------------------------===//
#include "frontend/Lexer.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"

#include <cctype>

using namespace dlnc;

bool Lexer::skipTrivia() {
  while (current != buffer.end()) {
    char c = *current;
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++current;
    } else if (c == '/' && current + 1 != buffer.end() && current[1] == '/') {
      while (current != buffer.end() && *current != '\n')
        ++current;
    } else if (c == '/' && current + 1 != buffer.end() && current[1] == '*') {
      const char *start = current;
      current += 2;
      while (current + 1 < buffer.end() &&
             !(current[0] == '*' && current[1] == '/'))
        ++current;
      if (current + 1 >= buffer.end()) {
        current = start;
        return false;
      }
      current += 2;
    } else {
      break;
    }
  }
  return true;
}

Token Lexer::makeToken(Token kind, const char *start) {
  tokenKind = kind;
  tokenSpelling = llvm::StringRef(start, current - start);
  return kind;
}

Token Lexer::makeError(const char *start, const std::string &message) {
  tokenText = message;
  if (current == start)
    ++current;
  return makeToken(Token::error, start);
}

Token Lexer::next() {
  tokenText.clear();
  if (!skipTrivia()) {
    const char *start = current;
    current = buffer.end();
    return makeError(start, "unterminated block comment");
  }
  const char *start = current;
  if (current == buffer.end())
    return makeToken(Token::eof, start);

  char c = *current++;
  auto peek = [&](char expected) {
    if (current != buffer.end() && *current == expected) {
      ++current;
      return true;
    }
    return false;
  };

  if (std::isalpha(static_cast<unsigned char>(c)) || c == '_')
    return lexIdentifierOrKeyword(start);
  if (std::isdigit(static_cast<unsigned char>(c)))
    return lexNumber(start);

  switch (c) {
  case '"':
    return lexString(start);
  case '(':
    return makeToken(Token::l_paren, start);
  case ')':
    return makeToken(Token::r_paren, start);
  case '{':
    return makeToken(Token::l_brace, start);
  case '}':
    return makeToken(Token::r_brace, start);
  case '[':
    return makeToken(Token::l_square, start);
  case ']':
    return makeToken(Token::r_square, start);
  case ',':
    return makeToken(Token::comma, start);
  case ':':
    return makeToken(Token::colon, start);
  case '+':
    return makeToken(Token::plus, start);
  case '*':
    return makeToken(Token::star, start);
  case '/':
    return makeToken(Token::slash, start);
  case '@':
    return makeToken(Token::at, start);
  case '%':
    return makeToken(Token::percent, start);
  case '^':
    return makeToken(Token::caret, start);
  case '?':
    return makeToken(Token::question, start);
  case '.':
    return makeToken(peek('.') ? Token::dotdot : Token::dot, start);
  case '-':
    return makeToken(peek('>') ? Token::arrow : Token::minus, start);
  case '=':
    if (peek('='))
      return makeToken(Token::equal_equal, start);
    return makeToken(peek('>') ? Token::fat_arrow : Token::equal, start);
  case '!':
    if (peek('='))
      return makeToken(Token::not_equal, start);
    return makeError(start,
                     "unexpected character '!' (did you mean 'not' or '!='?)");
  case '<':
    return makeToken(peek('=') ? Token::less_equal : Token::less, start);
  case '>':
    return makeToken(peek('=') ? Token::greater_equal : Token::greater, start);
  default:
    break;
  }
  std::string shown =
      std::isprint(static_cast<unsigned char>(c))
          ? std::string(1, c)
          : "\\x" + llvm::utohexstr(static_cast<unsigned char>(c));
  return makeError(start, "unexpected character '" + shown + "'");
}

Token Lexer::lexIdentifierOrKeyword(const char *start) {
  while (
      current != buffer.end() &&
      (std::isalnum(static_cast<unsigned char>(*current)) || *current == '_'))
    ++current;
  llvm::StringRef word(start, current - start);
  Token kind = llvm::StringSwitch<Token>(word)
                   .Case("import", Token::kw_import)
                   .Case("model", Token::kw_model)
                   .Case("fn", Token::kw_fn)
                   .Case("data", Token::kw_data)
                   .Case("train", Token::kw_train)
                   .Case("eval", Token::kw_eval)
                   .Case("predict", Token::kw_predict)
                   .Case("sample", Token::kw_sample)
                   .Case("encode", Token::kw_encode)
                   .Case("decode", Token::kw_decode)
                   .Case("step", Token::kw_step)
                   .Case("input", Token::kw_input)
                   .Case("label", Token::kw_label)
                   .Case("param", Token::kw_param)
                   .Case("const", Token::kw_const)
                   .Case("state", Token::kw_state)
                   .Case("layer", Token::kw_layer)
                   .Case("let", Token::kw_let)
                   .Case("output", Token::kw_output)
                   .Case("loss", Token::kw_loss)
                   .Case("update", Token::kw_update)
                   .Case("metric", Token::kw_metric)
                   .Case("return", Token::kw_return)
                   .Case("for", Token::kw_for)
                   .Case("in", Token::kw_in)
                   .Case("if", Token::kw_if)
                   .Case("then", Token::kw_then)
                   .Case("else", Token::kw_else)
                   .Case("true", Token::kw_true)
                   .Case("false", Token::kw_false)
                   .Case("and", Token::kw_and)
                   .Case("or", Token::kw_or)
                   .Case("not", Token::kw_not)
                   .Default(Token::identifier);
  return makeToken(kind, start);
}

Token Lexer::lexNumber(const char *start) {
  auto isDigit = [&] {
    return current != buffer.end() &&
           std::isdigit(static_cast<unsigned char>(*current));
  };
  while (isDigit())
    ++current;
  bool isFloat = false;
  // A '.' followed by '.' is a range operator, not a fraction.
  if (current != buffer.end() && *current == '.' &&
      !(current + 1 != buffer.end() && current[1] == '.')) {
    isFloat = true;
    ++current;
    while (isDigit())
      ++current;
  }
  if (current != buffer.end() && (*current == 'e' || *current == 'E')) {
    const char *exponent = current++;
    if (current != buffer.end() && (*current == '+' || *current == '-'))
      ++current;
    if (!isDigit()) {
      current = exponent + 1;
      return makeError(start, "malformed exponent in number");
    }
    while (isDigit())
      ++current;
    isFloat = true;
  }
  if (current != buffer.end() &&
      (std::isalpha(static_cast<unsigned char>(*current)) || *current == '_'))
    return makeError(start, "invalid character '" + std::string(1, *current) +
                                "' after a number");
  return makeToken(isFloat ? Token::floating : Token::integer, start);
}

Token Lexer::lexString(const char *start) {
  std::string value;
  while (current != buffer.end() && *current != '"') {
    char c = *current++;
    if (c == '\n')
      return makeError(start, "unterminated string literal");
    if (c == '\\') {
      if (current == buffer.end())
        break;
      char escaped = *current++;
      switch (escaped) {
      case 'n':
        value += '\n';
        break;
      case 't':
        value += '\t';
        break;
      case '\\':
        value += '\\';
        break;
      case '"':
        value += '"';
        break;
      default:
        return makeError(start, std::string("unknown escape sequence '\\") +
                                    escaped + "'");
      }
      continue;
    }
    value += c;
  }
  if (current == buffer.end())
    return makeError(start, "unterminated string literal");
  ++current; // closing quote
  Token kind = makeToken(Token::string, start);
  tokenText = std::move(value);
  return kind;
}

std::string Lexer::describe(Token kind) {
  switch (kind) {
  case Token::eof:
    return "end of file";
  case Token::error:
    return "invalid token";
  case Token::identifier:
    return "identifier";
  case Token::integer:
    return "integer";
  case Token::floating:
    return "number";
  case Token::string:
    return "string";
  case Token::l_paren:
    return "'('";
  case Token::r_paren:
    return "')'";
  case Token::l_brace:
    return "'{'";
  case Token::r_brace:
    return "'}'";
  case Token::l_square:
    return "'['";
  case Token::r_square:
    return "']'";
  case Token::comma:
    return "','";
  case Token::colon:
    return "':'";
  case Token::dot:
    return "'.'";
  case Token::dotdot:
    return "'..'";
  case Token::arrow:
    return "'->'";
  case Token::fat_arrow:
    return "'=>'";
  case Token::equal:
    return "'='";
  case Token::equal_equal:
    return "'=='";
  case Token::not_equal:
    return "'!='";
  case Token::less:
    return "'<'";
  case Token::less_equal:
    return "'<='";
  case Token::greater:
    return "'>'";
  case Token::greater_equal:
    return "'>='";
  case Token::plus:
    return "'+'";
  case Token::minus:
    return "'-'";
  case Token::star:
    return "'*'";
  case Token::slash:
    return "'/'";
  case Token::at:
    return "'@'";
  case Token::percent:
    return "'%'";
  case Token::caret:
    return "'^'";
  case Token::question:
    return "'?'";
  default:
    return "keyword";
  }
}
