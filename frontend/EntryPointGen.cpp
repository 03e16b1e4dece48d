//===- EntryPointGen.cpp - The functions a compiled model exports ---------===//
// For each train configuration (suffix "" for the first, ".NAME" for the
// others), for any batch size B (dimension 0 of x, y and mask is dynamic):
//   eval_step(params, x, y, [rng], [states]) -> ([per-sample loss], output)
//   loss_and_grad(params, x, y, mask, [rng], [states]) -> (objective,
//                                                          d params)
//   train_step(params, x, y, mask, [rng], [states], opt state, [lr])
//       -> (params, [states], opt state, [objective])
// plus the private `loss` (batch mean of the summed losses plus the
// configuration's weight penalties, then the new values of the model states
// as auxiliary results) that dln.value_and_grad differentiates. The rng key
// is there when the model draws random numbers, the model states (batch
// norm's running statistics) when it has any: training forward passes
// update them, evaluation reads them.
// A file without a train block gets eval_step alone. Parameters with an
// update rule take its value instead of an optimizer step. A train block
// with step blocks gets train_step.step.NAME per step instead of
// train_step (StepBlocks.cpp).
//===----------------------------------------------------------------------===//
#include "frontend/EntryPointGen.h"

#include "dialects/DLN/IR/DLNComposites.h"
#include "frontend/MemoryEstimate.h"
#include "frontend/Optimizers.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

using namespace dlnc;
using namespace mlir;
using namespace mlir::dln;


func::FuncOp EntryPointGen::createFunction(StringRef name, bool masked,
                                           TypeRange extraInputs,
                                           TypeRange results) {
  int64_t batch = ShapedType::kDynamic;
  SmallVector<Type> inputs = paramTypes();
  inputs.push_back(model.inputType(batch));
  if (model.hasLabel())
    inputs.push_back(model.labelType(batch));
  if (masked)
    inputs.push_back(RankedTensorType::get({batch}, model.elementType));
  // (seed, step): the key of every random draw of the call.
  if (model.drawsRandomNumbers)
    inputs.push_back(RankedTensorType::get({2}, builder.getI64Type()));
  llvm::append_range(inputs, model.stateTypes());
  llvm::append_range(inputs, extraInputs);
  builder.setInsertionPointToEnd(module.getBody());
  auto func = func::FuncOp::create(builder, model.loc(model.model.loc), name,
                                   builder.getFunctionType(inputs, results));
  for (auto [index, param] : llvm::enumerate(model.params))
    setRole(func, index, Role::param, param.name);
  unsigned next = model.params.size();
  setRole(func, next++, Role::input, model.inputName);
  if (model.hasLabel())
    setRole(func, next++, Role::label, model.labelName);
  if (masked)
    setRole(func, next++, Role::mask, "mask");
  if (model.drawsRandomNumbers)
    setRole(func, next++, Role::rng, "rng");
  for (const ParamInfo &state : model.states)
    setRole(func, next++, Role::state, state.name);
  builder.setInsertionPointToStart(func.addEntryBlock());
  return func;
}

FailureOr<SmallVector<unsigned>>
EntryPointGen::resolveParams(ArrayRef<ParamRef> refs, bool weightsOnly) {
  SmallVector<unsigned> indices;
  // Weights are every parameter but the layers' biases (13.2).
  auto isWeight = [&](unsigned i) {
    return !weightsOnly ||
           !StringRef(model.params[i].name).ends_with(".bias");
  };
  if (refs.empty()) {
    for (unsigned i = 0; i < model.params.size(); ++i)
      if (isWeight(i))
        indices.push_back(i);
    return indices;
  }
  for (const auto &[written, where] : refs) {
    // `fc1.w` and `fc1.b` name the members `fc1.weight` and `fc1.bias`.
    std::string name = written;
    if (StringRef(name).ends_with(".w"))
      name += "eight";
    else if (StringRef(name).ends_with(".b"))
      name += "ias";
    // A layer or sub-model instance: all its weights.
    if (model.layers.count(name) || model.sequentials.count(name) ||
        model.subModels.count(name)) {
      for (unsigned i = 0; i < model.params.size(); ++i)
        if (StringRef(model.params[i].name).starts_with(name + ".") &&
            isWeight(i))
          indices.push_back(i);
      continue;
    }
    auto *param = llvm::find_if(
        model.params, [&](const ParamInfo &p) { return p.name == name; });
    if (param == model.params.end())
      return model.error(where) << "'" << written
                                << "' is not a layer or parameter of model '"
                                << model.model.name << "'",
             failure();
    indices.push_back(param - model.params.begin());
  }
  return indices;
}

FailureOr<SmallVector<SmallVector<unsigned>>>
EntryPointGen::groupParams(ArrayRef<OptimizerGroup> optimizerGroups,
                           ArrayRef<unsigned> optimized, bool partial) {
  SmallVector<SmallVector<unsigned>> groups(optimizerGroups.size());
  llvm::SmallDenseMap<unsigned, unsigned> owner; // param -> group
  int rest = -1;
  for (auto [g, group] : llvm::enumerate(optimizerGroups)) {
    if (group.params.empty()) {
      rest = g;
      continue;
    }
    FailureOr<SmallVector<unsigned>> listed =
        resolveParams(group.params, /*weightsOnly=*/false);
    if (failed(listed))
      return failure();
    for (unsigned i : *listed) {
      if (!llvm::is_contained(optimized, i))
        return model.error(group.params.front().second)
                   << "'" << model.params[i].name
                   << "' has an update rule, so no optimizer may list it",
               failure();
      auto [it, inserted] = owner.try_emplace(i, g);
      if (!inserted)
        return model.error(group.loc)
                   << "'" << model.params[i].name
                   << "' is already in the parameter group of optimizer "
                   << it->second + 1,
               failure();
      groups[g].push_back(i);
    }
  }
  for (unsigned i : optimized) {
    if (owner.count(i) || (partial && rest < 0))
      continue;
    if (rest < 0)
      return model.error(optimizerGroups.back().loc)
                 << "no optimizer updates '" << model.params[i].name
                 << "': list it in a 'params' group or add an optimizer "
                    "without 'params'",
             failure();
    groups[rest].push_back(i);
  }
  for (SmallVector<unsigned> &group : groups)
    llvm::sort(group);
  return groups;
}

FailureOr<Value>
EntryPointGen::penalty(const TrainConfig &config, ValueRange params,
                       Location where,
                       std::optional<ArrayRef<unsigned>> only) {
  Value total;
  auto add = [&](Value term) {
    total = total ? AddOp::create(builder, where, total, term).getResult()
                  : term;
  };
  for (const Regularizer &reg : config.regularizers) {
    FailureOr<SmallVector<unsigned>> covered =
        resolveParams(reg.params, /*weightsOnly=*/true);
    if (failed(covered))
      return failure();
    Location regLoc = model.loc(reg.loc);
    for (unsigned i : *covered) {
      if (only && !llvm::is_contained(*only, i))
        continue;
      Value w = params[i];
      auto axes = llvm::to_vector(llvm::seq<int64_t>(
          0, cast<RankedTensorType>(w.getType()).getRank()));
      if (reg.l1 != 0) {
        Value sum = reduceSum(builder, regLoc,
                              AbsOp::create(builder, regLoc, w), axes);
        add(MulOp::create(builder, regLoc, sum, model.scalar(reg.loc, reg.l1)));
      }
      if (reg.l2 != 0) {
        Value sum = reduceSum(builder, regLoc,
                              MulOp::create(builder, regLoc, w, w), axes);
        add(MulOp::create(builder, regLoc, sum, model.scalar(reg.loc, reg.l2)));
      }
    }
  }
  return total;
}

void EntryPointGen::clipByGlobalNorm(MutableArrayRef<Value> grads,
                                     double maxNorm, Location where) {
  Value squares;
  for (Value grad : grads) {
    auto axes = llvm::to_vector(llvm::seq<int64_t>(
        0, cast<RankedTensorType>(grad.getType()).getRank()));
    Value sum = reduceSum(builder, where,
                          MulOp::create(builder, where, grad, grad), axes);
    squares = squares ? AddOp::create(builder, where, squares, sum).getResult()
                      : sum;
  }
  Type scalar = scalarType();
  Value norm = SqrtOp::create(builder, where, squares);
  Value limit = splatConstant(builder, where, scalar, maxNorm);
  // c / max(c, norm + 1e-6) is PyTorch's clamped coefficient.
  Value padded = AddOp::create(builder, where, norm,
                               splatConstant(builder, where, scalar, 1e-6));
  Value coefficient = DivOp::create(
      builder, where, limit, MaxOp::create(builder, where, limit, padded));
  for (Value &grad : grads)
    grad = scale(builder, where, grad, coefficient);
}

FailureOr<func::FuncOp>
EntryPointGen::emitLoss(const TrainConfig *config, int64_t batch,
                        StringRef suffix, const TrainStep *step,
                        ArrayRef<unsigned> stepParams) {
  SmallVector<Type> results{scalarType()};
  llvm::append_range(results, model.stateTypes());
  func::FuncOp lossFunc =
      createFunction(("loss" + suffix).str(), /*masked=*/true, {}, results);
  lossFunc.setPrivate();
  unsigned numParams = model.params.size();
  auto args = lossFunc.getArguments();
  DataArgs data = dataArgs(lossFunc, /*masked=*/true);
  FailureOr<ForwardValues> forward =
      model.emitForward(args.take_front(numParams), data.states, data.x,
                        data.y, data.rng, /*training=*/true,
                        /*withUpdates=*/false, data.mask);
  if (failed(forward))
    return failure();
  Location where = lossLoc();
  Value perSample = forward->perSampleLoss;
  if (step) {
    FailureOr<Value> chosen = stepObjective(*step, *forward);
    if (failed(chosen))
      return failure();
    perSample = *chosen;
  }
  // The mean over the real rows: sum(loss * mask) / sum(mask).
  Value objective = batchMean(builder, where, {perSample, true}, data.mask);
  if (config) {
    FailureOr<Value> extra =
        penalty(*config, args.take_front(numParams), where,
                step ? std::optional<ArrayRef<unsigned>>(stepParams)
                     : std::nullopt);
    if (failed(extra))
      return failure();
    if (*extra)
      objective = AddOp::create(builder, where, objective, *extra);
  }
  // The states' new values (batch norm's running statistics).
  SmallVector<Value> returned{objective};
  llvm::append_range(returned, data.states);
  for (auto [index, value] : forward->stateUpdates)
    returned[1 + index] = value;
  func::ReturnOp::create(builder, where, returned);
  if (failed(checkTrainStepMemory(lossFunc, batch)))
    return failure();
  return lossFunc;
}

LogicalResult EntryPointGen::emitEval(int64_t batch, StringRef suffix) {
  // Per-sample losses and outputs; the runtime computes the metrics.
  func::FuncOp evalFunc =
      createFunction(("eval_step" + suffix).str(), /*masked=*/false, {},
                     {});
  unsigned numParams = model.params.size();
  auto args = evalFunc.getArguments();
  DataArgs data = dataArgs(evalFunc, /*masked=*/false);
  FailureOr<ForwardValues> forward =
      model.emitForward(args.take_front(numParams), data.states, data.x,
                        data.y, data.rng, /*training=*/false,
                        /*withUpdates=*/false, /*mask=*/nullptr,
                        /*withMetrics=*/true);
  if (failed(forward))
    return failure();
  SmallVector<Value> results;
  SmallVector<std::pair<Role, std::string>> roles;
  if (forward->perSampleLoss) {
    results.push_back(forward->perSampleLoss);
    roles.emplace_back(Role::loss, "loss");
  }
  if (forward->output) {
    results.push_back(forward->output);
    roles.emplace_back(Role::output, model.outputName);
  }
  // Per-sample metric values; the runtime averages them over a split.
  for (auto &[name, value] : forward->metrics) {
    results.push_back(value);
    roles.emplace_back(Role::metric, name);
  }
  func::ReturnOp::create(builder, lossLoc(), results);
  evalFunc.setType(builder.getFunctionType(evalFunc.getArgumentTypes(),
                                           ValueRange(results).getTypes()));
  for (auto [i, role] : llvm::enumerate(roles))
    setResultRole(evalFunc, i, role.first, role.second);
  return success();
}

void EntryPointGen::emitLossAndGrad(func::FuncOp lossFunc, int64_t batch,
                                    StringRef suffix) {
  // Analytic gradients, for gradient checking and custom training loops.
  SmallVector<Type> types{scalarType()};
  llvm::append_range(types, paramTypes());
  func::FuncOp gradFunc =
      createFunction(("loss_and_grad" + suffix).str(), /*masked=*/true,
                     {}, types);
  SmallVector<int64_t> wrt =
      llvm::to_vector(llvm::seq<int64_t>(0, model.params.size()));
  SmallVector<Type> auxAndGrads = model.stateTypes();
  llvm::append_range(auxAndGrads, paramTypes());
  auto grad = ValueAndGradOp::create(builder, lossLoc(), scalarType(),
                                     auxAndGrads, lossFunc.getSymName(),
                                     gradFunc.getArguments(), wrt);
  SmallVector<Value> returned{grad.getValue()};
  llvm::append_range(returned, grad.getGradients());
  func::ReturnOp::create(builder, lossLoc(), returned);
  setResultRole(gradFunc, 0, Role::loss, "loss");
  for (auto [i, param] : llvm::enumerate(model.params))
    setResultRole(gradFunc, i + 1, Role::grad, param.name);
}

FailureOr<SmallVector<ParamInfo>>
EntryPointGen::emitTrainStep(const TrainConfig &config, func::FuncOp lossFunc,
                             int64_t batch, StringRef suffix,
                             const TrainStep *trainStep) {
  // train_step(params, x, y, [state], [lr]) -> (params, [state], [loss]):
  // the updated parameters and optimizer state are written back in place.
  // The state is each optimized parameter's slots in turn
  // (fc.weight.exp_avg, fc.weight.exp_avg_sq, fc.bias.exp_avg, ...), then
  // the step count.
  OptimizerAttr optimizer =
      trainStep ? trainStep->optimizer : config.optimizer;
  ArrayRef<OptimizerGroup> optimizerGroups =
      trainStep ? ArrayRef<OptimizerGroup>(trainStep->groups)
                : ArrayRef<OptimizerGroup>(config.groups);
  // A step's state and learning rates carry its name: two steps may
  // optimize the same parameter.
  std::string prefix = trainStep ? trainStep->name + "." : "";
  unsigned numParams = model.params.size();
  llvm::SmallDenseMap<unsigned, const Stmt *> ruled;
  for (const UpdateRule &rule : model.updates)
    if (!rule.isState)
      ruled[rule.paramIndex] = rule.stmt;
  SmallVector<unsigned> optimized;
  for (unsigned i = 0; i < numParams; ++i)
    if (!ruled.count(i))
      optimized.push_back(i);
  if (numParams == 0)
    return model.error(model.model.loc)
               << "model '" << model.model.name
               << "' has no trainable parameters",
           failure();
  if (!optimizer && !optimized.empty())
    return model.error(config.loc)
               << "the train block needs 'optimizer = sgd(lr = ...)': '"
               << model.params[optimized.front()].name
               << "' has no update rule",
           failure();
  if (optimizer && !lossFunc)
    return model.error(config.loc)
               << "the optimizer needs an objective: add 'loss = ...' to "
                  "model '"
               << model.model.name << "'",
           failure();
  if (optimizer && optimized.empty())
    return model.error(config.loc)
               << "every parameter has an update rule, so the optimizer "
                  "would train nothing: remove it",
           failure();

  Type scalar = scalarType();
  SmallVector<Type> allParamTypes = paramTypes();
  // Each optimizer group keeps its parameters' slots, then its step count;
  // group g takes the learning rate "lr" (g = 0) or "lr.g".
  SmallVector<SmallVector<unsigned>> groups;
  if (optimizer) {
    FailureOr<SmallVector<SmallVector<unsigned>>> assigned =
        groupParams(optimizerGroups, optimized, /*partial=*/trainStep);
    if (failed(assigned))
      return failure();
    groups = std::move(*assigned);
  }
  // A step differentiates only with respect to its own parameters.
  if (trainStep) {
    optimized.clear();
    for (const SmallVector<unsigned> &group : groups)
      llvm::append_range(optimized, group);
    llvm::sort(optimized);
  }
  auto groupName = [&](size_t g, StringRef what) {
    return prefix +
           (g == 0 ? what.str() : (Twine(what) + "." + Twine(g)).str());
  };
  SmallVector<ParamInfo> stateSpecs;
  SmallVector<Type> stateTypes;
  auto zeros = InitAttr::get(&context, "zeros", 0, 0, {});
  for (auto [g, group] : llvm::enumerate(groups)) {
    OptimizerAttr groupOptimizer = optimizerGroups[g].optimizer;
    for (unsigned i : group)
      for (StringRef slot : optimizerSlots(groupOptimizer)) {
        stateSpecs.push_back(
            {(prefix + model.params[i].name + "." + slot).str(),
             model.params[i].shape, zeros});
        stateTypes.push_back(allParamTypes[i]);
      }
    if (usesStepCount(groupOptimizer)) {
      // "optimizer.step", "optimizer.1.step", "generator.optimizer.step"...
      stateSpecs.push_back(
          {prefix + (g == 0 ? kStepCountName.str()
                            : ("optimizer." + Twine(g) + ".step").str()),
           {},
           zeros});
      stateTypes.push_back(scalar);
    }
  }
  SmallVector<Type> extraInputs(stateTypes);
  extraInputs.append(groups.size(), scalar); // learning rates
  SmallVector<Type> modelStateTypes = model.stateTypes();
  SmallVector<Type> resultTypes(allParamTypes);
  llvm::append_range(resultTypes, modelStateTypes);
  llvm::append_range(resultTypes, stateTypes);
  if (lossFunc)
    resultTypes.push_back(scalar);
  func::FuncOp stepFunc = createFunction(("train_step" + suffix).str(),
                                         /*masked=*/true, extraInputs,
                                         resultTypes);
  auto args = stepFunc.getArguments();
  DataArgs data = this->dataArgs(stepFunc, /*masked=*/true);
  unsigned dataArgs = data.end; // params, x, [y], mask, [rng], [states]
  Location where = lossLoc();
  ValueRange stateArgs = args.slice(dataArgs, stateTypes.size());
  ValueRange lrArgs = args.take_back(groups.size());

  SmallVector<Value> newParams(args.take_front(numParams));
  SmallVector<Value> newModelStates(data.states);
  SmallVector<Value> newState;
  Value objective;
  if (optimizer) {
    SmallVector<Type> gradTypes(modelStateTypes);
    SmallVector<int64_t> wrt;
    for (unsigned i : optimized) {
      gradTypes.push_back(allParamTypes[i]);
      wrt.push_back(i);
    }
    auto stepGrad =
        ValueAndGradOp::create(builder, where, scalar, gradTypes,
                               lossFunc.getSymName(),
                               args.take_front(dataArgs), wrt);
    objective = stepGrad.getValue();
    newModelStates.assign(stepGrad.getAux().begin(), stepGrad.getAux().end());
    SmallVector<Value> grads(stepGrad.getGradients());
    // Clipping sees every group's gradients together, as clip_grad_norm_
    // over model.parameters().
    if (config.clipGradNorm)
      clipByGlobalNorm(grads, *config.clipGradNorm, where);
    unsigned nextState = 0;
    for (auto [g, group] : llvm::enumerate(groups)) {
      OptimizerAttr groupOptimizer = optimizerGroups[g].optimizer;
      size_t slotCount = optimizerSlots(groupOptimizer).size();
      unsigned stepIndex = nextState + group.size() * slotCount;
      Value step;
      if (usesStepCount(groupOptimizer))
        step = AddOp::create(builder, where, stateArgs[stepIndex],
                             splatConstant(builder, where, scalar, 1.0));
      for (unsigned i : group) {
        unsigned k = llvm::find(optimized, i) - optimized.begin();
        SmallVector<Value> updated = buildOptimizerUpdate(
            builder, where, groupOptimizer, args[i], grads[k],
            stateArgs.slice(nextState, slotCount), step, lrArgs[g]);
        nextState += slotCount;
        newParams[i] = updated.front();
        llvm::append_range(newState, llvm::drop_begin(updated));
      }
      if (step) {
        newState.push_back(step);
        ++nextState;
      }
    }
  } else if (lossFunc) {
    auto call = func::CallOp::create(builder, where, lossFunc,
                                     args.take_front(dataArgs));
    objective = call.getResult(0);
    newModelStates.assign(call.getResults().begin() + 1,
                          call.getResults().end());
  }
  if (!model.updates.empty()) {
    FailureOr<ForwardValues> forward =
        model.emitForward(args.take_front(numParams), data.states, data.x,
                          data.y, data.rng, /*training=*/true,
                          /*withUpdates=*/true, data.mask);
    if (failed(forward))
      return failure();
    for (auto [index, value] : forward->updates)
      newParams[index] = value;
    for (auto [index, value] : forward->stateRuleUpdates)
      newModelStates[index] = value;
    // Without a loss, this pass is the one that updates the states.
    if (!lossFunc)
      for (auto [index, value] : forward->stateUpdates)
        newModelStates[index] = value;
  }
  SmallVector<Value> results(newParams);
  llvm::append_range(results, newModelStates);
  llvm::append_range(results, newState);
  if (objective)
    results.push_back(objective);
  func::ReturnOp::create(builder, where, results);

  for (unsigned i = 0; i < numParams; ++i) {
    stepFunc.setResultAttr(i, "dln.aliases_arg", builder.getI64IntegerAttr(i));
    setResultRole(stepFunc, i, Role::param, model.params[i].name);
  }
  unsigned numModelStates = model.states.size();
  for (auto [i, state] : llvm::enumerate(model.states)) {
    unsigned arg = dataArgs - numModelStates + i;
    stepFunc.setResultAttr(numParams + i, "dln.aliases_arg",
                           builder.getI64IntegerAttr(arg));
    setResultRole(stepFunc, numParams + i, Role::state, state.name);
  }
  for (auto [i, spec] : llvm::enumerate(stateSpecs)) {
    unsigned result = numParams + numModelStates + i;
    setRole(stepFunc, dataArgs + i, Role::optimizer_state, spec.name);
    stepFunc.setResultAttr(result, "dln.aliases_arg",
                           builder.getI64IntegerAttr(dataArgs + i));
    setResultRole(stepFunc, result, Role::optimizer_state, spec.name);
  }
  for (size_t g = 0; g < groups.size(); ++g)
    setRole(stepFunc, args.size() - groups.size() + g, Role::hyper,
            groupName(g, "lr"));
  groupsAttr = nullptr;
  // A step's rates are never plain "lr": the runtime binds them by name.
  if (groups.size() > 1 || trainStep) {
    SmallVector<Attribute> dictionaries;
    for (auto [g, group] : llvm::enumerate(groups)) {
      SmallVector<Attribute> names;
      for (unsigned i : group)
        names.push_back(builder.getStringAttr(model.params[i].name));
      dictionaries.push_back(builder.getDictionaryAttr(
          {builder.getNamedAttr("lr", builder.getStringAttr(groupName(g, "lr"))),
           builder.getNamedAttr("optimizer", optimizerGroups[g].optimizer),
           builder.getNamedAttr("params", builder.getArrayAttr(names))}));
    }
    groupsAttr = builder.getArrayAttr(dictionaries);
  }
  if (objective)
    setResultRole(stepFunc, results.size() - 1, Role::loss, "loss");
  return stateSpecs;
}

FailureOr<SmallVector<ParamInfo>>
EntryPointGen::emit(const TrainConfig *config, int64_t batch,
                    StringRef suffix) {
  func::FuncOp lossFunc;
  if (!model.lossStmts.empty()) {
    FailureOr<func::FuncOp> built = emitLoss(config, batch, suffix);
    if (failed(built))
      return failure();
    lossFunc = *built;
  }
  if (failed(emitEval(batch, suffix)))
    return failure();
  // The configuration's state: the model's, then the optimizers'.
  SmallVector<ParamInfo> allState(model.states);
  stepsAttr = stepOrderAttr = nullptr;
  if (!config)
    return allState;
  if (lossFunc && !model.params.empty())
    emitLossAndGrad(lossFunc, batch, suffix);
  FailureOr<SmallVector<ParamInfo>> optimizerState =
      config->steps.empty()
          ? emitTrainStep(*config, lossFunc, batch, suffix)
          : emitSteps(*config, batch, suffix);
  if (failed(optimizerState))
    return failure();
  llvm::append_range(allState, *optimizerState);
  return allState;
}

LogicalResult ModelGen::generate(ModuleOp module, const Recipe &recipe) {
  EntryPointGen entryPoints(*this, module);
  // A per-slot state keeps one row per slot of the configuration's batch.
  auto specs = [&](ArrayRef<ParamInfo> tensors, int64_t batch = 0) {
    SmallVector<Attribute> attrs;
    for (const ParamInfo &tensor : tensors) {
      SmallVector<int64_t> shape(tensor.shape);
      if (tensor.perSlot)
        shape.insert(shape.begin(), batch);
      attrs.push_back(
          TensorSpecAttr::get(&context, tensor.name, shape, tensor.init));
    }
    return builder.getArrayAttr(attrs);
  };
  // one_hot() turns class ids into f32[C] rows: the label must be one.
  if (recipe.oneHotTarget.isValid() &&
      (labelIsClass || labelShape.size() != 1))
    return error(recipe.oneHotTarget)
               << "one_hot() makes each target a vector of class "
                  "indicators: declare the label as "
               << (labelIsClass ? "f32[" + std::to_string(numClasses) + "]"
                                : std::string("f32[C]"))
               << ", not "
               << (labelIsClass ? "class[" + std::to_string(numClasses) + "]"
                                : shapeString(elementType, labelShape)),
           failure();
  // Sources yield features then a class id: a class input can only be the
  // second field, after a label that takes the features (7.1).
  if (inputIsClass && !labelFirst)
    return error(model.loc)
               << "model '" << model.name << "': the class input '"
               << inputName
               << "' binds a sample's second field (the class id): declare "
                  "a label for the first field before it",
           failure();
  if (recipe.oneHotTarget.isValid() && labelFirst)
    return error(recipe.oneHotTarget)
               << "one_hot() applies to the second field, which is the input "
                  "here (the label is declared first)",
           failure();
  // Crops and flips move pixels of [C, H, W] (or [C, L]) samples, and a
  // crop keeps the input's size.
  if (ArrayAttr augments = recipe.data.getAugments()) {
    for (auto [attr, where] :
         llvm::zip_equal(augments.getAsRange<TransformAttr>(),
                         recipe.augmentSites)) {
      StringRef kind = attr.getKind();
      if (kind == "noise")
        continue;
      if (inputShape.size() < 2 || inputShape.size() > 3)
        return error(where) << kind
                            << " moves the pixels of images: declare the "
                               "input as [C, H, W] (or [C, L]), not "
                            << shapeString(elementType, inputShape),
               failure();
      if (kind != "random_crop")
        continue;
      ArrayRef<double> args = attr.getArgs().asArrayRef();
      ArrayRef<int64_t> spatial = ArrayRef<int64_t>(inputShape).drop_front();
      bool fits = spatial.size() == 2
                      ? args[0] == spatial[0] && args[1] == spatial[1]
                      : args[0] == spatial[0] && args[1] == spatial[0];
      if (!fits)
        return error(where) << "random_crop must keep the input's size "
                            << shapeString(elementType, inputShape)
                            << " (pad, then crop back): crop size "
                            << static_cast<int64_t>(args[0]) << "x"
                            << static_cast<int64_t>(args[1]),
               failure();
    }
  }
  if (recipe.configs.empty() && !recipe.inferenceOnly && !params.empty())
    return error(model.loc) << "model '" << model.name
                            << "' has parameters but the file has no train "
                               "block to train them",
           failure();
  ArrayAttr defaultState = specs(states, recipe.evalBatch);
  SmallVector<Attribute> configAttrs;
  bool named = false;
  if (recipe.configs.empty()) {
    if (failed(entryPoints.emit(nullptr, recipe.evalBatch, "")))
      return failure();
    module->setAttr("dln.batch", builder.getI64IntegerAttr(recipe.evalBatch));
  }
  for (auto [i, config] : llvm::enumerate(recipe.configs)) {
    std::string suffix = i == 0 ? "" : "." + config.name;
    FailureOr<SmallVector<ParamInfo>> state =
        entryPoints.emit(&config, config.batch, suffix);
    if (failed(state))
      return failure();
    ArrayAttr stateAttr = specs(*state, config.batch);
    named |= !config.name.empty();
    configAttrs.push_back(TrainConfigAttr::get(
        &context, config.name, config.batch, config.epochs, config.seed,
        config.logEvery, config.batchAll, config.dropLast,
        !config.regularizers.empty(), suffix,
        config.optimizer,
        stateAttr, config.schedule, entryPoints.groupsAttr,
        entryPoints.stepsAttr, entryPoints.stepOrderAttr));
    if (i != 0)
      continue;
    defaultState = stateAttr;
    module->setAttr("dln.batch", builder.getI64IntegerAttr(config.batch));
    // The runtime checks that the data still has exactly this many rows.
    if (config.batchAll)
      module->setAttr("dln.batch_all", builder.getUnitAttr());
    if (config.dropLast)
      module->setAttr("dln.drop_last", builder.getUnitAttr());
    // The objective is more than the mean of eval_step's losses.
    if (!config.regularizers.empty())
      module->setAttr("dln.regularized", builder.getUnitAttr());
    module->setAttr("dln.epochs", builder.getI64IntegerAttr(config.epochs));
    module->setAttr("dln.seed", builder.getI64IntegerAttr(config.seed));
    module->setAttr("dln.log_every",
                    builder.getI64IntegerAttr(config.logEvery));
    if (config.optimizer)
      module->setAttr("dln.optimizer", config.optimizer);
    if (config.schedule)
      module->setAttr("dln.lr_schedule", config.schedule);
    if (entryPoints.groupsAttr)
      module->setAttr("dln.optimizer_groups", entryPoints.groupsAttr);
    if (entryPoints.stepsAttr) {
      module->setAttr("dln.steps", entryPoints.stepsAttr);
      module->setAttr("dln.step_order", entryPoints.stepOrderAttr);
    }
    module->setAttr("dln.trained", builder.getUnitAttr());
  }
  if (named)
    module->setAttr("dln.configs", builder.getArrayAttr(configAttrs));
  SmallVector<Attribute> predictAttrs;
  for (const PredictBlock &predict : predicts)
    if (failed(entryPoints.emitPredict(predict, predictAttrs)))
      return failure();
  if (!predictAttrs.empty())
    module->setAttr("dln.predicts", builder.getArrayAttr(predictAttrs));
  module->setAttr("dln.data", recipe.data);
  module->setAttr("dln.params", specs(params));
  module->setAttr("dln.state", defaultState);
  module->setAttr(
      "dln.input",
      inputIsClass
          ? Attribute(ClassLabelAttr::get(&context, inputName, numClasses))
          : Attribute(SampleAttr::get(&context, inputName, inputShape)));
  if (labelFirst)
    module->setAttr("dln.label_first", builder.getUnitAttr());
  if (hasLabel())
    module->setAttr(
        "dln.label",
        labelIsClass
            ? Attribute(ClassLabelAttr::get(&context, labelName, numClasses))
            : Attribute(SampleAttr::get(&context, labelName, labelShape)));
  module->setAttr("dln.dtype", TypeAttr::get(elementType));
  module->setAttr("dln.output_name", builder.getStringAttr(outputName));
  SmallVector<Attribute> lossNames;
  if (!lossStmts.empty())
    lossNames.push_back(builder.getStringAttr("loss"));
  module->setAttr("dln.losses", builder.getArrayAttr(lossNames));
  // How the runtime prints each metric: accuracies as percentages.
  SmallVector<NamedAttribute> metricKinds;
  for (const Stmt &stmt : model.body) {
    if (stmt.kind != Stmt::Kind::Metric)
      continue;
    StringRef callee = calleeName(*stmt.value);
    std::string name = stmt.names.empty() ? callee.str() : stmt.name();
    metricKinds.push_back(builder.getNamedAttr(
        name, builder.getStringAttr(callee == "accuracy" || callee == "top_k"
                                        ? "accuracy"
                                        : "mean")));
  }
  module->setAttr("dln.metric_kinds",
                  builder.getDictionaryAttr(metricKinds));
  return success();
}
