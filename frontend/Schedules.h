//===- Schedules.h - Learning-rate schedules of a train block ---*- C++ -*-===//
// docs/language.md 14.1: `lr_schedule = multistep(milestones = [30, 80])`
// read into a #dln.schedule attribute; the runtime steps it once per epoch
// as torch.optim.lr_scheduler does.
//===----------------------------------------------------------------------===//
#ifndef DLNC_FRONTEND_SCHEDULES_H
#define DLNC_FRONTEND_SCHEDULES_H

#include "frontend/AST.h"

#include "dialects/DLN/IR/DLNAttrs.h"

namespace dlnc {

/// Checks the call against the schedule table (known kind and options,
/// value ranges) with located errors and returns it with defaults filled in.
mlir::FailureOr<mlir::dln::ScheduleAttr>
readSchedule(mlir::MLIRContext &context, const llvm::SourceMgr &sourceMgr,
             const Expr &expr);

} // namespace dlnc

#endif // DLNC_FRONTEND_SCHEDULES_H
