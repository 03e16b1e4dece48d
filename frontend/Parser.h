//===- Parser.h - Recursive-descent parser of the .dln language -*- C++ -*-===//
#ifndef DLNC_FRONTEND_PARSER_H
#define DLNC_FRONTEND_PARSER_H

#include "frontend/AST.h"
#include "frontend/Lexer.h"

#include "llvm/Support/SourceMgr.h"

namespace dlnc {

/// Parses the main buffer of `sourceMgr`. Reports the first syntax error as
/// `file:line:col: error: ...` with a caret line and returns std::nullopt.
std::optional<Module> parseModule(llvm::SourceMgr &sourceMgr);

} // namespace dlnc

#endif // DLNC_FRONTEND_PARSER_H
