//===- Patterns.h - dln to linalg patterns, by op family --------*- C++ -*-===//
#ifndef DLNC_COMPILER_CONVERSION_DLNTOLINALG_PATTERNS_H
#define DLNC_COMPILER_CONVERSION_DLNTOLINALG_PATTERNS_H

#include "mlir/Transforms/DialectConversion.h"

namespace mlir::dln {

void populateElementwiseToLinalgPatterns(RewritePatternSet &patterns);
void populateContractionToLinalgPatterns(RewritePatternSet &patterns);
void populateReductionToLinalgPatterns(RewritePatternSet &patterns);
void populateShapeToLinalgPatterns(RewritePatternSet &patterns);
void populateWindowToLinalgPatterns(RewritePatternSet &patterns);
void populateRandomToLinalgPatterns(RewritePatternSet &patterns);
void populatePixelToLinalgPatterns(RewritePatternSet &patterns);
void populateSamplingToLinalgPatterns(RewritePatternSet &patterns);
void populateScanToLinalgPatterns(RewritePatternSet &patterns);

} // namespace mlir::dln

#endif // DLNC_COMPILER_CONVERSION_DLNTOLINALG_PATTERNS_H
